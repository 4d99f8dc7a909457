"""Durable user state: roundtrips, concurrent writers, corruption, and kill -9 mid-write."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from newsreader.models import Headline
from newsreader.store.state import StateError, UserState


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "state.db"


def _headline(i: int, **kw) -> dict:
    return Headline(id=f"g{i}", source_url="http://s/rss", source_name="S", title=f"T{i}",
                    url=f"http://s/{i}", **kw).to_dict()


def test_roundtrip_across_reopen(db: Path):
    state = UserState.open(db)
    assert state.warning is None
    state.set_read(["a", "b", "c"])
    state.set_read(["b"], read=False)
    state.set_saved("g1", _headline(1))
    state.set_saved("g2", _headline(2))
    state.set_saved("g3", _headline(3))
    state.set_saved("g2", None)
    state.set_saved("g1", _headline(1))  # re-saving moves it to the top
    state.set_history({"back": ["http://x"], "forward": []})
    state.set_setting("theme", "dark")
    state.set_setting("columns", {"width": [1, 2]})
    state.close()

    state = UserState.open(db)
    assert state.read_ids() == {"a", "c"}
    assert state.is_read("a") and not state.is_read("b")
    assert state.is_saved("g1") and not state.is_saved("g2")
    assert [h["id"] for h in state.saved()] == ["g1", "g3"]
    assert state.get_history() == {"back": ["http://x"], "forward": []}
    assert state.get_setting("theme") == "dark"
    assert state.get_setting("columns") == {"width": [1, 2]}
    assert state.get_setting("missing", 5) == 5
    state.set_setting("none", None)
    assert state.get_setting("none", 5) is None  # a stored null is a value, not "missing"
    state.close()
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert stat.S_IMODE(db.parent.stat().st_mode) == 0o700


def test_defaults_on_fresh_db(db: Path):
    with UserState.open(db) as state:
        assert state.read_ids() == set()
        assert state.saved() == []
        assert state.get_history() == {}
        assert state.get_setting("x") is None
        state.set_read([])  # no-op


def test_unserialisable_value_writes_nothing(db: Path):
    with UserState.open(db) as state:
        state.set_setting("k", 1)
        with pytest.raises(TypeError):
            state.set_setting("k", object())
        assert state.get_setting("k") == 1


def test_two_connections_writing_concurrently(db: Path):
    first = UserState.open(db)
    second = UserState.open(db)
    errors: list[BaseException] = []

    def writer(state: UserState, prefix: str) -> None:
        try:
            for i in range(150):
                state.set_read([f"{prefix}{i}"])
                if i % 10 == 0:
                    state.set_saved(f"{prefix}{i}", {"id": f"{prefix}{i}"})
                    state.set_setting(prefix, i)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(first, "a")),
               threading.Thread(target=writer, args=(second, "b")),
               threading.Thread(target=writer, args=(first, "c"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for state in (first, second):
        ids = state.read_ids()
        assert all(f"{p}{i}" in ids for p in "abc" for i in range(150))
        assert len(state.saved()) == 45
        assert state.get_setting("b") == 140
    first.close()
    second.close()


def test_used_from_asyncio_threads(db: Path):
    import asyncio

    async def main() -> None:
        state = UserState.open(db)
        await asyncio.gather(*(asyncio.to_thread(state.set_read, [f"t{i}"]) for i in range(50)))
        assert len(await asyncio.to_thread(state.read_ids)) == 50
        state.close()

    asyncio.run(main())


@pytest.mark.parametrize("damage", ["header", "garbage-file", "middle"])
def test_corrupt_db_moved_aside(db: Path, damage: str):
    state = UserState.open(db)
    state.set_read([f"id{i}-" + "p" * 200 for i in range(500)])
    state.close()
    if damage == "header":
        with open(db, "r+b") as f:
            f.write(b"\x00" * 100)
    elif damage == "garbage-file":
        db.write_bytes(os.urandom(5000))
    else:
        size = db.stat().st_size
        with open(db, "r+b") as f:
            f.seek(size // 2)
            f.write(os.urandom(8192))
    state = UserState.open(db)
    assert state.warning is not None
    (aside,) = db.parent.glob("state.db.corrupt-*")
    assert state.warning.endswith(f"the damaged file is at {aside}")
    kept = state.read_ids()
    if damage == "garbage-file":  # nothing to read: it says so
        assert state.warning.startswith("user state was damaged and nothing in it could be read")
        assert kept == set()
    else:  # the rows on the pages still whole are kept (tests/hostile/test_state_faults.py)
        assert state.warning.startswith(f"user state was damaged; kept {len(kept)} ")
        assert kept and kept <= {f"id{i}-" + "p" * 200 for i in range(500)}
    state.set_read(["fresh"])
    assert state.is_read("fresh")
    state.close()


def test_newer_schema_refused(db: Path):
    import sqlite3

    UserState.open(db).close()
    con = sqlite3.connect(db)
    con.execute("PRAGMA user_version = 99")
    con.close()
    with pytest.raises(StateError, match="newer newsreader"):
        UserState.open(db)


_WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from newsreader.store.state import UserState

    state = UserState.open(Path(sys.argv[1]))
    i = 0
    while True:
        state.set_read([f"mark{i}"])
        if i % 7 == 0:
            state.set_saved(f"mark{i}", {"id": f"mark{i}", "pad": "x" * 2000})
        print(i, flush=True)  # only after the transaction committed
        i += 1
    """
)


@pytest.mark.parametrize("after", [5, 300])
def test_sigkill_while_writing_loses_no_committed_mark(db: Path, tmp_path: Path, after: int):
    UserState.open(db).close()
    script = tmp_path / "writer.py"
    script.write_text(_WRITER)
    proc = subprocess.Popen([sys.executable, str(script), str(db)], stdout=subprocess.PIPE,
                            text=True, cwd=str(Path(__file__).resolve().parent.parent))
    committed: list[int] = []
    assert proc.stdout is not None
    for line in proc.stdout:
        committed.append(int(line))
        if len(committed) >= after:
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL

    state = UserState.open(db)
    assert state.warning is None
    ids = state.read_ids()
    assert all(f"mark{i}" in ids for i in committed)
    saved = {h["id"] for h in state.saved()}
    assert all(f"mark{i}" in saved for i in committed if i % 7 == 0)
    state.close()


def test_a_state_write_after_close_runs_in_the_caller() -> None:
    from newsreader.store.writer import StateWriter

    writer = StateWriter()
    writer.submit(lambda: None)
    writer.close()
    ran_in: list[str] = []
    writer.submit(lambda: ran_in.append(threading.current_thread().name))
    assert ran_in == [threading.current_thread().name], "not a new thread nobody waits for"


def test_salvage_of_a_whole_file_reads_every_row_exactly(db: Path):
    """The page scan, checked against SQLite on an undamaged file: the same rows, no more."""
    from newsreader.store.salvage import salvage

    state = UserState.open(db)
    state.set_read([f"mark-{i}-" + "k" * (i % 300) for i in range(700)])
    state.set_read([f"mark-{i}-" + "k" * (i % 300) for i in range(0, 700, 7)], read=False)
    for i in range(5):  # big enough to spill onto overflow pages
        state.set_saved(f"s{i}", {"headline": {"id": f"s{i}"}, "story": {"text": "w " * 5000}})
    state.set_saved("s1", None)
    state.set_history({"entries": [{"url": f"u{i}"} for i in range(200)], "index": 3})
    state.set_setting("theme", "nord")
    read, saved = state.read_ids(), {r["headline"]["id"] for r in state.saved()}
    state.close()
    found = salvage(db)
    assert set(found.read_marks) == read
    assert set(found.saved) == saved
    assert set(found.kv) == {"history", "setting:theme"}
    assert found.unread_pages == 0 and found.estimate("read") == len(read)


def test_state_writer_tells_one_failure_per_run_of_failures() -> None:
    """A full disk fails every write: one notice, and another only after a write succeeded."""
    from newsreader.store.writer import StateWriter

    writer = StateWriter()
    told: list[str] = []
    writer.on_error = lambda exc: told.append(str(exc)) or True

    def write(ok: bool) -> None:
        if not ok:
            raise StateError("cannot write state.db: database or disk is full")

    for ok in (False, False, False, True, False, False):
        writer.submit(write, ok)
    writer.close()
    assert told == ["cannot write state.db: database or disk is full"] * 2
    assert writer.unreported == []
