"""Catalogue G (L1): opening links — allow-list, punycode, no shell, off the UI thread."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from newsreader.config import Config
from newsreader.models import Headline, Source
from newsreader.parse.urls import safe_url
from newsreader.services.reader import Reader
from newsreader.services.wiring import open_reader
from newsreader.ui.app import NewsreaderApp
from newsreader.ui.links import BrowserError, open_in_browser
from tests.ui_fakes import SIZE, main, settle

REFUSED = [
    "--remote-debugging-port=9222", "-new-window file:///", "%action--incognito",
    "file:///C:/Windows/System32/calc.exe", "javascript:alert(1)", "data:text/html,<b>x</b>",
    "ssh://host", "app://settings", "https://ok.example/a\nb", "https://ok.example/a b",
    'https://ok.example/"x', "https://ok.example/\u202egnp.exe", "https://bank.com@evil.example",
    "https://ok.example/a&b;$(touch /tmp/pwned)`id`",
]


@pytest.mark.parametrize("url", REFUSED)
def test_l1_hostile_links_are_refused_with_a_message(url: str):
    """L1: options, other schemes, controls, quotes, spaces, bidi, userinfo → refused."""
    with pytest.raises(BrowserError, match="only http"):
        open_in_browser(url, browser="/bin/false")


def test_l1_idn_is_shown_and_opened_as_punycode():
    """L1: the canonical punycode URL is what is shown and what is opened."""
    assert safe_url("https://пример.испытание/путь") == (
        "https://xn--e1afmkfd.xn--80akhbyknj4f/%D0%BF%D1%83%D1%82%D1%8C")


def _recorder(tmp_path: Path) -> tuple[str, Path]:
    log = tmp_path / "argv.txt"
    script = tmp_path / "browser.py"
    script.write_text(f"import sys\nopen({str(log)!r}, 'w').write(repr(sys.argv[1:]))\n")
    return f"{sys.executable} {script}", log


def test_l1_launched_without_a_shell(tmp_path: Path):
    """L1: the URL is one argv element; shell syntax in it (already %-encoded) runs nothing."""
    browser, log = _recorder(tmp_path)
    url = safe_url("https://ok.example/a?q=1&x=$(touch%20pwned);id|cat")
    assert url is not None
    open_in_browser(url, browser)
    for _ in range(200):
        if log.exists() and log.read_text():
            break
        time.sleep(0.02)
    assert log.read_text() == repr([url])
    assert not (tmp_path / "pwned").exists() and not Path("pwned").exists()


def _reader_with(url: str, browser: str | None) -> Reader:
    config = Config(sources=[Source("S", "http://127.0.0.1:9/feed")], prefetch=False,
                    browser=browser)
    reader = open_reader(config, offline=True)
    reader.library.store_headlines(reader.sources[0], [Headline(
        id="h", source_url="http://127.0.0.1:9/feed", source_name="S", title="A story",
        url=url, published="2024-01-01T00:00:00+00:00")])
    return reader


async def test_l1_no_openable_link_is_reported_in_the_app():
    """L1: a headline whose link was refused at ingestion ("") → "no http(s) link" notice."""
    app = NewsreaderApp(_reader_with("", "/bin/false"), refresh_on_start=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert any("no http(s) link" in n.message for n in app._notifications)


async def test_l1_open_reports_success_and_shows_the_url(tmp_path: Path):
    """L1: an allowed link opens off the UI thread, the URL shown and success reported."""
    browser, log = _recorder(tmp_path)
    url = "http://127.0.0.1:9/story"
    app = NewsreaderApp(_reader_with(url, browser), refresh_on_start=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        main(app).headlines.move_to(0)
        await pilot.press("o")
        await settle(pilot)
        for _ in range(200):
            if log.exists() and log.read_text():
                break
            await pilot.pause(0.02)
        assert log.read_text() == repr([url])  # it was opened, via the worker thread
        assert any(url in n.message for n in app._notifications)
