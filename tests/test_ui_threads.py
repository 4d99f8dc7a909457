"""Pilot tests of the thread view (`t`): the timeline, Enter through the history, the list mark."""

from __future__ import annotations

from newsreader.ui.navigation import OFFLINE_TITLE
from newsreader.ui.threads import ThreadScreen
from tests.ui_fakes import (
    SIZE,
    FakeReader,
    burst,
    headline,
    main,
    make_app,
    make_story,
    sample_headlines,
    sample_stories,
    settle,
    shown_text,
    url,
)


def thread_screen(app: object) -> ThreadScreen:
    screen = app.screen  # type: ignore[attr-defined]  # the App under test
    assert isinstance(screen, ThreadScreen)
    return screen


def rows(screen: ThreadScreen) -> list[str]:
    choices = screen.choices
    return [str(choices.get_option_at_index(i).prompt) for i in range(choices.option_count)]


async def test_t_on_a_headline_shows_its_thread_with_the_story_marked() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # Alpha recalls Charlie (which recalls Alpha back), reads also Xray (in no feed) and
        # recalls Zulu (never downloaded): the list marks the four-story thread.
        assert "↳4 Alpha story" in str(main(app).headlines.get_option_at_index(0).prompt)
        assert "↳" not in str(main(app).headlines.get_option_at_index(1).prompt)
        await pilot.press("t")
        await settle(pilot)
        screen = thread_screen(app)
        shown = rows(screen)
        assert [e.url for e in screen.entries] == [url(s) for s in "acxz"]
        assert shown[0].startswith("▶") and "Alpha story" in shown[0]
        assert "recalled" in shown[1] and "Charlie story" in shown[1]
        assert "read also" in shown[2] and "Xray story" in shown[2]
        assert "not cached" in shown[3] and "Zulu story" in shown[3]
        assert screen.choices.highlighted == 0
        await pilot.press("escape")
        await settle(pilot)
        assert main(app).story_view.url is None, "Esc closes it without opening anything"


async def test_enter_opens_an_entry_and_backspace_comes_back() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # Alpha, from the list
        await settle(pilot)
        await pilot.press("tab")  # the story has the focus: t shows the story's thread
        await pilot.press("t")
        await settle(pilot)
        await pilot.press("j", "enter")
        await settle(pilot)
        screen = main(app)
        assert screen.story_view.url == url("c") and "Charlie story" in shown_text(screen)
        # From Charlie the thread is the same four stories, Charlie marked; Alpha recalls it.
        await pilot.press("t")
        await settle(pilot)
        shown = rows(thread_screen(app))
        assert "Charlie story" in next(r for r in shown if r.startswith("▶")).split("\n")[0]
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("backspace")
        await settle(pilot)
        assert screen.story_view.url == url("a")


async def test_keys_sent_at_once_open_the_entry_then_come_back() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await burst(pilot, "enter", "t", "j", "j", "enter", "backspace")
        screen = main(app)
        assert screen.story_view.url == url("a")
        assert app.screen is screen
        assert screen.reader.history.can_go_forward  # Xray was opened, then left


async def test_an_uncached_entry_says_so_offline_and_is_fetched_online() -> None:
    offline = make_app(FakeReader(offline=True))
    async with offline.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await burst(pilot, "t", "end", "enter")
        assert OFFLINE_TITLE in shown_text(main(offline))
    zulu = make_story(url("z"), "Zulu story")
    online = make_app(FakeReader(remote={url("z"): zulu}))
    async with online.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await burst(pilot, "t", "end", "enter")
        assert main(online).story_view.url == url("z")
        assert "Zulu story" in shown_text(main(online))


async def test_followed_up_by_lists_the_stories_that_recall_it() -> None:
    stories = sample_stories()
    stories[url("e")] = make_story(url("e"), "Echo story", [("recall", "Bravo", url("b"))])
    app = make_app(FakeReader(stories=stories))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await burst(pilot, "j", "t")  # Bravo: it recalls nothing, Echo recalls it
        screen = thread_screen(app)
        assert [e.relation for e in screen.entries] == ["self", "followed_by"]
        shown = rows(screen)
        assert shown[0].startswith("▶") and "Bravo story" in shown[0]
        assert shown[1] == "Followed up by" and "Echo story" in shown[2]
        await burst(pilot, "j", "enter")  # the heading is skipped: Echo opens
        assert main(app).story_view.url == url("e")


async def test_a_story_not_cached_offline_says_so_in_the_thread_view() -> None:
    stories = sample_stories()
    del stories[url("d")]
    app = make_app(FakeReader(stories=stories, offline=True))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await burst(pilot, "j", "j", "j", "t")
        status = str(thread_screen(app).query_one(".status").render())
        assert "Not available offline" in status


async def test_a_story_opened_from_the_network_brings_its_recall_chain_with_it() -> None:
    remote = {
        url("q"): make_story(url("q"), "Quebec story", [("recall", "Romeo", url("r"))]),
        url("r"): make_story(url("r"), "Romeo story", [("recall", "Sierra", url("s"))]),
        url("s"): make_story(url("s"), "Sierra story"),
    }
    reader = FakeReader([headline("q", "Quebec story", 0.5), *sample_headlines()],
                        remote=remote)
    app = make_app(reader)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await burst(pilot, "enter")  # Quebec: fetched, then Romeo and Sierra behind it
        assert main(app).story_view.url == url("q")
        assert reader.is_cached(url("r")) and reader.is_cached(url("s"))
        assert "✓ cached" in str(main(app).story_view.related.get_option_at_index(0).prompt)
    offline = make_app(FakeReader([headline("q", "Quebec story", 0.5)], remote=remote,
                                  offline=True))
    async with offline.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await burst(pilot, "enter")
        assert OFFLINE_TITLE in shown_text(main(offline))
