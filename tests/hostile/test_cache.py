"""Catalogue E (C1–C3, C5): cache faults through Reader.open/refresh; C4 is in test_durability."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import diskcache
import pytest

from newsreader.errors import NewsreaderError
from newsreader.paths import default_paths
from tests.hostile.helpers import counts, items, open_reader, primed, rss
from tests.http_server import TestServer


def damage_header(db: Path) -> None:
    with open(db, "r+b") as f:
        f.write(b"\x00garbage-not-sqlite" * 10)


def damage_middle(db: Path) -> None:
    with open(db, "r+b") as f:
        f.seek(db.stat().st_size // 2)
        f.write(os.urandom(8192))


def damage_truncate(db: Path) -> None:
    with open(db, "r+b") as f:
        f.truncate(db.stat().st_size // 3)


def damage_stray_wal(db: Path) -> None:
    db.with_name("cache.db-wal").write_bytes(b"\x37\x7f\x06\x82" + os.urandom(4096))
    damage_header(db)


# -- C1 -------------------------------------------------------------------------------------
@pytest.mark.parametrize("damage", [damage_header, damage_middle, damage_truncate,
                                    damage_stray_wal],
                         ids=["header", "middle", "truncated", "stray-wal"])
async def test_c1_corrupt_cache_is_moved_aside_and_read_state_survives(
    http_server: TestServer, damage
):
    """C1: a damaged cache.db → moved aside with a one-line notice; read/saved untouched."""
    reader, before = await primed(http_server, n=40)
    for i in range(300):  # enough pages that mid-file damage hits real data
        reader.cache.put_json(f"pad{i}", {"pad": "p" * 400})
    read_ids = reader.reading.state.read_ids()
    await reader.aclose()
    damage(default_paths().cache_dir / "cache.db")

    reader = open_reader(http_server, ["/feed.xml"])
    reader.headlines()
    for i in range(300):
        reader.cache.get_json(f"pad{i}")
    notices = [*reader.warnings, *reader.cache.take_warnings()]
    assert len(notices) == 1 and notices[0].startswith("cache was corrupt; moved aside to ")
    assert list(default_paths().cache_dir.parent.glob("newsreader.corrupt-*"))
    assert reader.reading.state.read_ids() == read_ids
    assert len(reader.reading.state.saved()) == before.saved
    progress = await reader.refresh()  # the rebuilt cache fills again
    assert not progress.errors
    after = counts(reader)
    assert after == before
    marks = reader.reading.state.read_ids()
    assert len({h.id for h in reader.headlines()} & marks) == 3  # marks still apply
    await reader.aclose()


async def test_c1_deleted_cache_dir(http_server: TestServer):
    """C1: the whole cache dir deleted → empty cache, no notice needed, state intact."""
    import shutil

    reader, before = await primed(http_server)
    await reader.aclose()
    shutil.rmtree(default_paths().cache_dir)
    reader = open_reader(http_server, ["/feed.xml"])
    # Only the saved stories are listed (they live in the state store, not the cache).
    assert counts(reader) == type(before)(before.saved, before.read, before.saved)
    await reader.refresh()
    assert counts(reader) == before
    await reader.aclose()


# -- C2, C3: a real small tmpfs (we are root in CI); skipped where mount is not allowed ------
@contextlib.contextmanager
def tmpfs(path: Path, size: str) -> Iterator[Path]:
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs",
                           str(path)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


async def test_c2_read_only_filesystem_runs_from_memory(
    http_server: TestServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """C2: the cache on a read-only file system → memory cache, one warning, app works."""
    with tmpfs(tmp_path / "ro", "1m") as mount:
        (mount / "newsreader").mkdir()
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        monkeypatch.setenv("XDG_CACHE_HOME", str(mount))
        http_server.route("/feed.xml", rss(items(3)), content_type="application/rss+xml")
        reader = open_reader(http_server, ["/feed.xml"])
        assert len(reader.warnings) == 1
        assert reader.warnings[0].endswith("running without a disk cache")
        assert not reader.cache.on_disk
        progress = await reader.refresh()
        assert not progress.errors and counts(reader).headlines == 3
        # the state lives elsewhere: it still takes marks
        reader.reading.state.set_read([h.id for h in reader.headlines()[:1]])
        assert len(reader.reading.state.read_ids()) == 1
        await reader.aclose()


async def test_c3_disk_full_during_refresh_then_recovers(
    http_server: TestServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """C3: a 2 MiB tmpfs fills mid-refresh → "disk full", nothing lost; recovers with space."""
    with tmpfs(tmp_path / "small", "2m") as mount:
        monkeypatch.setenv("XDG_CACHE_HOME", str(mount / "cache"))
        monkeypatch.setenv("XDG_DATA_HOME", str(mount / "data"))
        reader, before = await primed(http_server, n=5)
        filler = mount / "filler"
        with contextlib.suppress(OSError), open(filler, "wb", buffering=0) as f:
            while True:  # fill the disk to the last byte
                f.write(b"\0" * 4096)
        big = rss(items(5) + items(600, "big", base="http://127.0.0.1:9/" + "p" * 200))
        assert len(big) > 150_000
        http_server.route("/feed.xml", big, content_type="application/rss+xml")
        progress = await reader.refresh()
        error = progress.errors.get("Feed 0", "")
        assert error == "cache write failed: disk full", progress.errors
        assert counts(reader) == before
        with pytest.raises(NewsreaderError):  # the state store says so too, and keeps its rows
            reader.reading.state.set_read([f"x{i}" * 500 for i in range(200)])
        assert counts(reader) == before
        filler.unlink()  # space returns
        progress = await reader.refresh()
        assert not progress.errors
        assert counts(reader).headlines >= 500  # the newest 500 of the big feed, and more
        reader.reading.state.set_read(["after-recovery"])
        assert len(reader.reading.state.read_ids()) == before.read + 1
        await reader.aclose()


# -- C5 -------------------------------------------------------------------------------------
class _Evil:
    """Unpickling this creates a file: proof that code ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (open, (str(self.marker), "w"))


async def test_c5_tampered_entries_are_dropped_never_unpickled(
    http_server: TestServer, tmp_path: Path
):
    """C5: a pickle, wrong JSON types and an old-schema key in the cache → dropped, not run."""
    reader, before = await primed(http_server)
    url = reader.sources[0].url
    await reader.aclose()
    cache_dir = default_paths().cache_dir
    assert cache_dir.stat().st_mode & 0o777 == 0o700
    marker = tmp_path / "pwned"
    raw = diskcache.Cache(str(cache_dir))
    raw.set(f"v1:json:headlines:{url}", _Evil(marker))
    raw.set(f"v1:json:feedmeta:{url}", b"\x80\x04not json")
    raw.set(f"v0:json:headlines:{url}", json.dumps([{"id": "old-schema"}]))
    raw.close()
    reader = open_reader(http_server, ["/feed.xml"])
    # The tampered entry reads as a miss: only saved stories (state store) are listed.
    assert len(reader.headlines()) == before.saved
    assert not marker.exists()
    assert counts(reader).read == before.read and counts(reader).saved == before.saved
    await reader.refresh()
    assert counts(reader) == before
    # Wrong types inside a well-formed entry: bad rows skipped, good rows kept.
    good = reader.cache.get_json(f"headlines:{url}")
    reader.cache.put_json(f"headlines:{url}", [*good, 42, "x", {"title": None}, {"zzz": 1}])
    reader.library.invalidate()
    assert len(reader.headlines()) == before.headlines
    await reader.aclose()
