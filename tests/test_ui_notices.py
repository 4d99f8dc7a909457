"""Notifications never stack over the story: a new notice replaces the earlier ones of its kind
(issue 21.8)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Footer
from textual.widgets._toast import Toast

from newsreader.config import load_config
from tests.ui_fakes import SIZE, FakeReader, main, make_app, settle


def toasts(app: object) -> list[str]:
    """The toasts on screen, as painted (not only the app's list of notices)."""
    return [str(toast.render()) for toast in app.screen.query(Toast)]  # type: ignore[attr-defined]


async def test_a_burst_of_keys_that_notify_leaves_one_toast() -> None:
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:  # toasts drawn
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        # Read/unread, save/unsave, all read and undo, a source cycled: ten notices at once.
        await pilot.press("m", "m", "s", "s", "A", "U", "f", "f", "m", "m")
        await settle(pilot)
        await pilot.pause(0.3)  # the toast rack mounts and removes toasts on its own
        assert len(app._notifications) == 1
        shown = toasts(app)
        assert len(shown) == 1 and "Marked unread." in shown[0]


async def test_a_warning_is_not_dropped_by_the_notices_after_it_but_replaced_by_the_next() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.notify("disk trouble", severity="error")
        await pilot.press("m", "m", "m")  # three quick notices after it
        await settle(pilot)
        assert sorted(n.message for n in app._notifications) == ["Marked read.", "disk trouble"]
        for n in range(3):
            app.notify(f"warning {n}", severity="warning")
        await settle(pilot)
        assert sorted(n.message for n in app._notifications) == ["Marked read.", "warning 2"]


async def test_startup_warnings_are_one_notice_with_a_line_each() -> None:
    reader = FakeReader()
    reader.warnings = ["config.toml:1: [a] unknown key ignored",
                       "config.toml:2: [b] unknown key ignored"]
    app = make_app(reader)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert main(app).story_view is not None
        assert [n.message for n in app._notifications] == [
            "config.toml:1: [a] unknown key ignored\n\nconfig.toml:2: [b] unknown key ignored"
        ]


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_three_config_warnings_are_one_toast_above_the_status_line_and_footer(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    path = tmp_path / "config.toml"
    path.write_text('refesh_minutes = 5\ntheme = "nosuch"\n[keys]\nnxt_story = "n"\n')
    config = load_config(path)
    config.sources = FakeReader().sources
    reader = FakeReader(config=config)
    reader.warnings = list(config.warnings)  # as the CLI hands them to the app
    app = make_app(reader)
    async with app.run_test(size=size, notifications=True) as pilot:  # toasts drawn
        await settle(pilot)
        await pilot.pause(0.3)  # the toast rack mounts its toasts on its own
        [toast] = app.screen.query(Toast)
        text = str(toast.render())
        assert text.split("\n\n") == [
            f"newsreader: 3 warnings\n{path}:1: [refesh_minutes] unknown key ignored",
            f"{path}:4: [keys.nxt_story] unknown action ignored (help, ?, names them all)",
            f'{path}:2: [theme] unknown theme "nosuch" ignored',
        ]
        # Over the story, not over the status line's counts or the footer's keys.
        status, footer = main(app).status_line.region, app.screen.query_one(Footer).region
        assert toast.region.bottom <= status.y < footer.y, toast.region

