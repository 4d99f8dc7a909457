"""Property-based fuzzing (hypothesis): sanitiser, feed and story parsers, URL allow-list."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from newsreader.errors import ParseError
from newsreader.models import Story
from newsreader.parse.feed import parse_feed
from newsreader.parse.sanitize import clean_line, sanitize_text
from newsreader.parse.story import parse_story
from newsreader.parse.urls import safe_url

BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
# Characters that build escape sequences, weighted in so hypothesis tries them often.
NASTY = st.sampled_from(["\x1b", "[", "]", "\\", "\x07", "\x9b", "\x9d", "\x9c", "\x90", "\x00",
                         "\r", "\t", "\n", ";", "0", "2", "J", "m", "P", "\u202e", "\u0301",
                         "\ud800", "\x7f", "\x85", "&#27;", "&#x1b;"])
TEXT = st.lists(st.one_of(NASTY, st.text(max_size=8)), max_size=40).map("".join)


def is_clean(s: str, *, newline_ok: bool = True) -> bool:
    for c in s:
        cp = ord(c)
        if c == "\n" and newline_ok:
            continue
        if cp < 0x20 or 0x7F <= cp <= 0x9F or c in BIDI or unicodedata.category(c) == "Cs":
            return False
    return True


# -- the sanitiser ------------------------------------------------------------------------------
@given(TEXT)
def test_sanitize_is_idempotent_clean_and_never_grows(s: str) -> None:
    """sanitize_text: f(f(x)) == f(x); no ESC/C0/C1/bidi/surrogate but \\n; len never grows."""
    out = sanitize_text(s)
    assert sanitize_text(out) == out
    assert is_clean(out)
    assert len(out) <= len(s)


@given(TEXT, st.integers(min_value=1, max_value=300))
def test_clean_line_is_one_clean_bounded_line(s: str, max_len: int) -> None:
    """clean_line: one line, no controls, at most max_len characters."""
    out = clean_line(s, max_len)
    assert is_clean(out, newline_ok=False)
    assert len(out) <= max_len


# -- the URL allow-list ---------------------------------------------------------------------------
URLISH = st.one_of(
    st.text(max_size=60),
    st.builds(lambda scheme, host, rest: f"{scheme}{host}{rest}",
              st.sampled_from(["http://", "https://", "HTTPS://", "javascript:", "java\tscript:",
                               "file://", "data:", "//", "", " https://", "-", "\x01http://"]),
              st.one_of(st.sampled_from(["a.example", "пример.рф", "bank.com@evil.example",
                                         "[::1]", "127.0.0.1:8080", "exa\u202emple.com",
                                         "a..b", "-x.com", "x.com:99999"]), st.text(max_size=12)),
              TEXT),
)


@given(URLISH, st.one_of(st.none(), URLISH))
def test_safe_url_only_lets_clean_http_urls_through(url: str, base: str | None) -> None:
    """safe_url: None, or an absolute http(s) URL with an ASCII host, no controls, stable."""
    out = safe_url(url, base)
    if out is None:
        return
    assert out.startswith(("http://", "https://"))
    assert out.isascii() or all(ord(c) > 0x20 for c in out)
    assert not any(ord(c) <= 0x20 or 0x7F <= ord(c) <= 0x9F or c in BIDI for c in out)
    netloc = out.split("://", 1)[1].split("/", 1)[0]
    assert "@" not in netloc and netloc.isascii() and netloc
    assert safe_url(out) == out  # what is shown is what is opened


# -- the parsers ----------------------------------------------------------------------------------
def _feed_doc(title: str, link: str, body: str, kind: int) -> bytes:
    if kind == 0:
        doc = (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}'
               f"</title><item><title>{title}</title><link>{link}</link><description>{body}"
               "</description><guid>g</guid></item></channel></rss>")
    else:
        doc = ('<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>x</id>'
               f'<title type="html">{title}</title><link href="{link}"/>'
               f'<content type="xhtml">{body}</content></entry></feed>')
    return doc.encode("utf-8", "surrogatepass")


FEED_BYTES = st.one_of(
    st.binary(max_size=3000),
    st.builds(_feed_doc, TEXT, URLISH, TEXT, st.integers(0, 1)),
)


@given(FEED_BYTES)
def test_parse_feed_never_raises_and_sanitises(data: bytes) -> None:
    """parse_feed on any bytes: a result or the documented ParseError; clean output strings."""
    try:
        result = parse_feed(data, "http://127.0.0.1/feed.xml", source_name="fuzz")
    except ParseError:
        return
    assert is_clean(result.title, newline_ok=False)
    for h in result.headlines:
        assert is_clean(h.title, newline_ok=False) and is_clean(h.summary, newline_ok=False)
        assert h.url == "" or safe_url(h.url) == h.url


def _page(title: str, href: str, body: str) -> bytes:
    html = (f"<html><head><title>{title}</title><base href='{href}'></head><body><article>"
            f"<h1>{title}</h1><p>{body} {body}</p><p>Read also: <a href='{href}'>{title}</a>"
            f"</p><img src='{href}' alt='{body}'></article></body></html>")
    return html.encode("utf-8", "surrogatepass")


STORY_BYTES = st.one_of(st.binary(max_size=3000), st.builds(_page, TEXT, URLISH, TEXT))


def _story_strings(story: Story) -> list[str]:
    out = [story.title, story.lead or "", story.source or "", *story.authors, *story.tags]
    for b in story.blocks:
        out += [b.text, b.alt or "", b.caption or "", b.attribution or "", *b.items]
    out += [r.title for r in story.related] + [r.summary or "" for r in story.related]
    return out


@given(STORY_BYTES)
def test_parse_story_never_raises_and_sanitises(data: bytes) -> None:
    """parse_story on any bytes: a Story or the documented ParseError; clean text and links."""
    try:
        story = parse_story(data, "http://127.0.0.1/story")
    except ParseError:
        return
    for text in _story_strings(story):
        assert is_clean(text), repr(text)
    for url in [*(r.url for r in story.related), *(b.src for b in story.blocks if b.src)]:
        assert safe_url(url) == url
