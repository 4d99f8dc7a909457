"""Catalogue B (E1–E6): encodings served from 127.0.0.1, read through Reader refresh/open_story."""

from __future__ import annotations

import time
import unicodedata

import pytest

from newsreader.parse.feed import TITLE_MAX
from newsreader.services.reader import Reader
from tests.hostile.helpers import open_reader, rss
from tests.http_server import TestServer

TITLES = [
    "Уряд ухвалив програму підготовки до зими",
    "Київрада затвердила бюджет міста на наступний рік",
    "Харків відкрив нові підземні класи для школярів",
    "Одеський порт збільшив відвантаження зерна",
    "Львівські школи отримають енергоефективні вікна",
]
PAGE_TEXT = ("Київ, УНН. Міська рада ухвалила рішення про продовження роботи пунктів обігріву. "
             "Про це повідомили у пресслужбі. Нагадаємо, що взимку працювали сотні пунктів. ")


def cyrillic_feed(encoding: str, *, declare: bool) -> bytes:
    body = "".join(
        f"<item><title>{t}</title><link>http://127.0.0.1:9/{i}</link><guid>g{i}</guid>"
        f"<description>{t}. Подробиці згодом.</description></item>"
        for i, t in enumerate(TITLES)
    )
    decl = f'<?xml version="1.0" encoding="{encoding}"?>' if declare else ""
    text = f'{decl}<rss version="2.0"><channel><title>Новини</title>{body}</channel></rss>'
    return text.encode(encoding)


def story_page(charset_meta: str | None, encoding: str) -> bytes:
    meta = f'<meta charset="{charset_meta}">' if charset_meta else ""
    html = (f"<!DOCTYPE html><html><head>{meta}<title>{TITLES[0]}</title></head><body><article>"
            f"<h1>{TITLES[0]}</h1>" + f"<p>{PAGE_TEXT}</p>" * 4 + "</article></body></html>")
    return html.encode(encoding)


async def titles_of(reader: Reader) -> list[str]:
    progress = await reader.refresh()
    assert not progress.errors, progress.errors
    return sorted(h.title for h in reader.headlines())


# -- E1, E2 ---------------------------------------------------------------------------------
async def test_e1_cp1251_feed_with_charset_header_only(http_server: TestServer):
    """E1: cp1251 feed, no XML declaration, `charset=windows-1251` header → correct Cyrillic."""
    http_server.route("/feed.xml", cyrillic_feed("windows-1251", declare=False),
                      content_type="application/rss+xml; charset=windows-1251")
    reader = open_reader(http_server, ["/feed.xml"])
    assert await titles_of(reader) == sorted(TITLES)
    await reader.aclose()


async def test_e2_cp1251_feed_without_any_declaration_is_guessed(http_server: TestServer):
    """E2: cp1251 with no declaration anywhere → re-detected, never mojibake; "encoding guessed"."""
    http_server.route("/feed.xml", cyrillic_feed("windows-1251", declare=False),
                      content_type="application/rss+xml")
    reader = open_reader(http_server, ["/feed.xml"])
    progress = await reader.refresh()
    assert not progress.errors
    titles = sorted(h.title for h in reader.headlines())
    assert titles == sorted(TITLES)
    assert not any("Í" in t or "î" in t for t in titles)
    assert progress.warnings == {"Feed 0": "encoding guessed"}
    await reader.aclose()


# -- E3 -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("encoding", "meta", "header"),
    [
        ("windows-1251", "windows-1251", "text/html"),
        ("koi8-u", "koi8-u", "text/html"),
        ("windows-1251", "windows-1251", "text/html; charset=utf-8"),  # the header lies
        ("koi8-u", None, "text/html; charset=utf-8"),  # lies, and no meta at all
    ],
    ids=["cp1251-meta", "koi8u-meta", "cp1251-lying-header", "koi8u-lying-no-meta"],
)
async def test_e3_article_charset_from_meta_or_detection(
    http_server: TestServer, encoding: str, meta: str | None, header: str
):
    """E3: article bytes with <meta charset> only, or a lying utf-8 header → no screen of �."""
    http_server.route("/story", story_page(meta, encoding), content_type=header)
    reader = open_reader(http_server, [])
    story = await reader.stories.fetch_story(http_server.url("/story"))
    assert story.title == TITLES[0]
    text = " ".join(b.text for b in story.blocks) + (story.lead or "")
    assert "обігріву" in text
    assert "\ufffd" not in text
    await reader.aclose()


# -- E4 -------------------------------------------------------------------------------------
BAD_BYTES = [
    b"caf\xe9 invalid",  # latin-1 byte inside UTF-8
    b"overlong \xc0\xaf slash",
    b"surrogate &#xD800; ref",
    b"nul &#0; ref",
    b"esc &#x1b;[31m ref",
    b"raw nul \x00 and esc \x1b]0;PWNED\x07 bytes",
]


def _clean(s: str) -> bool:
    return not any(
        unicodedata.category(c) == "Cs" or c in "\x00\x1b\x07" for c in s
    )


async def test_e4_invalid_bytes_and_refs_store_only_valid_utf8(http_server: TestServer):
    """E4: invalid UTF-8, overlong, &#xD800;, &#0;, &#x1b; → replaced/removed; cache holds UTF-8."""
    body = b"".join(
        b"<item><title>" + raw + b"</title><guid>e4-" + str(i).encode() + b"</guid>"
        b"<description>" + raw + b"</description></item>"
        for i, raw in enumerate(BAD_BYTES)
    )
    feed = b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>' + body + \
        b"</channel></rss>"
    http_server.route("/feed.xml", feed, content_type="application/rss+xml; charset=utf-8")
    reader = open_reader(http_server, ["/feed.xml"])
    await reader.refresh()
    heads = reader.headlines()
    assert len(heads) == len(BAD_BYTES)
    for h in heads:
        assert _clean(h.title) and _clean(h.summary), (h.title, h.summary)
        h.title.encode("utf-8")  # strict: no lone surrogate survived
    raw = reader.cache._read(f"v1:json:headlines:{reader.sources[0].url}")
    assert isinstance(raw, bytes)
    raw.decode("utf-8")  # strict
    await reader.aclose()
    # The next start reads the same cache without trouble (cf. newsboat#2899).
    again = open_reader(http_server, ["/feed.xml"])
    assert len(again.headlines()) == len(BAD_BYTES)
    await again.aclose()


async def test_e4_story_page_with_invalid_bytes(http_server: TestServer):
    """E4: an article with broken bytes and hostile numeric refs parses to clean text."""
    page = (b"<html><head><meta charset='utf-8'><title>Broken \xff\xfe bytes &#xD800;</title>"
            b"</head><body><article><h1>Broken</h1>"
            + b"<p>Text with &#0; and &#x1b;]52;c;SGVsbG8=&#x07; and \xc0\xaf here. "
            + b"More words to make a paragraph of it. " * 5 + b"</p></article></body></html>")
    http_server.route("/story", page)
    reader = open_reader(http_server, [])
    story = await reader.stories.fetch_story(http_server.url("/story"))
    for text in [story.title, *(b.text for b in story.blocks)]:
        assert _clean(text), text
        assert "52;c;" not in text
    await reader.aclose()


# -- E5 -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("utf16-bom", b"\xff\xfe" + cyrillic_feed("utf-16-le", declare=False),
         "application/rss+xml"),
        ("utf32-bom", b"\xff\xfe\x00\x00" + cyrillic_feed("utf-32-le", declare=False),
         "application/rss+xml"),
        ("utf8-bom-says-1251", b"\xef\xbb\xbf" + cyrillic_feed("utf-8", declare=False).replace(
            b"<rss", b'<?xml version="1.0" encoding="windows-1251"?><rss', 1),
         "application/rss+xml"),
        ("x-bogus", cyrillic_feed("utf-8", declare=False).replace(
            b"<rss", b'<?xml version="1.0" encoding="x-bogus"?><rss', 1),
         "application/rss+xml; charset=x-bogus"),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 30 else "",
)
async def test_e5_bom_wins_and_unknown_labels_fall_back(
    http_server: TestServer, name: str, data: bytes, content_type: str
):
    """E5: UTF-16/32 with BOM, a BOM contradicting the declaration, label x-bogus → right text."""
    http_server.route("/feed.xml", data, content_type=content_type)
    reader = open_reader(http_server, ["/feed.xml"])
    assert await titles_of(reader) == sorted(TITLES)
    await reader.aclose()


@pytest.mark.parametrize("bom,encoding", [(b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")])
async def test_e5_story_page_with_utf16_bom(http_server: TestServer, bom: bytes, encoding: str):
    """E5: a UTF-16 article with a BOM (and a contradicting meta) decodes by its BOM."""
    http_server.route("/story", bom + story_page("windows-1251", encoding),
                      content_type="text/html; charset=x-bogus")
    reader = open_reader(http_server, [])
    story = await reader.stories.fetch_story(http_server.url("/story"))
    assert story.title == TITLES[0]
    await reader.aclose()


# -- E6 -------------------------------------------------------------------------------------
async def test_e6_display_attacks_in_titles(http_server: TestServer):
    """E6: bidi overrides, zalgo, ZWJ emoji, a 10 MB title, bidi/IDN hosts → safe and bounded."""
    zalgo = "Z" + "\u0301" * 500 + "algo"
    huge = "A" * 10_000_000  # 10 MB: just under the 10 MiB response cap
    entries = [
        {"title": "evil\u202egnp.exe", "link": "http://127.0.0.1:9/bidi", "guid": "e6-bidi"},
        {"title": zalgo, "link": "http://127.0.0.1:9/zalgo", "guid": "e6-zalgo"},
        {"title": "family 👨\u200d👩\u200d👧 wide 全角", "link": "http://127.0.0.1:9/zwj",
         "guid": "e6-zwj"},
        {"title": huge, "link": "http://127.0.0.1:9/huge", "guid": "e6-huge"},
        {"title": "bidi host", "link": "http://exa\u202emple.com/x", "guid": "e6-host"},
        {"title": "idn host", "link": "http://пример.испытание/путь", "guid": "e6-idn"},
    ]
    http_server.route("/feed.xml", rss(entries), content_type="application/rss+xml")
    reader = open_reader(http_server, ["/feed.xml"])
    started = time.monotonic()
    progress = await reader.refresh()
    assert time.monotonic() - started < 10
    assert not progress.errors
    # feedparser resolves a relative guid against the feed URL: key by its last segment.
    by_id = {h.id.rsplit("/", 1)[-1]: h for h in reader.headlines()}
    assert by_id["e6-bidi"].title == "evilgnp.exe"
    zt = by_id["e6-zalgo"].title
    assert zt.count("\u0301") <= 4 and zt.endswith("algo")
    assert "👨\u200d👩\u200d👧" in by_id["e6-zwj"].title  # legitimate ZWJ emoji survive
    assert len(by_id["e6-huge"].title) <= TITLE_MAX and by_id["e6-huge"].title.endswith("…")
    assert by_id["e6-host"].url == ""  # not openable
    assert by_id["e6-idn"].url.startswith("http://xn--e1afmkfd.xn--80akhbyknj4f/")
    await reader.aclose()
