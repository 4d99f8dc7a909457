"""Snapshot tests of the demo edition: main screen, a story, a Recall story, the thread view,
help, narrow layout.

Deterministic: the demo site is bundled, "now" is frozen (ages) and the zone is UTC (meta line).
Update after an intended change with:  pytest tests/test_ui_snapshots.py --snapshot-update
"""

from __future__ import annotations

import time

import pytest
from textual.pilot import Pilot

from newsreader.demo import DEMO_BASE
from tests.ui_fakes import demo_app, main, settle

SIZE = (120, 40)
START = f"{DEMO_BASE}/news/kyiv-extends-heating-point-hours"


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


async def open_start(pilot: Pilot) -> None:
    await settle(pilot)
    screen = main(pilot.app)  # type: ignore[arg-type]
    index = next(i for i, h in enumerate(screen.headlines.shown) if h.url == START)
    screen.headlines.move_to(index)
    await pilot.press("enter")
    await settle(pilot)


def test_main_screen(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=settle)


def test_story_view(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=open_start)


def test_recall_story_after_navigation(snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot) -> None:
        await open_start(pilot)
        story = main(pilot.app).story_view.story  # type: ignore[arg-type]
        assert story is not None
        number = next(i for i, link in enumerate(story.related, 1) if link.kind == "recall")
        await pilot.press(str(number))
        await settle(pilot)
        await pilot.press("tab", "tab")  # focus the related links: shows them, numbered
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()

    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=run_before)


def test_help_screen(snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=run_before)


def test_narrow_layout(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(demo_app(), terminal_size=(80, 40), run_before=open_start)


def test_thread_view(snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot) -> None:
        await open_start(pilot)
        await pilot.press("t")  # its Recall chain, oldest first, the story marked
        await settle(pilot)

    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=run_before)
