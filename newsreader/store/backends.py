"""Cache backends: diskcache with a pickle-refusing Disk, and an in-memory fallback."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any, Protocol, TypedDict, cast

import diskcache
from diskcache.core import MODE_BINARY, MODE_RAW, MODE_TEXT, UNKNOWN

Value = bytes | str


class BackendStats(TypedDict):
    size_bytes: int
    entries: int


class UnsafeEntry(Exception):
    """A cache row we refuse to load: pickled, wrong type, or pointing outside the cache."""


class SafeDisk(diskcache.Disk):  # type: ignore[misc]  # diskcache is untyped: Disk is Any
    """A diskcache Disk that stores only str keys and bytes/str values and never unpickles.

    diskcache pickles anything else by default, and unpickles whatever it finds in the db, so
    a pickle dropped into the cache dir would run code (CVE 2025-69872).
    """

    def __init__(self, directory: str, min_file_size: int = 2**15, **_ignored: Any) -> None:
        # Unknown disk_* settings read back from the db are ignored rather than trusted.
        super().__init__(directory, min_file_size=min_file_size, pickle_protocol=0)
        self._root = os.path.realpath(directory)

    def put(self, key: Any) -> tuple[Any, bool]:
        if type(key) is not str:
            raise TypeError("cache keys must be str")
        return cast(tuple[Any, bool], super().put(key))  # (db key, raw); diskcache is untyped

    def get(self, key: Any, raw: bool) -> Any:
        if not raw:
            raise UnsafeEntry("pickled key")
        return super().get(key, raw)

    def store(self, value: Any, read: bool, key: Any = UNKNOWN) -> tuple[Any, ...]:
        if type(value) not in (bytes, str) or read:
            raise TypeError("cache values must be bytes or str")
        # (size, mode, filename, db value); diskcache is untyped
        return cast(tuple[Any, ...], super().store(value, read, key))

    def fetch(self, mode: int, filename: str | None, value: Any, read: bool) -> Any:
        if mode not in (MODE_RAW, MODE_BINARY, MODE_TEXT) or read:
            raise UnsafeEntry(f"refusing cache value of mode {mode}")
        if filename is not None:
            self._inside(filename)
        result = super().fetch(mode, filename, value, read)
        if type(result) not in (bytes, str):
            raise UnsafeEntry("cache value of unexpected type")
        return result

    def remove(self, file_path: str) -> None:
        # A tampered row must not make eviction delete files outside the cache dir.
        try:
            self._inside(file_path)
        except UnsafeEntry:
            return
        super().remove(file_path)

    def _inside(self, filename: str) -> None:
        full = os.path.realpath(os.path.join(self._root, filename))
        if not full.startswith(self._root + os.sep):
            raise UnsafeEntry("cache file outside the cache directory")


class _KeptConnectionCache(diskcache.Cache):  # type: ignore[misc]  # diskcache is untyped
    """diskcache.Cache that keeps the connection its set-up made.

    diskcache's __init__ ends by closing its connection and opening another with the real
    busy timeout. Closing the last connection to a WAL database checkpoints it: an fsync of the
    database, 3-21 ms of each start here (the settings it has just rewritten are the pages to
    copy). The connection is kept and given the timeout instead; the checkpoint is left to
    SQLite (every 1,000 pages written, or the last connection's close).
    """

    def __init__(self, directory: str, *, timeout: float, **settings: Any) -> None:
        self._busy_timeout_ms = int(timeout * 1000)
        self._setting_up = True
        try:
            super().__init__(directory, timeout=timeout, **settings)
        finally:
            self._setting_up = False

    def close(self) -> None:
        connection = getattr(self._local, "con", None)
        if self._setting_up and connection is not None:
            connection.execute(f"PRAGMA busy_timeout = {self._busy_timeout_ms}")
            return
        super().close()


class Backend(Protocol):
    """What Cache needs from a store of str keys -> bytes/str values."""

    def get(self, key: str) -> Value | None: ...
    def set(self, key: str, value: Value) -> None: ...
    def delete(self, key: str) -> bool: ...
    def clear(self) -> int: ...
    def contains(self, key: str) -> bool: ...
    def stats(self) -> BackendStats: ...
    def keys(self, prefix: str) -> list[str]: ...
    def close(self) -> None: ...


class DiskBackend:
    """diskcache.Cache with SafeDisk; raises sqlite/OS errors for Cache to classify."""

    def __init__(self, directory: Path, size_limit: int) -> None:
        self.directory = directory
        self._dc = _KeptConnectionCache(
            str(directory),
            disk=SafeDisk,
            size_limit=size_limit,
            eviction_policy="least-recently-stored",  # reads stay read-only: no write per get
            statistics=False,
            tag_index=False,
            timeout=5,  # sqlite busy timeout: a second instance waits, but not for a minute
            disk_min_file_size=2**15,
        )

    def get(self, key: str) -> Value | None:
        try:
            # SafeDisk.fetch lets only bytes and str out; diskcache is untyped.
            return cast(Value | None, self._dc.get(key))
        except UnsafeEntry:
            # Drop it without loading it (delete never fetches the value).
            self._dc.delete(key)
            return None

    def set(self, key: str, value: Value) -> None:
        self._dc.set(key, value)

    def delete(self, key: str) -> bool:
        return bool(self._dc.delete(key))

    def clear(self) -> int:
        return int(self._dc.clear())

    def contains(self, key: str) -> bool:
        return key in self._dc

    def stats(self) -> BackendStats:
        return {"size_bytes": int(self._dc.volume()), "entries": len(self._dc)}

    def keys(self, prefix: str) -> list[str]:
        return [k for k in self._dc.iterkeys() if isinstance(k, str) and k.startswith(prefix)]

    def probe(self) -> None:
        """Touch the tables once so a corrupt db fails now, not in the middle of a refresh."""
        self._dc.get("v1:probe")
        len(self._dc)

    def close(self) -> None:
        self._dc.close()


class ReadOnlyDiskBackend:
    """The disk cache read without writing a byte: diskcache itself writes when it opens, which
    a full disk refuses. Values come through SafeDisk as always; every write fails as "full"."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._disk = SafeDisk(str(directory))
        uri = (directory / "cache.db").resolve().as_uri()
        try:
            self._db = sqlite3.connect(f"{uri}?mode=ro", uri=True, check_same_thread=False)
            self._db.execute("SELECT count(*) FROM Cache").fetchone()
        except sqlite3.Error:
            # A WAL database with no -shm file to share: read the file as it is on disk.
            self._db = sqlite3.connect(f"{uri}?immutable=1", uri=True, check_same_thread=False)
            self._db.execute("SELECT count(*) FROM Cache").fetchone()
        self._lock = threading.Lock()

    def get(self, key: str) -> Value | None:
        with self._lock:
            row = self._db.execute(
                "SELECT mode, filename, value FROM Cache WHERE key = ? AND raw = 1", (key,)
            ).fetchone()
        if row is None:
            return None
        try:
            return cast(Value, self._disk.fetch(row[0], row[1], row[2], False))
        except (UnsafeEntry, OSError):
            return None

    def set(self, key: str, value: Value) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    def delete(self, key: str) -> bool:
        raise sqlite3.OperationalError("database or disk is full")

    def clear(self) -> int:
        raise sqlite3.OperationalError("database or disk is full")

    def contains(self, key: str) -> bool:
        with self._lock:
            row = self._db.execute(
                "SELECT 1 FROM Cache WHERE key = ? AND raw = 1", (key,)
            ).fetchone()
        return row is not None

    def stats(self) -> BackendStats:
        with self._lock:
            count, size = self._db.execute("SELECT count(*), sum(size) FROM Cache").fetchone()
        return {"size_bytes": int(size or 0), "entries": int(count or 0)}

    def keys(self, prefix: str) -> list[str]:
        with self._lock:
            rows = self._db.execute("SELECT key FROM Cache WHERE raw = 1").fetchall()
        return [k for (k,) in rows if isinstance(k, str) and k.startswith(prefix)]

    def close(self) -> None:
        self._db.close()


class MemoryBackend:
    """A bounded dict: used when the cache dir cannot be used at all."""

    def __init__(self, size_limit: int = 64 * 1024 * 1024) -> None:
        self._data: OrderedDict[str, Value] = OrderedDict()
        self._size = 0
        self._limit = size_limit
        self._lock = threading.Lock()

    def get(self, key: str) -> Value | None:
        with self._lock:
            return self._data.get(key)

    def set(self, key: str, value: Value) -> None:
        if type(key) is not str or type(value) not in (bytes, str):
            raise TypeError("cache keys must be str and values bytes or str")
        with self._lock:
            self._drop(key)
            self._data[key] = value
            self._size += len(value)
            while self._size > self._limit and len(self._data) > 1:
                self._drop(next(iter(self._data)))  # least recently stored first

    def delete(self, key: str) -> bool:
        with self._lock:
            return self._drop(key)

    def clear(self) -> int:
        with self._lock:
            count = len(self._data)
            self._data.clear()
            self._size = 0
            return count

    def contains(self, key: str) -> bool:
        with self._lock:
            return key in self._data

    def stats(self) -> BackendStats:
        with self._lock:
            return {"size_bytes": self._size, "entries": len(self._data)}

    def keys(self, prefix: str) -> list[str]:
        with self._lock:
            return [k for k in self._data if k.startswith(prefix)]

    def close(self) -> None:
        with self._lock:
            self._data.clear()
            self._size = 0

    def _drop(self, key: str) -> bool:
        old = self._data.pop(key, None)
        if old is None:
            return False
        self._size -= len(old)
        return True
