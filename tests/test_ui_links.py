"""Links inside the story: numbered after the related links, followed in the app, opened in the
browser from the links view (u)."""

from __future__ import annotations

import webbrowser

import pytest

from newsreader.models import BodyLink, Story
from newsreader.ui.story_links import LinksScreen
from tests.ui_fakes import (
    SIZE,
    FakeReader,
    main,
    make_app,
    open_highlighted,
    sample_stories,
    settle,
    shown_text,
    url,
)

ELSEWHERE = "https://elsewhere.example/report"


def reader_with_body_links() -> FakeReader:
    """Story a: three related links (1-3), then a link in its first paragraph to story d (4)
    and one in its list to a page of another site (5)."""
    stories = sample_stories()
    alpha = stories[url("a")]
    alpha.links = [BodyLink("paragraph 1", url("d"), 0), BodyLink("second point", ELSEWHERE, 4)]
    return FakeReader(stories=stories)


async def test_body_links_are_marked_in_the_text_after_the_related_numbers() -> None:
    app = make_app(reader_with_body_links())
    async with app.run_test(size=SIZE) as pilot:
        await open_highlighted(pilot)
        text = shown_text(main(app))
        assert "Alpha story: paragraph 1[4]. Words go here." in text
        assert "• second point[5]" in text
        assert "[1]" not in text.split("Related stories")[0].split("Recall")[0]


async def test_a_digit_follows_a_body_link_through_the_history_and_backspace_returns() -> None:
    reader = reader_with_body_links()
    app = make_app(reader)
    async with app.run_test(size=SIZE) as pilot:
        await open_highlighted(pilot)
        await pilot.press("4")
        await settle(pilot)
        assert main(app).story_view.url == url("d")
        assert [e.url for e in reader.history.entries] == [url("a"), url("d")]
        await pilot.press("backspace")
        await settle(pilot)
        assert main(app).story_view.url == url("a")
        await pilot.press("6")
        await settle(pilot)
        assert main(app).story_view.url == url("a")
        assert any("No link 6" in n.message for n in app._notifications)


async def test_the_links_view_lists_every_link_enter_follows_and_o_opens_the_browser(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda u, *a, **k: opened.append(u) or True)
    reader = reader_with_body_links()
    app = make_app(reader)
    async with app.run_test(size=SIZE) as pilot:
        await open_highlighted(pilot)
        await pilot.press("u")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, LinksScreen)
        rows = [str(screen.query_one("#choices").get_option_at_index(i).prompt)  # type: ignore[attr-defined]
                for i in range(5)]
        assert rows[0].startswith("[1] Recall: Charlie story")
        assert rows[3] == f"[4] Link: paragraph 1\n    {url('d')}"
        assert rows[4] == f"[5] Link: second point\n    {ELSEWHERE}"
        await pilot.press("j", "j", "j", "j", "o")  # the fifth: the other site's page
        await settle(pilot)
        assert not isinstance(app.screen, LinksScreen)
        assert opened == [ELSEWHERE]
        assert main(app).story_view.url == url("a")  # the story stays
        await pilot.press("u", "j", "j", "j", "enter")  # the fourth: read story d here
        await settle(pilot)
        assert main(app).story_view.url == url("d")
        assert [e.url for e in reader.history.entries] == [url("a"), url("d")]
        await pilot.press("u")  # story d has no links at all
        await settle(pilot)
        assert not isinstance(app.screen, LinksScreen)


async def test_the_links_view_never_opens_a_link_outside_the_allow_list(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda u, *a, **k: opened.append(u) or True)
    stories = sample_stories()
    # Not what the parser lets through; a cached story from elsewhere is still checked.
    stories[url("a")].links = [BodyLink("click", "javascript:alert(1)", 0)]
    app = make_app(FakeReader(stories=stories))
    async with app.run_test(size=SIZE) as pilot:
        await open_highlighted(pilot)
        await pilot.press("u", "j", "j", "j", "o")
        await settle(pilot)
        assert opened == []
        assert any("Only http(s)" in n.message for n in app._notifications)


def test_a_story_cached_before_links_existed_loads_without_them() -> None:
    story = sample_stories()[url("a")]
    story.links = [BodyLink("paragraph 1", url("d"), 0)]
    data = story.to_dict()
    assert list(data)[-1] == "links"
    assert Story.from_dict(data) == story
    old = {key: value for key, value in data.items() if key != "links"}
    assert Story.from_dict(old).links == []
