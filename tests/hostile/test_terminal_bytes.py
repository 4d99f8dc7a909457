"""F8/F9/E6/H3 at the terminal: the bytes Textual would write for hostile titles and bodies."""

from __future__ import annotations

import re

from newsreader.ui.app import NewsreaderApp
from newsreader.ui.main_screen import MainScreen
from tests.hostile.helpers import open_reader, rss
from tests.http_server import TestServer
from tests.ui_fakes import SIZE, main, settle

TITLES = [
    "a\x1b[31mred\x07 headline",
    "\x1b]0;PWNED\x07 window title",
    "\x1b]52;c;SGVsbG8=\x07 clipboard",
    "\x9b2J eight-bit CSI",
    "nul\x00byte and &#27;[2J encoded",
    "\x1b]8;;file:///etc/passwd\x1b\\hyperlink\x1b]8;;\x1b\\ osc8",
    "evil\u202egnp.exe bidi",
    "Z" + "\u0301" * 300 + "algo zalgo",
    "[bold red]x[/] markup",
    "[@click=app.quit]Read more[/] action",
    "[link=file:///etc/passwd]x[/link] trailing \\",
]
BODY = (
    "<p>Body \x1b[2J clear &#x1b;]0;PWNED&#x07; title &#x1b;]52;c;SGVsbG8=&#x07; clip "
    "&#155;2J c1 \x9d0;x\x07 osc \u202e bidi [@click=app.quit]click[/] and more words so that "
    "this is a paragraph of a story, long enough to be kept as body text by the parser.</p>"
)
# What must never reach the terminal, whatever the widget.
PAYLOADS = ["PWNED", "SGVsbG8=", "52;c;", "\x1b]0;", "\x1b]52", "\x1b]8;;file", "\x1b[2J",
            "\x1b[31mred", "\x00", "\x07", "\u202e", "\u202d", "\u2066"]
C1 = re.compile("[\x80-\x9f]")
# Textual's own output: SGR, cursor moves, and (for real links) OSC 8 with an http(s) URL.
OWN_CSI = re.compile(r"\x1b\[[0-9;:]*[mHABCDfK]|\x1b\[\?[0-9;]*[hl]")
OWN_OSC8 = re.compile(r"\x1b\]8;[^;\x07\x1b]*;(?:https?://[^\x07\x1b]*)?\x1b\\")


def terminal_bytes(app: NewsreaderApp) -> str:
    """The exact sequence Textual writes for a full repaint of the current screen."""
    screen = app.screen
    update = screen._compositor.render_full_update()
    return update.render_segments(app.console)


def assert_no_payload(out: str) -> None:
    for payload in PAYLOADS:
        assert payload not in out, repr(payload)
    assert not C1.search(out)
    leftover = OWN_OSC8.sub("", OWN_CSI.sub("", out))
    assert "\x1b" not in leftover, repr(leftover[leftover.index("\x1b") - 20:][:60])


async def hostile_app(server: TestServer) -> NewsreaderApp:
    page = ("<html><head><title>\x1b]0;PWNED\x07 Story [b]x[/b]</title></head><body><article>"
            f"<h1>Story \x1b[31mred</h1>{BODY}{BODY}"
            "<p>Read also: <a href='/other'>\x1b]52;c;SGVsbG8=\x07 [@click=app.quit]Other[/]"
            "</a></p></article></body></html>").encode("utf-8", "surrogateescape")
    server.route("/story", page)
    entries = [{"title": t.replace("&", "&amp;").replace("<", "&lt;").replace("&amp;#27;", "&#27;"),
                "guid": f"t{i}", "link": server.url("/story"),
                "description": f"summary {t}".replace("<", "&lt;"),
                "pubDate": f"Mon, {1 + i:02d} Jan 2024 10:00:00 GMT"}
               for i, t in enumerate(TITLES)]
    server.route("/feed.xml", rss(entries), content_type="application/rss+xml")
    reader = open_reader(server, ["/feed.xml"])
    progress = await reader.refresh()
    assert not progress.errors
    return NewsreaderApp(reader, refresh_on_start=False)


async def test_f8_headline_list_bytes_hold_no_payload(http_server: TestServer):
    """F8/E6: the headline list's terminal bytes carry none of the escape payloads."""
    app = await hostile_app(http_server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert main(app).headlines.option_count == len(TITLES)
        out = terminal_bytes(app)
        assert "window title" in out and "eight-bit CSI" in out  # the rows are on screen
        assert_no_payload(out)


async def test_h3_story_view_bytes_hold_no_payload(http_server: TestServer):
    """H3/F8: an opened story with hostile title, body and related link → clean bytes."""
    app = await hostile_app(http_server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        screen = main(app)
        assert screen.story_view.story is not None
        out = terminal_bytes(app)
        assert "paragraph of a story" in out
        assert_no_payload(out)


async def test_f9_markup_in_titles_is_literal(http_server: TestServer):
    """F9: [bold red], [/], [link=file:…], [@click=app.quit] show literally; nothing runs."""
    app = await hostile_app(http_server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # The list column is narrow: long rows are cut, so look for each title's start.
        text = re.sub(r"\x1b\[[0-9;]*[mH]", "", terminal_bytes(app))
        for literal in ("[bold red]x[/] markup", "[@click=app.quit]Read", "[link=file:///"):
            assert literal in text, literal
        screen = main(app)
        rows = screen.headlines.row_texts()
        index = next(i for i, row in enumerate(rows) if "Read more" in row)
        screen.headlines.move_to(index)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.click(offset=(10, 3))  # a click on the list: no action runs
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, MainScreen)
