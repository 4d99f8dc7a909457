"""Keys sent in one burst with the key that opens a prompt (S, /, O, a, F, D) reach the prompt.

A terminal delivers a fast typist's or a paste's keys in one read; `burst` posts them as the
driver does, all at once (Pilot.press waits for each key to be handled: it never showed this).
"""

from __future__ import annotations

import asyncio
import time

import pytest
from textual import events
from textual.message import Message
from textual.message_pump import MessagePump
from textual.widgets import Input, OptionList

from newsreader.ui.dialogs import AddSourceScreen, ConfirmScreen, OpenUrlScreen
from newsreader.ui.search import DEBOUNCE_SECONDS, SearchScreen
from newsreader.ui.textual_compat.keys import MAX_WAIT, KeyRouter, KeysDelivered
from newsreader.ui.widgets.headlines import HeadlineList
from tests.ui_fakes import (
    SIZE,
    FakeReader,
    burst,
    headline,
    key_event,
    main,
    make_app,
    make_story,
    settle,
    shown_text,
    url,
)


def box(app, selector: str) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one(selector, Input).value)


async def test_a_search_sent_with_s_lands_in_the_box_and_fires_no_key_underneath() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        # t, u, g, e are keys of the main screen (thread, links, first...): none may fire.
        await burst(pilot, "S", *"budget")
        assert isinstance(app.screen, SearchScreen)
        assert box(app, "#search-input") == "budget"
        assert len(app.screen_stack) == 2, "no other dialog opened"
        assert screen.headlines.highlighted == 0 and screen.story_view.url is None


async def test_a_search_sent_with_its_enter_opens_the_first_result_and_down_down_the_second(
) -> None:
    reader = FakeReader(headlines=[headline(s, f"Grain story {s}", n) for n, s in
                                   enumerate("abc", start=1)])
    app = make_app(reader)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        await burst(pilot, "S", *"grain", "enter")
        assert app.screen is screen and screen.story_view.url == url("a")
        await burst(pilot, "S", *"grain", "down", "down", "enter")
        assert app.screen is screen and screen.story_view.url == url("b")
        await burst(pilot, "S", *"grain", "escape", "j")  # Esc after the letters, then the list
        assert app.screen is screen and screen.headlines.highlighted == 2


async def test_thirty_down_at_once_in_search_results_move_thirty_rows() -> None:
    reader = FakeReader(headlines=[headline(f"s{n}", f"Story {n}", n) for n in range(40)])
    app = make_app(reader)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await burst(pilot, "S", *"story", *["down"] * 30)  # before the results: counted
        results = app.screen.query_one("#search-results", OptionList)
        assert app.focused is results and results.highlighted == 29
        await burst(pilot, *["down"] * 30)  # in the listed results
        assert results.highlighted == 39
        await burst(pilot, *["up"] * 30)
        assert results.highlighted == 9


async def test_thirty_j_at_once_move_the_list_thirty_rows() -> None:
    reader = FakeReader(headlines=[headline(f"s{n}", f"Story {n}", n) for n in range(40)])
    app = make_app(reader)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await burst(pilot, *"j" * 30)
        assert main(app).headlines.highlighted == 30


async def test_a_url_sent_with_o_and_enter_is_opened() -> None:
    story_url = "https://elsewhere.example/story"
    app = make_app(FakeReader(remote={story_url: make_story(story_url, "From elsewhere")}))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await burst(pilot, "O", *"elsewhere.example/st")
        assert isinstance(app.screen, OpenUrlScreen)
        assert box(app, "#open-url") == "elsewhere.example/st"
        await burst(pilot, *"ory", "enter")
        screen = main(app)
        assert screen.story_view.url == story_url and "From elsewhere" in shown_text(screen)
        await burst(pilot, "O", *"elsewhere.example/story", "enter")  # the whole of it at once
        assert app.screen is screen and screen.story_view.url == story_url


async def test_a_filter_sent_with_slash_after_other_keys_keeps_their_order() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        filter_box = screen.filter_input
        # f (the next folder) was typed before /: it acts first and is not typed in the box.
        await burst(pilot, "f", "slash", *"story")
        assert screen.headlines.scope is not None and filter_box.value == "story"
        assert app.focused is filter_box
        # A filter typed over: Esc clears the first before the second "/" opens it again.
        await burst(pilot, "escape", "slash", *"abc", "escape", "slash", *"alpha")
        assert filter_box.value == "alpha" and filter_box.display
        # Enter leaves the box: the j after it moves the list, it is not typed in the box.
        await burst(pilot, "enter", "j")
        assert filter_box.value == "alpha" and app.focused is screen.headlines


async def test_a_source_url_sent_with_a_lands_in_the_add_dialog() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await burst(pilot, "a", *"example.org/feed")
        assert isinstance(app.screen, AddSourceScreen)
        assert box(app, "#source-url") == "example.org/feed"


async def test_pickers_and_the_confirmation_take_the_keys_sent_with_them() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        await burst(pilot, "F", "j", "j", "enter")  # All, Saved, then the first folder
        assert app.screen is screen and screen.headlines.scope == ("folder", "Local")
        await burst(pilot, "F", "g", "enter")
        assert screen.headlines.scope is None
        await burst(pilot, "D", "G", "enter")  # folders A-Z: Local's Other Wire, World's...
        assert isinstance(app.screen, ConfirmScreen)
        assert "Example News" in str(app.screen.question)
        await burst(pilot, "n")
        assert app.screen is screen and len(app.reader.sources) == 2
        await burst(pilot, "D", "g", "enter", "y")  # y answers the question Enter opened
        assert app.screen is screen
        assert [s.name for s in app.reader.sources] == ["Example News"]


async def test_the_theme_picker_and_a_paste_take_what_is_sent_with_them() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await burst(pilot, "T", *"nord", "enter")  # Textual's own picker (the palette)
        assert app.theme == "nord" and app.screen is main(app)
        app.post_message(key_event("S"))  # S, then a paste, read at once
        app.post_message(events.Paste("pasted words"))
        await settle(pilot)
        assert box(app, "#search-input") == "pasted words"
        await burst(pilot, "backspace", *"s!")  # a letter after a key the box does not type
        assert box(app, "#search-input") == "pasted words!"


async def test_keys_are_handed_on_even_when_a_marker_never_comes_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A marker lost on its way (its widget removed) holds the keys MAX_WAIT seconds at most."""
    posted = MessagePump.post_message

    def lose_markers(pump: MessagePump, message: Message) -> bool:
        if isinstance(message, KeysDelivered) and isinstance(pump, HeadlineList):
            return True  # "queued", and never seen again
        return posted(pump, message)

    monkeypatch.setattr(MessagePump, "post_message", lose_markers)
    gave_up: list[float] = []
    give_up = KeyRouter._gave_up

    async def spy(router: KeyRouter) -> None:
        gave_up.append(time.monotonic())
        await give_up(router)

    monkeypatch.setattr(KeyRouter, "_gave_up", spy)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        sent = time.monotonic()
        await burst(pilot, "S", *"budget")
        await pilot.pause(MAX_WAIT + 0.1)
        await settle(pilot)
        assert box(app, "#search-input") == "budget"
        assert len(gave_up) == 1 and gave_up[0] - sent >= MAX_WAIT


async def test_the_key_router_is_made_at_the_first_key_not_at_start() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.key_router is None  # the first frame needs none of it
        await burst(pilot, "j")
        assert app.key_router is not None and main(app).headlines.highlighted == 1


async def test_keys_the_filter_box_does_not_type_after_its_enter_or_esc_act_on_the_list() -> None:
    """Enter / Esc in the box (bindings that move the focus) with ↓ or Enter right behind:
    those go where the focus lands, the list, as "j" after them already did."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        await burst(pilot, "slash", *"echo", "enter", "enter")
        assert screen.story_view.url == url("e")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        await burst(pilot, "slash", *"story", "enter", "down", "enter")
        assert screen.story_view.url == url("b")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        await burst(pilot, "slash", *"story", "escape", "down", "down", "down")
        assert not screen.filter_input.display and screen.headlines.highlighted == 3


async def test_j_and_enter_after_a_down_before_the_results_act_on_the_results() -> None:
    """↓ before the results arrive leaves the box: the j, k and Enter after it (in the same
    burst or a moment later) move in and open the results once they arrive, never typed."""
    reader = FakeReader(headlines=[headline(f"s{n}", f"Story {n}", n) for n in range(40)])
    app = make_app(reader)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await burst(pilot, "S", *"story", "down", *"j" * 12, "k", "k")
        search = app.screen
        assert isinstance(search, SearchScreen)
        results = search.query_one("#search-results", OptionList)
        assert box(app, "#search-input") == "story"
        assert app.focused is results and results.highlighted == 10
        await burst(pilot, "escape")
        screen = main(app)
        await burst(pilot, "S", *"story", "down", "j", "j", "enter")
        assert app.screen is screen and screen.story_view.url is not None
        assert screen.story_view.url == search.hits[2].url  # ↓ j j: the third (same query)


async def test_keys_after_a_down_typed_while_the_search_runs_act_on_the_results() -> None:
    reader = FakeReader(headlines=[headline(f"s{n}", f"Story {n}", n) for n in range(40)])
    app = make_app(reader)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key in ("S", *"story", "down"):
            app.post_message(key_event(key))
        await asyncio.sleep(DEBOUNCE_SECONDS / 3)  # the typist's pause: the search waits still
        assert not app.screen.hits  # type: ignore[attr-defined]
        for key in "jjj":
            app.post_message(key_event(key))
        await settle(pilot)
        results = app.screen.query_one("#search-results", OptionList)
        assert box(app, "#search-input") == "story"
        assert app.focused is results and results.highlighted == 3


async def test_an_early_down_that_finds_nothing_gives_the_box_back_to_type_on() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await burst(pilot, "S", *"zzz", "down", "j")
        search = app.screen
        assert isinstance(search, SearchScreen) and not search.hits
        assert app.focused is search.box
        await burst(pilot, "x")
        assert box(app, "#search-input") == "zzzx"


async def test_keys_sent_with_a_refused_prompt_key_fire_nothing_and_the_next_keys_work() -> None:
    """The demo refuses "a" (its sources are fixed): the URL typed with it is no list keys
    (m marks read, o opens a browser, r refreshes, / filters, g, f...)."""
    reader = FakeReader(demo=True)
    app = make_app(reader)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        read_before = {h.id: reader.is_read(h.id) for h in reader.headlines()}
        await burst(pilot, "j", "a", *"example.org/feed", "enter")
        assert app.screen is screen and not screen.filter_input.display
        assert screen.headlines.highlighted == 1  # the j before "a" counted; nothing after
        assert screen.headlines.scope is None and screen.story_view.url is None
        assert {h.id: reader.is_read(h.id) for h in reader.headlines()} == read_before
        assert any("fixed" in n.message for n in app._notifications)
        await burst(pilot, "j", "j")  # the next keys are the list's again
        assert screen.headlines.highlighted == 3



async def test_keys_after_an_enter_that_waits_for_the_results_go_to_what_it_opens() -> None:
    """S, the query, Enter, then j j, at once: the Enter opens the first result when the
    results arrive, and the j's after it act in the app (not typed into the closing box)."""
    reader = FakeReader(headlines=[headline(f"s{n}", f"Story {n}", n) for n in range(10)])
    app = make_app(reader)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        await burst(pilot, "S", *"story", "enter")
        await settle(pilot)
        assert app.screen is screen and screen.story_view.url is not None
        alone = (screen.story_view.url, screen.headlines.highlighted, app.focused)
        await burst(pilot, "S", *"story", "enter", "j", "j")
        await settle(pilot)
        assert app.screen is screen, "the Enter opened a story and closed the search"
        assert screen.story_view.url == alone[0]
        assert app.focused is alone[2]
        if app.focused is screen.headlines:
            assert screen.headlines.highlighted == (alone[1] or 0) + 2
        else:  # the story has the focus: j scrolls it
            assert screen.story_view.scroller.scroll_y > 0
        assert app.key_router is not None and not app.key_router.holding
