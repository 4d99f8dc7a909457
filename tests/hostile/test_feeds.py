"""Catalogue C (F1–F12): hostile feeds served on 127.0.0.1 through Reader.refresh() and the CLI."""

from __future__ import annotations

import asyncio
import html
import time
from pathlib import Path

import pytest

from newsreader.cli import main as cli_main
from newsreader.config import load_config
from newsreader.paths import default_paths
from tests.hostile.helpers import counts, items, open_reader, primed, rss
from tests.http_server import TestServer

BAD = ("\x1b", "\x07", "\x9b", "\x00", "\x9d", "52;c;", "]0;PWNED")


def assert_clean(text: str) -> None:
    for payload in BAD:
        assert payload not in text, (payload, text)


# -- F1, F2 ---------------------------------------------------------------------------------
LOLS = ('<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY lol "lol">'
        + "".join(f'<!ENTITY lol{i} "{("&lol;" if i == 1 else f"&lol{i - 1};") * 10}">'
                  for i in range(1, 10))
        + ']><rss version="2.0"><channel><title>&lol9;</title>'
        '<item><title>&lol9;</title><guid>laugh</guid></item></channel></rss>')


async def test_f1_billion_laughs_does_not_expand(http_server: TestServer):
    """F1: lol1…lol9 → parsed at once without expansion; no crash; old items kept."""
    reader, before = await primed(http_server)
    http_server.route("/feed.xml", LOLS, content_type="application/rss+xml")
    started = time.monotonic()
    await reader.refresh()
    assert time.monotonic() - started < 2
    heads = reader.headlines()
    assert all(len(h.title) <= 300 and "lollollol" not in h.title for h in heads)
    assert counts(reader).headlines >= before.headlines
    await reader.aclose()


async def test_f2_xxe_reads_no_file_and_makes_no_request(http_server: TestServer):
    """F2: SYSTEM file:///etc/passwd, SYSTEM http://127.0.0.1/…, an external DTD → no leak."""
    spy = http_server.url("/xxe-spy")
    feed = (f'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "{spy}-dtd" ['
            '<!ENTITY file SYSTEM "file:///etc/passwd">'
            f'<!ENTITY web SYSTEM "{spy}">]>'
            '<rss version="2.0"><channel><title>x</title>'
            '<item><title>a &file; b</title><guid>1</guid><description>&web;</description></item>'
            "</channel></rss>")
    http_server.route("/feed.xml", feed, content_type="application/rss+xml")
    reader = open_reader(http_server, ["/feed.xml"])
    await reader.refresh()
    for h in reader.headlines():
        assert "root:" not in h.title + h.summary
    assert not any(path.startswith("/xxe-spy") for path in http_server.paths())
    await reader.aclose()


def test_f2_opml_with_entities_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    """F2/F12: OPML goes through defusedxml: a DTD or billion laughs is refused, not expanded."""
    opml = tmp_path / "evil.opml"
    opml.write_text(LOLS.replace("<rss", "<opml").replace("</rss>", "</opml>"))
    assert cli_main(["import-opml", str(opml)]) != 0
    err = capsys.readouterr().err
    assert "refused" in err and "lollol" not in err


# -- F3 -------------------------------------------------------------------------------------
@pytest.mark.parametrize("damage", ["truncated", "trailing-garbage", "div-before-decl"])
async def test_f3_malformed_feed_keeps_old_items(http_server: TestServer, damage: str):
    """F3: a bozo parse keeps what parsed, says "malformed feed" and deletes nothing."""
    reader, before = await primed(http_server)
    good = rss(items(2, "fresh")).decode()
    bad = {
        "truncated": good[: good.index("</item>") + 40],
        "trailing-garbage": good + "<<<garbage & more",
        "div-before-decl": "<div>oops</div>" + good,
    }[damage]
    http_server.route("/feed.xml", bad, content_type="application/rss+xml")
    progress = await reader.refresh()
    after = counts(reader)
    assert after.headlines >= before.headlines  # nothing missing from a bozo parse is deleted
    assert after.read == before.read and after.saved == before.saved
    if progress.errors:
        assert "malformed" in next(iter(progress.errors.values())) or "not a feed" in next(
            iter(progress.errors.values()))
    else:
        assert "fresh 0" in {h.title for h in reader.headlines()}
        assert progress.warnings == {"Feed 0": "malformed feed"}
    await reader.aclose()


# -- F5 -------------------------------------------------------------------------------------
async def test_f5_50k_items_keep_newest_500_off_the_event_loop(http_server: TestServer):
    """F5: 50,000 items (~3 MB) → newest 500 kept; parsed off the loop (it stays responsive)."""
    many = [{"title": f"n{i}", "guid": f"n{i}", "pubDate": "Mon, 01 Jan 2024 "
             f"{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d} GMT"} for i in range(50_000)]
    body = rss(many)
    assert len(body) > 3_000_000
    http_server.route("/feed.xml", body, content_type="application/rss+xml")
    reader = open_reader(http_server, ["/feed.xml"])
    gaps: list[float] = []

    async def ticker() -> None:
        last = time.monotonic()
        while True:
            await asyncio.sleep(0.05)
            now = time.monotonic()
            gaps.append(now - last)
            last = now

    tick = asyncio.create_task(ticker())
    try:
        progress = await reader.refresh()
    finally:
        tick.cancel()
    assert not progress.errors
    assert counts(reader).headlines == 500
    assert max(gaps) < 1.0, max(gaps)  # the UI's loop was never blocked by the parse
    await reader.aclose()


async def test_f5_giant_description_and_deep_nesting(http_server: TestServer):
    """F5: a single 9 MB <description> and 50k nested elements → truncated fields, no crash."""
    huge = "word " * (9 * 1024 * 1024 // 5)
    nested = "<x>" * 50_000 + "deep" + "</x>" * 50_000
    http_server.route("/feed.xml", rss([{"title": "big", "guid": "big", "description": huge},
                                        {"title": "deep " + nested, "guid": "deep"}]),
                      content_type="application/rss+xml")
    reader = open_reader(http_server, ["/feed.xml"])
    started = time.monotonic()
    await reader.refresh()
    assert time.monotonic() - started < 15
    for h in reader.headlines():
        assert len(h.summary) <= 400 and len(h.title) <= 300
    await reader.aclose()


# -- F6 -------------------------------------------------------------------------------------
async def test_f6_identity_chaos(http_server: TestServer):
    """F6: no guid / duplicate / empty guid / guid http→https and mail. host / new date."""
    first = [
        {"title": "no guid", "link": "http://127.0.0.1:9/a"},
        {"title": "dup one", "link": "http://127.0.0.1:9/b", "guid": "dup"},
        {"title": "dup two", "link": "http://127.0.0.1:9/c", "guid": "dup"},
        {"title": "empty guid", "link": "http://127.0.0.1:9/d", "guid": ""},
        {"title": "switcher", "link": "http://news.example/e",
         "guid": 'http://news.example/e'},
        {"title": "mailhost", "link": "http://news.example/f", "guid": "http://news.example/f"},
        {"title": "redated", "link": "http://127.0.0.1:9/g", "guid": "g",
         "pubDate": "Mon, 01 Jan 2024 10:00:00 GMT"},
    ]
    http_server.route("/feed.xml", rss(first), content_type="application/rss+xml")
    reader = open_reader(http_server, ["/feed.xml"])
    await reader.refresh()
    heads = reader.headlines()
    assert sorted(h.title for h in heads) == sorted(
        ["no guid", "dup one", "empty guid", "switcher", "mailhost", "redated"])
    reader.reading.state.set_read([h.id for h in heads])
    second = [dict(item) for item in first]
    second[4].update(link="https://news.example/e", guid="https://news.example/e")
    second[5].update(link="http://mail.news.example/f", guid="http://mail.news.example/f")
    second[6].update(pubDate="Tue, 02 Jan 2024 10:00:00 GMT")
    http_server.route("/feed.xml", rss(second), content_type="application/rss+xml")
    progress = await reader.refresh()
    assert progress.new_headlines == 0
    after = reader.headlines()
    assert len(after) == len(heads)  # no duplicates
    assert {h.id for h in after} <= reader.reading.state.read_ids()  # nothing unread
    await reader.aclose()


# -- F7 -------------------------------------------------------------------------------------
async def test_f7_hostile_dates(http_server: TestServer):
    """F7: impossible, missing, year 3000, 1970 and +9999 dates → no crash; future → now."""
    dates = {"bad": "Mon, 99 Foo 99999", "none": None, "future": "Wed, 01 Jan 3000 00:00:00 GMT",
             "epoch": "Thu, 01 Jan 1970 00:00:00 GMT", "tz": "Mon, 01 Jan 2024 10:00:00 +9999"}
    entries = [{"title": k, "guid": k, **({"pubDate": v} if v else {})} for k, v in dates.items()]
    http_server.route("/feed.xml", rss(entries), content_type="application/rss+xml")
    reader = open_reader(http_server, ["/feed.xml"])
    before = time.time()
    progress = await reader.refresh()
    assert not progress.errors
    by_title = {h.title: h for h in reader.headlines()}
    assert set(by_title) == set(dates)
    from datetime import datetime

    future = datetime.fromisoformat(by_title["future"].published).timestamp()
    assert future <= time.time() + 1 and future >= before - 1  # clamped to "now"
    assert by_title["bad"].seen is not None  # sort falls back to the fetch time
    await reader.aclose()


# -- F8 -------------------------------------------------------------------------------------
async def test_f8_terminal_escapes_in_feed_text_are_removed(http_server: TestServer):
    """F8: CSI, OSC 0/52, 8-bit CSI, NUL and entity-encoded ESC → stripped before storage."""
    payloads = ["a\x1b[31mred\x07", "\x1b]0;PWNED\x07", "\x1b]52;c;SGVsbG8=\x07", "\x9b2J",
                "nul\x00byte", "&#27;[2J", "&#x1b;]0;PWNED&#x07;", "&#155;2J"]
    entries = [{"title": f"t{i} {p}", "guid": f"f8-{i}", "description": f"d {p}",
                "author": p} for i, p in enumerate(payloads)]
    http_server.route("/feed.xml", rss(entries), content_type="application/rss+xml")
    reader = open_reader(http_server, ["/feed.xml"])
    await reader.refresh()
    heads = reader.headlines()
    assert len(heads) == len(payloads)
    for h in heads:
        assert_clean(h.title)
        assert_clean(h.summary)
    await reader.aclose()


# -- F9 is about rendering: see test_terminal_bytes.py::test_f9_markup_in_titles_is_literal ---


# -- F10 ------------------------------------------------------------------------------------
DANGEROUS = ["javascript:alert(1)", "data:text/html,<b>x</b>", "file:///etc/passwd",
             "--remote-debugging-port=9222", "smb://host/share", "ssh://host",
             "http://ex\tample.com/x", "java\nscript:alert(1)"]


async def test_f10_dangerous_links_are_not_openable(http_server: TestServer):
    """F10: javascript:/data:/file:/option/smb:/ssh: and tab/newline links → never openable."""
    def attr(u: str) -> str:
        return html.escape(u, quote=True).replace("\t", "&#9;").replace("\n", "&#10;")

    entries = "".join(
        f"<item><title>link {i}</title><guid>f10-{i}</guid><link>{html.escape(u)}</link>"
        f'<enclosure url="{attr(u)}" type="audio/mpeg" length="1"/>'
        f'<atom:link href="{attr(u)}" rel="alternate"/></item>'
        for i, u in enumerate(DANGEROUS)
    )
    body = ('<?xml version="1.0"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">'
            f"<channel><title>x</title>{entries}</channel></rss>")
    http_server.route("/feed.xml", body, content_type="application/rss+xml")
    reader = open_reader(http_server, ["/feed.xml"])
    await reader.refresh()
    heads = reader.headlines()
    assert len(heads) == len(DANGEROUS)
    from newsreader.parse.urls import is_openable_url

    for h in heads:
        assert h.url == "" or is_openable_url(h.url)
        assert not h.url.startswith(("javascript", "data", "file", "-", "smb", "ssh"))
    await reader.aclose()


# -- F11 ------------------------------------------------------------------------------------
async def test_f11_atom_text_is_literal_and_html_is_stripped(http_server: TestServer):
    """F11: Atom type="text" holding <script> shows literally; xhtml/CDATA HTML is stripped."""
    atom = (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>t</title><id>urn:f</id><updated>2024-01-01T00:00:00Z</updated>"
        '<entry><id>urn:1</id><title type="text">&lt;script&gt;alert(1)&lt;/script&gt; x</title>'
        "<updated>2024-01-01T00:00:00Z</updated>"
        '<summary type="html"><![CDATA[<p>para <script>evil()</script><b>bold</b></p>]]>'
        "</summary></entry>"
        '<entry><id>urn:2</id><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
        "<b>bold</b> title</div></title><updated>2024-01-01T00:00:00Z</updated></entry></feed>"
    )
    http_server.route("/feed.xml", atom, content_type="application/atom+xml")
    reader = open_reader(http_server, ["/feed.xml"])
    await reader.refresh()
    by_id = {h.id: h for h in reader.headlines()}
    assert by_id["urn:1"].title == "<script>alert(1)</script> x"
    assert by_id["urn:1"].summary == "para bold"
    assert by_id["urn:2"].title == "bold title"
    await reader.aclose()


# -- F12 ------------------------------------------------------------------------------------
def test_f12_opml_import_takes_only_http_feeds(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]):
    """F12: |~/script, filtercmd, file:, exec: are reported and skipped; http(s) imported."""
    opml = tmp_path / "subs.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head/><body>'
        '<outline text="pipe" xmlUrl="|~/script"/>'
        '<outline text="filter" xmlUrl="filtercmd:~/x.sh"/>'
        '<outline text="file" xmlUrl="file:///etc/passwd"/>'
        '<outline text="exec" xmlUrl="exec:rm -rf ~"/>'
        '<outline text="option" xmlUrl="--output=/tmp/x"/>'
        '<outline text="good" xmlUrl="https://news.example/feed.xml"/>'
        "</body></opml>"
    )
    assert cli_main(["import-opml", str(opml)]) == 0
    err = capsys.readouterr().err
    for name in ("pipe", "filter", "file", "exec", "option"):
        assert f"{name}: not an http(s) feed URL" in err
    config = load_config(default_paths().config_file)
    assert [s.url for s in config.sources] == ["https://news.example/feed.xml"]
