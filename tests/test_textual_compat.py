"""textual_compat: the version check, install(), and the app on stock Textual when not verified."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.scrollbar import ScrollBar
from textual.strip import Strip
from textual.timer import Timer
from textual.widgets import Input, OptionList

from newsreader.config import Config
from newsreader.ui import textual_compat
from newsreader.ui.format import UNREAD_MARK
from newsreader.ui.help import HelpScreen
from newsreader.ui.textual_compat import frame_pacing, strips, versions
from newsreader.ui.textual_compat.plain_lines import is_plain
from newsreader.ui.widgets.plain_lines import StripScrollBar
from newsreader.ui.widgets.story import StoryText
from tests.ui_fakes import (
    SIZE,
    FakeReader,
    key_event,
    main,
    make_app,
    make_story,
    open_highlighted,
    settle,
    shown_text,
    url,
)


def _pretend(monkeypatch: pytest.MonkeyPatch, **found: str | None) -> None:
    """The installed versions are `found` (by package) from now on; the others are as they are."""
    real = versions.installed
    monkeypatch.setattr(versions, "installed", lambda package: found.get(package, real(package)))
    versions.recheck()


@pytest.fixture
def unverified(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A Textual newer than the verified range is installed: compat must stay out of the way."""
    _pretend(monkeypatch, textual="8.3.0")
    yield
    monkeypatch.undo()
    versions.recheck()
    textual_compat.install()  # the patches back, as any later app would have them


# -- the version check ---------------------------------------------------------------------------


def test_the_versions_installed_now_are_verified() -> None:
    versions.recheck()
    assert versions.check() is None
    assert textual_compat.verified()


@pytest.mark.parametrize(
    ("found", "notice"),
    [
        ({"textual": "8.3.0"}, "Textual 8.3.0 is newer than newsreader was verified with"),
        ({"textual": "9.0.0a1"}, "Textual 9.0.0a1 is newer than"),
        ({"textual": "8.2.7"}, "Textual 8.2.7 is older than"),
        ({"rich": "16.0.0"}, "Rich 16.0.0 is newer than"),
        ({"rich": "14.1.0"}, "Rich 14.1.0 is older than"),
        ({"textual": None}, "Textual (no version) is other than"),
        ({"textual": "8.3", "rich": "16.1"}, "Textual 8.3 is newer and Rich 16.1 is newer than"),
    ],
)
def test_a_version_outside_the_verified_range_is_one_line_of_notice(
    monkeypatch: pytest.MonkeyPatch, found: dict[str, str | None], notice: str
) -> None:
    _pretend(monkeypatch, **found)
    text = versions.notice()
    assert text is not None and text.startswith(notice)
    assert text.endswith(": running without its speed-ups") and "\n" not in text
    assert not versions.verified()
    versions.recheck()


@pytest.mark.parametrize(("found", "ok"), [("8.2.8", True), ("8.2.9", True), ("8.2.10.post1", True),
                                          ("8.3.0.dev0", False), ("8.2", False)])
def test_the_verified_textual_range(monkeypatch: pytest.MonkeyPatch, found: str, ok: bool) -> None:
    _pretend(monkeypatch, textual=found)
    assert versions.verified() is ok
    versions.recheck()


# -- install() -----------------------------------------------------------------------------------


def test_install_patches_once_and_is_idempotent() -> None:
    assert textual_compat.install() is None
    assert textual_compat.install() is None
    assert textual_compat.installed()
    assert Timer._run is frame_pacing._run_dispatch
    assert strips.originals()["divide"] is not Strip.divide
    # Installed twice, the originals are still Textual's own (no patch wraps a patch).
    assert frame_pacing.original() is not frame_pacing._run_dispatch
    assert strips.originals()["divide"].__module__ == "textual.strip"


def test_unverified_install_patches_nothing_and_says_so(unverified: None) -> None:
    notice = textual_compat.install()
    assert notice and notice.startswith("Textual 8.3.0 is newer")
    assert not frame_pacing.installed() and not strips.installed()
    assert Timer._run is frame_pacing.original()
    assert Strip.divide is strips.originals()["divide"]
    assert Strip.crop_extend is strips.originals()["crop_extend"]
    assert textual_compat.install() == notice  # still idempotent


def test_importing_the_app_patches_nothing() -> None:
    code = (
        "import newsreader.ui.app\n"
        "from newsreader.ui import textual_compat\n"
        "from newsreader.ui.textual_compat import frame_pacing, strips\n"
        "assert not frame_pacing.installed() and not strips.installed()\n"
        "textual_compat.install()\n"
        "assert frame_pacing.installed() and strips.installed()\n"
    )
    paths = [str(Path(__file__).resolve().parent.parent), os.environ.get("PYTHONPATH", "")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=60)


# -- the app on stock Textual --------------------------------------------------------------------


async def test_unverified_the_app_starts_lists_headlines_and_opens_a_story(
    unverified: None,
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not textual_compat.installed(), "no patch on an unverified Textual"
        assert Timer._run is frame_pacing.original()
        notes = [n.message for n in app._notifications if n.severity == "warning"]
        assert notes == [versions.notice()]
        screen = main(app)
        rows = screen.headlines.row_texts()
        assert len(rows) == 5 and "Alpha story" in rows[0] and UNREAD_MARK in rows[0]

        screen = await open_highlighted(pilot)
        assert screen.story_view.url == url("a")
        assert "The lead of Alpha story." in shown_text(screen)
        assert UNREAD_MARK not in screen.headlines.row_texts()[0], "read mark shown on its row"
        # The story pane paints through Textual's own paths.
        assert not is_plain(screen.story_view.query_one(StoryText))
        long = make_story(url("long"), "A long story", paras=40)
        screen.story_view.show_story(long, [])
        await pilot.pause()
        bar = screen.story_view.scroller.vertical_scrollbar
        assert type(bar) is ScrollBar and not isinstance(bar, StripScrollBar) and bar.display
        assert str(screen.story_view.border_title) == "Example News"


async def test_unverified_filtering_scrolling_and_row_updates_work(
    unverified: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    stock: list[str] = []  # OptionList's own public methods, as the fallback calls them
    for name in ("set_options", "replace_option_prompt_at_index"):
        method = getattr(OptionList, name)
        monkeypatch.setattr(OptionList, name, _spy(stock, name, method))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        headlines = main(app).headlines
        headlines.set_filter("bravo")
        await pilot.pause()
        assert headlines.option_count == 1 and "Bravo story" in headlines.row_texts()[0]
        headlines.set_filter("")
        await pilot.pause()
        assert headlines.option_count == 5 and headlines.highlighted == 1  # Bravo kept
        await pilot.press("down", "down")
        await pilot.pause()
        assert headlines.highlighted == 3
        app.reader.set_read("e")  # a row not painted since: re-rendered when it is
        headlines.refresh_row("e")
        headlines.refresh_all_rows()
        await pilot.pause()
        assert UNREAD_MARK not in headlines.row_texts()[4]
        assert UNREAD_MARK in headlines.row_texts()[0]
    assert {"set_options", "replace_option_prompt_at_index"} <= set(stock)


async def test_verified_the_list_takes_the_fast_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    """The counterpart of the test above: with the versions verified, no stock method runs."""
    versions.recheck()
    stock: list[str] = []
    for name in ("set_options", "replace_option_prompt_at_index"):
        monkeypatch.setattr(OptionList, name, _spy(stock, name, getattr(OptionList, name)))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        headlines = main(app).headlines
        headlines.set_filter("bravo")
        headlines.set_filter("")
        app.reader.set_read("e")
        headlines.refresh_row("e")
        headlines.refresh_all_rows()
        await pilot.pause()
        assert UNREAD_MARK not in headlines.row_texts()[4]
    assert stock == []


def _spy(calls: list[str], name: str, method: Callable[..., Any]) -> Callable[..., Any]:
    def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append(name)
        return method(*args, **kwargs)

    return spy


async def test_unverified_the_help_shows_the_same_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    config = Config(sources=FakeReader().sources, keys={"next_unread": "u"})

    async def help_rows() -> list[tuple[str, list[tuple[str, str]]]]:
        app = make_app(FakeReader(config=config))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("question_mark")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            return app.help_rows()

    verified = await help_rows()
    _pretend(monkeypatch, textual="8.3.0")
    try:
        assert await help_rows() == verified
    finally:
        monkeypatch.undo()
        versions.recheck()
        textual_compat.install()


async def test_unverified_a_crash_still_ends_the_app_with_an_error(unverified: None) -> None:
    app = make_app()
    app._print_error_renderables = lambda: None  # Textual's own traceback: not on the test's tty

    def boom() -> None:
        raise ZeroDivisionError("simulated bug")

    with pytest.raises(ZeroDivisionError):
        async with app.run_test() as pilot:
            app.call_later(boom)
            await pilot.pause()
    assert app.return_code == 1
    assert not any("newsreader: internal error" in str(r) for r in app._exit_renderables)


async def test_unverified_keys_take_textual_own_path(unverified: None) -> None:
    """The key router (textual_compat/keys.py) stands aside: keys typed one at a time work."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("S", *"abc")
        await settle(pilot)
        assert app.key_router is not None
        assert await app.key_router.take(key_event("x")) is False
        assert app.screen.query_one("#search-input", Input).value == "abc"
