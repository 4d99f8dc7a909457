"""Bench: `t` -> the thread view painted, for a thread of 10 stories read from the cache.

In-process: `NewsreaderApp.run_test(size=(120, 40))` over a Reader whose cache holds 10 chains
of 10 parsed stories (each recalls the one before) and 200 other stories; the thread index is
loaded after the first frame, as in the app. For each chain, its newest, middle and oldest
story's headline is highlighted, the loop settles, then a `t` key event is posted; the figure
is from that instant to the first frame produced after the view was mounted with its entries.

Floor, measured in this run: a bare Textual app (stock Textual, nothing of newsreader's)
that pushes a modal screen holding an OptionList of the same 10 rows' text on a key, timed the
same way: what stock Textual costs to lay out and paint such a view.
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

from bench.common import COLS, ROWS, FrameClock, Row, emit, machine, median, open_bench_reader, pct
from bench.common import write_config as write_bench_config
from bench.pages import BASE_TIME
from newsreader.models import Block, Headline, RelatedLink, Story

P95_TARGET_MS = 50.0
CHAINS, LENGTH, OTHERS = 10, 10, 200
BASE = "http://127.0.0.1:8/s/0"


def _story(url: str, title: str, when: str, recalls: str | None) -> Story:
    related = [RelatedLink("recall", f"Earlier: {title}", recalls, "Earlier, it was said.")] \
        if recalls else []
    return Story(url=url, title=title, published=when, source="Bench Agency",
                 lead=f"The lead of {title}, one sentence long enough to be cut in the view.",
                 blocks=[Block("paragraph", "Words of the story. " * 80)], related=related)


def seed_cache(root: Path) -> list[Headline]:
    """The chains and the other stories, parsed in the cache; the headlines to press `t` on."""
    from newsreader.services.stories import PARSER_VERSION

    write_bench_config(root, 8, 1)
    reader = open_bench_reader(root, offline=True)
    headlines: list[Headline] = []
    pressed: list[Headline] = []
    try:
        source = reader.sources[0]
        n = 0
        for chain in range(CHAINS):
            previous: str | None = None
            for link in range(LENGTH):
                n += 1
                url = f"{BASE}/chain-{chain}-{link}.html"
                when = (BASE_TIME - timedelta(hours=CHAINS * LENGTH - n)).isoformat()
                story = _story(url, f"Chain {chain}, part {link + 1}", when, previous)
                reader.cache.put_story(url, {"parser": PARSER_VERSION, "story": story.to_dict()})
                headline = Headline(id=url, source_url=source.url, source_name=source.name,
                                    title=story.title, url=url, published=when, seen=when)
                headlines.append(headline)
                if link in (0, LENGTH // 2, LENGTH - 1):
                    pressed.append(headline)
                previous = url
        for i in range(OTHERS):
            url = f"{BASE}/other-{i}.html"
            when = (BASE_TIME - timedelta(minutes=i)).isoformat()
            story = _story(url, f"Other story {i}", when, None)
            reader.cache.put_story(url, {"parser": PARSER_VERSION, "story": story.to_dict()})
            headlines.append(Headline(id=url, source_url=source.url, source_name=source.name,
                                      title=story.title, url=url, published=when, seen=when))
        reader.library.store_headlines(source, headlines)
    finally:
        reader.close()
    return pressed


async def key_to_frame(app: object, clock: FrameClock, shown: list[float]) -> float:
    """Post `t`; ms from then to the first frame after the view said it was shown (`shown`
    gets that instant appended), NaN when it never was within 0.8 s."""
    from textual import events

    shown.clear()
    start = time.perf_counter()
    app.post_message(events.Key("t", "t"))  # type: ignore[attr-defined]
    for _ in range(400):
        await asyncio.sleep(0.002)
        frame = clock.first_after(shown[0]) if shown else None
        if frame is not None:
            return (frame - start) * 1000
    return float("nan")


async def open_threads(root: Path, pressed: list[Headline]) -> tuple[list[float], list[str]]:
    from newsreader.ui.app import NewsreaderApp
    from newsreader.ui.threads import ThreadScreen, entry_row

    reader = open_bench_reader(root, offline=True)
    app = NewsreaderApp(reader, refresh_on_start=False)
    out: list[float] = []
    texts: list[str] = []
    shown: list[float] = []
    original = ThreadScreen.on_mount

    def on_mount(self: ThreadScreen) -> None:  # from the cache its rows are there at mount
        original(self)
        if self.entries:
            shown.append(time.perf_counter())
        if not texts:
            texts.extend(entry_row(e).plain for e in self.entries)

    ThreadScreen.on_mount = on_mount  # type: ignore[method-assign]
    try:
        async with app.run_test(size=(COLS, ROWS)) as pilot:
            await app.workers.wait_for_complete()  # the thread index, loaded after frame one
            await pilot.pause()
            clock = FrameClock(app)
            screen = app.screen
            for headline in pressed:
                index = screen.headlines.index_of(headline.id)  # type: ignore[attr-defined]
                screen.headlines.focus()  # type: ignore[attr-defined]
                screen.headlines.move_to(index)  # type: ignore[attr-defined]
                await pilot.pause()
                out.append(await key_to_frame(app, clock, shown))
                await pilot.press("escape")
                await pilot.pause()
    finally:
        ThreadScreen.on_mount = original  # type: ignore[method-assign]
    return out, texts


async def open_floor(texts: list[str], times: int) -> list[float]:
    """Key -> frame of a stock-Textual modal listing the same rows (see the module docstring)."""
    from textual.app import App, ComposeResult
    from textual.screen import ModalScreen
    from textual.widgets import OptionList, Static

    from newsreader.ui.textual_compat import frame_pacing

    frame_pacing.uninstall()
    stamps: list[float] = []

    class Floor(ModalScreen[None]):
        BINDINGS = [("escape", "dismiss", "Close")]  # noqa: RUF012

        def compose(self) -> ComposeResult:
            yield OptionList(*texts)

        def on_mount(self) -> None:
            stamps.append(time.perf_counter())

    class FloorApp(App[None]):
        BINDINGS = [("t", "show", "Show")]  # noqa: RUF012

        def compose(self) -> ComposeResult:
            yield Static("list")

        def action_show(self) -> None:
            self.push_screen(Floor())

    app = FloorApp()
    out: list[float] = []
    async with app.run_test(size=(COLS, ROWS)) as pilot:
        clock = FrameClock(app)
        for _ in range(times):
            await pilot.pause()
            out.append(await key_to_frame(app, clock, stamps))
            await pilot.press("escape")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="accepted for run_all.py: the "
                        "bench is quick already (30 opens)")
    parser.add_argument("--json", action="store_true", help="one JSON line for run_all.py")
    args = parser.parse_args()
    print(f"machine: {machine()}", file=sys.stderr)
    root = Path(tempfile.mkdtemp(prefix="nrbench-thread-"))
    try:
        pressed = seed_cache(root)
        figures, texts = asyncio.run(open_threads(root, pressed))
        floor = asyncio.run(open_floor(texts, len(pressed)))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    n = len(figures)
    rows = [
        Row(f"thread view ({LENGTH} stories) from the cache p50, n={n}", median(figures), "ms",
            median(floor), "-", None, "floor = a stock Textual modal of the same rows (p50)"),
        Row("thread view from the cache p95", pct(figures, 0.95), "ms", pct(floor, 0.95),
            f"<= {P95_TARGET_MS:.0f} ms", pct(figures, 0.95) <= P95_TARGET_MS,
            f"max {max(figures):.0f} ms; floor = the stock modal (p95)"),
    ]
    emit(rows, args.json)


if __name__ == "__main__":
    main()
