"""One thread for every cache write: in order, off the event loop, never two writers at once."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
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
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cache-writer")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, partial(write, *args, **kwargs))

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
