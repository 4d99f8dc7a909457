"""The news-agency layer: datelines, view counts, labels (Recall, Read also), quotes, chrome."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from newsreader.models import Block, Dateline, RelatedLink
from newsreader.parse.sanitize import clean_line

__all__ = [
    "Item", "assemble", "match_dateline", "match_views", "norm", "trim_link_title",
]

# Labels are compared after norm(): case-folded, whitespace collapsed, trailing colon dropped.
RECALL_LABELS = frozenset({"recall", "нагадаємо", "нагадуємо", "напомним", "напоминаем",
                           "reminder", "as a reminder"})
READ_ALSO_LABELS = frozenset({"read also", "see also", "also read", "read more", "читайте також",
                              "також читайте", "читайте ще", "дивіться також", "читайте также",
                              "также читайте", "смотрите также"})
RELATED_LABELS = frozenset({"related", "related news", "related stories", "related articles",
                            "more on this topic", "on this topic", "схожі новини", "по темі",
                            "новини на тему", "по теме", "похожие новости", "новости по теме"})
DETAILS_LABELS = frozenset({"details", "деталі", "детали", "подробиці", "подробности"})
_LABEL_PREFIX = re.compile(r"^\s*([^\W\d][\w ]{2,24}?)\s*[:,.—–-]\s+(.+)$", re.S)

_SEP = r"\s*[•·|—–]\s*"
_DATELINE = re.compile(
    rf"^\s*([^\W\d_][\w'’.\- ]{{0,38}}?){_SEP}([^\W\d_][\w'’.\- ]{{0,28}}?)\s*$", re.U)
_VIEWS = re.compile(
    r"^[\s•·|]*(?:(?P<n1>\d[\d\s.,\u00a0\u202f]*?)\s*(?:views?|переглядів|перегляди|перегляд|"
    r"просмотров|просмотра|просмотр)"
    r"|(?:views|переглядів|переглядів|перегляди|просмотров|просмотры)\s*:?\s*(?P<n2>\d[\d\s.,"
    r"\u00a0\u202f]*))\s*$", re.I)
_ATTRIBUTION = re.compile(r"^\s*[-–—―]\s*(.{2,150}?)[\s.!]*$", re.S)
_TICKER = re.compile(r"^[\s$€£₴¥]*\d+[.,]\d+(?:\s*[-+−]?\s*\d+[.,]\d+)*\s*%?$")
_CHROME_LINES = re.compile(
    r"^(?:©|\(c\)|copyright\b|all rights reserved|share\b|subscribe\b|follow us\b|"
    r"we use cookies|підписуйтесь|подписывайтесь|поділитися)", re.I)


@dataclass
class Item:
    """One piece of page content before the news layer decides what it is."""

    kind: str  # "p", "h", "quote", "image", "list", "box"
    text: str = ""
    level: int = 2
    links: list[tuple[str, str]] = field(default_factory=list)  # (text, absolute url)
    bold: bool = False  # the whole paragraph is <strong>/<b>: a lead or a label
    src: str | None = None
    alt: str | None = None
    caption: str | None = None
    items: list[str] = field(default_factory=list)
    attribution: str | None = None
    box: str | None = None  # for kind "box": "read_also" or "related"


def norm(s: str | None) -> str:
    """Comparable form of a label or a title."""
    return " ".join((s or "").casefold().split()).rstrip(" :.").strip()


def match_dateline(text: str) -> Dateline | None:
    """ "Kyiv • UNN" → Dateline("Kyiv", "UNN"); None for anything else."""
    m = _DATELINE.match(text)
    if not m:
        return None
    place, agency = clean_line(m.group(1), 60), clean_line(m.group(2), 40)
    words = (place + " " + agency).replace("-", " ").split()
    # Place names and agency names are capitalised ("Kyiv • UNN", "Одеса — РБК-Україна");
    # "We will rebuild — Mayor of Kharkiv" is a quote, not a dateline.
    if len(place.split()) > 3 or len(agency.split()) > 3 or not all(w[0].isupper() for w in words):
        return None
    return Dateline(place or None, agency or None)


def match_views(text: str) -> int | None:
    """ "1558 views", "1 558 переглядів", "Переглядів: 1558" → 1558."""
    m = _VIEWS.match(text)
    if not m:
        return None
    digits = re.sub(r"\D", "", m.group("n1") or m.group("n2") or "")
    return int(digits) if digits and len(digits) <= 12 else None


def trim_link_title(text: str) -> str:
    """Link text as a title: one line, no trailing period (also inside a closing quote)."""
    text = clean_line(text, 300)
    return re.sub(r"[\s.,;:]+(?=[\"»”’']?$)", "", text).strip()


def _related(kind: str, links: list[tuple[str, str]], summary: str | None) -> list[RelatedLink]:
    out = []
    for text, url in links:
        title = trim_link_title(text)
        if url and title:
            out.append(RelatedLink(kind, title, url, summary))  # type: ignore[arg-type]
    return out


def _is_text(item: Item) -> bool:
    return item.kind in ("p", "h")


def _pick_lead(items: list[Item], description: str) -> int | None:
    """Index of the standfirst among the first text items, if one is recognisable."""
    desc = norm(description)
    for i, item in enumerate(items[:6]):
        if item.kind == "h" and item.level > 1:
            return None
        if item.kind != "p" or len(item.text) < 40:
            continue
        text = norm(item.text)
        if item.bold or (desc and (text == desc or text.startswith(desc[:120]))):
            return i
        return None  # the first real paragraph is body text
    return None


def assemble(
    items: list[Item], *, title: str, description: str, lead: str | None
) -> tuple[str | None, list[Block], list[RelatedLink]]:
    """Turn page items into (lead, blocks, related) the way a reader of the page would."""
    title_n = norm(title)
    items = [it for it in items if not (_is_text(it) and norm(it.text) == title_n and title_n)]
    if lead is None:
        idx = _pick_lead(items, description)
        if idx is not None:
            lead = items.pop(idx).text
    lead_n = norm(lead)
    blocks: list[Block] = []
    related: list[RelatedLink] = []
    i = 0
    while i < len(items):
        item = items[i]
        nxt = items[i + 1] if i + 1 < len(items) else None
        i += 1
        if item.kind == "box":
            related += _related(item.box or "related", item.links, None)
            continue
        if _is_text(item):
            label = norm(item.text)
            if lead_n and label == lead_n:
                continue
            chrome = len(item.text) < 120 and _CHROME_LINES.match(item.text)
            if chrome or _TICKER.match(item.text):
                continue
            if label in RECALL_LABELS and nxt is not None and nxt.kind == "p" and nxt.links:
                related += _related("recall", nxt.links, nxt.text)
                i += 1
                continue
            if label in READ_ALSO_LABELS | RELATED_LABELS and nxt is not None and nxt.links \
                    and nxt.kind in ("p", "list"):
                kind = "read_also" if label in READ_ALSO_LABELS else "related"
                related += _related(kind, nxt.links, None)
                i += 1
                continue
            if item.kind == "p" and item.links:
                m = _LABEL_PREFIX.match(item.text)
                prefix = norm(m.group(1)) if m else ""
                if prefix in RECALL_LABELS:
                    related += _related("recall", item.links, clean_line(m.group(2), 2000))  # type: ignore[union-attr]
                    continue
                if prefix in READ_ALSO_LABELS or label.startswith(tuple(READ_ALSO_LABELS)):
                    related += _related("read_also", item.links, None)
                    continue
            if label in DETAILS_LABELS or (item.kind == "p" and item.bold and len(item.text) < 60
                                           and not item.text.endswith((".", "!", "?"))):
                blocks.append(Block("heading", clean_line(item.text.rstrip(": "), 200)))
                continue
        if item.kind == "h":
            blocks.append(Block("heading", clean_line(item.text, 300)))
        elif item.kind == "p":
            blocks.append(Block("paragraph", item.text))
        elif item.kind == "quote":
            attribution = item.attribution
            if attribution is None and nxt is not None and nxt.kind == "p":
                m = _ATTRIBUTION.match(nxt.text)
                if m and len(nxt.text) <= 160:
                    attribution = clean_line(m.group(1), 150)
                    i += 1
            blocks.append(Block("quote", item.text, attribution=attribution))
        elif item.kind == "image":
            blocks.append(Block("image", src=item.src, alt=item.alt, caption=item.caption))
        elif item.kind == "list" and item.items:
            blocks.append(Block("list", items=list(item.items)))
    return lead, blocks, related
