"""Bench: keys sent in one burst, through the key router (textual_compat/keys.py) and without.

In-process: `NewsreaderApp.run_test(size=(120, 40))` over a Reader whose cache lists 400
headlines (offline). Each round posts a burst of Key events at once, as the driver does with
one read of several bytes, and times it from the post until the last key has been handled:
- 300 `j` in the headline list: the highlight moves 300 rows (a held key, or a fast repeat);
- `S` and a 20-letter query: the search box holds the query (the router holds the letters
  until the box has the focus, and hands them on).

Floor, measured in this run: the same 300 `j` with the router standing aside (Textual's own
dispatch, as on an unverified Textual); for the query, `S` alone until the first frame of the
focused box, plus the same 20 letters posted into that box once open: the two steps typed
slowly (a burst cannot beat the box being drawn: the letters held wait behind that frame).
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    COLS,
    ROWS,
    FrameClock,
    Row,
    emit,
    machine,
    median,
    open_bench_reader,
    pct,
)
from bench.common import write_config as write_bench_config
from bench.pages import BASE_TIME
from newsreader.models import Headline

HEADLINES = 400
HELD = 300
QUERY = "budget heating winter"[:20]
BASE = "http://127.0.0.1:8/s/0"


def seed(root: Path) -> None:
    write_bench_config(root, 8, 1)
    reader = open_bench_reader(root, offline=True)
    try:
        source = reader.sources[0]
        headlines = []
        for i in range(HEADLINES):
            when = (BASE_TIME - timedelta(minutes=i)).isoformat()
            url = f"{BASE}/story-{i}.html"
            headlines.append(Headline(id=url, source_url=source.url, source_name=source.name,
                                      title=f"Story {i} about the budget", url=url,
                                      published=when, seen=when))
        reader.library.store_headlines(source, headlines)
    finally:
        reader.close()


def post(app: Any, keys: list[str]) -> float:
    from textual import events

    start = time.perf_counter()
    for key in keys:
        app.post_message(events.Key(key, key if len(key) == 1 else None))
    return start


async def until(done: Any, start: float) -> float:
    """ms from `start` until `done()` is true (polled every ms); NaN after 3 s.

    Not to the frame: a frame comes only when something changes, and the one showing the last
    key may come before the poll sees it, then the next is a later, unrelated one.
    """
    deadline = start + 3.0
    while time.perf_counter() < deadline:
        if done():
            return (time.perf_counter() - start) * 1000
        await asyncio.sleep(0.001)
    return float("nan")


async def first_frame(clock: FrameClock, after: float) -> float:
    """The time of the first frame painted after `after` (waits for it, 2 s at most)."""
    for _ in range(1000):
        frame = clock.first_after(after)
        if frame is not None:
            return frame
        await asyncio.sleep(0.002)
    return float("nan")


async def settle(app: Any, pilot: Any) -> None:
    """The search workers done (a cancelled one, typed over, counts as done), then a pause."""
    from textual.worker import WorkerCancelled

    for _ in range(10):
        try:
            await app.workers.wait_for_complete()
            break
        except WorkerCancelled:
            continue
    await pilot.pause()


async def rounds(root: Path, n: int) -> dict[str, list[float]]:
    from newsreader.ui.app import NewsreaderApp
    from newsreader.ui.textual_compat import keys

    out: dict[str, list[float]] = {"held": [], "held_floor": [], "query": [], "query_floor": []}
    reader = open_bench_reader(root, offline=True)
    app = NewsreaderApp(reader, refresh_on_start=False)
    verified = keys.verified
    async with app.run_test(size=(COLS, ROWS)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        clock = FrameClock(app)
        headlines = app.screen.headlines  # type: ignore[attr-defined]
        for i in range(2 * n):
            routed = i % 2 == 0  # alternate, so both see the same load
            keys.verified = verified if routed else (lambda: False)  # type: ignore[assignment]
            headlines.move_to(0)
            await pilot.pause()
            start = post(app, ["j"] * HELD)
            out["held" if routed else "held_floor"].append(
                await until(lambda: headlines.highlighted == HELD, start))
            keys.verified = verified  # type: ignore[assignment]
            if routed:
                start = post(app, ["S", *QUERY])

                def typed() -> bool:
                    found = app.screen.query("#search-input")
                    return bool(found) and found.first().value == QUERY

                out["query"].append(await until(typed, start))
                await settle(app, pilot)
                await pilot.press("escape")
                await pilot.pause()
                start = post(app, ["S"])  # the box alone, opened and focused before the letters

                def opened() -> bool:
                    found = app.screen.query("#search-input")
                    return bool(found) and app.focused is found.first()

                await until(opened, start)
                shown = await first_frame(clock, time.perf_counter())
                opening = (shown - start) * 1000  # the box painted: the letters' turn
                await pilot.pause()
                start = post(app, list(QUERY))
                out["query_floor"].append(opening + await until(typed, start))
                await settle(app, pilot)
                await pilot.press("escape")
                await pilot.pause()
    reader.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 rounds instead of 20")
    parser.add_argument("--json", action="store_true", help="one JSON line for run_all.py")
    args = parser.parse_args()
    print(f"machine: {machine()}", file=sys.stderr)
    root = Path(tempfile.mkdtemp(prefix="nrbench-burst-"))
    try:
        seed(root)
        got = asyncio.run(rounds(root, 5 if args.quick else 20))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    n = len(got["held"])
    rows = [
        Row(f"{HELD} j at once, all handled p50, n={n}", median(got["held"]), "ms",
            median(got["held_floor"]), "ratio <= 1.15", None,
            "floor = the same burst on Textual's own dispatch (the router standing aside)"),
        Row(f"{HELD} j at once p95", pct(got["held"], 0.95), "ms",
            pct(got["held_floor"], 0.95), "-", None),
        Row(f"S + {len(QUERY)} letters at once, in the box p50", median(got["query"]), "ms",
            median(got["query_floor"]), "-", None,
            "floor = S alone to the box drawn + the letters into the open box"),
        Row(f"S + {len(QUERY)} letters p95", pct(got["query"], 0.95), "ms",
            pct(got["query_floor"], 0.95), "-", None),
    ]
    held = rows[0]
    held.ok = held.ratio is not None and held.ratio <= 1.15
    emit(rows, args.json)


if __name__ == "__main__":
    main()
