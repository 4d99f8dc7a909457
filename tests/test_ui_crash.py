"""An unexpected bug in the app ends it with one line and a crash log, not a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsreader.config import Config
from newsreader.demo import DEMO_SOURCES
from newsreader.services.wiring import open_reader
from newsreader.store.state import StateError
from newsreader.ui.app import NewsreaderApp
from tests.ui_fakes import main, open_highlighted


async def test_unexpected_error_is_logged_and_shown_as_one_line(tmp_path: Path) -> None:
    reader = open_reader(Config(sources=list(DEMO_SOURCES)), demo=True)
    crash_log = tmp_path / "data" / "crash.log"
    app = NewsreaderApp(reader, refresh_on_start=False, crash_log=crash_log)
    shown: list[str] = []
    app._print_error_renderables = lambda: shown.extend(str(r) for r in app._exit_renderables)

    def boom() -> None:
        raise ZeroDivisionError("simulated bug")

    with pytest.raises(ZeroDivisionError):
        async with app.run_test() as pilot:
            app.call_later(boom)
            await pilot.pause()
    assert "ZeroDivisionError: simulated bug" in crash_log.read_text()
    assert "Traceback" in crash_log.read_text()
    message = [str(r) for r in app._exit_renderables] or shown
    assert len(message) == 1 and "\n" not in message[0]
    assert message[0].startswith("newsreader: internal error (ZeroDivisionError: simulated bug)")
    assert str(crash_log) in message[0]
    assert app.return_code == 1


async def test_a_read_mark_that_cannot_be_saved_is_one_error_line_not_a_crash(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reader = open_reader(Config(sources=list(DEMO_SOURCES)), demo=True)

    def read_only(*args: object) -> None:
        raise StateError("cannot write state.db: attempt to write a readonly database")

    monkeypatch.setattr(reader.reading.state, "set_read", read_only)
    app = NewsreaderApp(reader, refresh_on_start=False)
    async with app.run_test() as pilot:
        await pilot.press("r")  # the demo edition's first refresh fills the list
        for _ in range(50):
            await pilot.pause(0.1)
            if main(app).headlines.option_count:
                break
        screen = await open_highlighted(pilot)
        opened = screen.headlines.current
        assert opened is not None and screen.story_view.url == opened.url
        reader.reading.writer.flush()
        await pilot.pause()
        errors = [n.message for n in app._notifications if n.severity == "error"]
        assert errors == [
            "Could not save your reading state: "
            "cannot write state.db: attempt to write a readonly database. "
            "Marks made until this is fixed hold only until you quit."
        ]
        assert reader.is_read(opened.id), "the mark holds for this session"
        assert app.is_running
