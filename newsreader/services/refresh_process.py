"""The app's refresh, run in a child process so the network and the parsing never hold its loop.

The child is this module run as `python -m newsreader.services.refresh_process`: it opens the
same cache and state as the app, runs the ordinary `Refresher`, and reports on its stdout, one
JSON object per line: {"progress": RefreshProgress fields, "stored": [source URLs whose
headlines it stored since the last line]}. The app re-reads those sources from the cache.

Measured in bench/responsiveness_bench.py: in the app's own loop, a refresh of 200 feeds and
4,000 stories kept the loop about two-thirds busy (httpx/httpcore work per request), so keys
waited for it; in a child it runs on the other core.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from newsreader.config import Config
from newsreader.errors import NewsreaderError
from newsreader.models import Source
from newsreader.net.client import NetSettings
from newsreader.paths import Paths
from newsreader.services.refresh import RefreshProgress

if TYPE_CHECKING:
    from newsreader.services.reader import Reader

EMIT_EVERY = 0.1  # seconds between progress lines: one per story would be 4,000 lines
LINE_LIMIT = 16 * 1024 * 1024  # a progress line carries every failing source's error
STDERR_TAIL = 4096  # what is kept of the child's stderr to explain how it stopped
STOP_GRACE = 3.0  # seconds the child gets to finish its writes after SIGTERM
CHILD_NICE = 5
# -P: never import from the directory the app was started in (a stray json.py there).
CHILD_COMMAND = (sys.executable, "-P", "-m", "newsreader.services.refresh_process")


class RefreshProcessError(NewsreaderError):
    """The child stopped without reporting the end of its refresh."""


async def refresh_in_child(
    reader: Reader,
    on_progress: Callable[[RefreshProgress], None] | None,
    *,
    force: bool,
) -> RefreshProgress:
    """Run `reader`'s refresh in a child process; same result and progress as in-process."""
    if reader.paths is None:
        raise RefreshProcessError("a refresh process needs the reader's paths")
    async with reader.refresher.lock:
        refresher = reader.refresher
        chosen = refresher.chosen(force)
        if not force and not chosen:
            return refresher.nothing_due()  # the minute's schedule check: no child
        # What Refresher.run reports first, now: the child needs ~0.5 s to start and say it.
        refresher.start(chosen, on_progress)
        try:
            return await _run_child(reader, on_progress, force)
        finally:
            refresher.progress.running = False  # whatever happened, it is not running now


async def _run_child(
    reader: Reader, on_progress: Callable[[RefreshProgress], None] | None, force: bool
) -> RefreshProgress:
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
    reader.refresh_child = process  # Reader.aclose stops it if the app quits meanwhile
    stderr_tail = asyncio.ensure_future(_tail(process.stderr))
    final: RefreshProgress | None = None
    try:
        assert process.stdin is not None and process.stdout is not None
        with contextlib.suppress(ConnectionError):  # it died at once: its stderr says why
            process.stdin.write(json.dumps(_job(reader, force)).encode())
            await process.stdin.drain()
            process.stdin.close()
        try:
            async for line in process.stdout:
                progress = _apply(reader, line)
                if on_progress is not None:
                    on_progress(progress)
                if not progress.running:
                    final = progress
                    break
        except ValueError:  # a line over LINE_LIMIT (asyncio's "chunk is longer than limit")
            raise RefreshProcessError("the refresh process sent an oversized line") from None
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
        reader.refresh_child = None
    if final is None:
        raise RefreshProcessError(f"the refresh stopped: {_why(code, tail)}")
    return final


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


def _job(reader: Reader, force: bool) -> dict[str, Any]:
    paths = reader.paths
    assert paths is not None
    config = reader.config
    return {
        "force": force,
        "demo": reader.demo,
        "paths": {
            "config_file": str(paths.config_file),
            "data_dir": str(paths.data_dir),
            "cache_dir": str(paths.cache_dir),
        },
        "sources": [dataclasses.asdict(source) for source in reader.sources],
        "config": {
            "refresh_minutes": config.refresh_minutes,
            "source_refresh_minutes": config.source_refresh_minutes,
            "prefetch": config.prefetch,
            "prefetch_per_source": config.prefetch_per_source,
            "cache_size_mb": config.cache_size_mb,
            "keep_days": config.keep_days,
        },
        "net": dataclasses.asdict(reader.net_settings),
    }


def _apply(reader: Reader, line: bytes) -> RefreshProgress:
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
    reader.reload_sources(stored)
    reader.refresher.progress = progress
    return progress


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


# ------------------------------------------------------------------------------ the child


def _child_main() -> int:
    if hasattr(os, "nice"):  # the app's keys and frames come first; its workers nice further
        with contextlib.suppress(OSError):
            os.nice(CHILD_NICE)
    job = json.loads(sys.stdin.buffer.read())
    # Our stdout is the protocol; anything a library prints goes to stderr instead.
    protocol = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return asyncio.run(_child_run(job, protocol))


async def _child_run(job: dict[str, Any], protocol: IO[str]) -> int:
    from newsreader.services.reader import Reader

    task = asyncio.current_task()
    if task is not None:
        with contextlib.suppress(NotImplementedError, RuntimeError):  # no signals on Windows
            asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    config = Config(sources=[Source(**source) for source in job["sources"]], **job["config"])
    paths = Paths(**{name: Path(value) for name, value in job["paths"].items()})
    reader = Reader.open(
        config, demo=job["demo"], paths=paths, net_settings=NetSettings(**job["net"])
    )
    if not reader.cache.on_disk:  # what it fetched would never reach the app
        print(f"could not open the cache: {'; '.join(reader.warnings)}", file=sys.stderr)
        await reader.aclose()
        return 1
    stored: list[str] = []
    reader.on_stored = stored.append
    emitted_at = 0.0
    ended = False

    def emit(progress: RefreshProgress) -> None:
        nonlocal emitted_at, ended
        now = time.monotonic()
        if progress.running and now - emitted_at < EMIT_EVERY:
            return
        emitted_at, ended = now, not progress.running
        record = {"progress": dataclasses.asdict(progress), "stored": list(dict.fromkeys(stored))}
        stored.clear()
        protocol.write(json.dumps(record, ensure_ascii=False) + "\n")

    try:
        progress = await reader.refresh(emit, force=job["force"])
        if not ended:  # nothing was due: the refresh returned without a last tick
            progress.running = False
            emit(progress)
    except asyncio.CancelledError:
        return 1
    finally:
        await reader.aclose()
        with contextlib.suppress(OSError):  # the app is gone: nobody to tell
            protocol.flush()
    return 0


if __name__ == "__main__":
    sys.exit(_child_main())
