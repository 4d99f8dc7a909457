"""Feeds: RSS/Atom/RDF, encodings, non-feeds, hostile XML and identity chaos (HOSTILE.md C)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newsreader.errors import ParseError
from newsreader.parse.feed import parse_feed
from tests.fixture_site import FEED_PATHS, build_site

BASE = "http://127.0.0.1:8765"
SITE = build_site(BASE)


def _parse(body: bytes, **kw: object):
    return parse_feed(body, BASE + "/feed", source_name="Test", **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("path", FEED_PATHS)
def test_fixture_feeds(path: str) -> None:
    page = SITE[path]
    result = parse_feed(page.body, BASE + path, source_name="Fixture",
                        headers={"Content-Type": page.content_type})
    assert page.truth is not None
    assert result.title == page.truth["title"]
    assert result.warnings == []
    assert [h.title for h in result.headlines] == [i["title"] for i in page.truth["items"]]
    assert [h.url for h in result.headlines] == [i["url"] for i in page.truth["items"]]
    assert [h.published for h in result.headlines] == [i["published"] for i in page.truth["items"]]
    for h, item in zip(result.headlines, page.truth["items"], strict=True):
        assert h.source_name == "Fixture" and h.source_url == BASE + path and h.seen is None
        if "summary" in item:
            assert h.summary == item["summary"]
        assert h.id == item.get("id", item["url"])


def test_rss_ttl_and_link() -> None:
    page = SITE["/feeds/politics.rss"]
    result = _parse(page.body)
    assert result.ttl_minutes == 30 and result.link == BASE + "/"


RSS_UK = ('<?xml version="1.0"?><rss version="2.0"><channel><title>Новини</title>'
          "<item><title>Зеленський заявив про обмін полоненими</title><link>https://x.ua/a</link>"
          "<description>Президент України заявив, що обмін відбудеться найближчим часом."
          "</description></item></channel></rss>")


def test_cp1251_with_header_charset() -> None:
    result = _parse(RSS_UK.encode("cp1251"),
                    headers={"Content-Type": "application/rss+xml; charset=windows-1251"})
    assert result.title == "Новини" and result.warnings == []
    assert result.headlines[0].title == "Зеленський заявив про обмін полоненими"


@pytest.mark.parametrize("headers", [None, {"Content-Type": "application/rss+xml"}])
def test_cp1251_without_declaration_is_guessed(headers: dict[str, str] | None) -> None:
    result = _parse(RSS_UK.encode("cp1251"), headers=headers)
    assert result.headlines[0].title == "Зеленський заявив про обмін полоненими"
    assert "encoding guessed" in result.warnings
    assert "Í" not in result.title


def test_rdf_feed() -> None:
    rdf = (b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
           b' xmlns="http://purl.org/rss/1.0/"><channel rdf:about="https://x.org/"><title>RDF</title>'
           b'<link>https://x.org/</link></channel><item rdf:about="https://x.org/1"><title>One'
           b"</title><link>https://x.org/1</link></item></rdf:RDF>")
    result = _parse(rdf)
    assert result.title == "RDF" and [h.url for h in result.headlines] == ["https://x.org/1"]


def test_html_page_is_not_a_feed() -> None:
    with pytest.raises(ParseError, match=r"not a feed \(got HTML\)"):
        _parse(b"<!DOCTYPE html><html><head><title>Login</title></head><body>captcha</body></html>")


@pytest.mark.parametrize("body", [b"", b"   \n"])
def test_empty(body: bytes) -> None:
    with pytest.raises(ParseError, match="empty response"):
        _parse(body)


@pytest.mark.parametrize(("body", "reason"), [
    (b'{"version": "https://jsonfeed.org/version/1", "items": []}',
     "unsupported format (JSON Feed)"),
    (b"\x89PNG\r\n\x1a\n\x00\x00binary", "not a feed"),
    (b"just some text", "not a feed"),
])
def test_garbage_is_not_a_feed(body: bytes, reason: str) -> None:
    with pytest.raises(ParseError) as err:
        _parse(body)
    assert err.value.reason == reason


def test_billion_laughs_does_not_expand() -> None:
    lol = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
           + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % ("" if i == 1 else i - 1)) * 10}">'
                     for i in range(1, 10))
           + ']><rss version="2.0"><channel><title>&lol9;</title><item><title>x &lol9;</title>'
           "<link>https://x.org/1</link></item></channel></rss>")
    try:
        result = _parse(lol.encode())
    except ParseError:
        return  # refusing it is fine too
    assert len(result.title) < 1000
    assert all(len(h.title) < 1000 for h in result.headlines)


def test_xxe_does_not_leak(tmp_path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET-XXE")
    xxe = (f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]>'
           '<rss version="2.0"><channel><title>T &x;</title><item><title>I &x;</title>'
           "<description>&x;</description><link>https://x.org/1</link></item></channel></rss>")
    try:
        result = _parse(xxe.encode())
    except ParseError:
        return
    dump = result.title + "".join(h.title + h.summary for h in result.headlines)
    assert "TOPSECRET" not in dump


def test_identity_chaos_and_dates() -> None:
    rss = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>C</title>
<item><title>No guid</title><link>https://x.org/a</link><pubDate>Mon, 99 Foo 99999</pubDate></item>
<item><title>Dup 1</title><guid>g1</guid><link>https://x.org/b</link>
<pubDate>Sat, 01 Jan 3000 00:00:00 GMT</pubDate></item>
<item><title>Dup 2</title><guid>g1</guid><link>https://x.org/c</link></item>
<item><title>Nothing</title><guid></guid><pubDate>Thu, 01 Jan 1970 00:00:00 +0000</pubDate></item>
<item><title>JS</title><link>javascript:alert(1)</link><guid>g2</guid>
<pubDate>Mon, 23 Feb 2026 14:05:00 +0200</pubDate></item>
<item><description>&lt;p&gt;First words of a &lt;b&gt;summary&lt;/b&gt; only&lt;/p&gt;
</description></item>
</channel></rss>"""
    before = datetime.now(UTC)
    result = _parse(rss.encode())
    by_title = {h.title: h for h in result.headlines}
    assert by_title["No guid"].id == "https://x.org/a"
    assert by_title["No guid"].published is None
    assert "Dup 2" not in by_title  # duplicate guid: the first wins
    future = datetime.fromisoformat(by_title["Dup 1"].published)
    assert before.replace(microsecond=0) <= future <= datetime.now(UTC)  # clamped to now
    nothing = by_title["Nothing"]
    assert len(nothing.id) == 40 and nothing.url == ""  # sha1 of title + date
    assert nothing.published == "1970-01-01T00:00:00+00:00"
    assert by_title["JS"].url == "" and by_title["JS"].published == "2026-02-23T14:05:00+02:00"
    untitled = result.headlines[-1]
    assert untitled.title == "First words of a summary only"
    assert untitled.summary == "First words of a summary only"
    assert len({h.id for h in result.headlines}) == len(result.headlines)


def test_escapes_and_atom_text_are_literal() -> None:
    atom = ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            "<title>A</title><entry><id>e1</id>"
            '<title type="text">&lt;script&gt;alert(1)&lt;/script&gt; &amp;#27;[2J [bold]x[/]'
            "</title>"
            '<summary type="text">a &lt;b&gt;literal&lt;/b&gt; tag</summary>'
            '<link href="JaVaScRiPt:alert(1)"/></entry>'
            "<entry><id>e2</id><title>esc \x1b]0;PWNED\x07 here</title></entry></feed>")
    result = _parse(atom.encode())
    first = result.headlines[0]
    assert first.title.startswith("<script>alert(1)</script>")
    assert "[bold]x[/]" in first.title and "\x1b" not in first.title
    assert first.summary == "a <b>literal</b> tag"
    assert first.url == ""
    for h in result.headlines:
        assert "\x1b" not in h.title and "\x07" not in h.title and "PWNED" not in h.title


def test_bozo_feed_with_entries_is_kept() -> None:
    broken = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>B</title>'
              b"<item><title>Kept</title><link>https://x.org/1</link></item><item><title>Trunc")
    result = _parse(broken)
    assert "malformed feed" in result.warnings
    assert result.headlines[0].title == "Kept"


def test_max_items_keeps_newest() -> None:
    items = "".join(
        f"<item><title>T{i}</title><guid>g{i}</guid>"
        f"<pubDate>{datetime(2026, 1, 1 + i % 28, i // 28, tzinfo=UTC):%a, %d %b %Y %H:%M:%S}"
        " +0000"
        "</pubDate></item>" for i in range(60))
    rss = f'<?xml version="1.0"?><rss version="2.0"><channel><title>M</title>{items}</channel>'
    rss += "</rss>"
    result = _parse(rss.encode(), max_items=10)
    assert len(result.headlines) == 10
    dates = sorted(datetime(2026, 1, 1 + i % 28, i // 28, tzinfo=UTC) for i in range(60))
    assert {h.published for h in result.headlines} == {d.isoformat() for d in dates[-10:]}
