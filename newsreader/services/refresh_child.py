"""The refresh child process (`python -m newsreader.services.refresh_child`); see refresh_process.

It reads its job (paths, sources, settings) as JSON on stdin, opens the same cache and state as
the app through the one wiring function, refreshes in-process and writes one progress line at
most every EMIT_EVERY seconds on stdout.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import os
import re
import signal
import sys
import time
from pathlib import Path
from typing import IO, Any

from newsreader.config import Config, HeadlineFilter
from newsreader.models import Source
from newsreader.net.settings import NetSettings
from newsreader.paths import Paths
from newsreader.services.refresh import RefreshProgress
from newsreader.services.wiring import open_reader

EMIT_EVERY = 0.1  # seconds between progress lines: one per story would be 4,000 lines
CHILD_NICE = 5


def main() -> int:
    if hasattr(os, "nice"):  # the app's keys and frames come first; its workers nice further
        with contextlib.suppress(OSError):
            os.nice(CHILD_NICE)
    job = json.loads(sys.stdin.buffer.read())
    # Our stdout is the protocol; anything a library prints goes to stderr instead.
    protocol = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return asyncio.run(_run(job, protocol))


async def _run(job: dict[str, Any], protocol: IO[str]) -> int:
    task = asyncio.current_task()
    if task is not None:
        with contextlib.suppress(NotImplementedError, RuntimeError):  # no signals on Windows
            asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    config = Config(sources=[Source(**source) for source in job["sources"]], **job["config"])
    config.filters = [  # the app's [[filters]]: what it hides is not prefetched here either
        HeadlineFilter(tuple(rule["words"]),
                       re.compile(rule["regex"], re.IGNORECASE) if rule["regex"] else None,
                       rule["source"])
        for rule in job.get("filters", [])
    ]
    paths = Paths(**{name: Path(value) for name, value in job["paths"].items()})
    reader = open_reader(
        config, demo=job["demo"], paths=paths, net_settings=NetSettings(**job["net"])
    )
    if not reader.cache.on_disk:  # what it fetched would never reach the app
        print(f"could not open the cache: {'; '.join(reader.warnings)}", file=sys.stderr)
        await reader.aclose()
        return 1
    stored: list[str] = []
    reader.library.on_stored = stored.append
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
        progress = await reader.refresher.run(emit, force=job["force"])
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
    sys.exit(main())
