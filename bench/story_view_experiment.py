"""Experiment (not in run_all.py): the story frame with today's StoryView vs one Line-API widget.

Why: opening a parsed story misses its p95 target because the frame that shows it costs 20-40
ms of Textual layout and rendering (StoryView is a VerticalScroll of eight child widgets). This
measures show -> next frame for both designs in the same harness (a 10,000-row OptionList, a
Header and a Footer at 120x40, 100 bench pages). `LineView` is a rough prototype: title, meta,
lead and body as pre-wrapped lines in one ScrollView; no related list, no selection. The
collector is paused around each measured frame so both sides are compared without GC pauses.

Run: python bench/story_view_experiment.py
"""

from __future__ import annotations

import asyncio
import gc
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from textual.app import App, ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Footer, Header, OptionList

from bench.common import COLS, ROWS, machine, median, pct
from bench.pages import story_page
from newsreader.models import Story
from newsreader.parse.story import parse_story
from newsreader.ui.format import meta_line
from newsreader.ui.widgets.story import StoryView, body_lines

BASE = "http://127.0.0.1:8"


class LineView(ScrollView):
    """The prototype: every line of the story drawn by one widget, nothing to lay out."""

    DEFAULT_CSS = """
    LineView { width: 6fr; height: 1fr; border: tall $border-blurred; padding: 0 2;
               background: $surface; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[Content] = []

    def show_story(self, story: Story, _cached: object = None) -> None:
        width = self.scrollable_content_region.width or 60
        lines = [Content.styled(story.title, "bold"), meta_line(story), Content("")]
        if story.lead:
            lines += [*Content(story.lead).wrap(width), Content("")]
        self.lines = lines + body_lines(story.blocks, width)
        self.virtual_size = Size(width, len(self.lines))
        self.scroll_to(y=0, animate=False, immediate=True)
        self.refresh()

    def render_line(self, y: int) -> Strip:
        index = y + int(self.scroll_y)
        width = self.scrollable_content_region.width
        style = self.visual_style
        if index >= len(self.lines):
            return Strip.blank(width, style.rich_style)
        segments = list(self.lines[index].render_segments(style))
        return Strip(segments).extend_cell_length(width, style.rich_style).crop(0, width)


class Harness(App[None]):
    CSS = """
    OptionList { width: 5fr; }
    StoryView { width: 6fr; height: 1fr; border: tall $border-blurred; padding: 0 2;
                background: $surface; }
    """

    def __init__(self, line_view: bool) -> None:
        super().__init__()
        self.line_view = line_view

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            yield OptionList(*[f"Row {i}: a headline of a usual length" for i in range(10_000)])
            yield LineView() if self.line_view else StoryView(id="story")
        yield Footer()


async def measure(line_view: bool, stories: list[Story]) -> list[float]:
    app = Harness(line_view)
    frames: list[float] = []
    original = app._display

    def display(screen: object, renderable: object) -> None:
        original(screen, renderable)  # type: ignore[arg-type]
        render = getattr(renderable, "render_segments", None)
        if render is not None:
            render(app.console)
            frames.append(time.perf_counter())

    app._display = display  # type: ignore[method-assign]
    out: list[float] = []
    async with app.run_test(size=(COLS, ROWS)) as pilot:
        view = app.query_one(LineView if line_view else StoryView)
        for round_ in range(2):  # the first round warms the caches
            for story in stories:
                await pilot.pause()
                await asyncio.sleep(0.03)
                gc.collect()
                gc.disable()
                start = time.perf_counter()
                view.show_story(story, [False] * len(story.related))  # type: ignore[union-attr]
                for _ in range(300):
                    await asyncio.sleep(0.001)
                    after = [f for f in frames if f > start]
                    if after:
                        break
                gc.enable()
                if round_ and after:
                    out.append((after[0] - start) * 1000)
    return out


def main() -> None:
    print(f"machine: {machine()}")
    stories = []
    for i in range(100):
        page = story_page(1000 + i, f"/s/0/page-{i}.html", BASE)
        stories.append(parse_story(page.body, BASE + page.path,
                                   headers={"content-type": page.content_type}))
    for line_view in (False, True, False, True):
        ms = asyncio.run(measure(line_view, stories))
        name = "one Line-API widget" if line_view else "StoryView (today)  "
        print(f"{name}  show -> frame  p50 {median(ms):5.1f} ms  p95 {pct(ms, 0.95):5.1f} ms")


if __name__ == "__main__":
    main()
