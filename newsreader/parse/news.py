"""The news layer: turn page items into lead, blocks and related links the way a reader would."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

from newsreader.models import Block, BodyLink, Dateline, RelatedKind, RelatedLink
from newsreader.parse.fields import (
    DETAILS_LABELS,
    READ_ALSO_LABELS,
    RECALL_LABELS,
    RELATED_LABELS,
    is_chrome_line,
    match_attribution,
    norm,
    norm_if_near,
    quote_tail_attribution,
    read_also_prefix,
    recall_prefix,
    split_dateline,
)
from newsreader.parse.sanitize import clean_line

__all__ = ["Assembled", "Item", "ItemKind", "assemble", "trim_link_title"]

ItemKind = Literal["p", "h", "quote", "image", "list", "box"]

_NOT_STORY_HOSTS = frozenset({"youtube.com", "youtu.be", "facebook.com", "t.me", "twitter.com",
                              "x.com", "instagram.com", "vk.com", "wa.me", "telegram.me"})
_NOT_STORY_PATH = re.compile(r"(?:^|/)(?:tags?|category|categories|rubric|topics?|author)/")
# A share button's target ("facebook.com/sharer.php?u=…", "twitter.com/intent/tweet"): chrome.
_SHARE_LINK = re.compile(r"/(?:sharer?|shareArticle|intent/tweet)\b|[?&]share=", re.I)

# Labels ("Нагадаємо", "Читайте також") are short: longer texts are never compared with them.
_LONGEST_LABEL = "x" * 40


@dataclass
class Item:
    """One piece of page content before the news layer decides what it is."""

    kind: ItemKind
    text: str = ""
    level: int = 2
    links: list[tuple[str, str]] = field(default_factory=list)  # (text, absolute url)
    bold: bool = False  # the whole paragraph is <strong>/<b>: a lead or a label
    italic: bool = False  # the whole paragraph is <em>/<i>: a standfirst set apart
    src: str | None = None
    alt: str | None = None
    caption: str | None = None
    items: list[str] = field(default_factory=list)
    attribution: str | None = None
    box: RelatedKind | None = None  # for kind "box": "read_also", "related" or "recall"


def trim_link_title(text: str) -> str:
    """Link text as a title: one line, no trailing period (also inside a closing quote)."""
    text = clean_line(text, 300)
    return re.sub(r"[\s.,;:]+(?=[\"»”’']?$)", "", text).strip()


def _is_story_link(url: str) -> bool:
    """A site's home page, a tag or category page, a video site: not an earlier story."""
    path = urlsplit(url).path.strip("/")
    if not path or _NOT_STORY_PATH.search(path + "/"):
        return False
    return (urlsplit(url).hostname or "").removeprefix("www.") not in _NOT_STORY_HOSTS


def _related(
    kind: RelatedKind, links: list[tuple[str, str]], summary: str | None
) -> list[RelatedLink]:
    out = []
    for text, url in links:
        title = trim_link_title(text)
        if url and title and _is_story_link(url):
            out.append(RelatedLink(kind, title, url, summary))
    return out


def _is_text(item: Item) -> bool:
    return item.kind in ("p", "h")


def _pick_lead(items: list[Item], description: str) -> int | None:
    """Index of the standfirst among the first items, if one is recognisable.

    A standfirst is a subtitle sentence right under the headline (an <h2> that reads as a
    sentence, not a section name), a first paragraph set apart in bold or italics (RIA sets
    an interview's introduction in <em>), or the first paragraph when the page's own summary
    (its description) is that paragraph, opens it, or was cut from it.
    """
    desc = norm(description)
    for i, item in enumerate(items[:6]):
        if item.kind == "h":
            sentence = item.text.rstrip().endswith((".", "!", "?", "»", '"')) \
                or len(item.text) >= 80
            if i == 0 and item.level == 2 and sentence and len(item.text) >= 20:
                return i
            if item.level > 1:
                return None
            continue
        if item.kind != "p" or len(item.text) < 15:
            continue
        text = norm(item.text)
        if item.bold and not _is_label(text):
            return i
        if len(item.text) >= 40 and (item.italic or _is_summarised_by(text, desc)):
            return i
        return None  # the first real paragraph is body text
    return None


def _is_summarised_by(text: str, desc: str) -> bool:
    """The page's description (normed) is this paragraph (normed), opens it or is cut from it
    (a longread's description is its first paragraph's third sentence)."""
    if not desc:
        return False
    return text == desc or text.startswith(desc[:120]) or (len(desc) >= 60 and desc[:80] in text)


def _is_label(text: str) -> bool:
    return text in RECALL_LABELS | READ_ALSO_LABELS | RELATED_LABELS | DETAILS_LABELS


@dataclass
class Assembled:
    """What the news layer made of a page's items."""

    lead: str | None
    blocks: list[Block]
    related: list[RelatedLink]
    dateline: Dateline | None
    links: list[BodyLink] = field(default_factory=list)  # the body text's own links


def _take_dateline(items: list[Item]) -> Dateline | None:
    """A dateline that opens one of the first paragraphs ("МОСКВА, 18 ноя — РИА Новости. …")."""
    for i, item in enumerate(items[:4]):
        if item.kind != "p":
            continue
        found = split_dateline(item.text)
        if found is not None:
            dateline, rest = found
            if rest.strip():
                item.text = rest.strip()
            else:
                del items[i]
            return dateline
    return None


def _quote_attribution(item: Item, nxt: Item | None) -> tuple[str | None, bool]:
    """(attribution, whether the next item was it) for a quote box."""
    if item.attribution:
        return item.attribution, False
    if nxt is not None and nxt.kind == "p":
        who = match_attribution(nxt.text)
        if who:
            return who, True
    return quote_tail_attribution(item.text), False


def assemble(
    items: list[Item], *, title: str, description: str, lead: str | None,
    dateline: Dateline | None = None,
) -> Assembled:
    """Turn page items into lead, blocks and related links the way a reader of the page would."""
    title_n = norm(title)
    items = [it for it in items
             if not (title_n and _is_text(it) and norm_if_near(it.text, title_n) == title_n)]
    if dateline is None:
        dateline = _take_dateline(items)
    if lead is None:
        idx = _pick_lead(items, description)
        if idx is not None:
            lead = items.pop(idx).text
    lead_n = norm(lead)
    blocks: list[Block] = []
    related: list[RelatedLink] = []
    body: list[tuple[int, list[tuple[str, str]]]] = []  # (block index, its links)
    i = 0
    while i < len(items):
        item = items[i]
        nxt = items[i + 1] if i + 1 < len(items) else None
        i += 1
        if item.kind == "box":
            related += _related(item.box or "related", item.links, None)
            continue
        if _is_text(item):
            label = norm_if_near(item.text, lead_n or _LONGEST_LABEL)
            if lead_n and label == lead_n:
                continue
            label = label if label is not None and len(label) <= len(_LONGEST_LABEL) else ""
            if is_chrome_line(item.text):
                continue
            if label in RECALL_LABELS and nxt is not None and nxt.kind in ("p", "list") \
                    and nxt.links:
                related += _related("recall", nxt.links, nxt.text if nxt.kind == "p" else None)
                i += 1
                continue
            if label in READ_ALSO_LABELS | RELATED_LABELS and nxt is not None and nxt.links \
                    and nxt.kind in ("p", "list"):
                kind: RelatedKind = "read_also" if label in READ_ALSO_LABELS else "related"
                related += _related(kind, nxt.links, None)
                i += 1
                continue
            if item.kind == "p" and item.links:
                recalls = _related("recall", item.links, clean_line(item.text, 2000)) \
                    if recall_prefix(item.text) else []
                if recalls:
                    # The whole paragraph, label included: it is what the reader sees. One
                    # whose links are no stories (a video) stays a paragraph where it stood.
                    related += recalls
                    continue
                if read_also_prefix(item.text):
                    related += _related("read_also", item.links, None)
                    continue
            if label in DETAILS_LABELS or (item.kind == "p" and item.bold and len(item.text) < 60
                                           and not item.text.endswith((".", "!", "?"))):
                blocks.append(Block("heading", clean_line(item.text.rstrip(": "), 200)))
                continue
        if item.kind in ("p", "list") and item.links:
            body.append((len(blocks), item.links))  # the index the block below gets
        if item.kind == "h":
            blocks.append(Block("heading", clean_line(item.text, 300)))
        elif item.kind == "p":
            blocks.append(Block("paragraph", item.text))
        elif item.kind == "quote":
            attribution, used_next = _quote_attribution(item, nxt)
            i += used_next
            blocks.append(Block("quote", item.text, attribution=attribution))
        elif item.kind == "image":
            blocks.append(Block("image", src=item.src, alt=item.alt, caption=item.caption))
        elif item.kind == "list" and item.items:
            blocks.append(Block("list", items=list(item.items)))
    related = _unique(related)
    return Assembled(lead, blocks, related, dateline, _body_links(body, related))


def _body_links(body: list[tuple[int, list[tuple[str, str]]]],
                related: list[RelatedLink]) -> list[BodyLink]:
    """The body's links in reading order, each target once; not the related links (they are
    numbered already) nor share buttons."""
    seen = {link.url for link in related}
    out = []
    for block, links in body:
        for text, url in links:
            if url not in seen and not _SHARE_LINK.search(url):
                seen.add(url)
                out.append(BodyLink(text, url, block))
    return out


def _unique(related: list[RelatedLink]) -> list[RelatedLink]:
    """One entry per kind and target: a teaser box repeats its link on picture and headline."""
    seen: set[tuple[str, str]] = set()
    out = []
    for link in related:
        if (link.kind, link.url) not in seen:
            seen.add((link.kind, link.url))
            out.append(link)
    return out
