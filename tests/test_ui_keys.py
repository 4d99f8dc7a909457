"""Issue 18: every key counts, at any speed, everywhere (a burst, a held key, a slow frame)."""

from __future__ import annotations

import time

import pytest
from textual.geometry import Region
from textual.strip import Strip
from textual.widgets import OptionList

from newsreader.ui.dialogs import PickScreen
from newsreader.ui.main_screen import MainScreen
from newsreader.ui.widgets.plain_lines import StripScrollBar
from newsreader.ui.widgets.scroll import KeyScroll
from tests.ui_fakes import SIZE, burst, held, main, make_app, open_highlighted, settle, url


async def _story_focused(pilot):  # type: ignore[no-untyped-def]
    screen = await open_highlighted(pilot)  # Alpha story: over a hundred lines below the fold
    await pilot.press("tab")
    await settle(pilot)
    scroller = screen.story_view.scroller
    assert pilot.app.focused is scroller and scroller.max_scroll_y > 60
    return scroller


async def test_twenty_j_at_once_scroll_twenty_lines_and_sixteen_k_sixteen_back() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        scroller = await _story_focused(pilot)
        await burst(pilot, *"j" * 5)
        assert scroller.scroll_y == 5
        await burst(pilot, *"j" * 20)
        assert scroller.scroll_y == 25
        await burst(pilot, *"k" * 16)
        assert scroller.scroll_y == 9
        await burst(pilot, *["down"] * 7, *["up"] * 2)  # Textual's own ↓ ↑ bindings too
        assert scroller.scroll_y == 14


async def test_a_held_j_scrolls_a_line_per_repeat_even_while_frames_are_slow(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A key repeat every 33 ms while each frame takes 50 ms (a slow terminal): keys arrive
    # while a frame is drawn and are handled together after it.
    painted = StripScrollBar.render_lines

    def slow_frame(bar: StripScrollBar, crop: Region) -> list[Strip]:
        time.sleep(0.05)
        return painted(bar, crop)

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        scroller = await _story_focused(pilot)
        monkeypatch.setattr(StripScrollBar, "render_lines", slow_frame)
        await held(pilot, "j", 20, every=0.033)
        assert scroller.scroll_y == 20
        await held(pilot, "k", 16, every=0.033)
        assert scroller.scroll_y == 4


async def test_space_and_b_at_once_each_scroll_one_page() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        scroller = await _story_focused(pilot)
        page = scroller.scrollable_content_region.height
        await burst(pilot, "space", "space", "space")
        assert scroller.scroll_y == min(3 * page, scroller.max_scroll_y)
        await burst(pilot, "b", "b")
        assert scroller.scroll_y == min(3 * page, scroller.max_scroll_y) - 2 * page


async def test_keys_sent_with_an_open_count_from_where_the_new_story_starts() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        scroller = await _story_focused(pilot)
        await burst(pilot, *"j" * 10)
        # The next story and six lines of it in one burst: it is not laid out when the j keys
        # are handled, so how far they may go is not known yet; they count all the same.
        await burst(pilot, "n", *"j" * 6)
        story = app.screen.story_view.story  # type: ignore[attr-defined]
        assert story is not None and story.title == "Bravo story"
        assert app.focused is scroller and scroller.scroll_y == 6
        # Back: the saved position comes back after the layout, and the keys count from it.
        await burst(pilot, "h", *"j" * 3)
        assert app.screen.story_view.story.title == "Alpha story"  # type: ignore[attr-defined]
        assert scroller.scroll_y == 13


async def test_j_and_k_move_among_the_related_links_when_they_have_the_focus() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_highlighted(pilot)  # Alpha: three related links
        await pilot.press("tab", "tab")  # list -> story -> related links
        related = screen.story_view.related
        assert app.focused is related and related.highlighted == 0
        await burst(pilot, "j", "j", "k", "j")
        assert related.highlighted == 2
        await burst(pilot, "k")
        assert related.highlighted == 1
        assert screen.headlines.highlighted == 0, "the headline list stays where it was"
        await burst(pilot, "enter")
        assert screen.story_view.url == url("x")  # link 2: Xray


async def test_j_and_k_move_the_folder_and_source_picker() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = main(app)
        await settle(pilot)
        await pilot.press("F")
        await pilot.pause()
        assert isinstance(app.screen, PickScreen)
        picker = app.screen.query_one("#choices", OptionList)
        assert picker.highlighted == 0 and picker.option_count >= 3
        await burst(pilot, "j", "j", "k")
        assert picker.highlighted == 1
        await burst(pilot, "j")
        assert picker.highlighted == 2
        chosen = app.screen.choices[2][1]
        await burst(pilot, "enter")
        assert app.screen is screen and screen.headlines.scope == chosen


async def test_j_and_k_scroll_the_help_a_line_a_key() -> None:
    app = make_app()
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        body = app.screen.query_one("#help-body", KeyScroll)
        assert app.focused is body and body.max_scroll_y > 10
        await burst(pilot, *"j" * 7, "k", *["down"] * 3)
        assert body.scroll_y == 9
        await burst(pilot, "escape")
        assert isinstance(app.screen, MainScreen)


async def test_keys_sent_with_enter_come_after_the_story_it_opens() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = main(app)
        await settle(pilot)
        # Open, focus the story, scroll it: in one burst.
        await burst(pilot, "enter", "tab", *"j" * 6)
        story = screen.story_view.story
        assert story is not None and story.title == "Alpha story"
        assert app.focused is screen.story_view.scroller
        assert screen.story_view.scroller.scroll_y == 6
        # On the related links: follow the second, then back, in one burst.
        await pilot.press("tab")
        assert app.focused is screen.story_view.related
        await burst(pilot, "j", "enter", "h")
        assert screen.story_view.url == url("a")
        await burst(pilot, "L")  # forward: it was followed first
        assert screen.story_view.url == url("x")
