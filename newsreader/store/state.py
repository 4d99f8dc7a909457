"""Durable user state (read marks, saved stories, history, settings) in SQLite WAL."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from newsreader.errors import NewsreaderError
from newsreader.store.files import move_aside

if TYPE_CHECKING:
    from newsreader.store.salvage import Salvage

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS read_marks (key TEXT PRIMARY KEY, at REAL NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS saved (
    id TEXT PRIMARY KEY, headline TEXT NOT NULL, saved_at REAL NOT NULL, seq INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
"""
# A read-only state (full disk) tries to reopen for writing at most this often.
REOPEN_SECONDS = 10.0


class StateError(NewsreaderError):
    """The user-state database cannot be opened or written (not corruption: that is handled)."""


class StateReadOnly(StateError):
    """A write to a state opened read-only: the user was told once, when it was opened."""


class UserState:
    """One connection guarded by a lock: safe from the event loop plus asyncio.to_thread.

    Every write is one IMMEDIATE transaction, so a kill -9 leaves either all of it or none;
    WAL + busy_timeout let the TUI and a cron `newsreader fetch` use the file at once.
    """

    def __init__(
        self, con: sqlite3.Connection, path: Path, warning: str | None,
        read_only: str | None = None,
    ) -> None:
        self._con = con
        self.path = path
        self.warning = warning  # what the user is told once at start (damage, read-only)
        # Why it was opened read-only (a full disk): writes raise StateReadOnly until the file
        # can be opened for writing again (tried at most every REOPEN_SECONDS).
        self.read_only = read_only
        self._reopen_after = 0.0
        self._lock = threading.RLock()

    # -- opening -----------------------------------------------------------------------------
    @classmethod
    def open(cls, path: Path) -> UserState:
        """Open (creating) the state; damage is salvaged, a full disk opens it read-only."""
        path = Path(path)
        _prepare_dir(path.parent)
        warning = _emptied(path)
        try:
            con = _connect(path)
        except StateError:
            raise
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.OperationalError) and not _looks_corrupt(exc):
                return cls._open_read_only(path, exc)
            return cls._open_salvaged(path)
        if _no_room(path.parent):
            # Opening wrote nothing (the schema is there), so the disk did not say it is full:
            # ask it, and start read-only with the one notice rather than fail at the first mark.
            con.close()
            return cls._open_read_only(path, sqlite3.OperationalError("database or disk is full"))
        return cls(con, path, warning)

    @classmethod
    def _open_salvaged(cls, path: Path) -> UserState:
        """Move the damaged file aside, start a fresh one and copy into it what can be read."""
        from newsreader.store.salvage import Salvage, salvage  # only for a damaged file

        aside = move_aside(path, companions=("-wal", "-shm"))
        try:
            con = _connect(path)
        except sqlite3.Error as again:
            raise StateError(f"cannot open {path}: {again}") from None
        try:
            found = salvage(aside)
        except Exception:  # a bug in the salvage must not stop the start: it is a fresh start
            found = Salvage()
        try:
            _restore(con, found)
        except sqlite3.Error:
            found = Salvage()  # nothing restored: say so (the damaged file is still there)
        return cls(con, path, _salvage_notice(found, aside))

    @classmethod
    def _open_read_only(cls, path: Path, exc: sqlite3.Error) -> UserState:
        """The file cannot be written (full disk, read-only): read it, and say so once."""
        try:
            con = _connect_read_only(path)
        except sqlite3.Error:
            raise StateError(f"cannot open {path}: {exc}") from None
        if "full" in str(exc) or _disk_full(path.parent):
            reason = f"the disk is full ({path.parent})"
            warning = (f"{reason}: read marks, saved stories and history cannot be saved"
                       " until space is freed")
        else:
            reason = f"{path.name} cannot be written ({exc})"
            warning = f"{reason}: read marks, saved stories and history will not be saved"
        state = cls(con, path, warning, read_only=reason)
        state._reopen_after = time.monotonic() + REOPEN_SECONDS
        return state

    def close(self) -> None:
        with self._lock, contextlib.suppress(sqlite3.Error):
            self._con.close()

    def __enter__(self) -> UserState:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- read marks --------------------------------------------------------------------------
    def is_read(self, id: str) -> bool:
        return bool(self._query("SELECT 1 FROM read_marks WHERE key = ? LIMIT 1", (id,)))

    def read_ids(self) -> set[str]:
        return {key for (key,) in self._query("SELECT key FROM read_marks")}

    def set_read(self, ids: Iterable[str], read: bool = True) -> None:
        keys = [k for k in dict.fromkeys(ids) if isinstance(k, str) and k]
        if not keys:
            return
        now = time.time()
        with self._tx() as con:
            if read:
                con.executemany(
                    "INSERT INTO read_marks(key, at) VALUES (?, ?) ON CONFLICT(key) DO NOTHING",
                    [(k, now) for k in keys],
                )
            else:
                con.executemany("DELETE FROM read_marks WHERE key = ?", [(k,) for k in keys])

    # -- saved -------------------------------------------------------------------------------
    def is_saved(self, id: str) -> bool:
        return bool(self._query("SELECT 1 FROM saved WHERE id = ?", (id,)))

    def saved_ids(self) -> set[str]:
        return {id for (id,) in self._query("SELECT id FROM saved")}

    def saved(self) -> list[dict[str, Any]]:
        """Saved headline dicts, most recently saved first; unreadable rows are skipped."""
        out = []
        for (text,) in self._query("SELECT headline FROM saved ORDER BY seq DESC"):
            value = _loads(text)
            if isinstance(value, dict):
                out.append(value)
        return out

    def set_saved(self, id: str, headline: dict[str, Any] | None) -> None:
        """Save (or re-save, moving it to the top) a headline dict; None unsaves."""
        with self._tx() as con:
            if headline is None:
                con.execute("DELETE FROM saved WHERE id = ?", (id,))
                return
            (seq,) = con.execute("SELECT coalesce(max(seq), 0) + 1 FROM saved").fetchone()
            con.execute(
                "INSERT INTO saved(id, headline, saved_at, seq) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(id) DO UPDATE SET headline = excluded.headline,"
                " saved_at = excluded.saved_at, seq = excluded.seq",
                (id, _dumps(headline), time.time(), seq),
            )

    # -- history and settings ------------------------------------------------------------------
    def get_history(self) -> dict[str, Any]:
        value = self._get_kv("history")
        return value if isinstance(value, dict) else {}

    def set_history(self, history: dict[str, Any]) -> None:
        self._set_kv("history", history)

    def get_setting(self, key: str, default: Any = None) -> Any:
        value = self._get_kv("setting:" + key, _MISSING)
        return default if value is _MISSING else value

    def set_setting(self, key: str, value: Any) -> None:
        self._set_kv("setting:" + key, value)

    # -- internals -----------------------------------------------------------------------------
    def _get_kv(self, key: str, default: Any = None) -> Any:
        rows = self._query("SELECT value FROM kv WHERE key = ?", (key,))
        if not rows:
            return default
        value = _loads(rows[0][0])
        return default if value is _MISSING else value

    def _set_kv(self, key: str, value: Any) -> None:
        text = _dumps(value)  # serialise before the transaction: a TypeError writes nothing
        with self._tx() as con:
            con.execute(
                "INSERT INTO kv(key, value) VALUES (?, ?)"
                " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, text),
            )

    def _query(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                return self._con.execute(sql, tuple(params)).fetchall()
            except sqlite3.Error as exc:
                raise StateError(f"cannot read {self.path.name}: {exc}") from None

    def _writable(self) -> sqlite3.Connection:
        """The connection to write on; a read-only state first tries to reopen for writing."""
        if self.read_only is not None:
            if time.monotonic() < self._reopen_after:
                raise StateReadOnly(f"not saved: {self.read_only}")
            try:
                con = _connect(self.path)
            except (sqlite3.Error, StateError):
                self._reopen_after = time.monotonic() + REOPEN_SECONDS
                raise StateReadOnly(f"not saved: {self.read_only}") from None
            with contextlib.suppress(sqlite3.Error):
                self._con.close()
            self._con, self.read_only = con, None
        return self._con

    @contextlib.contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            con = self._writable()
            try:
                # IMMEDIATE takes the write lock up front (waiting up to busy_timeout), so two
                # processes never both read-then-fail-to-upgrade.
                con.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise StateError(f"cannot write {self.path.name}: {exc}") from None
            try:
                yield con
                con.execute("COMMIT")
            except BaseException as exc:
                with contextlib.suppress(sqlite3.Error):
                    con.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise StateError(f"cannot write {self.path.name}: {exc}") from None
                raise


_MISSING: Any = object()


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, TypeError):
        return _MISSING


def _looks_corrupt(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text or "corrupt" in text


def _emptied(path: Path) -> str | None:
    """A state.db emptied to 0 bytes (and no WAL holding its pages) is a lost state: say so.

    SQLite opens an empty file as a new database without a word.
    """
    try:
        if path.stat().st_size != 0:
            return None
        wal = Path(f"{path}-wal")
        if wal.exists() and wal.stat().st_size > 0:
            return None  # a new database whose pages are still in its WAL
    except OSError:
        return None
    return (f"user state was empty ({path} is 0 bytes): read marks, saved stories and history"
            " are lost; started fresh")


def _restore(con: sqlite3.Connection, found: Salvage) -> None:
    """Write the salvaged rows into the fresh database, in one transaction."""
    con.execute("BEGIN IMMEDIATE")
    try:
        con.executemany("INSERT OR IGNORE INTO read_marks(key, at) VALUES (?, ?)",
                        found.read_marks.items())
        con.executemany(
            "INSERT OR IGNORE INTO saved(id, headline, saved_at, seq) VALUES (?, ?, ?, ?)",
            [(id, *row) for id, row in found.saved.items()],
        )
        con.executemany("INSERT OR IGNORE INTO kv(key, value) VALUES (?, ?)", found.kv.items())
        con.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            con.execute("ROLLBACK")
        raise


def _salvage_notice(found: Salvage, aside: Path) -> str:
    """One line: what was kept of the damaged file, and where it is."""
    from newsreader.store.salvage import SAVED

    parts = []
    for count, estimate, noun in (
        (len(found.read_marks), found.estimate("read"), "read marks"),
        (len(found.saved), found.estimate(SAVED), "saved stories"),
    ):
        if count and estimate > count:
            parts.append(f"{count} of ~{estimate} {noun}")
        elif count:
            parts.append(f"{count} {noun}")
    if "history" in found.kv:
        parts.append("your history")
    if any(key.startswith("setting:") for key in found.kv):
        parts.append("settings")
    if not parts:
        return (f"user state was damaged and nothing in it could be read: read marks, saved"
                f" stories and history are lost; started fresh; the damaged file is at {aside}")
    kept = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    unread = (f" ({found.unread_pages} of {found.pages} pages could not be read)"
              if found.unread_pages else "")
    return f"user state was damaged; kept {kept}{unread}; the damaged file is at {aside}"


def _no_room(directory: Path) -> bool:
    """Not even a few pages free: no SQLite write could commit there."""
    try:
        return shutil.disk_usage(directory).free < 64 * 1024
    except OSError:
        return False


def _disk_full(directory: Path) -> bool:
    try:
        return shutil.disk_usage(directory).free < 1024 * 1024
    except OSError:
        return False


def _connect_read_only(path: Path) -> sqlite3.Connection:
    """The state read into memory and made query-only: reads work, every write fails.

    Read through a read-only connection (which sees the WAL, but needs the -shm file), else as
    an immutable file (a full disk cannot make the -shm file; a cleanly closed state has no
    WAL). In memory, so a writer in another process never changes it under us.
    """
    uri = f"file:{quote(str(path))}"
    memory = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    try:
        for mode in ("mode=ro", "immutable=1"):
            try:
                source = sqlite3.connect(f"{uri}?{mode}", uri=True, timeout=10.0)
            except sqlite3.Error:
                continue
            try:
                source.execute("SELECT count(*) FROM sqlite_master").fetchone()
                source.backup(memory)
                break
            except sqlite3.Error:
                continue
            finally:
                source.close()
        else:
            raise sqlite3.OperationalError("cannot read it either")
        memory.executescript(_SCHEMA)
        memory.execute("PRAGMA query_only = ON")
    except BaseException:
        memory.close()
        raise
    return memory


def _prepare_dir(directory: Path) -> None:
    if not directory.exists():
        directory.mkdir(parents=True, mode=0o700)
        directory.chmod(0o700)  # mkdir's mode is filtered by the umask
    # An existing dir is left alone: it may be a user's shared directory.


def _connect(path: Path) -> sqlite3.Connection:
    if not path.exists():
        # Create it 0600 ourselves: sqlite would use 0644, and it gives -wal/-shm the same mode.
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    with contextlib.suppress(OSError):
        if path.stat().st_uid == os.geteuid():
            path.chmod(0o600)
    # isolation_level=None: we issue BEGIN/COMMIT ourselves; timeout is the busy timeout.
    con = sqlite3.connect(path, timeout=10.0, isolation_level=None, check_same_thread=False)
    try:
        con.execute("PRAGMA busy_timeout = 10000")
        con.execute("PRAGMA journal_mode = WAL")
        con.execute("PRAGMA synchronous = FULL")  # user data: survive power loss, not just kill
        (status,) = con.execute("PRAGMA quick_check").fetchone()
        if status != "ok":
            raise sqlite3.DatabaseError(f"database disk image is malformed ({status})")
        (version,) = con.execute("PRAGMA user_version").fetchone()
        if version > SCHEMA_VERSION:
            raise StateError(f"{path} was written by a newer newsreader (schema {version})")
        # One script, one transaction: a kill mid-creation leaves no half-made schema. Only
        # when something is missing: the script is a write, and with synchronous = FULL its
        # commit waited for an fsync at every start-up (2-13 ms here).
        (tables,) = con.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
            " AND name IN ('read_marks', 'saved', 'kv')"
        ).fetchone()
        if version != SCHEMA_VERSION or tables != 3:
            con.executescript(
                f"BEGIN IMMEDIATE;{_SCHEMA}PRAGMA user_version = {SCHEMA_VERSION};COMMIT;"
            )
    except BaseException:
        con.close()
        raise
    return con
