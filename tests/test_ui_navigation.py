"""Pilot tests: opening stories, moving along the list, related links, back and forward."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual._compositor import Compositor

from newsreader.config import Config
from newsreader.ui.main_screen import MainScreen
from newsreader.ui.navigation import OFFLINE_TITLE
from tests.ui_fakes import SIZE, FakeReader, main, make_app, make_story, settle, shown_text, url


async def test_list_comes_from_the_cache_at_once() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        assert screen.headlines.option_count == 5
        assert screen.headlines.highlighted == 0
        assert screen.story_view.url is None
        assert "5 unread" in str(screen.query_one("#status").render())


async def test_enter_opens_the_story_and_marks_it_read() -> None:
    reader = FakeReader()
    app = make_app(reader)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        view = main(app).story_view
        assert view.story is not None and view.story.title == "Alpha story"
        assert reader.is_read("a")
        assert "4 unread" in str(main(app).query_one("#status").render())
        assert reader.history.current is not None and reader.history.current.url == url("a")


async def test_j_k_g_G_move_and_l_opens() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        headlines = main(app).headlines
        await pilot.press("j", "j")
        assert headlines.highlighted == 2
        await pilot.press("k")
        assert headlines.highlighted == 1
        await pilot.press("G")
        assert headlines.highlighted == 4
        await pilot.press("g")
        assert headlines.highlighted == 0
        await pilot.press("down", "l")
        await settle(pilot)
        assert main(app).story_view.url == url("b")


async def test_j_k_scroll_the_story_when_it_has_focus_and_move_the_list_otherwise() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("tab")  # focus the story
        await pilot.press("j", "j", "j")
        await pilot.wait_for_scheduled_animations()
        assert screen.story_view.scroller.scroll_y == 3
        await pilot.press("k")
        await pilot.wait_for_scheduled_animations()
        assert screen.story_view.scroller.scroll_y == 2
        assert screen.headlines.highlighted == 0
        await pilot.press("shift+tab")  # back on the list: j moves it, the story stays put
        await pilot.press("j")
        await pilot.wait_for_scheduled_animations()
        assert screen.headlines.highlighted == 1
        assert screen.story_view.scroller.scroll_y == 2
        assert screen.story_view.url == url("a")


async def test_n_and_p_open_next_and_previous_without_going_back_to_the_list() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.press("tab")  # focus the story: n/p still work from there
        await pilot.press("n")  # nothing open yet: opens the highlighted one
        await settle(pilot)
        assert screen.story_view.url == url("a")
        await pilot.press("n", "n")
        await settle(pilot)
        assert screen.story_view.url == url("c")
        assert screen.headlines.highlighted == 2
        await pilot.press("p")
        await settle(pilot)
        assert screen.story_view.url == url("b")


async def test_N_opens_the_next_unread_story() -> None:
    reader = FakeReader()
    reader.set_read("b")
    reader.set_read("c")
    app = make_app(reader)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("N")
        await settle(pilot)
        assert main(app).story_view.url == url("d")
        assert main(app).headlines.highlighted == 3


async def test_digit_follows_a_related_link_and_keeps_the_list_selection() -> None:
    reader = FakeReader()
    app = make_app(reader)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        related = main(app).story_view.query_one("#related")
        assert related.option_count == 3  # type: ignore[attr-defined]
        await pilot.press("2")
        await settle(pilot)
        view = main(app).story_view
        assert view.story is not None and view.story.title == "Xray story"  # in no feed
        assert main(app).headlines.highlighted == 0
        assert [e.url for e in reader.history.entries] == [url("a"), url("x")]


async def test_enter_on_a_focused_related_link_follows_it() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("tab", "tab")  # list -> story -> related links
        assert app.focused is not None and app.focused.id == "related"
        await pilot.press("enter")
        await settle(pilot)
        assert main(app).story_view.url == url("c")


async def test_back_and_forward_restore_scroll_and_list_selection() -> None:
    reader = FakeReader()
    app = make_app(reader)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("space", "space")
        await pilot.wait_for_scheduled_animations()
        scrolled = screen.story_view.scroller.scroll_y
        assert scrolled > 0
        await pilot.press("j", "j")  # move the list without opening anything
        await pilot.press("2")
        await settle(pilot)
        assert screen.story_view.url == url("x")
        assert screen.story_view.scroller.scroll_y == 0
        await pilot.press("g")  # list moves while reading the related story
        await pilot.press("backspace")
        await settle(pilot)
        assert screen.story_view.url == url("a")
        assert screen.story_view.scroller.scroll_y == scrolled
        assert screen.headlines.highlighted == 0, "a listed story brings its own row back"
        await pilot.press("j", "j")
        await pilot.press("L")
        await settle(pilot)
        assert screen.story_view.url == url("x")
        assert screen.headlines.highlighted == 0, "x is in no feed: the row it was left on"
        await pilot.press("h")
        await settle(pilot)
        assert screen.story_view.url == url("a")


async def test_back_with_no_history_says_so() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("backspace")
        await settle(pilot)
        assert any("Nothing to go back" in n.message for n in app._notifications)


async def test_uncached_related_story_offline_says_not_available_offline() -> None:
    reader = FakeReader(offline=True)
    app = make_app(reader)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # cached: opens offline
        await settle(pilot)
        assert main(app).story_view.story is not None
        await pilot.press("3")  # Zulu: never downloaded
        await settle(pilot)
        screen = main(app)
        assert screen.story_view.story is None
        assert OFFLINE_TITLE in shown_text(screen)
        assert "offline" in str(screen.query_one("#status").render())
        await pilot.press("backspace")  # and the way back still works
        await settle(pilot)
        assert screen.story_view.url == url("a")


async def test_uncached_related_story_online_is_fetched_in_a_worker() -> None:
    remote = {url("z"): make_story(url("z"), "Zulu story")}
    reader = FakeReader(remote=remote)
    app = make_app(reader)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        view = main(app).story_view
        assert view.story is not None and view.story.title == "Zulu story"
        assert url("z") in reader.opened


async def test_fetch_error_is_shown_not_raised() -> None:
    reader = FakeReader()
    app = make_app(reader)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("3")  # not cached, not on the "server": HTTP 404
        await settle(pilot)
        assert "HTTP 404" in shown_text(main(app))
        assert app.is_running


async def test_mark_read_on_leave_policy() -> None:
    reader = FakeReader(config=Config(sources=FakeReader().sources, mark_read="leave"))
    app = make_app(reader)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert not reader.is_read("a")
        await pilot.press("n")
        await settle(pilot)
        assert reader.is_read("a")
        assert not reader.is_read("b")


async def test_history_survives_an_app_restart(tmp_path: Path) -> None:
    data = tmp_path / "state"
    first = FakeReader(data_dir=data)
    app = make_app(first)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("q")
    assert first.closed

    second = FakeReader(data_dir=data)
    app = make_app(second)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        assert screen.story_view.url == url("x")  # where the reader left off
        await pilot.press("backspace")
        await settle(pilot)
        assert screen.story_view.url == url("a")
        assert second.is_read("a")


async def test_the_last_story_comes_back_just_after_the_first_frame(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first frame waits only for the headlines, on the restored row; the story follows."""
    data = tmp_path / "state"
    first = FakeReader(data_dir=data)
    async with make_app(first).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j", "j", "enter")
        await settle(pilot)
        left_on = main(pilot.app).story_view.url  # type: ignore[arg-type]
        await pilot.press("q")
    assert left_on is not None

    app = make_app(FakeReader(data_dir=data))
    first_frame: list[tuple[int | None, str | None]] = []  # (highlighted row, story shown)
    render_update = Compositor.render_update

    def noted(self: Compositor, *args: Any, **kwargs: Any) -> Any:
        if not first_frame and isinstance(app.screen, MainScreen):
            screen = app.screen
            first_frame.append((screen.headlines.highlighted, screen.story_view.url))
        return render_update(self, *args, **kwargs)

    monkeypatch.setattr(Compositor, "render_update", noted)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        assert first_frame == [(2, None)]
        assert screen.story_view.url == left_on and screen.headlines.highlighted == 2


async def test_moving_the_highlight_repaints_the_rows_it_left_and_reached() -> None:
    """Only two rows are repainted per move; the painted screen must still show one highlight."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        headlines = main(app).headlines
        highlight = headlines.get_visual_style(
            "option-list--option", "option-list--option-highlighted"
        ).rich_style.bgcolor
        top = headlines.content_region.y

        def painted_highlight_rows() -> list[int]:
            strips = app.screen._compositor.render_strips()
            rows = []
            for index in range(headlines.option_count):
                strip = strips[top + index]
                x = headlines.content_region.x + 2
                cells = strip.crop(x, x + 1)
                if any(seg.style and seg.style.bgcolor == highlight for seg in cells):
                    rows.append(index)
            return rows

        assert painted_highlight_rows() == [0]
        await pilot.press("j", "j", "j")
        await settle(pilot)
        assert painted_highlight_rows() == [3]
        await pilot.press("k")
        await settle(pilot)
        assert painted_highlight_rows() == [2]


def test_history_moves_in_one_change_are_persisted_once() -> None:
    from newsreader.services.history import History

    saved: list[dict] = []
    history = History(on_change=lambda h: saved.append(h.to_dict()))
    history.visit("https://example.test/a", 0)
    with history.one_change():
        history.remember(scroll_y=12.0, list_index=3)
        history.visit("https://example.test/b", 4)
    assert len(saved) == 2
    assert saved[-1] == {
        "index": 1,
        "entries": [
            {"url": "https://example.test/a", "scroll_y": 12.0, "picture_rows": 0,
             "list_index": 3, "list_id": None},
            {"url": "https://example.test/b", "scroll_y": 0.0, "picture_rows": 0,
             "list_index": 4, "list_id": None},
        ],
    }
    with history.one_change():
        pass  # nothing moved: nothing written
    assert len(saved) == 2


def test_the_rows_into_a_picture_are_kept_with_the_scroll() -> None:
    from newsreader.services.history import History

    history = History()
    history.visit("https://example.test/a", 0)
    history.remember(scroll_y=9.0, picture_rows=5)
    again = History.from_dict(history.to_dict()).current
    assert again is not None and (again.scroll_y, again.picture_rows) == (9.0, 5)
    old = {"index": 0, "entries": [{"url": "https://example.test/a", "scroll_y": 3}]}
    again = History.from_dict(old).current  # saved before picture_rows was
    assert again is not None and (again.scroll_y, again.picture_rows) == (3.0, 0)


async def test_a_cached_story_opened_while_a_slow_one_loads_is_not_replaced_by_it() -> None:
    # The cached story is shown at once, without a worker; the slow open still in its worker
    # must be cancelled, not land over it when its page finally arrives.
    import asyncio

    reader = FakeReader()
    gate = asyncio.Event()
    real_open = reader.open_story

    async def slow_open(story_url: str):  # type: ignore[no-untyped-def]
        await gate.wait()
        return await real_open(story_url)

    reader.open_story = slow_open  # type: ignore[method-assign]
    slow_url = url("b")
    reader._remote[slow_url] = reader._cache.pop(slow_url, make_story(slow_url, "Bravo story"))
    app = make_app(reader, refresh_on_start=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        screen.navigator.open_url(slow_url)
        await pilot.pause()  # the worker now waits for the page
        screen.navigator.open_url(url("a"))  # cached: shown in this call
        assert screen.story_view.url == url("a")
        gate.set()
        await settle(pilot)
        await pilot.pause(0.1)
        assert screen.story_view.url == url("a")
        assert screen.story_view.story is not None
        assert screen.story_view.story.title == "Alpha story"


async def test_back_highlights_the_story_row_even_after_new_stories_shifted_the_list() -> None:
    from tests.ui_fakes import arrivals

    reader = FakeReader(refresh_adds=arrivals())
    app = make_app(reader, refresh_on_start=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        screen.navigator.open_list_index(2)
        await settle(pilot)
        charlie = screen.headlines.current
        assert charlie is not None and screen.story_view.url == charlie.url
        screen.navigator.open_url(url("x"))  # a Recall story, in no feed
        await settle(pilot)
        await pilot.press("r")  # two stories arrive above: every row moves down by two
        await settle(pilot)
        await pilot.press("backspace")
        await settle(pilot)
        assert screen.story_view.url == charlie.url
        assert screen.headlines.current == charlie
