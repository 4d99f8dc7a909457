"""Bench 2: keypress -> story painted, over 120 varied 10-200 KB pages, raw HTML and parsed.

In-process: `NewsreaderApp.run_test(size=(120, 40))` over a Reader whose cache holds the pages'
raw HTML only (pass 1: the open includes parse_story) and then their parsed form (pass 2).
For each page the list is moved to its row, the loop settles, then an Enter key event is
posted; the figure is from that instant to the first frame (see FrameClock) produced after
StoryView.show_story has finished for that page, i.e. the frame that shows the story.

Floors, measured in this run: for raw HTML, parse_story alone on the same pages; for parsed
stories, a bare Textual app (bench/floor_app.OpenFloorApp: an OptionList beside a Static in a
VerticalScroll) showing each story's plain text on Enter, timed the same way: what stock
Textual costs to lay out and paint a new story, with nothing of newsreader's (not even its
frame pacing, ui/textual_compat/frame_pacing.py).
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
    write_config,
)
from bench.pages import BASE_TIME, story_page
from newsreader.models import Headline

P95_TARGET_MS = 50.0


def seed_cache(root: Path, n_pages: int) -> list[tuple[Headline, float, str]]:
    """Raw HTML of `n_pages` pages plus their headlines: (headline, parse ms, plain text)."""
    from newsreader.parse.story import parse_story

    write_config(root, 8, 1)
    reader = open_bench_reader(root, offline=True)
    out: list[tuple[Headline, float, str]] = []
    try:
        source = reader.sources[0]
        base = "http://127.0.0.1:8"
        for i in range(n_pages):
            page = story_page(1000 + i, f"/s/0/page-{i}.html", base)
            url = base + page.path
            reader.cache.put_body(url, final_url=url, content=page.body,
                                  content_type=page.content_type, etag=None, last_modified=None)
            start = time.perf_counter()
            story = parse_story(page.body, url, headers={"content-type": page.content_type})
            ms = (time.perf_counter() - start) * 1000
            text = "\n\n".join(
                part for part in (story.title, story.lead, *(b.text for b in story.blocks)) if part
            )
            when = (BASE_TIME - timedelta(minutes=i)).isoformat()
            out.append((Headline(id=url, source_url=source.url, source_name=source.name,
                                 title=f"Page {i} {page.structure} {len(page.body) // 1024} KB",
                                 url=url, published=when, seen=when), ms, text))
        reader.library.store_headlines(source, [h for h, _, _ in out])
    finally:
        reader.close()
    return out


async def open_all(root: Path, headlines: list[Headline]) -> tuple[list[float], list[float]]:
    from textual import events

    from newsreader.ui.app import NewsreaderApp

    reader = open_bench_reader(root, offline=True)
    app = NewsreaderApp(reader, refresh_on_start=False)
    passes: list[list[float]] = [[], []]
    async with app.run_test(size=(COLS, ROWS)) as pilot:
        clock = FrameClock(app)
        screen = app.screen
        view = screen.story_view  # type: ignore[attr-defined]
        shown: dict[str, float] = {}
        original = view.show_story

        def show_story(story: object, *args: object, **kwargs: object) -> None:
            original(story, *args, **kwargs)
            shown[view.url] = time.perf_counter()

        view.show_story = show_story
        for results in passes:
            for headline in headlines:
                index = screen.headlines.index_of(headline.id)  # type: ignore[attr-defined]
                screen.headlines.focus()  # type: ignore[attr-defined]
                screen.headlines.move_to(index)  # type: ignore[attr-defined]
                await pilot.pause()
                shown.pop(headline.url, None)
                start = time.perf_counter()
                app.post_message(events.Key("enter", "\r"))
                for _ in range(400):
                    await asyncio.sleep(0.002)
                    done = shown.get(headline.url)
                    if done is not None and clock.first_after(done) is not None:
                        results.append((clock.first_after(done) - start) * 1000)  # type: ignore[operator]
                        break
                else:
                    results.append(float("nan"))
    return passes[0], passes[1]


async def open_floor(titles: list[str], texts: list[str]) -> list[float]:
    """Key -> frame in the bare app (see the module docstring), over the same stories."""
    from textual import events
    from textual.widgets import OptionList, Static

    from bench.floor_app import OpenFloorApp
    from newsreader.ui.textual_compat import frame_pacing

    # Stock Textual: newsreader's app replaced the repaint timer's loop (textual_compat.install).
    frame_pacing.uninstall()
    app = OpenFloorApp(titles, texts)
    out: list[float] = []
    async with app.run_test(size=(COLS, ROWS)) as pilot:
        clock = FrameClock(app)
        rows = app.query_one(OptionList)
        story = app.query_one("#story", Static)
        shown: dict[int, float] = {}
        original = story.update

        def update(content: object) -> None:
            original(content)  # type: ignore[arg-type]
            shown[rows.highlighted or 0] = time.perf_counter()

        story.update = update  # type: ignore[method-assign]
        for index in range(len(texts)):
            rows.focus()
            rows.highlighted = index
            await pilot.pause()
            shown.pop(index, None)
            start = time.perf_counter()
            app.post_message(events.Key("enter", "\r"))
            for _ in range(400):
                await asyncio.sleep(0.002)
                done = shown.get(index)
                if done is not None and clock.first_after(done) is not None:
                    out.append((clock.first_after(done) - start) * 1000)  # type: ignore[operator]
                    break
            else:
                out.append(float("nan"))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="30 pages instead of 120")
    parser.add_argument("--json", action="store_true", help="one JSON line for run_all.py")
    args = parser.parse_args()
    print(f"machine: {machine()}", file=sys.stderr)
    root = Path(tempfile.mkdtemp(prefix="nrbench-open-"))
    try:
        pairs = seed_cache(root, 30 if args.quick else 120)
        raw, parsed = asyncio.run(open_all(root, [h for h, _, _ in pairs]))
        bare = asyncio.run(open_floor([h.title for h, _, _ in pairs], [t for _, _, t in pairs]))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    parse_ms = [ms for _, ms, _ in pairs]
    n = len(pairs)
    rows = [
        Row(f"open, raw HTML cached (parse incl.) p50, n={n}", median(raw), "ms",
            median(parse_ms), "-", None, "floor = parse_story alone on the same pages (p50)"),
        Row("open, raw HTML cached (parse incl.) p95", pct(raw, 0.95), "ms", pct(parse_ms, 0.95),
            f"<= {P95_TARGET_MS:.0f} ms", pct(raw, 0.95) <= P95_TARGET_MS,
            f"max {max(raw):.0f} ms; floor = parse_story alone (p95)"),
        Row("open, parsed story cached p50", median(parsed), "ms", median(bare), "-", None,
            "floor = a bare Textual app showing the same text (p50)"),
        Row("open, parsed story cached p95", pct(parsed, 0.95), "ms", pct(bare, 0.95),
            f"<= {P95_TARGET_MS:.0f} ms", pct(parsed, 0.95) <= P95_TARGET_MS,
            f"max {max(parsed):.0f} ms; floor = the bare app (p95, max {max(bare):.0f} ms)"),
    ]
    emit(rows, args.json)


if __name__ == "__main__":
    main()
