"""Story parsing off the event loop: a thread for the story being opened, processes for prefetch.

Measured on 2 cores (bench/refresh_bench.py, bench/responsiveness_bench.py): parse_story is
pure Python holding the GIL ~14 ms per real-world page, so with asyncio.to_thread a prefetch of
1,000 stories ran on one core (CPU-bound, 28 s for a 13 s floor) and starved the event loop. A
pool of worker processes parses on every core and leaves the loop's GIL alone. Opening a single
story still uses a thread: no pool start-up (~0.5 s of imports) and no pickling on that path.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from newsreader.errors import ParseError
from newsreader.models import Story


def parse_story(content: bytes, url: str, *, headers: dict[str, str]) -> Story:
    """The story parser, imported on first use (trafilatura + lxml cost ~0.3 s to import)."""
    from newsreader.parse.story import parse_story as parse

    return parse(content, url, headers=headers)


def _parse_in_worker(content: bytes, url: str, headers: dict[str, str]) -> Any:
    """Runs in a worker process: plain dicts and tuples cross back (ParseError does not pickle)."""
    try:
        return parse_story(content, url, headers=headers).to_dict()
    except ParseError as exc:
        return ("parse_error", exc.url, exc.reason)


class StoryParser:
    """Parses story pages away from the event loop; `close()` stops the worker processes."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1
        self._pool: Executor | None = None
        self._pool_failed = self.workers < 2  # one core: processes only add overhead

    async def parse(
        self, content: bytes, url: str, headers: dict[str, str], *, bulk: bool = False
    ) -> Story:
        """Parse `content`; `bulk` (prefetch) uses the worker processes when there are any."""
        pool = self._get_pool() if bulk else None
        if pool is not None:
            loop = asyncio.get_running_loop()
            try:
                result = await loop.run_in_executor(pool, _parse_in_worker, content, url, headers)
            except BrokenProcessPool:
                self._pool_failed = True  # a worker died (OOM, killed): threads from now on
                self.close()
            else:
                if isinstance(result, tuple):
                    raise ParseError(result[1], result[2])
                return Story.from_dict(result)
        return await asyncio.to_thread(parse_story, content, url, headers=headers)

    def _get_pool(self) -> Executor | None:
        if self._pool is None and not self._pool_failed:
            try:
                # spawn, not fork: the app has threads (Textual's driver) that fork would copy.
                context = multiprocessing.get_context("spawn")
                self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context)
            except (OSError, ValueError, ImportError):
                self._pool_failed = True  # no semaphores / no /dev/shm: threads still work
        return self._pool

    def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
