"""The disposable cache of re-fetchable data: bodies, parsed stories, JSON blobs (never pickle)."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import sqlite3
import struct
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypedDict, TypeVar

import diskcache

from newsreader.errors import NewsreaderError
from newsreader.store.backends import (
    Backend,
    BackendStats,
    DiskBackend,
    MemoryBackend,
    ReadOnlyDiskBackend,
)
from newsreader.store.files import move_aside

T = TypeVar("T")
VERSION = "v1"  # bump to orphan every old entry when a value format changes
_BODY_MAGIC = b"NRB1"


class CacheStats(TypedDict):
    """Cache.stats(): the backend's counts and whether it is on disk."""

    size_bytes: int
    entries: int
    on_disk: bool


class CacheWriteError(NewsreaderError):
    """A cache write failed (disk full, locked, I/O error); nothing half-written was kept."""

    @property
    def disk_full(self) -> bool:
        return str(self) == DISK_FULL


@dataclass(slots=True)
class CachedBody:
    """A fetched response body and the validators needed to revalidate it."""

    url: str
    final_url: str
    content: bytes
    content_type: str | None
    etag: str | None
    last_modified: str | None
    fetched_at: float


def _key(kind: str, name: str) -> str:
    return f"{VERSION}:{kind}:{name}"


def _is_corruption(exc: BaseException) -> bool:
    # OperationalError (locked, full, read-only, I/O) is a subclass but not corruption.
    return isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError)


DISK_FULL = "cache write failed: disk full"


def _write_failure(exc: BaseException) -> str:
    text = str(exc).lower()
    if "full" in text or getattr(exc, "errno", None) == errno.ENOSPC:
        return DISK_FULL
    if isinstance(exc, diskcache.Timeout) or "locked" in text:
        return "cache write failed: cache is locked by another process"
    return f"cache write failed ({str(exc)[:80] or type(exc).__name__})"


class Cache:
    """Bytes/str/JSON only; every decoding failure drops the entry and reads as a miss.

    Reads never raise. Writes raise CacheWriteError (disk full, locked...) so a refresh can be
    marked failed. A db found corrupt during use is moved aside and rebuilt; `take_warnings()`
    then returns the one-line notice for the user.
    """

    def __init__(self, backend: Backend, *, size_limit: int = 1 << 30) -> None:
        self._backend = backend
        self.resets = 0  # times a corrupt cache was moved aside while in use (a refresh rebuilds)
        self._size_limit = size_limit
        self._warnings: list[str] = []
        self._lock = threading.Lock()

    @property
    def on_disk(self) -> bool:
        return isinstance(self._backend, DiskBackend)

    def space(self) -> tuple[int, int] | None:
        """(free, total) bytes of the cache's file system, or None (a memory cache, unknown)."""
        backend = self._backend
        if not isinstance(backend, DiskBackend):
            return None
        try:
            usage = shutil.disk_usage(backend.directory)
        except OSError:
            return None
        return usage.free, usage.total
        try:
            return shutil.disk_usage(backend.directory).free
        except OSError:
            return None

    def take_warnings(self) -> list[str]:
        """The pending notices (corruption found during use), oldest first; each said once."""
        with self._lock:
            taken, self._warnings = self._warnings, []
        return taken

    # -- bodies --------------------------------------------------------------------------------
    def get_body(self, url: str) -> CachedBody | None:
        return self._get_blob("body", url)

    def _get_blob(self, kind: str, url: str) -> CachedBody | None:
        key = _key(kind, url)
        raw = self._read(key)
        if raw is None:
            return None
        body = _decode_body(raw)
        if body is None:
            self.delete(key)
        return body

    def put_body(
        self,
        url: str,
        *,
        final_url: str,
        content: bytes,
        content_type: str | None,
        etag: str | None,
        last_modified: str | None,
        fetched_at: float | None = None,
    ) -> None:
        body = CachedBody(url, final_url, bytes(content), content_type, etag, last_modified,
                          time.time() if fetched_at is None else fetched_at)
        self._write(_key("body", url), _encode_body(body))

    def touch_body(self, url: str) -> bool:
        """A 304: the cached copy is current again. Returns False if nothing was cached."""
        body = self.get_body(url)
        if body is None:
            return False
        body.fetched_at = time.time()
        self._write(_key("body", url), _encode_body(body))
        return True

    # -- story pictures: stored like bodies (checksummed), evicted with the rest ---------------
    def get_image(self, url: str) -> CachedBody | None:
        return self._get_blob("image", url)

    def put_image(
        self, url: str, *, final_url: str, content: bytes, content_type: str | None
    ) -> None:
        body = CachedBody(url, final_url, bytes(content), content_type, None, None, time.time())
        self._write(_key("image", url), _encode_body(body))

    def has_image(self, url: str) -> bool:
        return self._guard(lambda: self._backend.contains(_key("image", url)), False)

    def delete_image(self, url: str) -> bool:
        return self._guard(lambda: self._backend.delete(_key("image", url)), False)

    # -- JSON and stories ----------------------------------------------------------------------
    def get_json(self, key: str) -> Any | None:
        return self._read_json(_key("json", key), lambda v: True)

    def put_json(self, key: str, value: Any) -> None:
        self._write(_key("json", key), _dump(value))

    def get_story(self, url: str) -> dict[str, Any] | None:
        return self._read_json(_key("story", url), lambda v: isinstance(v, dict))

    def put_story(self, url: str, story: dict[str, Any]) -> None:
        if not isinstance(story, dict):
            raise TypeError("put_story expects the story's dict form (Story.to_dict())")
        self._write(_key("story", url), _dump(story))

    def has_body(self, url: str) -> bool:
        """True if the raw page is cached (without reading it)."""
        return self._guard(lambda: self._backend.contains(_key("body", url)), False)

    def has_story(self, url: str) -> bool:
        """True if the parsed story or its raw body is cached (readable offline)."""
        return self._guard(
            lambda: self._backend.contains(_key("story", url))
            or self._backend.contains(_key("body", url)),
            False,
        )

    def story_urls(self) -> list[str]:
        """The URL of every parsed story the cache holds (a scan: rebuilding derived data)."""
        prefix = _key("story", "")
        empty: list[str] = []
        return [key[len(prefix):] for key in self._guard(lambda: self._backend.keys(prefix), empty)]

    def delete_story(self, url: str) -> int:
        """Forget a story's parsed form and raw body; returns how many entries went."""
        return sum(self._guard(partial(self._backend.delete, k), False)
                   for k in (_key("story", url), _key("body", url)))

    # -- housekeeping ------------------------------------------------------------------------
    def delete(self, key: str) -> bool:
        """Delete by full key ("v1:body:<url>") or by a get_json/put_json key."""
        full = key if key.startswith(f"{VERSION}:") else _key("json", key)
        return self._guard(lambda: self._backend.delete(full), False)

    def clear(self) -> int:
        """Empty the cache (user state lives elsewhere); returns how many entries went."""
        return self._guard(self._backend.clear, 0)

    def stats(self) -> CacheStats:
        empty: BackendStats = {"size_bytes": 0, "entries": 0}
        counts = self._guard(self._backend.stats, empty)
        return {"size_bytes": counts["size_bytes"], "entries": counts["entries"],
                "on_disk": self.on_disk}

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._backend.close()

    # -- internals -------------------------------------------------------------------------------
    def _read(self, key: str) -> bytes | str | None:
        return self._guard(lambda: self._backend.get(key), None)

    def _read_json(self, key: str, valid: Callable[[Any], bool]) -> Any | None:
        raw = self._read(key)
        if raw is None:
            return None
        try:
            value = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            value = None
        if value is None or not valid(value):
            self.delete(key)
            return None
        return value

    def _write(self, key: str, value: bytes) -> None:
        try:
            self._backend.set(key, value)
        except Exception as exc:
            if _is_corruption(exc) and self._recover(exc):
                try:
                    self._backend.set(key, value)
                    return
                except Exception as again:
                    raise CacheWriteError(_write_failure(again)) from None
            if isinstance(exc, (sqlite3.Error, OSError, diskcache.Timeout)):
                raise CacheWriteError(_write_failure(exc)) from None
            raise

    def _guard(self, op: Callable[[], T], default: T) -> T:
        """Run a read-side op; corruption triggers a rebuild, other db errors read as a miss."""
        try:
            return op()
        except Exception as exc:
            if _is_corruption(exc):
                self._recover(exc)
                return default
            if isinstance(exc, (sqlite3.Error, OSError, diskcache.Timeout)):
                return default
            raise

    def _recover(self, exc: BaseException) -> bool:
        """Move a corrupt disk cache aside and start an empty one (memory if that fails)."""
        backend = self._backend
        if not isinstance(backend, DiskBackend):
            return False
        with self._lock:
            if self._backend is not backend:  # another thread already recovered
                return True
            with contextlib.suppress(Exception):
                backend.close()
            new, warning = _open_backend(backend.directory, self._size_limit, force_aside=True)
            self._backend = new
            self.resets += 1
            self._warnings.append(warning or "cache was corrupt and has been reset")
        return True


def _dump(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _encode_body(body: CachedBody) -> bytes:
    # One value per body (not meta + content as two keys) so eviction can never split them.
    header = _dump({
        "url": body.url, "final_url": body.final_url, "content_type": body.content_type,
        "etag": body.etag, "last_modified": body.last_modified, "fetched_at": body.fetched_at,
        "crc": zlib.crc32(body.content), "len": len(body.content),
    })
    return _BODY_MAGIC + struct.pack(">I", len(header)) + header + body.content


def _decode_body(raw: bytes | str) -> CachedBody | None:
    if not isinstance(raw, bytes) or not raw.startswith(_BODY_MAGIC) or len(raw) < 8:
        return None
    (size,) = struct.unpack(">I", raw[4:8])
    try:
        meta = json.loads(raw[8 : 8 + size])
        content = raw[8 + size :]
        # A checksum catches a value silently damaged on disk (sqlite would not notice).
        if meta["len"] != len(content) or meta["crc"] != zlib.crc32(content):
            return None
        fields = {k: meta[k] for k in ("url", "final_url", "content_type", "etag",
                                       "last_modified", "fetched_at")}
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return None
    if not isinstance(fields["url"], str) or not isinstance(fields["final_url"], str):
        return None
    if not isinstance(fields["fetched_at"], (int, float)):
        return None
    for name in ("content_type", "etag", "last_modified"):
        if fields[name] is not None and not isinstance(fields[name], str):
            return None
    return CachedBody(content=content, **fields)


def _prepare_dir(directory: Path) -> None:
    directory.mkdir(parents=True, mode=0o700, exist_ok=True)
    if directory.stat().st_uid == os.geteuid():
        directory.chmod(0o700)  # cached pages reveal what the user reads


def _try_open(directory: Path, size_limit: int) -> DiskBackend:
    _prepare_dir(directory)
    backend = DiskBackend(directory, size_limit)
    try:
        backend.probe()
    except BaseException:
        backend.close()
        raise
    return backend


def _open_backend(
    directory: Path, size_limit: int, *, force_aside: bool = False
) -> tuple[Backend, str | None]:
    if not force_aside:
        try:
            return _try_open(directory, size_limit), None
        except Exception as exc:
            if not (_is_corruption(exc) or isinstance(exc, (KeyError, ValueError, TypeError))):
                if _write_failure(exc) == DISK_FULL and (directory / "cache.db").exists():
                    with contextlib.suppress(sqlite3.Error, OSError):
                        return ReadOnlyDiskBackend(directory), _full_notice(directory)
                # Read-only, not ours, locked...: run without a disk cache.
                return MemoryBackend(), f"cache unavailable ({_short(exc)}); " \
                    "running without a disk cache"
    try:
        aside = move_aside(directory)
        backend = _try_open(directory, size_limit)
    except Exception as exc:
        return MemoryBackend(), f"cache was corrupt and could not be rebuilt ({_short(exc)}); " \
            "running without a disk cache"
    return backend, f"cache was corrupt; moved aside to {aside}"


def _full_notice(directory: Path) -> str:
    try:
        free = f"{shutil.disk_usage(directory).free / 1024 / 1024:.1f} MiB free"
    except OSError:
        free = "no space"
    return (f"cache disk full ({free}): showing what is cached; nothing new is stored until "
            "space is freed")


def _short(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return (str(exc).splitlines() or [type(exc).__name__])[0][:80]


def open_cache(directory: Path, size_limit: int = 1 << 30) -> tuple[Cache, str | None]:
    """Open (or create) the cache; never raises for a broken dir, returns a warning instead."""
    backend, warning = _open_backend(Path(directory), size_limit)
    return Cache(backend, size_limit=size_limit), warning


def memory_cache(size_limit: int = 64 * 1024 * 1024) -> Cache:
    """A cache that lives only in memory (tests, --no-cache)."""
    return Cache(MemoryBackend(size_limit), size_limit=size_limit)
