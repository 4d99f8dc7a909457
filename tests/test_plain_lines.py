"""The story's text and scrollbar paint exactly what Textual's own render path paints."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from textual.geometry import Region
from textual.pilot import Pilot
from textual.scrollbar import ScrollBar
from textual.strip import Strip
from textual.widget import Widget

from newsreader.ui.textual_compat.plain_lines import is_plain
from newsreader.ui.widgets.plain_lines import StripScrollBar
from newsreader.ui.widgets.story import StoryText, StoryView
from tests.ui_fakes import SIZE, make_app, make_story, open_highlighted, url


def _segments(strips: list[Strip]) -> list[list[object]]:
    return [list(strip) for strip in strips]


def _textual(widget: Widget, crop: Region) -> list[Strip]:
    """What Widget.render_lines paints: StylesCache over the widget's render_line."""
    widget._styles_cache.clear()
    if isinstance(widget, ScrollBar):
        widget._dirty_regions.add(widget.size.region)  # its Rich render, not a cached one
    return Widget.render_lines(widget, crop)


def _crops(widget: Widget) -> list[Region]:
    width, height = widget.size
    return [
        Region(0, 0, width, height),
        Region(0, 3, width, min(5, height - 3)),  # some lines
        Region(1, 0, max(width - 2, 1), height),  # some columns
    ]


THEMES = [("textual-dark", False), ("textual-light", False), ("ansi-dark", True), ("nord", True)]


@asynccontextmanager
async def _story_shown(
    theme: str = "textual-dark", ansi_color: bool = False
) -> AsyncIterator[tuple[Pilot, StoryView]]:
    """The app with the first headline's story open, in `theme`."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.theme, app.ansi_color = theme, ansi_color
        yield pilot, (await open_highlighted(pilot)).story_view


@pytest.mark.parametrize(("theme", "ansi_color"), THEMES)
async def test_the_story_text_paints_what_textual_paints(theme: str, ansi_color: bool) -> None:
    async with _story_shown(theme, ansi_color) as (pilot, view):
        text = view.query_one(StoryText)
        # The mouse resting on the text: its segments' offsets are meta, which gives the hover
        # style a link id, yet nothing is restyled (no @click).
        await pilot.hover(StoryText, offset=(3, 1))
        await pilot.pause()
        assert text.hover_style._link_id and is_plain(text)
        for crop in _crops(text):
            fast = text.render_lines(crop)
            assert _segments(fast) == _segments(_textual(text, crop))
        text.text_select_all()  # highlighted lines are not cached: painted on each call
        await pilot.pause()
        crop = _crops(text)[0]
        assert _segments(text.render_lines(crop)) == _segments(_textual(text, crop))
        pilot.app.screen.clear_selection()


async def test_a_story_text_with_padding_goes_through_textual() -> None:
    async with _story_shown() as (pilot, view):
        text = view.query_one(StoryText)
        text.styles.padding = (0, 1)
        await pilot.pause()
        assert not is_plain(text)
        crop = _crops(text)[0]
        painted = text.render_lines(crop)
        assert _segments(painted) == _segments(_textual(text, crop))
        assert all(strip.text.startswith(" ") for strip in painted)  # the padding is there


@pytest.mark.parametrize(("theme", "ansi_color"), THEMES)
async def test_the_story_scrollbar_paints_what_textual_paints(theme: str, ansi_color: bool) -> None:
    async with _story_shown(theme, ansi_color) as (pilot, view):
        story = make_story(url("long"), "A long story", paras=40)
        view.show_story(story, [])
        await pilot.pause()
        scroller = view.scroller
        bar = scroller.vertical_scrollbar
        assert isinstance(bar, StripScrollBar) and bar.display
        for y in (0, scroller.max_scroll_y // 3, scroller.max_scroll_y):
            scroller.scroll_to(y=y, animate=False, immediate=True)
            await pilot.pause()
            for state in ("plain", "hover", "grabbed"):
                bar.mouse_over = state == "hover"
                bar.grabbed = bar.region.offset if state == "grabbed" else None
                for crop in _crops(bar):
                    fast = bar.render_lines(crop)
                    assert _segments(fast) == _segments(_textual(bar, crop)), (y, state, crop)
        bar.mouse_over, bar.grabbed = False, None
        # The thumb moved with the scroll: the bar is not one painting reused.
        top = _segments(bar.render_lines(_crops(bar)[0]))
        scroller.scroll_to(y=0, animate=False, immediate=True)
        await pilot.pause()
        assert _segments(bar.render_lines(_crops(bar)[0])) != top
