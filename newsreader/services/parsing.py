"""Parsing off the event loop: a thread for the story being opened, processes for a refresh.

Measured on 2 cores (bench/refresh_bench.py, bench/responsiveness_bench.py): parse_story is
pure Python holding the GIL ~14 ms per real-world page, and parse_feed ~33 ms per 50-item feed,
so with asyncio.to_thread a refresh ran its parsing on one core and starved the event loop (a
10,000-row list reload took 0.6 s instead of 0.1 s while 200 feeds parsed in threads). A pool
of worker processes parses on every core and leaves the loop's GIL alone. Opening a single
story still uses a thread: no pool start-up (~0.5 s of imports) and no pickling on that path.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

from newsreader.errors import ParseError
from newsreader.models import Story

ORPHAN_CHECK_SECONDS = 1.0


def parse_story(content: bytes, url: str, *, headers: dict[str, str]) -> Story:
    """The story parser, imported on first use (trafilatura + lxml cost ~0.3 s to import)."""
    from newsreader.parse.story import parse_story as parse

    return parse(content, url, headers=headers)


def parse_feed(content: bytes, url: str, **kwargs: Any) -> Any:
    """The feed parser, imported on first use (feedparser costs ~0.1 s at start-up)."""
    from newsreader.parse.feed import parse_feed as parse

    return parse(content, url, **kwargs)


def _story_in_worker(content: bytes, url: str, headers: dict[str, str]) -> Any:
    return parse_story(content, url, headers=headers).to_dict()


def _feed_in_worker(content: bytes, url: str, kwargs: dict[str, Any]) -> Any:
    return parse_feed(content, url, **kwargs)


def _start_worker(parent: int) -> None:
    """Worker start-up: yield the CPU to the app, and never outlive the process that started it.

    The app's keys come first, so the worker runs niced. An idle worker blocks on a queue whose
    writing end it holds itself, so it would never see its parent die (kill -9, the OOM
    killer, a refresh process killed after its grace period): a watchdog thread notices the
    parent is gone and exits.
    """
    if hasattr(os, "nice"):
        with contextlib.suppress(OSError):
            os.nice(10)

    # `parent` comes from the parent itself: it may have died before this worker got here.
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(ORPHAN_CHECK_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, name="orphan-watch", daemon=True).start()


def _start_quiet_resource_tracker() -> None:
    """Start multiprocessing's resource tracker with its stderr on /dev/null.

    The pool's queues use named semaphores, which the tracker unlinks when this process ends.
    Killed with kill -9, this process cannot say goodbye, and the tracker, which outlives it,
    printed "There appear to be 5 leaked semaphore objects" on the user's terminal after they
    had moved on. It still cleans them up; it only stops talking. Started here, before the
    pool's first semaphore, so the pool's later registrations reuse this quiet one.
    """
    from multiprocessing import resource_tracker

    null = os.open(os.devnull, os.O_WRONLY)
    saved = os.dup(2)
    try:
        os.dup2(null, 2)  # the tracker inherits fd 2 when it is spawned
        resource_tracker.ensure_running()
    except (OSError, ValueError):
        pass  # no tracker: the pool makes its own, and may be loud about a kill -9
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(null)


def _in_worker(parse: Callable[..., Any], *args: Any) -> Any:
    """Runs in a worker process; a ParseError comes back as a tuple (it does not pickle)."""
    try:
        return parse(*args)
    except ParseError as exc:
        return ("parse_error", exc.url, exc.reason)


class StoryParser:
    """Parses pages and feeds away from the event loop; `close()` stops the worker processes."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1
        self._pool: Executor | None = None
        self._pool_failed = self.workers < 2  # one core: processes only add overhead

    async def parse(
        self, content: bytes, url: str, headers: dict[str, str], *, bulk: bool = False
    ) -> Story:
        """Parse `content`; `bulk` (prefetch) uses the worker processes when there are any."""
        if bulk:
            done, result = await self._in_pool(_story_in_worker, content, url, headers)
            if done:
                return Story.from_dict(result)
        return await asyncio.to_thread(parse_story, content, url, headers=headers)

    async def parse_feed(
        self, content: bytes, url: str, *, bulk: bool = False, **kwargs: Any
    ) -> Any:
        """Parse a feed; `bulk` (a refresh of many sources) uses the worker processes.

        A few feeds parse faster in a thread than it takes to start the pool (~0.5 s a worker).
        """
        if bulk or self._pool is not None:
            done, result = await self._in_pool(_feed_in_worker, content, url, kwargs)
            if done:
                return result
        return await asyncio.to_thread(parse_feed, content, url, **kwargs)

    async def _in_pool(self, parse: Callable[..., Any], *args: Any) -> tuple[bool, Any]:
        """(True, result) from a worker process, or (False, None) when there is no pool."""
        pool = self._get_pool()
        if pool is None:
            return False, None
        from concurrent.futures.process import BrokenProcessPool  # loaded with the pool

        loop = asyncio.get_running_loop()
        try:
            result = await loop.run_in_executor(pool, _in_worker, parse, *args)
        except BrokenProcessPool:
            self._pool_failed = True  # a worker died (OOM, killed): threads from now on
            self.close()
            return False, None
        if isinstance(result, tuple) and result[:1] == ("parse_error",):
            raise ParseError(result[1], result[2])
        return True, result

    def _get_pool(self) -> Executor | None:
        if self._pool is None and not self._pool_failed:
            # Imported with the first pool: a start-up that parses nothing never loads them.
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            try:
                # spawn, not fork: the app has threads (Textual's driver) that fork would copy.
                context = multiprocessing.get_context("spawn")
                _start_quiet_resource_tracker()
                self._pool = ProcessPoolExecutor(
                    max_workers=self.workers, mp_context=context, initializer=_start_worker,
                    initargs=(os.getpid(),),
                )
            except (OSError, ValueError, ImportError):
                self._pool_failed = True  # no semaphores / no /dev/shm: threads still work
        return self._pool

    def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
