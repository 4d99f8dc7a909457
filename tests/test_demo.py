"""The demo edition: its transport, and the invented RNA site it serves, are complete and safe."""

from __future__ import annotations

import hashlib
import html
import importlib.util
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from importlib.resources import files

import feedparser
import httpx
import pytest

from newsreader.demo import (
    DEMO_BASE,
    DEMO_HOST,
    DEMO_SOURCES,
    MISSING_PAGE,
    WRITTEN_FOR,
    DemoTransport,
    demo_transport,
)
from newsreader.demo.calendar import shift_days
from newsreader.models import Story

NEWS = f"{DEMO_BASE}/news/"
UK_PAGES = {
    "lviv-punkty-obihrivu",
    "lviv-enerhoefektyvnist-shkil",
    "kharkivshchyna-hazopostachannia",
}
HOSTILE = "cyber-agency-warns-of-fake-links"
RECALL_LABEL = re.compile(r">\s*(?:Recall|Нагадаємо)\s*:?\s*<")
NEWS_HREF = re.compile(r'href="((?:https://demo\.newsreader\.invalid)?/news/[^"]+)"')
CHROME = ("cookies", "Most read", "Найпопулярніше", "$41.85", "All rights reserved", "Comments")


def page_slugs() -> list[str]:
    news = files("newsreader.demo") / "site" / "news"
    return sorted(p.name.removesuffix(".html") for p in news.iterdir() if p.name.endswith(".html"))


def page_text(slug: str) -> str:
    raw = (files("newsreader.demo") / "site" / "news" / f"{slug}.html").read_bytes()
    return raw.decode("cp1251" if slug in UK_PAGES else "utf-8")


def recall_target(text: str) -> str:
    """The URL the closing Recall block links to: the first story link after the last label."""
    labels = list(RECALL_LABEL.finditer(text))
    assert labels, "no Recall block"
    found = NEWS_HREF.search(text, labels[-1].end())
    assert found, "Recall block without a link"
    return found.group(1)


def slug_of(url: str) -> str:
    return url.removeprefix(DEMO_BASE).removeprefix("/news/").removesuffix(".html")


@pytest.fixture
async def client():
    async with httpx.AsyncClient(transport=demo_transport()) as c:
        yield c


def test_sources() -> None:
    assert len(DEMO_SOURCES) == 3
    assert all(s.folder == "Demo" and s.url.startswith(DEMO_BASE + "/feeds/") for s in DEMO_SOURCES)
    assert DEMO_HOST == "demo.newsreader.invalid"
    assert isinstance(demo_transport(), httpx.AsyncBaseTransport)


def test_sixteen_pages() -> None:
    assert len(page_slugs()) == 16


async def test_feeds_parse_and_every_item_opens(client: httpx.AsyncClient) -> None:
    in_feeds: set[str] = set()
    for source in DEMO_SOURCES:
        r = await client.get(source.url)
        assert r.status_code == 200
        assert r.headers["content-type"].startswith(("application/rss+xml", "application/atom+xml"))
        ET.fromstring(r.content)  # well-formed XML, whatever the declared encoding
        parsed = feedparser.parse(r.content, response_headers=dict(r.headers))
        assert not parsed.bozo, parsed.get("bozo_exception")
        assert len(parsed.entries) >= 3
        for entry in parsed.entries:
            assert entry.title and entry.link.startswith(NEWS) and entry.id
            assert entry.get("published_parsed") or entry.get("updated_parsed")
            assert entry.get("summary")
            page = await client.get(entry.link)
            assert page.status_code == 200, entry.link
            in_feeds.add(slug_of(entry.link))
    archive = set(page_slugs()) - in_feeds
    assert archive, "at least one page must be reachable only through Recall"


async def test_cp1251_feed(client: httpx.AsyncClient) -> None:
    r = await client.get(f"{DEMO_BASE}/feeds/regions-uk.rss")
    assert "charset" not in r.headers["content-type"]
    assert r.content.startswith(b'<?xml version="1.0" encoding="windows-1251"?>')
    with pytest.raises(UnicodeDecodeError):
        r.content.decode("utf-8")
    parsed = feedparser.parse(r.content, response_headers=dict(r.headers))
    assert parsed.encoding.lower() in ("windows-1251", "cp1251")
    assert {slug_of(e.link) for e in parsed.entries} == UK_PAGES
    assert "Львові" in parsed.entries[0].title


async def test_cp1251_pages(client: httpx.AsyncClient) -> None:
    for slug in sorted(UK_PAGES):
        r = await client.get(NEWS + slug)
        assert r.status_code == 200
        assert r.headers["content-type"] == "text/html"  # charset only in <meta>
        assert b'<meta charset="windows-1251">' in r.content
        with pytest.raises(UnicodeDecodeError):
            r.content.decode("utf-8")
        text = r.content.decode("windows-1251")
        for label in ("Нагадаємо", "Деталі", "переглядів"):
            assert label in text
    assert "Читайте також" in page_text("lviv-punkty-obihrivu")


async def test_utf8_pages_declare_charset(client: httpx.AsyncClient) -> None:
    r = await client.get(NEWS + "central-bank-holds-key-rate")
    assert r.headers["content-type"] == "text/html; charset=utf-8"


async def test_links_resolve_except_the_documented_missing_one(client: httpx.AsyncClient) -> None:
    missing: set[str] = set()
    for slug in page_slugs():
        for href in set(NEWS_HREF.findall(page_text(slug))):
            url = href if href.startswith("https://") else DEMO_BASE + href
            r = await client.get(url)
            if r.status_code == 404:
                missing.add(url)
            else:
                assert r.status_code == 200, (slug, url)
    assert missing == {MISSING_PAGE}


def test_recall_chains() -> None:
    slugs = set(page_slugs())
    recalls = {slug: slug_of(recall_target(page_text(slug))) for slug in slugs}
    assert sum(target not in slugs for target in recalls.values()) == 1
    assert slug_of(MISSING_PAGE) in recalls.values()

    def length(slug: str, seen: frozenset[str] = frozenset()) -> int:
        if slug not in recalls or slug in seen:
            return 0
        return 1 + length(recalls[slug], seen | {slug})

    assert max(length(s) for s in slugs) >= 4
    assert sum(length(s) >= 3 for s in slugs) >= 4
    dates = {
        s: re.search(r'published_time" content="([^"]+)"', page_text(s)).group(1) for s in slugs
    }
    for slug, target in recalls.items():
        if target in slugs:
            assert dates[target] < dates[slug], f"{slug} recalls a later story"


def test_pages_have_the_agency_shape() -> None:
    for slug in page_slugs():
        text = page_text(slug)
        assert f'<link rel="canonical" href="{NEWS}{slug}">' in text
        assert '"@type": "NewsArticle"' in text and 'property="og:title"' in text
        assert re.search(r">(?:Kyiv|Lviv|Odesa|Kharkiv|Dnipro|Львів|Харків) • RNA<", text)
        assert re.search(r"\d+(?: |&#160;)?\d* (?:views|переглядів)<", text)
        assert "$41.85" in text and "<footer>" in text and "<h2>" in text
        h1 = re.search(r"<h1>(.*?)</h1>", text).group(1)
        assert f'alt="{h1}"' in text and "<figcaption>" in text
        body = re.sub(r"<[^>]+>", " ", text.split("<article>")[1].split("</article>")[0])
        assert 150 <= len(body.split()) <= 450, slug


async def test_hostile_page_is_entity_encoded(client: httpx.AsyncClient) -> None:
    r = await client.get(NEWS + HOSTILE)
    assert b"[bold red]markup[/]" in r.content
    assert b"&#x1b;]0;pwned&#x07;" in r.content
    for slug in page_slugs():
        raw = (files("newsreader.demo") / "site" / "news" / f"{slug}.html").read_bytes()
        assert not re.search(rb"[\x00-\x08\x0b-\x1f\x7f]", raw), slug
    feed = await client.get(f"{DEMO_BASE}/feeds/politics.rss")
    assert b"[bold red]markup[/]" in feed.content


async def test_both_path_forms_and_etag(client: httpx.AsyncClient) -> None:
    a = await client.get(NEWS + "odesa-grain-shipments-rise")
    b = await client.get(NEWS + "odesa-grain-shipments-rise.html")
    assert a.status_code == b.status_code == 200 and a.content == b.content
    etag = a.headers["etag"]
    assert etag == '"' + hashlib.sha1(a.content).hexdigest() + '"'
    again = await client.get(a.url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    weak = await client.get(a.url, headers={"If-None-Match": f'"nope", W/{etag}'})
    assert weak.status_code == 304
    other = await client.get(a.url, headers={"If-None-Match": '"stale"'})
    assert other.status_code == 200
    head = await client.head(a.url)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(len(a.content))


@pytest.mark.parametrize(
    "path",
    [
        "/news/nope",
        "/",
        "/news/../__init__.py",
        "/news/%2e%2e/__init__.py",
        "/img/x.jpg",
        "/news/.hidden",
        "/politics",
        "/transport.py",
    ],
)
async def test_missing_and_traversal_are_404(client: httpx.AsyncClient, path: str) -> None:
    r = await client.get(DEMO_BASE + path)
    assert r.status_code == 404


async def test_missing_page_is_404(client: httpx.AsyncClient) -> None:
    assert (await client.get(MISSING_PAGE)).status_code == 404


@pytest.mark.parametrize(
    "url", ["https://example.com/", "http://127.0.0.1:9/", "https://demo.newsreader.invalid.evil/"]
)
async def test_other_hosts_are_refused(client: httpx.AsyncClient, url: str) -> None:
    with pytest.raises(httpx.ConnectError, match="demo edition: no network"):
        await client.get(url)


async def test_post_is_not_allowed(client: httpx.AsyncClient) -> None:
    r = await client.post(NEWS + HOSTILE, content=b"x")
    assert r.status_code == 405


async def test_latency_knob() -> None:
    transport = DemoTransport(latency=0.01)
    async with httpx.AsyncClient(transport=transport) as c:
        assert (await c.get(NEWS + HOSTILE)).status_code == 200


HAS_STORY_PARSER = importlib.util.find_spec("newsreader.parse.story") is not None
READ_ALSO_LABEL = re.compile(r">\s*(?:Read also|Читайте також)\s*:?\s*<")


def parsed(slug: str) -> Story:
    from newsreader.parse.story import parse_story

    raw = (files("newsreader.demo") / "site" / "news" / f"{slug}.html").read_bytes()
    ctype = "text/html" if slug in UK_PAGES else "text/html; charset=utf-8"
    return parse_story(raw, NEWS + slug, headers={"content-type": ctype})


@pytest.mark.skipif(not HAS_STORY_PARSER, reason="parse.story not written yet")
@pytest.mark.parametrize("slug", page_slugs())
def test_every_page_parses_as_a_news_story(slug: str) -> None:
    text = page_text(slug)
    story = parsed(slug)
    h1 = re.search(r"<h1>(.*?)</h1>", text).group(1)
    assert story.title == html.unescape(h1)
    assert story.dateline and story.dateline.place and story.dateline.agency == "RNA"
    views = re.search(r"([\d &#;160]+) (?:views|переглядів)<", text).group(1)
    assert story.views == int(re.sub(r"\D|160", "", views.replace("&#160;", "")))
    assert story.lead and story.lead in html.unescape(text)
    assert story.language == ("uk" if slug in UK_PAGES else "en")
    assert story.encoding == ("windows-1251" if slug in UK_PAGES else "utf-8")
    recall = [link for link in story.related if link.kind == "recall"]
    assert [link.url for link in recall] == [recall_target(text)]
    headings = [b.text for b in story.blocks if b.type == "heading"]
    assert headings == ["Деталі" if slug in UK_PAGES else "Details"]
    quotes = [b for b in story.blocks if b.type == "quote"]
    assert len(quotes) == text.count("<blockquote")
    assert all(q.attribution and f"<p>- {q.attribution}." in html.unescape(text) for q in quotes)
    images = [b for b in story.blocks if b.type == "image"]
    assert len(images) == 1 and images[0].alt == story.title
    texts = [b.text for b in story.blocks] + [b.caption or "" for b in story.blocks]
    assert story.title not in texts  # the alt-text repeat is not body text
    for chrome in CHROME:
        assert not any(chrome in t for t in texts), (chrome, slug)
    assert not any("\x1b" in t or "\x07" in t for t in [story.title, *texts])


READ_ALSO_PAGES = [s for s in page_slugs() if READ_ALSO_LABEL.search(page_text(s))]


@pytest.mark.skipif(not HAS_STORY_PARSER, reason="parse.story not written yet")
@pytest.mark.parametrize("slug", READ_ALSO_PAGES)
def test_read_also_boxes_become_related_links(slug: str) -> None:
    text = page_text(slug)
    label = READ_ALSO_LABEL.search(text)
    target = NEWS_HREF.search(text, label.end()).group(1)
    story = parsed(slug)
    assert target in [link.url for link in story.related if link.kind == "read_also"]


async def test_feeds_through_the_feed_parser(client: httpx.AsyncClient) -> None:
    feed = pytest.importorskip("newsreader.parse.feed")
    for source in DEMO_SOURCES:
        r = await client.get(source.url)
        result = feed.parse_feed(r.content, source.url, source_name=source.name, headers=r.headers)
        assert result.warnings == []
        assert len(result.headlines) >= 3
        for h in result.headlines:
            assert h.url.startswith(NEWS) and h.title and h.published and h.summary
        if source.url.endswith("regions-uk.rss"):  # windows-1251, declared only in the XML
            assert result.headlines[0].title == "У Львові запрацювали ще 12 пунктів обігріву"
        if source.url.endswith("politics.rss"):  # markup-like text stays literal text
            assert any("[bold red]markup[/]" in h.title for h in result.headlines)


# -- the demo's calendar: dated relative to today ----------------------------------------------


def test_the_demo_is_served_as_written_at_the_moment_it_was_written_for() -> None:
    from tests.ui_fakes import DEMO_NOW

    assert DEMO_NOW == WRITTEN_FOR and shift_days(WRITTEN_FOR) == 0
    transport = demo_transport(now=WRITTEN_FOR)
    for slug in page_slugs():
        raw = (files("newsreader.demo") / "site" / "news" / f"{slug}.html").read_bytes()
        assert transport._load(f"/news/{slug}") == (f"{slug}.html", raw)


def _body(transport: DemoTransport, path: str) -> bytes:
    found = transport._load(path)
    assert found is not None, path
    return found[1]


def _feed_dates(body: bytes) -> list[datetime]:
    text = body.decode("windows-1251" if b"windows-1251" in body[:100] else "utf-8")
    found = [datetime.fromisoformat(d) for d in re.findall(r"<published>([^<]+)<", text)]
    for weekday, stamp in re.findall(r"<pubDate>(\w{3}), ([^<]+)<", text):
        when = datetime.strptime(stamp, "%d %b %Y %H:%M:%S %z")
        assert when.strftime("%a") == weekday, "the weekday follows the date"
        found.append(when)
    return found


@pytest.mark.parametrize("now", [
    datetime(2026, 12, 7, 5, 10, tzinfo=UTC),  # a morning two weeks later
    datetime(2027, 3, 1, 23, 59, tzinfo=UTC),  # across a month and a year, late at night
    datetime(2027, 3, 2, 14, 0, tzinfo=UTC),
])
async def test_the_demo_is_dated_relative_to_today(now: datetime) -> None:
    """Its newest story is a few hours old (2 to 26), whatever the day: never weeks stale."""
    written = DemoTransport()
    moved = demo_transport(now=now)
    days = shift_days(now)
    dates = []
    for source in DEMO_SOURCES:
        path = source.url.removeprefix(DEMO_BASE)
        before = _feed_dates(_body(written, path))
        after = _feed_dates(_body(moved, path))
        assert {a - b for a, b in zip(after, before, strict=True)} == {timedelta(days=days)}, \
            "every date moves by the same whole days: times of day stay"
        dates += after
    assert timedelta(hours=2) <= now - max(dates) < timedelta(hours=26)
    # The pages agree with their feeds, in their own language and encoding.
    page = _body(moved, "/news/lviv-punkty-obihrivu")
    day = datetime(2026, 11, 23, 11, 30) + timedelta(days=days)
    month = ["січня", "лютого", "березня", "квітня", "травня", "червня", "липня", "серпня",
             "вересня", "жовтня", "листопада", "грудня"][day.month - 1]
    assert f">{day.day} {month} 11:30</time>".encode("windows-1251") in page
    assert f'"datePublished": "{day:%Y-%m-%d}T11:30:00+02:00"'.encode() in page


async def test_the_demo_app_today_lists_stories_hours_old() -> None:
    """The real Reader on the demo, at the real current time: the newest headline is hours old."""
    from newsreader.config import Config
    from newsreader.dates import parse_time
    from newsreader.services.wiring import open_reader

    reader = open_reader(Config(sources=list(DEMO_SOURCES)), demo=True)
    try:
        await reader.refresh()
        newest = max(parse_time(h.published) for h in reader.headlines() if h.published)
    finally:
        await reader.aclose()
    assert timedelta(hours=2) <= datetime.now(UTC) - newest < timedelta(hours=26)
