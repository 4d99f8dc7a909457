"""Story metadata from a page: JSON-LD first, then Open Graph / <meta>, then the page itself."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from htmldate import find_date
from lxml.html import HtmlElement

from newsreader.parse.sanitize import clean_line
from newsreader.parse.urls import safe_url

__all__ = ["PageMeta", "extract_meta", "found_date", "iso_datetime"]

_ARTICLE_TYPES = frozenset({"newsarticle", "article", "reportagenewsarticle", "blogposting",
                            "analysisnewsarticle", "opinionnewsarticle", "report", "webpage"})
_TITLE_SUFFIX = re.compile(r"\s+[|\-–—•·]\s+[^|\-–—•·]{1,40}$")
_MAX_JSONLD = 512 * 1024  # a bigger JSON-LD script is not metadata
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})?(?:\d{2})?([+-]\d{4})?Z?$")


@dataclass
class PageMeta:
    """What the page says about itself; every string already sanitised."""

    title: str = ""
    description: str = ""
    published: str | None = None
    updated: str | None = None
    authors: list[str] = field(default_factory=list)
    site_name: str | None = None
    canonical_url: str | None = None
    base_url: str = ""
    language: str | None = None
    tags: list[str] = field(default_factory=list)


def iso_datetime(value: Any) -> str | None:
    """ISO 8601 with offset (naive times taken as UTC), or None when unparseable."""
    if not isinstance(value, str) or not value.strip():
        return None
    raw = value.strip()
    compact = _COMPACT.match(raw)
    if compact:  # RIA's "20171206T2025+0300Z": basic ISO 8601 with a stray Z
        y, mo, d, h, mi, tz = compact.groups()
        raw = f"{y}-{mo}-{d}T{h}:{mi or '00'}" + (f"{tz[:3]}:{tz[3:]}" if tz else "+00:00")
    elif raw.endswith(("Z", "z")):
        raw = raw[:-1] + "+00:00"
    try:
        dt = datetime.fromisoformat(raw)
    except ValueError:
        m = re.match(r"\d{4}-\d{2}-\d{2}", raw)  # "2026-02-23 garbage" → the date
        if not m:
            return None
        dt = datetime.fromisoformat(m.group(0))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.isoformat()


def found_date(root: HtmlElement, url: str) -> str | None:
    """The page's date as htmldate finds it (URL, visible dates, other markup), day precision.

    For a page whose metadata gives none, asked on the cleaned page (no scripts, styles or
    head; the metadata is read already): htmldate searches the page's serialised text, so
    there is less to search, and a date in a script is none of the story's (generic set:
    0.860 → 0.864 of dates right, trafilatura's own figure). Its extensive search hands free
    text to dateparser, which tries every locale it knows and recompiled their patterns on
    each call (~0.5 s a page on 2 cores): the quick search goes first, and finds most dates.
    Between the two, the first date printed in the page's text (text_date): on the 121
    generic pages the quick search leaves dateless, its numeric forms found one on 33 (right
    on 19 of the 23 with a known date, where the extensive search was right on 18) and month
    names on 23 more (2 right where the extensive search was wrong, 2 the other way round),
    and each saves that search: ~8 ms a page, ~50 ms where dateparser is first asked for a
    language.
    """
    try:
        found = find_date(root, url=url, extensive_search=False, original_date=True,
                          outputformat="%Y-%m-%d", deferred_url_extractor=True)
        if not found:
            found = text_date(root.text_content())
        if not found:
            found = find_date(root, url=url, extensive_search=True, original_date=True,
                              outputformat="%Y-%m-%d", deferred_url_extractor=True)
    except Exception:  # htmldate parses free text: a page must never fail on it
        return None
    return iso_datetime(found) if isinstance(found, str) else None


# Numeric dates as pages print them, with which groups hold year, month and day.
_TEXT_DATES = (
    (re.compile(r"\b((?:19|20)\d\d)-(\d\d)-(\d\d)\b"), (1, 2, 3)),  # 2017-12-06
    (re.compile(r"\b(\d{1,2})\.(\d{1,2})\.((?:19|20)\d\d)\b"), (3, 2, 1)),  # 06.12.2017
    (re.compile(r"\b(\d{1,2})/(\d{1,2})/(20\d\d)\b"), (3, 1, 2)),  # 12/6/2017
)
# Month names (and their short forms) in the corpus's main languages, genitive in uk/ru.
_MONTHS = {name: number for number, names in enumerate((
    "january jan januar janvier enero gennaio січня января",
    "february feb februar février febrero febbraio лютого февраля",
    "march mar märz mars marzo березня марта",
    "april apr avril abril aprile квітня апреля",
    "may mai mayo maggio травня мая",
    "june jun juni juin junio giugno червня июня",
    "july jul juli juillet julio luglio липня июля",
    "august aug août agosto серпня августа",
    "september sep sept septembre septiembre settembre вересня сентября",
    "october oct oktober octobre octubre ottobre жовтня октября",
    "november nov novembre noviembre листопада ноября",
    "december dec dezember décembre diciembre dicembre грудня декабря",
), 1) for name in names.split()}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_WORD_DATES = (
    # 6 December 2017, 6. Dezember 2017, 18 ноября 2017
    (re.compile(rf"\b(\d{{1,2}})\.?\s+({_MONTH})\.?,?\s+((?:19|20)\d\d)\b", re.I), (3, 2, 1)),
    # December 6, 2017
    (re.compile(rf"\b({_MONTH})\.?\s+(\d{{1,2}}),?\s+((?:19|20)\d\d)\b", re.I), (3, 1, 2)),
)
_OLDEST_YEAR = 1995  # htmldate's own lower bound: no news page is older


def _plausible(year: str, month: str, day: str) -> str | None:
    try:
        number = int(month) if month.isdigit() else _MONTHS[month.lower()]
        date = datetime(int(year), number, int(day), tzinfo=UTC)
    except (ValueError, KeyError):
        return None
    if date.year >= _OLDEST_YEAR and date <= datetime.now(UTC):
        return date.strftime("%Y-%m-%d")
    return None


def text_date(text: str) -> str | None:
    """The first plausible date printed in `text` (YYYY-MM-DD): a numeric one, of the first
    form that has one, else the first with a month's name (English, German, French, Spanish,
    Italian, Ukrainian, Russian).

    A form whose first match is no real date (31.02.2017) or lies outside 1995..today
    gives nothing, as htmldate's own check would, rather than a later match.
    """
    for pattern, (y, m, d) in _TEXT_DATES:
        match = pattern.search(text)
        if match is not None and (found := _plausible(match[y], match[m], match[d])):
            return found
    matches = [(match, groups) for pattern, groups in _WORD_DATES
               if (match := pattern.search(text)) is not None]
    for match, (y, m, d) in sorted(matches, key=lambda pair: pair[0].start()):
        if found := _plausible(match[y], match[m], match[d]):
            return found
    return None


def _names(value: Any) -> list[str]:
    """Names from a JSON-LD author/publisher value: str, {"name": ...} or a list of those."""
    values = value if isinstance(value, list) else [value]
    out = []
    for v in values[:20]:
        name = v.get("name") if isinstance(v, dict) else v
        if isinstance(name, list):
            name = name[0] if name else ""
        name = clean_line(name if isinstance(name, str) else "", 200)
        if name and name not in out:
            out.append(name)
    return out


def _jsonld_articles(root: HtmlElement) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for script in root.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        text = script.text or ""
        if len(text) > _MAX_JSONLD:
            continue
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            continue
        stack = [data]
        while stack and len(found) < 20:
            node = stack.pop()
            if isinstance(node, list):
                stack.extend(reversed(node[:50]))
            elif isinstance(node, dict):
                types = node.get("@type")
                types = types if isinstance(types, list) else [types]
                if any(isinstance(t, str) and t.lower() in _ARTICLE_TYPES for t in types):
                    found.append(node)
                if isinstance(node.get("@graph"), list):
                    stack.extend(reversed(node["@graph"][:50]))
    # Prefer a real article over a WebPage wrapper.
    found.sort(key=lambda n: str(n.get("@type")).lower() == "webpage")
    return found


def _meta_map(root: HtmlElement) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for meta in root.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip()
        content = meta.get("content")
        if key and content:
            out.setdefault(key.lower(), []).append(content)
    return out


def _lang(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    m = re.match(r"\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)*\s*$", value)
    return m.group(1).lower() if m else None


def extract_meta(root: HtmlElement, url: str) -> PageMeta:
    """Collect metadata from a parsed (not yet cleaned) document; for a date its text alone
    shows, ask found_date() once the document is cleaned."""
    meta = PageMeta()
    base = root.find(".//base")
    base_href = safe_url(base.get("href"), url) if base is not None else None
    meta.base_url = base_href or url  # `<base href="javascript:">` is ignored

    articles = _jsonld_articles(root)
    ld: dict[str, Any] = articles[0] if articles else {}
    m = _meta_map(root)

    def first(*keys: str) -> str:
        for key in keys:
            for value in m.get(key, []):
                if value.strip():
                    return value
        return ""

    h1 = root.find(".//h1")
    h1_text = "".join(h1.itertext()) if h1 is not None else ""
    title_el = root.find(".//title")
    page_title = _TITLE_SUFFIX.sub("", "".join(title_el.itertext())) if title_el is not None else ""
    headline = ld.get("headline") if isinstance(ld.get("headline"), str) else ""
    meta.title = clean_line(headline or first("og:title", "twitter:title") or h1_text or page_title)
    # A description that is only the site's name (RIA's og:description "РИА Новости") says
    # nothing about the story: the next one is asked.
    site = " ".join(first("og:site_name").casefold().split())
    descriptions = [ld.get("description") if isinstance(ld.get("description"), str) else ""]
    for key in ("og:description", "description", "twitter:description"):
        descriptions += m.get(key, [])
    meta.description = next(
        (text for text in (clean_line(d, 2000) for d in descriptions)
         if text and " ".join(text.casefold().split()) != site), "")

    time_el = root.find(".//time[@datetime]")
    meta.published = (iso_datetime(ld.get("datePublished"))
                      or iso_datetime(first("article:published_time", "pubdate", "date",
                                            "datepublished", "publishdate", "dc.date.issued",
                                            "dc.date", "sailthru.date", "parsely-pub-date"))
                      or iso_datetime(time_el.get("datetime") if time_el is not None else None))
    meta.updated = (iso_datetime(ld.get("dateModified"))
                    or iso_datetime(first("article:modified_time", "og:updated_time")))

    meta.authors = _names(ld.get("author")) if ld.get("author") else []
    if not meta.authors:
        meta.authors = _names([a for a in m.get("author", []) + m.get("article:author", [])
                               if not a.startswith("http")])
    publisher = _names(ld.get("publisher"))
    meta.site_name = clean_line(first("og:site_name"), 200) or (publisher[0] if publisher else None)

    canonical = None
    for link in root.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split():
            canonical = safe_url(link.get("href"), meta.base_url)
            break
    meta.canonical_url = canonical or safe_url(first("og:url"), meta.base_url)

    html_el = root if root.tag == "html" else root.find(".//html")
    meta.language = (_lang(ld.get("inLanguage")) or _lang(first("og:locale"))
                     or _lang(html_el.get("lang") if html_el is not None else None))

    keywords = ld.get("keywords")
    raw_tags: list[str] = []
    if isinstance(keywords, list):
        raw_tags = [k for k in keywords if isinstance(k, str)]
    elif isinstance(keywords, str):
        raw_tags = keywords.split(",")
    raw_tags = raw_tags or m.get("article:tag", []) or first("keywords", "news_keywords").split(",")
    for tag in raw_tags[:50]:
        tag = clean_line(tag, 100)
        if tag and tag not in meta.tags:
            meta.tags.append(tag)
    return meta
