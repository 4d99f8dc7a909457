"""Bounded Content-Encoding decoding (gzip, deflate, nested) that never outgrows its cap."""

from __future__ import annotations

import zlib
from collections.abc import Iterator

# Output is produced in pieces of at most this size, so one small compressed chunk can never
# balloon into a huge buffer (a 200 KB gzip bomb inflates 1000x) before the cap is checked.
PIECE = 64 * 1024

_GZIP_MAGIC = b"\x1f\x8b"


class DecodeError(Exception):
    """The body cannot be decoded: unknown encoding or a corrupt compressed stream."""


class _Stage:
    """One zlib decompressor; restarts on concatenated gzip members."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self._started = False  # deflate: we only know zlib-vs-raw after the first bytes
        self._d = self._new()

    def _new(self, raw_deflate: bool = False) -> zlib._Decompress:
        if self.encoding == "gzip":
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
        # "deflate" is meant to be zlib-wrapped, but many servers send raw deflate.
        return zlib.decompressobj(-zlib.MAX_WBITS if raw_deflate else zlib.MAX_WBITS)

    def feed(self, data: bytes) -> Iterator[bytes]:
        buf = data
        while True:
            if self._d.eof:
                buf = self._d.unused_data + buf
                # A second gzip member continues the body; anything else is trailing junk
                # (some servers pad with zeros) and is ignored, as gzip(1) does.
                if self.encoding == "gzip" and buf.startswith(_GZIP_MAGIC):
                    self._d = self._new()
                else:
                    return
            if not buf:
                return
            try:
                out = self._d.decompress(buf, PIECE)
            except zlib.error as exc:
                if self.encoding == "deflate" and not self._started:
                    self._started = True
                    self._d = self._new(raw_deflate=True)
                    continue
                raise DecodeError(f"corrupt {self.encoding} body") from exc
            self._started = True
            buf = self._d.unconsumed_tail
            if out:
                yield out
            elif not buf:
                return

    def drain(self) -> Iterator[bytes]:
        """Flush what zlib still holds, piece by piece (flush() itself is unbounded)."""
        while not self._d.eof:
            try:
                out = self._d.decompress(b"", PIECE)
            except zlib.error as exc:
                raise DecodeError(f"corrupt {self.encoding} body") from exc
            if not out:
                break
            yield out

    @property
    def complete(self) -> bool:
        # An empty deflate/gzip stream (no bytes at all) is accepted as an empty body.
        return self._d.eof or not self._started


def parse_encodings(header: str | None) -> list[str]:
    """Content-Encoding values in the order they were applied; raises on unknown ones."""
    if not header:
        return []
    out: list[str] = []
    for token in header.split(","):
        name = token.strip().lower()
        if name in ("", "identity"):
            continue
        if name in ("gzip", "x-gzip"):
            out.append("gzip")
        elif name == "deflate":
            out.append("deflate")
        else:
            # We never advertise br/zstd; decoding them unbounded is the failure we avoid.
            raise DecodeError(f"unsupported content encoding {name[:20]!r}")
    return out


class BodyDecoder:
    """Feed raw chunks, get decoded pieces of at most PIECE bytes each."""

    def __init__(self, content_encoding: str | None) -> None:
        # Encodings are listed in the order applied, so decode them last-first.
        self._stages = [_Stage(name) for name in reversed(parse_encodings(content_encoding))]

    def feed(self, chunk: bytes) -> Iterator[bytes]:
        yield from self._through(0, [chunk])

    def finish(self) -> Iterator[bytes]:
        for index, stage in enumerate(self._stages):
            yield from self._through(index + 1, stage.drain())
            if not stage.complete:
                raise DecodeError(f"truncated {stage.encoding} body")

    def _through(self, index: int, pieces: Iterator[bytes] | list[bytes]) -> Iterator[bytes]:
        # Pass each piece down the chain lazily so no stage ever holds more than one piece.
        if index == len(self._stages):
            yield from pieces
            return
        stage = self._stages[index]
        for piece in pieces:
            yield from self._through(index + 1, stage.feed(piece))
