"""Finding a site's feeds from its home page: <link rel="alternate" type="application/rss+xml">."""

from __future__ import annotations

from collections.abc import Mapping

import lxml.html

from newsreader.parse.encoding import decode_bytes
from newsreader.parse.sanitize import clean_line
from newsreader.parse.urls import safe_url

FEED_TYPES = frozenset({
    "application/rss+xml", "application/atom+xml", "application/rdf+xml",
    "application/feed+json", "application/xml", "text/xml",
})


def find_feed_links(
    content: bytes, base_url: str, headers: Mapping[str, str] | None = None
) -> list[tuple[str, str]]:
    """(title, absolute URL) for every advertised feed, in page order, without duplicates."""
    text, _ = decode_bytes(content[: 2 * 1024 * 1024], (headers or {}).get("content-type"))
    if not text.strip():
        return []
    try:
        document = lxml.html.document_fromstring(text)
    except (ValueError, lxml.etree.ParserError):
        return []
    found: dict[str, str] = {}
    for link in document.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().split(";")[0].strip()
        if "alternate" not in rel or kind not in FEED_TYPES or kind == "application/feed+json":
            continue
        url = safe_url(link.get("href"), base_url)
        if url and url not in found:
            found[url] = clean_line(link.get("title") or "", 120) or url
    return [(title, url) for url, title in found.items()]
