"""Parse RSS 2.0 / Atom / RDF bytes into sanitised Headlines (feedparser, given bytes only)."""

from __future__ import annotations

import calendar
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, cast

import charset_normalizer
import feedparser

from newsreader.errors import ParseError
from newsreader.models import Headline
from newsreader.parse.encoding import charset_from_content_type, normalize_encoding, sniff_bom
from newsreader.parse.html_util import fragment_text
from newsreader.parse.sanitize import clean_line, sanitize_text
from newsreader.parse.urls import safe_url

__all__ = ["FeedResult", "parse_feed"]

SUMMARY_MAX = 400
TITLE_MAX = 300
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_PY_CODECS = {"x-mac-cyrillic": "mac_cyrillic"}
_CYRILLIC_CODECS = frozenset({"windows-1251", "koi8-r", "koi8-u", "iso-8859-5", "ibm866",
                              "x-mac-cyrillic"})
# Not "malformed": feedparser's notes about a missing Content-Type or a guessed encoding.
_BENIGN_BOZO = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_XML_DECL = re.compile(rb"^\s*<\?xml[^>]*\?>", re.S)
# Numeric references feedparser cannot turn into text: it crashes on surrogates (&#xD800;).
_CHARREF = re.compile(rb"&#([xX][0-9a-fA-F]{1,16}|[0-9]{1,20});")
# An internal DTD subset: feeds never need one, and entity declarations are how billion-laughs
# and XXE payloads arrive (expat stops them, but only after seconds of work).
_DTD_SUBSET = re.compile(rb"<!DOCTYPE\s[^\[>]*\[.*?\]\s*>", re.S | re.I)
_ITEM_END = re.compile(rb"</(?:[A-Za-z][\w.-]*:)?(?:item|entry)\s*>")
SCAN_ITEMS = 2000  # feedparser needs ~0.3 ms per element: 50,000 items would take many seconds
_SCAN_FROM = 512 * 1024  # smaller documents cannot hold enough items to matter
_HTML_START = re.compile(
    rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S
)

# feedparser has no type hints. What it returns, and each entry in it, is a FeedParserDict: a
# dict subclass of untyped values (str, nested FeedParserDicts, lists, time.struct_time).
ParsedFeed = dict[str, Any]
Entry = dict[str, Any]


@dataclass
class FeedResult:
    """What a feed gave: its title, the headlines (newest `max_items`) and any warnings."""

    title: str
    headlines: list[Headline] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    ttl_minutes: int | None = None
    link: str | None = None


def _looks_html(content: bytes) -> bool:
    return bool(_HTML_START.match(content[:2048]))


def _looks_json_feed(content: bytes) -> bool:
    head = content[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"{") and b"jsonfeed.org/version" in head


def _feedparse(content: bytes, url: str, headers: Mapping[str, str]) -> ParsedFeed:
    # Bytes plus headers, never a str: feedparser opens a str as a path or a URL.
    response_headers = {k.lower(): v for k, v in headers.items()}
    response_headers.setdefault("content-location", url)
    if b"<!ENTITY" in content[:65536]:
        content = _DTD_SUBSET.sub(b"", content, count=1)
    if b"&#" in content:
        content = _CHARREF.sub(_safe_charref, content)
    try:
        parsed = feedparser.parse(content, response_headers=response_headers, sanitize_html=True)
        return cast(ParsedFeed, parsed)  # a FeedParserDict; feedparser is untyped
    except Exception:  # feedparser bugs on hostile bytes must not end the whole refresh
        raise ParseError(url, "malformed feed (the parser gave up)") from None


def _cap_items(content: bytes) -> bytes | None:
    """The document cut after its SCAN_ITEMS-th item (its closing tags kept), or None."""
    if len(content) < _SCAN_FROM:
        return None
    ends = _ITEM_END.finditer(content)
    cut = next((m for i, m in enumerate(ends, 1) if i == SCAN_ITEMS), None)
    if cut is None:
        return None
    last = None
    for last in ends:  # noqa: B007 - only the last item end matters: the trailer follows it
        pass
    trailer = content[last.end():] if last is not None else b""
    if len(trailer) > 4096:
        return None  # not the simple shape we can cut safely
    return content[: cut.end()] + trailer


def _safe_charref(match: re.Match[bytes]) -> bytes:
    ref = match.group(1)
    value = int(ref[1:], 16) if ref[:1] in b"xX" else int(ref)
    if 0xD800 <= value <= 0xDFFF or value > 0x10FFFF:
        return b"&#xFFFD;"
    return match.group(0)


def _from_bom(content: bytes, url: str, headers: Mapping[str, str]) -> ParsedFeed | None:
    """A document with a byte-order mark is decoded by it (it cannot lie), whatever it declares.

    feedparser 6.0 ignores a UTF-16/32 BOM without a declaration ("not well-formed") and lets
    a declaration override a UTF-8 BOM (mojibake).
    """
    bom = sniff_bom(content)
    if bom is None:
        return None
    return _reparse_as(content, bom, url, headers)


def _cyrillic_guess(content: bytes) -> str | None:
    """A Cyrillic single-byte encoding for `content`, if that is what it looks like."""
    if content.isascii():
        return None
    # Stray control bytes make charset-normalizer call the whole thing binary.
    sample = _CONTROL_BYTES.sub(b"", content[: 256 * 1024])
    best = charset_normalizer.from_bytes(sample).best()
    name = normalize_encoding(best.encoding) if best is not None else None
    if name in _CYRILLIC_CODECS:
        return name
    if best is None:
        # Undetectable: Cyrillic text in windows-1251 is mostly bytes 0xC0-0xFF (the letters).
        high = [b for b in sample if b >= 0x80]
        if len(high) >= 20 and sum(b >= 0xC0 for b in high) / len(high) > 0.8:
            return "windows-1251"
    return None


def _fell_back_to_latin(d: ParsedFeed, content: bytes, headers: Mapping[str, str]) -> bool:
    """feedparser guessed windows-1252/latin-1 although neither header nor XML declared it."""
    if normalize_encoding(d.get("encoding")) != "windows-1252":
        return False
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    if charset_from_content_type(content_type):
        return False
    decl = _XML_DECL.match(content[:1024])
    return not (decl and b"encoding" in decl.group(0)) or isinstance(
        d.get("bozo_exception"), feedparser.CharacterEncodingOverride
    )


def _reparse_as(
    content: bytes, encoding: str, url: str, headers: Mapping[str, str]
) -> ParsedFeed:
    # WHATWG names are not always Python codec names ("x-mac-cyrillic": found by fuzzing).
    codec = _PY_CODECS.get(encoding, encoding)
    text = content.decode(codec, errors="replace").removeprefix("\ufeff")
    body = _XML_DECL.sub(b"", text.encode("utf-8"), count=1)
    hdrs = {k: v for k, v in headers.items() if k.lower() != "content-type"}
    hdrs["content-type"] = "application/xml; charset=utf-8"
    return _feedparse(b'<?xml version="1.0" encoding="utf-8"?>' + body, url, hdrs)


def _text(entry: Mapping[str, Any], key: str, max_len: int) -> str:
    """A field as one clean line; HTML types have their tags stripped, text types stay literal."""
    value = entry.get(key)
    if not value:
        return ""
    detail = entry.get(f"{key}_detail") or {}
    if detail.get("type") in _HTML_TYPES:
        # Cut before parsing: a 10 MB description must not cost a 10 MB DOM for 400 chars.
        value = fragment_text(value[: max_len * 40])
    return clean_line(value, max_len)


def _iso_date(entry: Entry, now: datetime) -> str | None:
    """ISO 8601 with offset: the feed's own offset if given, else UTC; future dates → now."""
    for key in ("published", "updated", "created"):
        # dict.get: FeedParserDict.get("updated") warns and aliases "published" (issue 310).
        raw = dict.get(entry, key)
        parsed = dict.get(entry, f"{key}_parsed")
        dt: datetime | None = None
        if isinstance(raw, str) and raw.strip():
            dt = _parse_raw_date(raw.strip())
        if dt is None and parsed:
            try:
                dt = datetime.fromtimestamp(calendar.timegm(parsed), UTC)
            except (OverflowError, ValueError, OSError):
                dt = None
        if dt is None:
            continue
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=UTC)
        if dt > now:
            dt = now  # a year-3000 item must not stay on top forever
        return dt.isoformat()
    return None


def _parse_raw_date(raw: str) -> datetime | None:
    try:
        return parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError, OverflowError):
        pass
    try:
        return datetime.fromisoformat(raw)
    except ValueError:
        return None


def _entry_id(entry: Mapping[str, Any], link: str, title: str, published: str | None) -> str:
    guid = sanitize_text(str(entry.get("id") or "")).strip()
    if guid and len(guid) <= 2048:
        return guid
    if link:
        return link
    return hashlib.sha1(f"{title}\n{published or ''}".encode()).hexdigest()


def _headline(entry: Entry, url: str, source_name: str, now: datetime) -> Headline:
    summary = _text(entry, "summary", SUMMARY_MAX)
    if not summary and entry.get("content"):
        content = entry["content"][0]
        summary = _text({"summary": content.get("value"), "summary_detail": content},
                        "summary", SUMMARY_MAX)
    title = _text(entry, "title", TITLE_MAX)
    if not title:
        title = clean_line(" ".join(summary.split()[:12]), 100) or "(untitled)"
    link = safe_url(entry.get("link"), base=url) or ""
    published = _iso_date(entry, now)
    return Headline(
        id=_entry_id(entry, link, title, published),
        source_url=url,
        source_name=source_name,
        title=title,
        url=link,
        published=published,
        summary=summary,
    )


def _sort_key(h: Headline) -> datetime:
    return datetime.fromisoformat(h.published) if h.published else datetime.min.replace(tzinfo=UTC)


def _ttl(feed: Mapping[str, Any]) -> int | None:
    try:
        ttl = int(str(feed.get("ttl", "")).strip())
    except ValueError:
        return None
    return ttl if 0 < ttl <= 7 * 24 * 60 else None


def parse_feed(
    content: bytes,
    url: str,
    *,
    source_name: str,
    headers: Mapping[str, str] | None = None,
    max_items: int = 500,
) -> FeedResult:
    """Parse feed bytes. Raises ParseError for empty input, HTML pages and non-feeds."""
    headers = headers or {}
    if not content or not content.strip():
        raise ParseError(url, "empty response")
    warnings: list[str] = []
    capped = _cap_items(content)
    if capped is not None:
        content = capped
        warnings.append(f"feed truncated (first {SCAN_ITEMS} items read)")
    d = _from_bom(content, url, headers)
    if d is None:
        d = _feedparse(content, url, headers)
    if not d.get("version") and not d.get("entries"):
        if _looks_html(content):
            raise ParseError(url, "not a feed (got HTML)")
        if _looks_json_feed(content):
            raise ParseError(url, "unsupported format (JSON Feed)")
        raise ParseError(url, "not a feed")
    if _fell_back_to_latin(d, content, headers):
        guess = _cyrillic_guess(content)
        if guess:
            d = _reparse_as(content, guess, url, headers)
            warnings.append("encoding guessed")
    if d.get("bozo") and not isinstance(d.get("bozo_exception"), _BENIGN_BOZO):
        warnings.append("malformed feed")

    now = datetime.now(UTC).replace(microsecond=0)
    headlines: list[Headline] = []
    seen: set[str] = set()
    for entry in d.get("entries", []):
        h = _headline(entry, url, source_name, now)
        if h.id in seen:
            continue  # duplicate guid: the first (feeds list newest first) wins
        seen.add(h.id)
        headlines.append(h)
    if len(headlines) > max_items:
        # Keep the newest; undated items count as oldest. Feed order is preserved.
        ranked = sorted(range(len(headlines)), key=lambda i: _sort_key(headlines[i]),
                        reverse=True)
        keep = set(ranked[:max_items])
        headlines = [h for i, h in enumerate(headlines) if i in keep]

    feed = d.get("feed", {})
    return FeedResult(
        title=_text(feed, "title", TITLE_MAX) or clean_line(source_name, TITLE_MAX),
        headlines=headlines,
        warnings=warnings,
        ttl_minutes=_ttl(feed),
        link=safe_url(feed.get("link"), base=url),
    )
