"""Writes off the event loop, in order: one thread for the cache, one for the user state."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from functools import partial
from typing import Any, TypeVar

T = TypeVar("T")


class CacheWriter:
    """Runs cache writes on one worker thread.

    Measured in bench/responsiveness_bench.py: diskcache writes made on the event loop (or from
    several threads at once) waited on each other's SQLite commits, up to 0.4 s, and every key
    pressed meanwhile waited too. One writer thread keeps the loop free and the writes in the
    order they were made (a source's newer headlines can never be overwritten by older ones).
    """

    def __init__(self) -> None:
        self._pool: ThreadPoolExecutor | None = None

    async def run(self, write: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run `write(*args, **kwargs)` on the writer thread; its exception is raised here."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._thread(), partial(write, *args, **kwargs))

    def submit(self, write: Callable[..., T], *args: Any) -> Future[T]:
        """Queue `write(*args)` behind the writes before it, without waiting for it.

        For a write nobody waits on: its failure stays in the returned future (a concurrent
        one, which never logs an exception nobody read).
        """
        return self._thread().submit(write, *args)

    def flush(self) -> None:
        """Return once every write queued so far has run (one thread: a no-op write behind them)."""
        if self._pool is not None:
            self._pool.submit(lambda: None).result()

    def _thread(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cache-writer")
        return self._pool

    def close(self, last: Callable[[], object] | None = None) -> None:
        """Wait for the writes already queued, run `last` on the thread, then stop it.

        `last` is for per-thread resources: diskcache keeps one SQLite connection per thread,
        and only the thread that opened it can close it.
        """
        pool, self._pool = self._pool, None
        if pool is not None:
            if last is not None:
                pool.submit(last)
            pool.shutdown(wait=True)


class StateWriter:
    """User-state writes (read marks, history, saved stories, settings) on one thread, in order.

    Each is a SQLite commit with synchronous=FULL, i.e. an fsync: 0.4 ms on the bench machine,
    several ms on a laptop disk, and it was made in the key's handler, before the story's frame.
    The reader keeps what the UI asks (is it read? saved?) in memory, so the UI never waits;
    `flush` waits for the writes submitted so far (before the database is read, and at close).

    A failed write never stops the ones after it. It is handed to `on_error` (from the writer
    thread), which returns whether it told the user; when it did not, or there is no `on_error`,
    the failure waits in `unreported` for whoever closes the writer to say it. Once the user was
    told, the failures after it are not told again until a write succeeds: a full disk is one
    notice, not one per key.
    """

    def __init__(self) -> None:
        self._pool: ThreadPoolExecutor | None = None
        self._last: Future[None] | None = None
        self._closed = False
        self._lock = threading.Lock()
        self._latest: dict[str, Any] = {}
        self.on_error: Callable[[Exception], bool] | None = None
        self.unreported: list[Exception] = []
        self._told = False  # the user was told of a failure, and no write has succeeded since

    def submit(self, write: Callable[..., object], *args: Any) -> None:
        if self._closed:  # nothing should write after close: do it here, errors and all
            write(*args)
            return
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="state-writer")
        self._last = self._pool.submit(self._run, write, *args)

    def submit_latest(self, key: str, write: Callable[[Any], object], value: Any) -> None:
        """`submit` for a value of which only the newest counts (the history, a setting).

        Fast n/n/n changes the history on every key; the snapshots still queued are replaced,
        not each written (and fsynced) in turn.
        """
        with self._lock:
            queued = key in self._latest
            self._latest[key] = value
        if not queued:
            self.submit(self._write_latest, key, write)

    def _write_latest(self, key: str, write: Callable[[Any], object]) -> None:
        with self._lock:
            value = self._latest.pop(key)
        write(value)

    def _run(self, write: Callable[..., object], *args: Any) -> None:
        try:
            write(*args)
        except Exception as exc:  # told to the user, never raised into the UI's handlers
            if self._told:
                return
            told = self.on_error is not None and self.on_error(exc)
            if told:
                self._told = True
            else:
                self.unreported.append(exc)
        else:
            self._told = False

    def flush(self) -> None:
        """Return once every write submitted so far has run (one thread: the last one)."""
        last = self._last
        if last is not None and not last.done():
            wait([last])

    def close(self) -> None:
        """Write what is queued and stop the thread; later writes run in the caller."""
        self._closed = True
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)
