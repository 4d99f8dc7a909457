"""Pilot tests from a newcomer's trial: the list follows the story, lists stop at their ends, quit.

Each fails on the code before its fix: the highlight stayed on the row Enter or n left from,
N counted from the cursor, OptionList wrapped around, and a modal screen cut `q` / Ctrl+C off.
"""

from __future__ import annotations

from typing import Any

import pytest

from newsreader.ui.help import HelpScreen
from newsreader.ui.navigation import OFFLINE_DETAIL
from newsreader.ui.threads import ThreadScreen
from tests.ui_fakes import SIZE, FakeReader, burst, main, make_app, settle, shown_text, url

# -- 1. Backspace / L highlight the story they bring back -----------------------------------------


async def test_backspace_highlights_the_story_it_brings_back() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        await burst(pilot, "enter", "j", "j", "j", "enter")  # Alpha, then Delta
        assert screen.story_view.url == url("d") and screen.headlines.highlighted == 3
        await burst(pilot, "backspace")
        assert screen.story_view.url == url("a")
        assert screen.headlines.highlighted == 0
        await burst(pilot, "L")
        assert screen.story_view.url == url("d")
        assert screen.headlines.highlighted == 3


async def test_backspace_after_n_highlights_the_story_left() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        await burst(pilot, "enter", "n", "n")  # Alpha, Bravo, Charlie
        assert screen.headlines.highlighted == 2
        await burst(pilot, "backspace")
        assert screen.story_view.url == url("b")
        assert screen.headlines.highlighted == 1


@pytest.mark.parametrize("keys", [
    ("t", "j", "enter"),  # the thread view: Charlie is its second entry
    ("u", "enter"),  # the links view: Charlie is link 1
])
async def test_a_listed_story_opened_from_a_view_is_highlighted_and_back_returns(
    keys: tuple[str, ...],
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        await burst(pilot, "enter", "tab", *keys)  # Alpha; the story has the focus
        assert screen.story_view.url == url("c")
        assert screen.headlines.highlighted == 2, "the highlight follows the story on screen"
        await burst(pilot, "backspace")
        assert screen.story_view.url == url("a")
        assert screen.headlines.highlighted == 0


async def test_a_story_in_no_feed_leaves_the_highlight_where_it_was() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        await burst(pilot, "enter", "j", "j", "2")  # Alpha, list moved to Charlie, then Xray
        assert screen.story_view.url == url("x")
        assert screen.headlines.highlighted == 2


# -- 2. N counts from the story on screen, as n and p do ------------------------------------------


async def test_N_counts_from_the_story_on_screen_not_from_the_cursor() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        await burst(pilot, "enter", "j", "j", "j")  # Alpha open (read), cursor on Delta
        await burst(pilot, "N")
        assert screen.story_view.url == url("b"), "Bravo, Charlie and Delta are unread"


# -- 3. Lists stop at their ends ------------------------------------------------------------------


async def test_the_headline_list_stops_at_both_ends() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        headlines = main(app).headlines
        await burst(pilot, *["j"] * 20)
        assert headlines.highlighted == 4
        await burst(pilot, "G", "j", "down")
        assert headlines.highlighted == 4
        await burst(pilot, "g", "k", "up")
        assert headlines.highlighted == 0


async def test_the_thread_view_stops_at_its_ends_and_g_G_go_there() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await burst(pilot, "t")
        screen = app.screen
        assert isinstance(screen, ThreadScreen)
        choices = screen.choices
        assert choices.highlighted == 0
        await burst(pilot, "k")
        assert choices.highlighted == 0
        await burst(pilot, "G")
        last = choices.option_count - 1
        assert choices.highlighted == last
        await burst(pilot, "j", "j")
        assert choices.highlighted == last
        await burst(pilot, "g")
        assert choices.highlighted == 0


@pytest.mark.parametrize("key", ["u", "F"])
async def test_the_links_view_and_the_picker_stop_at_their_ends(key: str) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await burst(pilot, "enter", key)
        choices: Any = app.screen.query_one("#choices")
        await burst(pilot, *["j"] * (choices.option_count + 3))
        assert choices.highlighted == choices.option_count - 1
        await burst(pilot, *["k"] * (choices.option_count + 3))
        assert choices.highlighted == 0


async def test_g_and_G_go_to_the_top_and_end_of_the_help() -> None:
    app = make_app()
    async with app.run_test(size=(120, 20)) as pilot:
        await settle(pilot)
        await burst(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        body = app.screen.query_one("#help-body")
        await burst(pilot, "G")
        await pilot.wait_for_scheduled_animations()
        assert body.scroll_y == body.max_scroll_y > 0
        await burst(pilot, "g")
        await pilot.wait_for_scheduled_animations()
        assert body.scroll_y == 0


# -- 4. q and Ctrl+C quit from the app's views ----------------------------------------------------


@pytest.mark.parametrize("quit_key", ["q", "ctrl+c"])
@pytest.mark.parametrize("view_key", ["u", "F", "t", "D"])
async def test_q_and_ctrl_c_quit_from_every_view_without_text_input(
    view_key: str, quit_key: str
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        await burst(pilot, "enter", view_key)
        assert app.screen is not screen  # the view is up
        assert app.return_code is None
        await pilot.press(quit_key)
        await pilot.pause()
        assert app.return_code == 0


async def test_ctrl_c_quits_from_help_and_a_prompt_where_q_is_typed() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await burst(pilot, "O")
        await pilot.press("q")
        assert app.return_code is None
        assert app.screen.query_one("#open-url").value == "q"  # type: ignore[attr-defined]
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert app.return_code == 0
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await burst(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert app.return_code == 0



@pytest.mark.parametrize("open_key", ["ctrl+p", "T"])
async def test_ctrl_c_quits_from_the_command_palette_and_the_theme_picker(open_key: str) -> None:
    from textual.command import CommandPalette

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(open_key)
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press("q")  # typed into its search box, as in every text box
        await pilot.pause()
        assert app.return_code is None
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert app.return_code == 0


async def test_ctrl_c_copies_a_selection_in_a_box_and_quits_only_when_it_is_quit() -> None:
    from newsreader.config import Config

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await burst(pilot, "O", *"abc")
        app.screen.query_one("#open-url").select_all()  # type: ignore[attr-defined]
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert app.return_code is None and app.clipboard == "abc"
    reader = FakeReader(config=Config(keys={"copy_link": "ctrl+c", "quit": "q"}))
    app = make_app(reader)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert app.return_code is None  # [keys] gave Ctrl+C to copy_link

# -- 5. Offline, an uncached story says what would fetch it ---------------------------------------


async def test_offline_an_uncached_story_does_not_suggest_r() -> None:
    app = make_app(FakeReader(offline=True))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await burst(pilot, "t", "end", "enter")  # Zulu: never downloaded
        text = shown_text(main(app))
        assert "press r" not in text and "--offline" in text
        assert " ".join(OFFLINE_DETAIL.split()) in text
