"""Bench 3: key -> frame latency of list navigation while 200 feeds refresh and 4,000 prefetch.

In-process: NewsreaderApp.run_test(size=(120, 40)) over a 10,000-story cache, online against
bench/loopback_server.py (a separate process, 100 ms per response, feeds spread over
127.0.0.1-50). After "r" starts the refresh, a separate thread posts a Down key every 40-120 ms
into the app's loop (call_soon_threadsafe) and stamps it there, so a busy loop delays the key
instead of hiding the delay. Each key is matched to its handling (HeadlineList.action_cursor_down,
in order) and the figure is stamp -> the first frame after that handling (see FrameClock).
No floor column: the target is absolute (the ideal is one frame, ~17 ms at Textual's 60 fps).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    COLS,
    ROWS,
    FrameClock,
    Row,
    build_corpus,
    emit,
    machine,
    median,
    open_bench_reader,
    pct,
    start_server,
    stop_server,
)

P95_TARGET_MS, MAX_TARGET_MS = 50.0, 200.0


async def navigate(root: Path) -> tuple[list[float], float, int]:
    from textual import events

    from newsreader.ui.app import NewsreaderApp

    # As `newsreader` opens it: the refresh runs in a child process.
    reader = open_bench_reader(root, refresh_in_child=True)
    app = NewsreaderApp(reader, refresh_on_start=False)
    sent: list[float] = []
    handled: list[float] = []
    async with app.run_test(size=(COLS, ROWS)) as pilot:
        clock = FrameClock(app)
        screen = app.screen
        headlines = screen.headlines  # type: ignore[attr-defined]
        original = headlines.action_cursor_down

        def cursor_down() -> None:
            original()
            handled.append(time.perf_counter())

        headlines.action_cursor_down = cursor_down
        headlines.focus()
        await pilot.pause()
        loop = asyncio.get_running_loop()
        start = time.perf_counter()
        await pilot.press("r")
        stop = threading.Event()

        def typist() -> None:
            rng = random.Random(3)
            while not stop.wait(rng.uniform(0.04, 0.12)):
                sent.append(time.perf_counter())
                loop.call_soon_threadsafe(app.post_message, events.Key("down", None))

        thread = threading.Thread(target=typist, daemon=True)
        thread.start()
        await asyncio.sleep(0.5)
        while reader.progress.running:
            await asyncio.sleep(0.05)
        elapsed = time.perf_counter() - start
        stop.set()
        thread.join()
        await pilot.pause(0.5)
        stories = reader.progress.stories_total
    latencies = []
    for t_key, t_handled in zip(sent, handled, strict=False):
        frame = clock.first_after(t_handled)
        if frame is not None:
            latencies.append((frame - t_key) * 1000)
    return latencies, elapsed, stories


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 stories per feed, 2k corpus")
    parser.add_argument("--json", action="store_true", help="one JSON line for run_all.py")
    args = parser.parse_args()
    print(f"machine: {machine()}", file=sys.stderr)
    feed_items = 5 if args.quick else 20
    server, port = start_server(0.1, feed_items)
    root = Path(tempfile.mkdtemp(prefix="nrbench-resp-"))
    try:
        build_corpus(root, 2_000 if args.quick else 10_000, port=port, parsed_stories=False,
                     config={"prefetch_per_source": feed_items})
        latencies, elapsed, stories = asyncio.run(navigate(root))
    finally:
        stop_server(server)
        shutil.rmtree(root, ignore_errors=True)
    note = f"{len(latencies)} keys during a {elapsed:.1f} s refresh (200 feeds, {stories} stories)"
    p95, worst = pct(latencies, 0.95), max(latencies)
    rows = [
        Row("key->frame during refresh p50", median(latencies), "ms", None, "-", None, note),
        Row("key->frame during refresh p95", p95, "ms", None, f"<= {P95_TARGET_MS:.0f} ms",
            p95 <= P95_TARGET_MS),
        Row("key->frame during refresh max", worst, "ms", None, f"<= {MAX_TARGET_MS:.0f} ms",
            worst <= MAX_TARGET_MS),
    ]
    emit(rows, args.json)


if __name__ == "__main__":
    main()
