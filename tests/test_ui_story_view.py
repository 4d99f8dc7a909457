"""The story pane: its lines in order, selection, and the related links shown only for a story."""

from __future__ import annotations

from dataclasses import replace

from textual.geometry import Region

from newsreader.models import RelatedLink, Story
from newsreader.ui.widgets.story import LEAD_BAR, RELATED_RULE, RelatedList, story_lines
from tests.ui_fakes import (
    SIZE,
    FakeReader,
    headline,
    main,
    make_app,
    make_story,
    open_highlighted,
    settle,
    url,
)


def _plain(story: Story, width: int = 60) -> list[str]:
    return [line.plain for line in story_lines(story, width)]


def test_a_story_reads_title_meta_lead_body_then_the_related_heading() -> None:
    story = make_story(url("a"), "Heating points open", [("recall", "Earlier", url("b"))])
    lines = _plain(story)
    title = lines.index("Heating points open")
    meta = next(i for i, line in enumerate(lines) if line.startswith("Kyiv • UNN"))
    lead = next(i for i, line in enumerate(lines) if line.startswith(LEAD_BAR))
    details = lines.index("Details")
    heading = lines.index("Related stories")
    assert lines[0] == "" and title < meta < lead < details < heading
    assert lines[heading - 2] == RELATED_RULE * 60
    assert max(len(line) for line in lines) <= 60


def test_no_related_links_no_related_heading() -> None:
    lines = _plain(make_story(url("a"), "Alone", []))
    assert "Related stories" not in lines and RELATED_RULE * 60 not in lines


def test_a_narrow_pane_still_wraps_every_line() -> None:
    story = make_story(url("a"), "A title long enough to need more than one line here", [])
    assert max(len(line) for line in _plain(story, width=20)) <= 20


async def test_the_related_list_shows_only_with_a_story_that_has_links() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = main(app).story_view
        related = view.query_one(RelatedList)
        assert not related.display  # the placeholder
        await open_highlighted(pilot)
        assert related.display and related.option_count == 3
        view.show_message(url("z"), "Could not open this story", "timeout")
        await pilot.pause()
        assert not related.display
        assert "Could not open this story timeout" in " ".join(view.shown_text.split())


async def test_story_text_can_be_selected_and_copied() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        view = (await open_highlighted(pilot)).story_view
        view.text.text_select_all()
        await pilot.pause()
        selected = app.screen.get_selected_text() or ""
        story = view.story
        assert story is not None and story.title in selected
        assert "Details" in selected and story.blocks[0].text[:40] in " ".join(selected.split())


async def test_the_selection_highlight_comes_and_goes_on_every_line() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        text = (await open_highlighted(pilot)).story_view.text
        y = 20  # a body line, below the title, meta and lead

        def backgrounds() -> set[object]:
            return {segment.style.bgcolor for segment in text.render_line(y) if segment.text}

        plain = backgrounds()
        text.text_select_all()
        await pilot.pause()
        assert backgrounds() != plain  # highlighted, not a line cached before the selection
        offsets = {segment.style.meta.get("offset") for segment in text.render_line(y)
                   if segment.text and segment.style.meta}
        assert offsets and all(offset[1] == y for offset in offsets)  # its own line, not 0
        app.screen.clear_selection()
        await pilot.pause()
        assert backgrounds() == plain  # and not left behind once cleared


async def test_the_wheel_over_the_panes_border_scrolls_the_story() -> None:
    from textual import events

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        view = (await open_highlighted(pilot)).story_view
        assert view.scroller.scroll_y == 0 and view.scroller.max_scroll_y > 2
        for _ in range(2):  # x=0: the border column, StoryView's own
            view.post_message(events.MouseScrollDown(view, 0, 5, 0, 1, 0, False, False, False))
        await pilot.pause()
        assert view.scroller.scroll_y == 2
        view.post_message(events.MouseScrollUp(view, 0, 5, 0, -1, 0, False, False, False))
        await pilot.pause()
        assert view.scroller.scroll_y == 1


async def test_the_pane_title_follows_the_story_source() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        view = (await open_highlighted(pilot)).story_view
        top = Region(0, 0, view.outer_size.width, 1)
        assert "Example News" in view.render_lines(top)[0].text  # painted, so cached
        elsewhere = replace(make_story(url("b"), "Elsewhere"), source="Another Agency")
        view.show_story(elsewhere, [])
        await pilot.pause()
        line = view.render_lines(top)[0].text
        assert "Another Agency" in line and "Example News" not in line
        view.show_story(make_story(url("c"), "Back"), [])
        await pilot.pause()
        assert "Example News" in view.render_lines(top)[0].text


async def test_a_recall_paragraph_is_shown_whole_with_its_link_number() -> None:
    summary = ("Grain shipments through the Odesa ports rose for the third month in a row in "
               "November, supporting export earnings.")
    story = replace(make_story(url("a"), "Central bank holds its key rate", []), related=[
        RelatedLink("recall", "shipments through the Odesa ports rose", url("b"), summary)])
    reader = FakeReader([headline("a", "Central bank holds its key rate", 1)],
                        {url("a"): story})
    app = make_app(reader)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_highlighted(pilot)
        text = " ".join(screen.story_view.shown_text.split())
        assert f"Recall [1] {summary}" in text


async def test_a_story_without_text_says_so_and_offers_the_browser() -> None:
    empty = replace(make_story(url("a"), "Gallery: winter in Kyiv", []), lead=None, blocks=[],
                    language="uk")
    reader = FakeReader([headline("a", "Gallery: winter in Kyiv", 1)], {url("a"): empty})
    app = make_app(reader)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_highlighted(pilot)
        text = " ".join(screen.story_view.shown_text.split())
        assert "Текст статті не знайдено" in text and "Press o to open it" in text
