"""Catalogue A, size limits (N5, N6): huge bodies and decompression bombs over loopback."""

from __future__ import annotations

import gzip
import os
import time
import tracemalloc

import pytest

from newsreader.net.client import NetSettings
from tests.hostile.helpers import counts, primed, refresh_error
from tests.http_server import TestServer, endless, send_head, stall


# -- N5 -------------------------------------------------------------------------------------
async def test_n5_huge_content_length_is_refused_before_reading(http_server: TestServer):
    """N5: Content-Length 10 GiB → "response too large" at once, without reading the body."""
    reader, before = await primed(http_server)

    def huge(h) -> None:  # type: ignore[no-untyped-def]
        send_head(h, 200, {"Content-Type": "application/rss+xml",
                           "Content-Length": "10737418240"})
        stall(h, seconds=10)

    http_server.handler("/feed.xml", huge)
    started = time.monotonic()
    error = await refresh_error(reader)
    assert error == "response too large (10240.0 MiB > 10 MiB cap)"
    assert time.monotonic() - started < 1.0  # well before the deadline: nothing was read
    assert counts(reader) == before
    await reader.aclose()


async def test_n5_endless_stream_is_capped_with_bounded_memory(http_server: TestServer):
    """N5: an endless chunked body → "response too large"; peak memory ≈ cap, not more."""
    cap = 4 * 1024 * 1024
    settings = NetSettings(connect_timeout=1, read_timeout=2, deadline=10, max_bytes=cap,
                           http2=False)
    reader, before = await primed(http_server, settings=settings)
    http_server.handler("/feed.xml", lambda h: endless(h))
    tracemalloc.start()
    try:
        error = await refresh_error(reader)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert error == "response too large (> 4 MiB cap)"
    assert peak < cap + 2 * 1024 * 1024, peak
    assert counts(reader) == before
    await reader.aclose()


def test_n5_default_caps():
    """N5: the default caps: 10 MiB per response; story pages parsed from at most 5 MiB."""
    import inspect

    from newsreader.parse.story import parse_story

    assert NetSettings().max_bytes == 10 * 1024 * 1024
    assert inspect.signature(parse_story).parameters["max_bytes"].default == 5 * 1024 * 1024


# -- N6 -------------------------------------------------------------------------------------
@pytest.mark.parametrize("layers", [1, 2], ids=["gzip", "gzip-gzip"])
async def test_n6_gzip_bombs_abort_at_the_cap_with_bounded_memory(
    http_server: TestServer, layers: int
):
    """N6: gzip 200 KB → 200 MB (and nested gzip, gzip) → capped while decoding, memory bounded."""
    reader, before = await primed(http_server)
    bomb = b"\0" * (200 * 1024 * 1024)
    for _ in range(layers):
        bomb = gzip.compress(bomb, compresslevel=9)
    assert len(bomb) < 256 * 1024
    encoding = ", ".join(["gzip"] * layers)

    def serve(h) -> None:  # type: ignore[no-untyped-def]
        send_head(h, 200, {"Content-Type": "application/rss+xml", "Content-Encoding": encoding,
                           "Content-Length": str(len(bomb))})
        h.wfile.write(bomb)

    http_server.handler("/feed.xml", serve)
    tracemalloc.start()
    try:
        error = await refresh_error(reader)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert error == "response too large (> 10 MiB cap)"
    assert peak < 14 * 1024 * 1024, peak  # the 10 MiB cap plus pieces, never 200 MB
    assert counts(reader) == before
    await reader.aclose()


async def test_n6_brotli_is_not_requested_and_refused_if_sent(http_server: TestServer):
    """N6: br is never advertised; a server sending it anyway → "unsupported content encoding"."""
    reader, before = await primed(http_server)
    sent = http_server.requests[-1][2]["accept-encoding"]
    assert "br" not in sent and "zstd" not in sent

    def serve(h) -> None:  # type: ignore[no-untyped-def]
        body = os.urandom(329)
        send_head(h, 200, {"Content-Encoding": "br", "Content-Length": str(len(body))})
        h.wfile.write(body)

    http_server.handler("/feed.xml", serve)
    assert await refresh_error(reader) == "unsupported content encoding 'br'"
    assert counts(reader) == before
    await reader.aclose()
