"""Pilot tests on the real Reader and the bundled demo edition: the whole stack, no network."""

from __future__ import annotations

import pytest

from newsreader.demo import DEMO_BASE, MISSING_PAGE
from newsreader.ui.navigation import OFFLINE_TITLE
from tests.ui_fakes import SIZE, demo_app, main, settle, shown_text, status_text

START = f"{DEMO_BASE}/news/kyiv-extends-heating-point-hours"
RECALL = f"{DEMO_BASE}/news/kyiv-council-approves-winter-heating-plan"


async def open_url(pilot, url: str) -> None:  # type: ignore[no-untyped-def]
    screen = main(pilot.app)
    index = next(i for i, h in enumerate(screen.headlines.shown) if h.url == url)
    screen.headlines.move_to(index)
    await pilot.press("enter")
    await settle(pilot)


async def follow_recall(pilot) -> None:  # type: ignore[no-untyped-def]
    """Press the digit of the open story's "Recall" link."""
    story = main(pilot.app).story_view.story
    assert story is not None
    number = next(i for i, link in enumerate(story.related, 1) if link.kind == "recall")
    await pilot.press(str(number))
    await settle(pilot)


async def test_demo_refresh_fills_the_list_and_a_recall_chain_can_be_walked() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        assert screen.headlines.option_count >= 10
        assert "updated 3/3 sources" in status_text(screen)
        await open_url(pilot, START)
        story = screen.story_view.story
        assert story is not None and RECALL in [link.url for link in story.related]
        await follow_recall(pilot)
        assert screen.story_view.url == RECALL
        # Walk the chain down to the archive pages that are in no feed, then to the 404.
        for _ in range(4):
            await follow_recall(pilot)
        assert screen.story_view.url == MISSING_PAGE
        assert "Could not open this story" in shown_text(screen)
        for _ in range(5):
            await pilot.press("backspace")
            await settle(pilot)
        assert screen.story_view.url == START


async def test_demo_markup_headline_is_literal() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        rows = main(app).headlines.row_texts()
        assert any("[bold red]markup[/]" in row for row in rows)
        await open_url(pilot, f"{DEMO_BASE}/news/cyber-agency-warns-of-fake-links")
        assert "[bold red]markup[/]" in shown_text(main(app))


@pytest.mark.parametrize(("depth", "ends_at"), [
    # Without threads the Recall chain ends in the archive pages no feed lists: never fetched.
    (0, f"{DEMO_BASE}/news/kyiv-council-adopts-2027-budget"),
    # With them (the default, 3 links), the refresh fetched those too: the walk ends only at
    # the page that is gone (404), which no refresh could store.
    (3, MISSING_PAGE),
])
async def test_demo_offline_uses_the_cache_and_says_what_is_missing(
    depth: int, ends_at: str
) -> None:
    app = demo_app(thread_depth=depth)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)  # one online run fills the cache (feeds and prefetched stories)
    app = demo_app(offline=True, thread_depth=depth)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        assert screen.headlines.option_count >= 10
        assert "offline" in status_text(screen)
        await open_url(pilot, START)
        assert screen.story_view.story is not None  # prefetched: readable offline
        for _ in range(6):
            if screen.story_view.story is None:
                break
            await follow_recall(pilot)
        assert OFFLINE_TITLE in shown_text(screen)
        assert screen.story_view.url == ends_at


async def test_demo_history_survives_a_restart() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_url(pilot, START)
        await pilot.press("space")
        await pilot.wait_for_scheduled_animations()
        scrolled = main(app).story_view.scroller.scroll_y
        await follow_recall(pilot)
        await pilot.press("q")
    app = demo_app(refresh_on_start=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        assert screen.story_view.url == RECALL
        await pilot.press("backspace")
        await settle(pilot)
        assert screen.story_view.url == START
        assert screen.story_view.scroller.scroll_y == scrolled
