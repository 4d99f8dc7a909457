"""Issue 19: faults that cost a reader their marks — a full data disk, a damaged state.db.

Real faults only: a real tmpfs filled to the last byte (root only: skipped otherwise), real
damaged files (truncated, garbage header, a zeroed page, random bytes mid-file, all garbage,
0 bytes). Each test asserts the one line the user sees and counts what was kept.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from newsreader.paths import default_paths
from newsreader.services.reader import Reader
from newsreader.store import state as state_module
from newsreader.store.state import UserState
from newsreader.ui.app import NewsreaderApp
from tests.hostile.helpers import Counts, counts, items, open_reader, primed, rss
from tests.hostile.test_cache import tmpfs
from tests.http_server import TestServer
from tests.ui_fakes import main, settle

READ_MARKS, SAVED, HISTORY = 450, 3, 50


def fill(mount: Path) -> Path:
    """Fill the file system to the last byte; the filler's path (unlink it to free space)."""
    filler = mount / "filler"
    with contextlib.suppress(OSError), open(filler, "wb", buffering=0) as f:
        while True:
            f.write(b"\0" * 4096)
    return filler


async def marked(server: TestServer) -> tuple[Reader, Counts]:
    """`primed`, with its saves written (they go through the state writer) before counting."""
    reader, _ = await primed(server, n=5)
    reader.reading.writer.flush()
    return reader, counts(reader)


def full_disk_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if "the disk is full" in line]


# -- 2. a full data disk ---------------------------------------------------------------------


def write_config(server: TestServer) -> None:
    config = default_paths().config_file
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'prefetch = false\n[[sources]]\nname = "Feed 0"\n'
                      f'url = "{server.url("/feed.xml")}"\n', encoding="utf-8")


@pytest.mark.parametrize("other_instance", [False, True], ids=["closed", "another-instance-open"])
async def test_full_data_disk_fetch_read_and_reader_start_read_only_and_say_it_once(
    http_server: TestServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    other_instance: bool,
):
    """Before: `fetch` and `read` died with a StateError traceback ("database or disk is
    full" with another instance open, "disk I/O error" without). Now they start, say once that
    marks cannot be saved until space is freed, and every mark on disk is still there."""
    with tmpfs(tmp_path / "small", "2m") as mount:
        monkeypatch.setenv("XDG_DATA_HOME", str(mount / "data"))  # the cache stays elsewhere
        write_config(http_server)
        reader, before = await marked(http_server)
        read_before = reader.reading.state.read_ids()
        if not other_instance:
            await reader.aclose()
        filler = fill(mount)
        try:
            for args in (["fetch", "--all"], ["read", "--offline", "http://127.0.0.1:9/story/0"]):
                done = subprocess.run([sys.executable, "-m", "newsreader", *args],
                                      capture_output=True, text=True, timeout=60)
                assert "Traceback" not in done.stderr and "StateError" not in done.stderr
                assert len(full_disk_lines(done.stderr)) == 1, done.stderr
                assert full_disk_lines(done.stderr)[0].endswith(
                    "read marks, saved stories and history cannot be saved until space is freed"
                )
                if args[0] == "fetch":
                    assert done.returncode == 0, done.stderr
                    assert "1 of 1 sources refreshed" in done.stdout
                else:  # not cached: that is the only complaint
                    assert done.stderr.count("newsreader:") == 2, done.stderr
            full = open_reader(http_server, ["/feed.xml"])
            assert full_disk_lines("\n".join(full.warnings)) == full.warnings
            assert len(full.warnings) == 1
            assert full.reading.state.read_ids() == read_before, "nothing on disk lost"
            assert counts(full) == before
            heads = full.headlines()
            full.set_read(heads[4].id)  # holds in memory, says nothing more
            assert full.is_read(heads[4].id)
            full.reading.writer.flush()
            assert full.close_state() == []
            full.close()
        finally:
            filler.unlink()
            if other_instance:
                await reader.aclose()
        again = open_reader(http_server, ["/feed.xml"])
        assert again.warnings == []
        assert again.reading.state.read_ids() == read_before
        await again.aclose()


async def test_full_data_disk_state_is_saved_again_once_space_is_freed(
    http_server: TestServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Opened read-only on a full disk; space freed → the next write reopens it and saves."""
    monkeypatch.setattr(state_module, "REOPEN_SECONDS", 0.0, raising=False)
    with tmpfs(tmp_path / "small", "2m") as mount:
        monkeypatch.setenv("XDG_DATA_HOME", str(mount / "data"))
        reader, before = await marked(http_server)
        await reader.aclose()
        filler = fill(mount)
        full = open_reader(http_server, ["/feed.xml"])
        assert full.reading.state.read_only is not None
        heads = full.headlines()
        full.set_read(heads[3].id)  # fails: still full
        full.reading.writer.flush()
        filler.unlink()
        full.set_read(heads[4].id)  # reopens for writing
        full.reading.writer.flush()
        assert full.reading.state.read_only is None
        assert full.close_state() == []
        full.close()
        with UserState.open(default_paths().state_db) as check:
            assert check.warning is None
            assert len(check.read_ids()) == before.read + 1
            assert heads[4].id in check.read_ids()


async def _app_with_headlines(reader: Reader, pilot) -> None:  # type: ignore[no-untyped-def]
    for _ in range(50):
        await settle(pilot)
        if main(pilot.app).headlines.option_count:
            return
    raise AssertionError("the list never filled")


async def test_full_data_disk_the_app_starts_with_one_notice(
    http_server: TestServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Before: the app exited with the StateError before drawing anything. Now it starts,
    shows one notice, and marking stories read says nothing more."""
    with tmpfs(tmp_path / "small", "2m") as mount:
        monkeypatch.setenv("XDG_DATA_HOME", str(mount / "data"))
        reader, before = await marked(http_server)
        await reader.aclose()
        filler = fill(mount)
        try:
            reader = open_reader(http_server, ["/feed.xml"])
            app = NewsreaderApp(reader, refresh_on_start=False)
            async with app.run_test() as pilot:
                await _app_with_headlines(reader, pilot)
                for _ in range(4):
                    await pilot.press("m", "j")
                reader.reading.writer.flush()
                await settle(pilot)
                shown = [(n.severity, n.message) for n in app._notifications]
                assert [m for _, m in shown if "disk is full" in m] == [reader.warnings[0]]
                assert [m for s, m in shown if s == "error"] == []
                assert app.is_running
            assert reader.close_state() == []
        finally:
            filler.unlink()
        with UserState.open(default_paths().state_db) as check:
            assert len(check.read_ids()) == before.read


async def test_disk_filled_while_the_app_runs_is_one_notice_and_loses_nothing_on_disk(
    http_server: TestServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Before: one error toast per key pressed (each mark, each history write). Now one, and
    every mark saved before the disk filled is still there (read-only while full, and after)."""
    with tmpfs(tmp_path / "small", "2m") as mount:
        monkeypatch.setenv("XDG_DATA_HOME", str(mount / "data"))
        long_ids = [{**item, "guid": f"{item['guid']}-" + "g" * 3000} for item in items(30)]
        http_server.route("/feed.xml", rss(long_ids), content_type="application/rss+xml")
        reader = open_reader(http_server, ["/feed.xml"])
        assert not (await reader.refresh()).errors
        app = NewsreaderApp(reader, refresh_on_start=False)
        filler: Path | None = None
        try:
            async with app.run_test() as pilot:
                await _app_with_headlines(reader, pilot)
                for _ in range(3):
                    await pilot.press("m", "j")
                reader.reading.writer.flush()
                await settle(pilot)
                on_disk = set(reader.reading.state.read_ids())
                assert len(on_disk) == 3
                filler = fill(mount)
                for _ in range(20):  # each a 3 kB mark: the WAL must grow, and cannot
                    await pilot.press("m", "j")
                reader.reading.writer.flush()
                await settle(pilot)
                errors = [n.message for n in app._notifications if n.severity == "error"]
                assert len(errors) == 1, errors
                assert "database or disk is full" in errors[0]
                assert len(reader.reading.read_ids()) == 23, "the marks hold in memory"
            assert reader.close_state() == []
            # Still full: opened read-only, with every mark saved before the disk filled.
            with UserState.open(default_paths().state_db) as check:
                assert check.read_only is not None
                kept = check.read_ids()
                assert on_disk <= kept and len(kept) < 23, "some writes really failed"
        finally:
            if filler is not None:
                filler.unlink()
        with UserState.open(default_paths().state_db) as check:
            assert check.warning is None and check.read_ids() == kept


# -- 4. a damaged state.db -------------------------------------------------------------------


def build_state(db: Path) -> None:
    with UserState.open(db) as state:
        for i in range(READ_MARKS):  # one at a time, as a reader marks them
            state.set_read([f"link:https://news.example.com/world/2024/{i:04d}/a-story-title"])
        for i in range(SAVED):
            headline = {"id": f"saved-{i}", "title": f"Saved {i}", "url": f"https://x.test/{i}",
                        "source": "Feed 0"}
            story = {"url": headline["url"], "title": headline["title"], "text": "words " * 900}
            state.set_saved(f"saved-{i}", {"headline": headline, "story": story})
        state.set_history({"index": HISTORY - 1, "entries": [
            {"url": f"https://x.test/h{i}", "scroll_y": 0, "list_index": i, "list_id": None}
            for i in range(HISTORY)]})
        state.set_setting("theme", "nord")


def page_size(db: Path) -> int:
    con = sqlite3.connect(db)
    (size,) = con.execute("PRAGMA page_size").fetchone()
    con.close()
    return int(size)


def truncate(db: Path) -> None:
    os.truncate(db, db.stat().st_size // 3)


def garbage_header(db: Path) -> None:
    with open(db, "r+b") as f:
        f.write(b"\x00garbage-not-sqlite" * 10)


def zeroed_page(db: Path) -> None:
    size = page_size(db)
    with open(db, "r+b") as f:
        f.seek(db.stat().st_size // size // 2 * size)
        f.write(b"\0" * size)


def random_middle(db: Path) -> None:
    with open(db, "r+b") as f:
        f.seek(db.stat().st_size // 2)
        f.write(os.urandom(8192))


def all_garbage(db: Path) -> None:
    db.write_bytes(os.urandom(db.stat().st_size))


def readable(db: Path) -> dict[str, set[str]]:
    """SQLite's own answer (the oracle): which rows a look-up still reaches in a damaged file.

    Each key is looked up alone (root to leaf), so only the rows behind a damaged page fail.
    """
    copy = db.with_name("oracle.db")
    shutil.copy(db, copy)
    found: dict[str, set[str]] = {"read": set(), "saved": set()}
    try:
        con = sqlite3.connect(f"file:{copy}?immutable=1", uri=True)
        keys = [f"link:https://news.example.com/world/2024/{i:04d}/a-story-title"
                for i in range(READ_MARKS)]
        for table, column, wanted in (("read_marks", "key", keys),
                                      ("saved", "id", [f"saved-{i}" for i in range(SAVED)])):
            for key in wanted:
                with contextlib.suppress(sqlite3.Error):
                    row = con.execute(
                        f"SELECT * FROM {table} WHERE {column} = ?", (key,)
                    ).fetchone()
                    if row:
                        found["read" if table == "read_marks" else "saved"].add(key)
        con.close()
    except sqlite3.Error:
        pass
    copy.unlink()
    return found


@pytest.mark.parametrize(
    ("damage", "all_kept"),
    [(truncate, False), (garbage_header, True), (zeroed_page, False), (random_middle, False)],
    ids=["truncated", "garbage-header", "zeroed-page", "random-bytes-mid-file"],
)
async def test_damaged_state_keeps_what_it_still_holds(
    http_server: TestServer, damage: Callable[[Path], None], all_kept: bool
):
    """Before: "user state was corrupt; moved aside … started fresh", 0 of 450 marks kept, no
    saved story, no history. Now every row SQLite can still reach (and those only a page scan
    finds) is copied into the fresh state, and the line says how much."""
    db = default_paths().state_db
    db.parent.mkdir(parents=True, exist_ok=True)
    build_state(db)
    original = UserState.open(db)
    marks, saved = original.read_ids(), {s["headline"]["id"] for s in original.saved()}
    original.close()
    damage(db)
    damaged = db.read_bytes()
    oracle = readable(db)

    reader = open_reader(http_server, ["/feed.xml"])
    assert len(reader.warnings) == 1
    line = reader.warnings[0]
    state = reader.reading.state
    kept_marks = state.read_ids()
    kept_saved = {s["headline"]["id"] for s in state.saved()}
    history = len(state.get_history().get("entries", []))
    print(f"{damage.__name__}: {line}")
    assert line.startswith("user state was damaged; kept ")
    asides = list(db.parent.glob("state.db.corrupt-*"))
    assert len(asides) == 1 and line.endswith(f"; the damaged file is at {asides[0]}")
    assert asides[0].read_bytes() == damaged, "the damaged file is kept as it was"
    # Nothing that could be kept was lost, and nothing was made up.
    assert oracle["read"] <= kept_marks <= marks
    assert oracle["saved"] <= kept_saved <= saved
    assert f"{len(kept_marks)} " in line.split(";")[1]
    if all_kept:
        assert (kept_marks, kept_saved, history) == (marks, saved, HISTORY)
        assert line.startswith(f"user state was damaged; kept {READ_MARKS} read marks, "
                               f"{SAVED} saved stories, your history and settings;")
    else:
        assert len(kept_marks) < READ_MARKS
        assert f"kept {len(kept_marks)} of ~" in line  # the count lost is estimated
        estimate = int(line.split(" of ~")[1].split()[0])
        assert abs(estimate - READ_MARKS) <= READ_MARKS // 10
    assert (len(kept_marks) >= READ_MARKS // 4 and kept_saved) or damage is truncate
    # The saved copies are whole (they open offline) and the fresh state takes new marks.
    for record in state.saved():
        assert record["story"]["text"].startswith("words ")
    reader.set_read("fresh")
    await reader.aclose()
    with UserState.open(db) as check:
        assert check.warning is None and check.read_ids() == kept_marks | {"fresh"}


async def test_damaged_state_with_its_rows_in_the_wal(http_server: TestServer, tmp_path: Path):
    """Killed before a checkpoint, then damaged: the rows only the -wal holds are kept too."""
    db = default_paths().state_db
    db.parent.mkdir(parents=True, exist_ok=True)
    build_state(db)
    live = sqlite3.connect(db, isolation_level=None)  # the -wal stays while this is open
    live.execute("PRAGMA wal_autocheckpoint = 0")
    live.executemany("INSERT INTO read_marks(key, at) VALUES (?, 1.7e9)",
                     [(f"late-{i}",) for i in range(40)])
    for name in ("state.db", "state.db-wal"):  # the files as a kill -9 leaves them
        shutil.copy(db.parent / name, tmp_path / name)
    live.close()
    for name in ("state.db", "state.db-wal"):
        shutil.copy(tmp_path / name, db.parent / name)
    (db.parent / "state.db-shm").unlink(missing_ok=True)
    garbage_header(db)
    reader = open_reader(http_server, ["/feed.xml"])
    assert reader.warnings[0].startswith(
        f"user state was damaged; kept {READ_MARKS + 40} read marks, {SAVED} saved stories,"
    )
    assert {f"late-{i}" for i in range(40)} <= reader.reading.state.read_ids()
    await reader.aclose()


@pytest.mark.parametrize("damage", ["empty", "all-garbage"])
async def test_a_state_with_nothing_left_says_it_is_lost(http_server: TestServer, damage: str):
    """Before: an emptied (0-byte) state.db started fresh without a word. Now both it and a
    file of nothing but garbage say the marks are lost."""
    db = default_paths().state_db
    db.parent.mkdir(parents=True, exist_ok=True)
    build_state(db)
    if damage == "empty":
        db.write_bytes(b"")
    else:
        all_garbage(db)
    reader = open_reader(http_server, ["/feed.xml"])
    assert len(reader.warnings) == 1
    if damage == "empty":
        assert reader.warnings == [
            f"user state was empty ({db} is 0 bytes): read marks, saved stories and history"
            " are lost; started fresh"
        ]
    else:
        (aside,) = db.parent.glob("state.db.corrupt-*")
        assert reader.warnings == [
            "user state was damaged and nothing in it could be read: read marks, saved stories"
            f" and history are lost; started fresh; the damaged file is at {aside}"
        ]
    assert counts(reader).read == 0
    await reader.aclose()
    again = open_reader(http_server, ["/feed.xml"])  # a fresh state says nothing next time
    assert again.warnings == []
    await again.aclose()


def test_a_new_state_whose_pages_are_still_in_its_wal_is_not_called_empty(tmp_path: Path):
    """A 0-byte state.db beside a WAL is a new database another instance has open: no notice."""
    db = tmp_path / "state.db"
    first = UserState.open(db)
    first.set_read(["a"])
    assert db.stat().st_size == 0 or Path(f"{db}-wal").stat().st_size > 0
    with UserState.open(db) as second:
        assert second.warning is None and second.read_ids() == {"a"}
    first.close()
