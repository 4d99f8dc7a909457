"""An unexpected bug in the app ends it with one line and a crash log, not a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsreader.config import Config
from newsreader.demo import DEMO_SOURCES
from newsreader.services.reader import Reader
from newsreader.ui.app import NewsreaderApp


async def test_unexpected_error_is_logged_and_shown_as_one_line(tmp_path: Path) -> None:
    reader = Reader.open(Config(sources=list(DEMO_SOURCES)), demo=True)
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
