"""The disposable cache: roundtrips, no pickle ever, corruption, read-only dirs, size limits."""

from __future__ import annotations

import errno
import os
import sqlite3
import stat
import threading
from pathlib import Path

import diskcache
import pytest

from newsreader.store.backends import DiskBackend, SafeDisk, UnsafeEntry
from newsreader.store.cache import Cache, CachedBody, CacheWriteError, memory_cache, open_cache


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "cache"


@pytest.fixture
def cache(cache_dir: Path):
    cache, warning = open_cache(cache_dir)
    assert warning is None
    yield cache
    cache.close()


def _fill(cache: Cache) -> None:
    cache.put_body("http://a/1", final_url="http://a/1?x", content=b"<html>\xff\x00</html>",
                   content_type="text/html", etag='"e1"', last_modified="Mon, 01 Jan 2024")
    cache.put_json("feed:http://a/rss", {"items": [1, 2], "name": "Київ"})
    cache.put_story("http://a/1", {"url": "http://a/1", "title": "T"})


def _check(cache: Cache) -> None:
    body = cache.get_body("http://a/1")
    assert isinstance(body, CachedBody)
    assert body.content == b"<html>\xff\x00</html>"
    assert (body.final_url, body.content_type, body.etag) == ("http://a/1?x", "text/html", '"e1"')
    assert body.last_modified == "Mon, 01 Jan 2024"
    assert cache.get_json("feed:http://a/rss") == {"items": [1, 2], "name": "Київ"}
    assert cache.get_story("http://a/1") == {"url": "http://a/1", "title": "T"}
    assert cache.has_story("http://a/1")


def test_roundtrip_and_reopen(cache_dir: Path):
    cache, _ = open_cache(cache_dir)
    _fill(cache)
    _check(cache)
    assert cache.stats()["entries"] == 3
    cache.close()
    again, warning = open_cache(cache_dir)
    assert warning is None
    _check(again)
    again.close()
    assert stat.S_IMODE(cache_dir.stat().st_mode) == 0o700


def test_opening_keeps_one_connection_that_waits_for_a_writer(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
):
    """diskcache's set-up connection is kept, not closed and reopened (closing the last
    connection checkpoints the database: an fsync at every start), and it still waits for
    another process's write (the busy timeout) instead of failing at once."""
    open_cache(cache_dir)[0].close()  # the database exists, as at every start but the first
    connect = sqlite3.connect
    connections: list[sqlite3.Connection] = []

    def counted(*args, **kwargs):
        connections.append(connect(*args, **kwargs))
        return connections[-1]

    monkeypatch.setattr(diskcache.core.sqlite3, "connect", counted)
    cache, warning = open_cache(cache_dir)
    try:
        assert warning is None and len(connections) == 1
        assert connections[0].execute("PRAGMA busy_timeout").fetchone() == (5000,)
        other = connect(cache_dir / "cache.db", isolation_level=None, check_same_thread=False)
        other.execute("BEGIN IMMEDIATE")  # another process in the middle of a write
        release = threading.Timer(0.2, other.execute, ("COMMIT",))
        release.start()
        cache.put_json("k", 1)  # waits for it, then writes
        release.join()
        other.close()
        assert cache.get_json("k") == 1 and len(connections) == 1
    finally:
        cache.close()


def test_memory_cache_same_interface():
    cache = memory_cache()
    _fill(cache)
    _check(cache)
    assert cache.stats() == {"size_bytes": cache.stats()["size_bytes"], "entries": 3,
                             "on_disk": False}


def test_misses_touch_and_delete(cache: Cache):
    assert cache.get_body("http://none") is None
    assert cache.get_story("http://none") is None
    assert cache.get_json("nothing") is None
    assert not cache.has_story("http://none")
    assert cache.touch_body("http://none") is False
    cache.put_body("http://b", final_url="http://b", content=b"x" * 100_000, content_type=None,
                   etag='"1"', last_modified=None, fetched_at=1000.0)
    assert cache.has_story("http://b")  # the raw body alone is enough to read offline
    assert cache.touch_body("http://b")
    body = cache.get_body("http://b")
    assert body is not None and body.fetched_at > 1000 and body.etag == '"1"'
    assert body.content == b"x" * 100_000  # stored as a file (> 32 KiB), read back intact
    cache.delete("v1:body:http://b")
    assert cache.get_body("http://b") is None
    cache.put_json("k", [1])
    cache.delete("k")
    assert cache.get_json("k") is None


def test_wrong_types_dropped(cache: Cache, cache_dir: Path):
    raw = diskcache.Cache(str(cache_dir), disk=SafeDisk)
    raw.set("v1:story:http://x", b'["not", "a", "dict"]')
    raw.set("v1:json:bad", b"\xff\xfe not json")
    raw.set("v1:body:http://y", b"NRB1 garbage")
    raw.close()
    assert cache.get_story("http://x") is None
    assert cache.get_json("bad") is None
    assert cache.get_body("http://y") is None
    assert cache.stats()["entries"] == 0  # each bad entry was dropped


def test_damaged_body_fails_checksum(cache: Cache, cache_dir: Path):
    cache.put_body("http://c", final_url="http://c", content=b"abcdef", content_type=None,
                   etag=None, last_modified=None)
    raw = diskcache.Cache(str(cache_dir), disk=SafeDisk)
    value = raw.get("v1:body:http://c")
    raw.set("v1:body:http://c", value[:-1] + b"X")
    raw.close()
    assert cache.get_body("http://c") is None


def test_safedisk_refuses_non_bytes(cache_dir: Path):
    backend = DiskBackend(cache_dir, 1 << 20)
    with pytest.raises(TypeError):
        backend.set("k", {"a": 1})  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        backend._dc.set(("tuple", "key"), b"x")
    with pytest.raises(TypeError):
        backend._dc.set("k", 42)
    backend.close()
    cache = memory_cache()
    with pytest.raises(TypeError):
        cache.put_json("k", object())


class _Evil:
    """Unpickling this creates a file: proof that code ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


@pytest.mark.parametrize("big", [False, True], ids=["in-db", "in-file"])
def test_pickled_entry_is_never_unpickled(cache_dir: Path, tmp_path: Path, big: bool):
    marker = tmp_path / "pwned"
    cache, _ = open_cache(cache_dir)
    # An attacker (or an old version) writes pickles with stock diskcache into our dir.
    raw = diskcache.Cache(str(cache_dir), disk_min_file_size=0 if big else 2**15)
    raw.set("v1:story:http://evil", _Evil(marker))
    raw.set("v1:json:evil", _Evil(marker))
    raw.set(("pickled", "key"), b"x")  # a pickled key: iterating keys would unpickle it
    raw.close()
    assert cache.get_story("http://evil") is None
    assert cache.get_json("evil") is None
    assert not marker.exists()
    assert not cache.has_story("http://evil")  # the entry was dropped
    cache.close()
    # Stock diskcache would run it: proof that the payload above was live.
    stock = diskcache.Cache(str(cache_dir))
    stock.set("proof", _Evil(marker))
    stock.get("proof")
    stock.close()
    assert marker.exists()


def test_tampered_filename_cannot_escape(cache_dir: Path, tmp_path: Path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    cache, _ = open_cache(cache_dir)
    cache.put_body("http://f", final_url="http://f", content=b"z" * 50_000, content_type=None,
                   etag=None, last_modified=None)
    db = sqlite3.connect(cache_dir / "cache.db")
    db.execute("UPDATE Cache SET filename = ?", ("../victim.txt",))
    db.commit()
    db.close()
    assert cache.get_body("http://f") is None
    assert victim.read_text() == "keep me"
    cache.close()


def _corrupt_header(db: Path) -> None:
    with open(db, "r+b") as f:
        f.write(b"\x00garbage-not-sqlite" * 10)


def _corrupt_middle(db: Path) -> None:
    size = db.stat().st_size
    with open(db, "r+b") as f:
        f.seek(size // 2)
        f.write(os.urandom(8192))


def _truncate(db: Path) -> None:
    size = db.stat().st_size
    with open(db, "r+b") as f:
        f.truncate(size // 3)


@pytest.mark.parametrize("damage", [_corrupt_header, _corrupt_middle, _truncate])
def test_corrupt_cache_moved_aside(cache_dir: Path, damage):
    cache, _ = open_cache(cache_dir)
    for i in range(400):
        cache.put_json(f"k{i}", {"i": i, "pad": "p" * 500})
    cache.close()
    damage(cache_dir / "cache.db")
    cache, warning = open_cache(cache_dir)
    try:
        if warning is None:
            # Damage the open did not see surfaces on use: reads miss, the db is rebuilt.
            for i in range(400):
                cache.get_json(f"k{i}")
            warning = next(iter(cache.take_warnings()), None)
        assert warning is not None and warning.startswith("cache was corrupt; moved aside to ")
        aside = list(cache_dir.parent.glob("cache.corrupt-*"))
        assert len(aside) == 1 and str(aside[0]) in warning
        # The rebuilt cache works.
        cache.put_json("fresh", 1)
        assert cache.get_json("fresh") == 1
        assert cache.on_disk
    finally:
        cache.close()


def test_unusable_dir_falls_back_to_memory(tmp_path: Path):
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    cache, warning = open_cache(not_a_dir / "cache")
    assert warning is not None
    assert warning.startswith("cache unavailable (")
    assert warning.endswith("running without a disk cache")
    assert not cache.on_disk
    _fill(cache)
    _check(cache)


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_read_only_dir_falls_back_to_memory(tmp_path: Path):
    parent = tmp_path / "ro"
    parent.mkdir()
    parent.chmod(0o500)
    try:
        cache, warning = open_cache(parent / "cache")
        assert warning is not None and "running without a disk cache" in warning
        assert not cache.on_disk
    finally:
        parent.chmod(0o700)


def test_size_limit_evicts_oldest(cache_dir: Path):
    cache, _ = open_cache(cache_dir, size_limit=1024 * 1024)
    for i in range(60):
        cache.put_body(f"http://s/{i}", final_url=f"http://s/{i}", content=os.urandom(40_000),
                       content_type=None, etag=None, last_modified=None)
    stats = cache.stats()
    assert stats["size_bytes"] < 2 * 1024 * 1024
    assert cache.get_body("http://s/59") is not None
    assert cache.get_body("http://s/0") is None
    cache.close()
    mem = memory_cache(size_limit=100_000)
    for i in range(10):
        mem.put_json(f"k{i}", "x" * 30_000)
    assert mem.get_json("k9") is not None and mem.get_json("k0") is None
    assert mem.stats()["size_bytes"] <= 100_000


def test_disk_full_raises_cache_write_error(cache: Cache, monkeypatch: pytest.MonkeyPatch):
    cache.put_json("before", 1)
    # SQLITE_FULL without a tiny filesystem: cap the page count of this connection.
    backend = cache._backend
    assert isinstance(backend, DiskBackend)
    backend._dc._sql("PRAGMA max_page_count = " + str(
        backend._dc._sql("PRAGMA page_count").fetchone()[0]))
    with pytest.raises(CacheWriteError, match="disk full"):
        for i in range(200):
            cache.put_json(f"fill{i}", "x" * 2000)
    assert cache.get_json("before") == 1  # nothing corrupted

    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(SafeDisk, "_write", no_space)
    with pytest.raises(CacheWriteError, match="disk full"):
        cache.put_body("http://big", final_url="http://big", content=b"b" * 100_000,
                       content_type=None, etag=None, last_modified=None)
    assert cache.get_body("http://big") is None


def test_unsafe_entry_is_an_exception_class():
    assert issubclass(UnsafeEntry, Exception)


def test_unopenable_db_falls_back_to_memory(cache_dir: Path):
    # sqlite cannot open a directory as its db: OperationalError, not corruption.
    (cache_dir / "cache.db").mkdir(parents=True)
    cache, warning = open_cache(cache_dir)
    assert warning is not None and warning.startswith("cache unavailable (")
    assert not cache.on_disk
    assert not list(cache_dir.parent.glob("cache.corrupt-*"))  # nothing moved aside
    cache.put_story("http://m", {"title": "in memory"})
    assert cache.get_story("http://m") == {"title": "in memory"}


@pytest.mark.parametrize("on_disk", [True, False])
def test_delete_story_and_clear(cache_dir: Path, on_disk: bool):
    cache = open_cache(cache_dir)[0] if on_disk else memory_cache()
    _fill(cache)
    assert cache.delete_story("http://a/1") == 2  # parsed story and raw body
    assert cache.delete_story("http://a/1") == 0
    assert not cache.has_story("http://a/1")
    assert cache.get_json("feed:http://a/rss") is not None
    assert cache.clear() == 1
    assert cache.stats()["entries"] == 0
    cache.close()


def test_read_only_database_falls_back_without_moving(cache_dir: Path,
                                                      monkeypatch: pytest.MonkeyPatch):
    # What a read-only FS gives (root ignores chmod, so the error is injected here).
    def read_only(self, directory, size_limit):
        raise sqlite3.OperationalError("attempt to write a readonly database")

    cache, _ = open_cache(cache_dir)
    cache.put_json("keep", 1)
    cache.close()
    monkeypatch.setattr(DiskBackend, "__init__", read_only)
    cache, warning = open_cache(cache_dir)
    assert warning == ("cache unavailable (attempt to write a readonly database); "
                       "running without a disk cache")
    assert not cache.on_disk
    assert (cache_dir / "cache.db").exists()  # the user's cache is left as it was
    assert not list(cache_dir.parent.glob("cache.corrupt-*"))
