"""Parse a story page (bytes) into a structured, sanitised Story."""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from newsreader.errors import ParseError
from newsreader.models import Story
from newsreader.parse.encoding import decode_bytes
from newsreader.parse.fields import norm
from newsreader.parse.generic import extract_generic
from newsreader.parse.html_meta import extract_meta, found_date
from newsreader.parse.html_util import DROP_TAGS, parse_document_checked
from newsreader.parse.news import Item, assemble
from newsreader.parse.sanitize import clean_line
from newsreader.parse.urls import safe_url
from newsreader.parse.walk import (
    MAX_ITEMS,
    ArticleParts,
    TooComplex,
    find_article_root,
    find_text_region,
    lift_specials,
    paragraph_key,
    walk_article,
)

__all__ = ["parse_story"]

_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b",
                 b"RIFF", b"OggS", b"\x00\x00\x01\x00", b"BM", b"ID3", b"\x7fELF")
_NOT_HTML_TYPES = re.compile(r"^\s*(?:image|audio|video|font)/|^\s*application/(?!xhtml|xml)", re.I)
_HTML_TAG = re.compile(rb"<\s*(?:!doctype\s+html|html|head|body|p|div|article|h1|title|meta)\b",
                       re.I)
# Not <form>: ASP.NET sites wrap the whole page in one (a real page came out empty).
_CHROME_CONTAINERS = ("header", "footer", "nav", "aside")
# Tags ("<") read at most: ~50k elements. Walking a flat 500k-<p> page (4 MB, under the byte
# cap) took 13 s; real story pages have a few thousand.
MAX_TAGS = 100_000
# Above this many tags the generic extractor is skipped: on a flat 50k-<p> page it took 7 s,
# and real story pages stay far below it (the largest of 884 real pages has 19,629).
GENERIC_MAX_TAGS = 30_000


def _cap_tags(content: bytes, limit: int = MAX_TAGS) -> bytes | None:
    """`content` cut just before its limit-th "<", or None when it has fewer."""
    if content.count(b"<") <= limit:
        return None
    pos = -1
    for _ in range(limit):
        pos = content.find(b"<", pos + 1)
    return content[:pos]


def _content_type(headers: Mapping[str, str] | None) -> str | None:
    for key, value in (headers or {}).items():
        if key.lower() == "content-type":
            return value
    return None


def _looks_like_html(content: bytes, content_type: str | None) -> bool:
    head = content[:4096].lstrip()
    if head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return True  # a BOM: text; decode and see
    if head.startswith(_BINARY_MAGIC) or head[:1] in (b"{", b"["):
        return False
    if content_type and _NOT_HTML_TYPES.search(content_type) and not _HTML_TAG.search(head):
        return False
    if b"\x00" in head:
        return False
    return bool(_HTML_TAG.search(content[:65536]))


def _clean_document(doc: HtmlElement) -> None:
    """Drop never-text elements everywhere (scripts, styles, iframes...) after metadata is read.

    A <noscript> that holds a whole page (a real site put all its text in one, for readers
    without JavaScript, which is what we are) is unwrapped instead.
    """
    for el in list(doc.iter(*DROP_TAGS)):
        parent = el.getparent()
        if parent is None:
            continue
        if el.tag == "noscript" and len(el.text_content()) > 1000 and el.find(".//p") is not None:
            el.drop_tag()
        else:
            parent.remove(el)


def _drop_site_chrome(doc: HtmlElement, article: HtmlElement | None) -> None:
    """Site-level header/footer/nav/aside go, unless they are inside the article itself."""
    # The article's ancestors, once: asking each container whether it holds the article
    # walked all of a big footer or nav from Python.
    around = set(article.iterancestors()) if article is not None else set()
    for el in list(doc.iter(*_CHROME_CONTAINERS)):
        parent = el.getparent()
        if parent is None:
            continue
        if article is not None and any(a is article for a in el.iterancestors()):
            continue
        if el is article or el in around:
            continue  # an article wrapped in a <header> (rare) stays
        parent.remove(el)


def _link_order(region: HtmlElement | None, base: str) -> dict[str, int]:
    """Where each link first appears in the article, to list related links in page order.

    Each link is made absolute here too: trafilatura resolves a relative href against the
    site's root, not the page ("#notes" became the home page, "a/b" lost the page's folder).
    """
    order: dict[str, int] = {}
    if region is None:
        return order
    for i, a in enumerate(region.iter("a")):
        url = safe_url(a.get("href"), base)
        if url:
            a.set("href", url)
            order.setdefault(url, i)
    return order


def _has_text(items: list[Item]) -> bool:
    return any(it.kind == "p" for it in items)


def _body_items(
    doc: HtmlElement, base: str, *, generic: bool
) -> tuple[list[Item], ArticleParts, dict[str, int]]:
    """The story's items: trafilatura's main text, with our news fields lifted out first.

    The generic extractor decides what the body is (it is better at it on real pages than a
    walk of our own: measured in bench/extract_bench.py); before it runs, the article's
    dateline, view counter, lead, Read-also boxes and quote cites are taken out of the tree,
    so they become fields instead of stray paragraphs. Our walk of the article is the
    fallback when trafilatura finds no text at all.
    """
    region = find_article_root(doc)
    # One <article> is the story; of several (teasers, comments), the longest may not be.
    article = region if region is not None and len(doc.findall(".//article")) <= 1 else None
    if region is None:
        region = find_text_region(doc)
    _drop_site_chrome(doc, region)
    order = _link_order(region, base)
    parts = lift_specials(region, base) if region is not None else ArticleParts()
    items = extract_generic(doc, base, parts.attributions, article) if generic else []
    if len(items) > MAX_ITEMS:
        items, parts.truncated = items[:MAX_ITEMS], True
    if _has_text(items):
        return _with_recalls(_with_images(items, parts), parts) + parts.boxes, parts, order
    # Our walk puts the boxes back in place itself.
    walked = walk_article(region, base, parts) if region is not None else []
    if _has_text(walked) or not items:
        return walked, parts, order
    return items + parts.boxes, parts, order


def _with_recalls(items: list[Item], parts: ArticleParts) -> list[Item]:
    """Recall paragraphs trafilatura left out (as link-heavy), back where a story ends."""
    if not parts.recalls:
        return items
    kept = {paragraph_key(it.text) for it in items if it.kind == "p"}
    return items + [r for r in parts.recalls if paragraph_key(r.text) not in kept]


def _with_images(items: list[Item], parts: ArticleParts) -> list[Item]:
    """The article's pictures, each after the paragraph it follows on the page, when the
    body kept that paragraph; the lead picture on top. trafilatura is asked for text only:
    with its pictures it also kept the chrome around them (0.879 'without' → 0.896)."""
    caption_texts = {norm(img.caption) for img, _, _ in parts.images if img.caption}
    longest = max((len(c) for c in caption_texts), default=0)
    out = [it for it in items
           if not (it.kind == "p" and len(it.text) <= longest + 20
                   and norm(it.text) in caption_texts)]
    keys = {paragraph_key(it.text) for it in out if it.kind == "p"}
    after: dict[str, list[Item]] = {}
    lead: list[Item] = []
    for img, anchor, early in parts.images:
        if anchor is not None and anchor in keys:
            after.setdefault(anchor, []).append(img)
        elif early:
            lead.append(img)
    placed = lead[:1]
    for item in out:
        placed.append(item)
        if item.kind == "p":
            placed += after.pop(paragraph_key(item.text), [])
    return placed


def _host(url: str) -> str | None:
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.") or None


def parse_story(
    content: bytes,
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    max_bytes: int = 5 * 1024 * 1024,
) -> Story:
    """Parse the bytes of a story page fetched from `url` (the final URL after redirects).

    Raises ParseError "not HTML", "page is empty" or "article too complex".
    """
    warnings: list[str] = []
    if not content or not content.strip():
        raise ParseError(url, "page is empty")
    content_type = _content_type(headers)
    if not _looks_like_html(content, content_type):
        raise ParseError(url, "not HTML")
    capped = _cap_tags(content[:max_bytes])
    if len(content) > max_bytes or capped is not None:
        # Caps before parsing: bytes, then tags, so a 500k-<p> page stays bounded.
        content = capped if capped is not None else content[:max_bytes]
        warnings.append("page truncated")
    text, encoding = decode_bytes(content, content_type, is_html=True)
    doc, too_deep = parse_document_checked(text)
    if doc is None:
        raise ParseError(url, "page is empty")

    meta = extract_meta(doc, url)
    base = meta.base_url
    _clean_document(doc)
    if meta.published is None:  # the page's markup says nothing: its text may
        meta.published = found_date(doc, url)
    try:
        generic = content.count(b"<") <= GENERIC_MAX_TAGS
        items, parts, order = _body_items(doc, base, generic=generic)
    except (TooComplex, RecursionError):
        raise ParseError(url, "article too complex") from None
    if parts.truncated:
        warnings.append("article truncated")

    story = assemble(items, title=meta.title, description=meta.description, lead=parts.lead,
                     dateline=parts.dateline)
    lead, blocks, dateline = story.lead, story.blocks, story.dateline
    related = sorted(story.related, key=lambda link: order.get(link.url, len(order)))
    if not meta.title and not blocks and not lead:
        # Nested past libxml2's limit: the text is there, we just cannot reach it.
        raise ParseError(url, "article too complex" if too_deep else "page is empty")
    if too_deep:
        warnings.append("article truncated")

    story_url = safe_url(url) or url
    # A link to the page itself ("#comments", a footnote) leads nowhere new.
    here = {story_url.split("#")[0], (meta.canonical_url or "").split("#")[0]}
    links = [link for link in story.links if link.url.split("#")[0] not in here]
    return Story(
        url=story_url,
        canonical_url=meta.canonical_url,
        title=meta.title or "(untitled)",
        published=meta.published,
        updated=meta.updated,
        authors=meta.authors,
        source=meta.site_name or (dateline.agency if dateline else None) or _host(story_url),
        dateline=dateline,
        views=parts.views,
        lead=clean_line(lead, 5000) or None if lead else None,
        blocks=blocks,
        related=related,
        tags=meta.tags,
        language=meta.language,
        encoding=encoding,
        warnings=warnings,
        links=links,
    )
