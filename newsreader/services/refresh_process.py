"""The app's refresh, run in a child process so the network and the parsing never hold its loop.

The child is `python -m newsreader.services.refresh_child`: it opens the same cache and state
as the app, runs the ordinary `Refresher` in-process, and reports on its stdout, one JSON object
per line: {"progress": RefreshProgress fields, "stored": [source URLs whose headlines it stored
since the last line]}. The app re-reads those sources from the cache.

Measured in bench/responsiveness_bench.py: in the app's own loop, a refresh of 200 feeds and
4,000 stories kept the loop about two-thirds busy (httpx/httpcore work per request), so keys
waited for it; in a child it runs on the other core.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import signal
import sys
from typing import Any

from newsreader.config import Config
from newsreader.errors import NewsreaderError
from newsreader.net.settings import NetSettings
from newsreader.paths import Paths
from newsreader.services.library import Library
from newsreader.services.refresh import ProgressCallback, RefreshProgress

LINE_LIMIT = 16 * 1024 * 1024  # a progress line carries every failing source's error
STDERR_TAIL = 4096  # what is kept of the child's stderr to explain how it stopped
STOP_GRACE = 3.0  # seconds the child gets to finish its writes after SIGTERM
# -P: never import from the directory the app was started in (a stray json.py there).
CHILD_COMMAND = (sys.executable, "-P", "-m", "newsreader.services.refresh_child")


class RefreshProcessError(NewsreaderError):
    """The child stopped without reporting the end of its refresh."""


class ChildRefresh:
    """Runs the refresh in a child process (the app's `Refresher.child`)."""

    def __init__(
        self, config: Config, *, paths: Paths, demo: bool, net_settings: NetSettings,
        library: Library,
    ) -> None:
        self.config = config
        self.paths = paths
        self.demo = demo
        self.net_settings = net_settings
        self.library = library
        self.process: asyncio.subprocess.Process | None = None  # running, if any

    async def run(self, on_progress: ProgressCallback, force: bool) -> RefreshProgress:
        """Start the child, pass on its progress, return its last; raise if it stops early."""
        try:
            process = await asyncio.create_subprocess_exec(
                *CHILD_COMMAND,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                limit=LINE_LIMIT,
            )
        except OSError as exc:  # no such interpreter, out of processes or memory
            raise RefreshProcessError(
                f"could not start the refresh process: {exc.strerror or exc}"
            ) from None
        self.process = process  # `stop` ends it if the app quits meanwhile
        stderr_tail = asyncio.ensure_future(_tail(process.stderr))
        final: RefreshProgress | None = None
        try:
            assert process.stdin is not None and process.stdout is not None
            with contextlib.suppress(ConnectionError):  # it died at once: its stderr says why
                process.stdin.write(json.dumps(self._job(force)).encode())
                await process.stdin.drain()
                process.stdin.close()
            try:
                async for line in process.stdout:
                    progress = self._apply(line)
                    on_progress(progress)
                    if not progress.running:
                        final = progress
                        break
            except ValueError:  # a line over LINE_LIMIT (asyncio's "chunk is longer than limit")
                raise RefreshProcessError(
                    "the refresh process sent an oversized line"
                ) from None
            code: int | None
            try:
                code = await asyncio.wait_for(process.wait(), STOP_GRACE)
            except TimeoutError:  # it reported the end but hangs on the way out
                await stop_child(process)
                code = process.returncode
            tail = await stderr_tail
        except BaseException:  # cancelled (the app quits) or failed: never leave it running
            await stop_child(process)
            stderr_tail.cancel()
            raise
        finally:
            self.process = None
        if final is None:
            raise RefreshProcessError(f"the refresh stopped: {_why(code, tail)}")
        return final

    async def stop(self) -> None:
        if self.process is not None:
            await stop_child(self.process)

    def _job(self, force: bool) -> dict[str, Any]:
        paths, config = self.paths, self.config
        return {
            "force": force,
            "demo": self.demo,
            "paths": {
                "config_file": str(paths.config_file),
                "data_dir": str(paths.data_dir),
                "cache_dir": str(paths.cache_dir),
            },
            "sources": [dataclasses.asdict(source) for source in self.library.sources],
            "config": {
                "refresh_minutes": config.refresh_minutes,
                "source_refresh_minutes": config.source_refresh_minutes,
                "prefetch": config.prefetch,
                "prefetch_per_source": config.prefetch_per_source,
                "cache_size_mb": config.cache_size_mb,
                "keep_days": config.keep_days,
            },
            "filters": [
                {"words": list(rule.words), "source": rule.source,
                 "regex": rule.pattern.pattern if rule.pattern else None}
                for rule in config.filters
            ],
            "net": dataclasses.asdict(self.net_settings),
        }

    def _apply(self, line: bytes) -> RefreshProgress:
        """Take one line from the child: re-read what it stored, return its progress."""
        try:
            message = json.loads(line)
            progress = RefreshProgress(**message["progress"])
            stored = [url for url in message.get("stored", []) if isinstance(url, str)]
        except (ValueError, TypeError, KeyError):
            # Only the child writes here (its own prints go to stderr): a newer newsreader
            # installed while this one runs speaks differently.
            raise RefreshProcessError(
                "the refresh process sent an unreadable line (newsreader upgraded? restart it)"
            ) from None
        self.library.reload_sources(stored)
        return progress


def _why(code: int | None, stderr_tail: str) -> str:
    """One line on how the child ended: its exception, the signal that killed it, its code."""
    lines = [line.strip() for line in stderr_tail.splitlines() if line.strip()]
    if "Traceback (most recent call last):" in stderr_tail and lines:
        return lines[-1]  # the exception line ends a traceback
    if code is not None and code < 0:
        with contextlib.suppress(ValueError):
            return f"killed by {signal.Signals(-code).name}"
    if lines and code:
        return lines[-1]  # it said why it gave up (e.g. the cache could not be opened)
    return f"exit code {code}"


async def _tail(stream: asyncio.StreamReader | None) -> str:
    """Read `stream` to its end (so the child never blocks on a full pipe), keep the end."""
    kept = b""
    if stream is not None:
        while chunk := await stream.read(65536):
            kept = (kept + chunk)[-STDERR_TAIL:]
    return kept.decode("utf-8", "replace")


async def stop_child(process: asyncio.subprocess.Process) -> None:
    """Ask the child to stop (it cancels its refresh and closes the cache), wait, then kill.

    If this wait is itself cancelled (the app is closing), the child keeps its SIGTERM and
    finishes stopping on its own: killing it could land between two writes of a source.
    """
    if process.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        process.terminate()
    try:
        await asyncio.wait_for(process.wait(), STOP_GRACE)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
