"""Walk an article's DOM into Items: chrome out, dateline/views/lead/boxes lifted out first."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from newsreader.models import Dateline, RelatedKind
from newsreader.parse.fields import (
    READ_ALSO_LABELS,
    RECALL_LABELS,
    RELATED_LABELS,
    attribution_for,
    is_credit,
    match_attribution,
    match_dateline,
    match_views,
    norm,
    recall_prefix,
)
from newsreader.parse.html_util import BLOCK_TAGS, DROP_TAGS, iter_text
from newsreader.parse.news import Item
from newsreader.parse.sanitize import clean_line
from newsreader.parse.urls import safe_url

__all__ = [
    "ArticleParts", "TooComplex", "find_article_root", "find_text_region",
    "header_scope", "lift_specials", "paragraph_key", "walk_article",
]

MAX_ITEMS = 3000
META_SCAN_MAX = 300  # elements read from the headline down for a dateline and a view counter
MAX_DEPTH = 150  # deeper subtrees are flattened to text instead of walked
TIME_BUDGET_S = 5.0
PARA_MAX = 20_000

_CHROME = re.compile(
    r"cookie|consent|gdpr|ticker|currenc|exchange|menu|navbar|breadcrumb|share|social|"
    r"subscri|newsletter|comment|most-?read|popular|trending|sidebar|banner|advert|"
    r"(?:^|[\s_-])ads?(?:$|[\s_-])|promo|paywall|donat|tags|footer|print-only|sr-only")
_READ_ALSO = re.compile(r"read-?also|also-?read|see-?also|read-?more|readmore|more-?on|"
                        r"also-?on|chytaite|read_also")
_RELATED = re.compile(r"related|similar|same-?topic|inject")
# An element named for its view counter: a bare number inside it is the count ("m-views").
_VIEWS_NAME = re.compile(r"(?:^|[\s_-])views?(?:$|[\s_-])|view-?count|hits|просмотр|перегляд")
_RELATED_TAGS = frozenset({"related"})  # a normalized markup's related-story box
_LEAD = re.compile(r"(?:^|[\s_-])(?:lead|standfirst|summary|intro|subtitle|excerpt|dek|"
                   r"description|annotation|sapo)(?:$|[\s_-])")
_BIO = re.compile(r"author|bio|about|profile|byline|welcome|sidebar|widget")
_META = re.compile(r"(?:^|[\s_-])(?:meta|byline|dateline|date|time|views|author|info|"
                   r"published|stats?)(?:$|[\s_-])")
_STRIP_IN_ROOT = frozenset({"nav", "aside", "footer", "form", "menu"})
_BOX_TAG = "nr-box"
_NOT_META = frozenset({"blockquote", "h1", "h2", "h3", "figure", "figcaption"})  # quotes, not meta
_BLOCKISH = frozenset({"img", "figure", "table", _BOX_TAG})
_TEXT_LEVEL = frozenset({"p", "pre", "address", "dd", "dt", "td", "th"})


class _Full(Exception):
    """The item or time budget is spent: stop walking, keep what we have."""


class TooComplex(Exception):
    """The article blew the depth or time budget."""


@dataclass
class ArticleParts:
    """What the walk lifted out of an article besides its items."""

    items: list[Item] = field(default_factory=list)
    dateline: Dateline | None = None
    views: int | None = None
    lead: str | None = None
    truncated: bool = False
    boxes: list[Item] = field(default_factory=list)  # Read-also / related boxes, in page order
    # (start of a quote's text, its attribution) for quote boxes that name their speaker in a
    # <cite> or <footer>, which is taken out so that the quote's text is the quote alone.
    attributions: list[tuple[str, str]] = field(default_factory=list)
    # The article's pictures with their captions, each with the paragraph_key() of the paragraph
    # it follows (None above the first) and whether it comes before the body text.
    images: list[tuple[Item, str | None, bool]] = field(default_factory=list)
    # Recall / "as reported" paragraphs: trafilatura drops some as link-heavy boilerplate.
    recalls: list[Item] = field(default_factory=list)


def _cls(el: HtmlElement) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''}".lower().strip()


def _tag(el: HtmlElement) -> str:
    return el.tag.lower() if isinstance(el.tag, str) else ""


def _remove(el: HtmlElement) -> None:
    """Remove `el` but keep its tail text in the document."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail and el.tail.strip():
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def find_article_root(doc: HtmlElement) -> HtmlElement | None:
    """The <article> with the most paragraph text, else an itemprop=articleBody element."""
    best, best_len = None, 0
    for art in doc.iter("article"):
        size = sum(len(p.text_content()) for p in art.iter("p"))
        if size > best_len:
            best, best_len = art, size
    if best is not None:
        return best
    # XPath picks the few elements that have the attribute in C; walking every element from
    # Python made an lxml proxy per node (~7 ms on a 170 KB page with no <article>).
    with_itemprop: list[HtmlElement] = doc.xpath("//*[@itemprop]")  # an element-only path
    for el in with_itemprop:
        if (el.get("itemprop") or "").lower() == "articlebody":
            return el
    return None


def find_text_region(doc: HtmlElement) -> HtmlElement | None:
    """Where a page without <article> keeps its story: the parent of its densest run of <p>,
    widened to take in the headline (and so the meta line and lead beside it) when it is near.
    """
    best, best_len = None, 0
    with_paragraphs: list[HtmlElement] = doc.xpath("//*[p]")  # an element-only path
    for el in with_paragraphs:
        size = sum(len(p.text_content()) for p in el.iterchildren("p"))
        if size > best_len:
            best, best_len = el, size
    if best is None or best_len < 200:
        return None
    return header_scope(best)


def header_scope(root: HtmlElement) -> HtmlElement:
    """The article root widened to its headline: meta lines (views) often sit above the text."""
    scope = root
    for _ in range(4):
        if scope.find(".//h1") is not None:
            return scope
        parent = scope.getparent()
        if parent is None or _tag(parent) in ("body", "html"):
            break
        scope = parent
    return scope if scope.find(".//h1") is not None else root


def _links(el: HtmlElement, base: str) -> list[tuple[str, str]]:
    out = []
    for a in el.iter("a"):
        url = safe_url(a.get("href"), base)
        text = clean_line(a.text_content(), 300)
        if url and text:
            out.append((text, url))
    return out


def _wholly(el: HtmlElement, tags: tuple[str, ...]) -> bool:
    """All visible text of `el` sits inside one style's tags (<strong>/<b>, <em>/<i>)."""
    styled = " ".join(b.text_content() for b in el.iter(*tags)
                      if (parent := b.getparent()) is not None and parent.tag not in tags)
    if not styled:  # most paragraphs: no need to clean the whole text
        return False
    total = clean_line(el.text_content(), PARA_MAX)
    return bool(total) and clean_line(styled, PARA_MAX) == total


def _is_pixel(img: HtmlElement) -> bool:
    width, height = img.get("width") or "", img.get("height") or ""
    return width.strip() in ("0", "1") or height.strip() in ("0", "1")


def _image(img: HtmlElement, base: str, caption: str | None) -> Item | None:
    if _is_pixel(img):
        return None  # tracking pixel
    src_attr = img.get("src") or img.get("data-src") or ""
    src = safe_url(src_attr, base)  # data: URIs and other schemes come back None
    alt = clean_line(img.get("alt"), 500) or None
    if not src and not alt and not caption:
        return None
    return Item("image", src=src, alt=alt, caption=caption)


class _Walker:
    def __init__(self, base: str, boxes: list[Item], cites: list[tuple[str, str]]) -> None:
        self.base = base
        self.boxes = boxes
        self.cites = cites
        self.items: list[Item] = []
        self.deadline = time.monotonic() + TIME_BUDGET_S
        self.truncated = False

    def add(self, item: Item) -> None:
        if len(self.items) >= MAX_ITEMS or time.monotonic() > self.deadline:
            raise _Full
        self.items.append(item)

    def para(self, el: HtmlElement, text: str | None = None) -> None:
        text = clean_line(text if text is not None else iter_text(el), PARA_MAX)
        if text:
            self.add(Item("p", text, links=_links(el, self.base), bold=_wholly(el, ("strong", "b")),
                          italic=_wholly(el, ("em", "i"))))
        for img in el.iter("img"):  # an image inside a paragraph is still an image
            item = _image(img, self.base, None)
            if item:
                self.add(item)

    def walk(self, el: HtmlElement, depth: int) -> None:
        tag = _tag(el)
        if depth > MAX_DEPTH:
            self.para(el)
            return
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            text = clean_line(el.text_content(), 300)
            if text:
                self.add(Item("h", text, level=int(tag[1])))
        elif tag in _TEXT_LEVEL:
            self.para(el)
        elif tag == "blockquote":
            text = clean_line(iter_text(el), PARA_MAX)
            if text:
                self.add(Item("quote", text, attribution=attribution_for(text, self.cites)))
        elif tag == "figure":
            cap_el = el.find(".//figcaption")
            caption = clean_line(cap_el.text_content(), 1000) if cap_el is not None else None
            imgs = list(el.iter("img"))
            if imgs:
                item = _image(imgs[0], self.base, caption or None)
                if item:
                    self.add(item)
            elif caption:
                self.add(Item("p", caption))
        elif tag == _BOX_TAG:
            self.add(self.boxes[int(el.get("idx") or 0)])
        elif tag == "img":
            item = _image(el, self.base, None)
            if item:
                self.add(item)
        elif tag in ("ul", "ol"):
            entries = [clean_line(li.text_content(), 2000) for li in el.iter("li")]
            entries = [e for e in entries if e]
            if entries:
                self.add(Item("list", items=entries, links=_links(el, self.base)))
        elif tag == "table":
            for row in el.iter("tr"):
                self.para(row, " ".join(c.text_content() for c in row if _tag(c) in ("td", "th")))
        else:
            self.container(el, depth)

    def container(self, el: HtmlElement, depth: int) -> None:
        """A div-like element: inline runs become paragraphs, block children are walked."""
        children = [c for c in el if isinstance(c.tag, str)]
        if not any(_tag(c) in BLOCK_TAGS or _tag(c) in _BLOCKISH for c in children):
            self.para(el)
            return
        run: list[str] = [el.text or ""]
        for child in children:
            if _tag(child) in BLOCK_TAGS or _tag(child) in _BLOCKISH:
                self.para(el, "".join(run)) if "".join(run).strip() else None
                run = []
                self.walk(child, depth + 1)
            else:
                run.append(iter_text(child))
            run.append(child.tail or "")
        if "".join(run).strip():
            self.para(el, "".join(run))


def _take_cite(quote: HtmlElement, parts: ArticleParts) -> None:
    """A quote box's <cite>/<footer> (or a last "— Name" line) becomes its attribution."""
    cite = quote.find(".//cite")
    if cite is None:
        cite = quote.find(".//footer")
    attribution = None
    if cite is not None:
        attribution = clean_line(cite.text_content(), 150).lstrip("-–—, ") or None
    else:
        lines = [c for c in quote
                 if _tag(c) in BLOCK_TAGS and c.text_content().strip()]  # lines, not links
        if len(lines) > 1:
            attribution = match_attribution(clean_line(lines[-1].text_content(), 200))
            cite = lines[-1] if attribution else None
        elif lines and lines[-1].tail and lines[-1].tail.strip():
            _take_embed_signature(quote, lines[-1], parts)
            return
    if cite is None or attribution is None:
        return
    _remove(cite)
    parts.attributions.append((norm(clean_line(quote.text_content(), 200))[:40], attribution))


def _take_embed_signature(quote: HtmlElement, text_el: HtmlElement,
                          parts: ArticleParts) -> None:
    """An embedded post (a tweet) signs off after its text: "— Name (@handle) <a>date</a>"."""
    tail_nodes = list(text_el.itersiblings())
    # The post's date is the link at the end ("<a>14 декабря 2017 г.</a>"): not the name.
    named = [n for n in tail_nodes
             if not (n.tag == "a" and any(c.isdigit() for c in n.text_content()))]
    signature = (text_el.tail or "") + " ".join(n.text_content() for n in named)
    attribution = match_attribution(clean_line(signature, 200))
    if attribution is None:
        return
    for node in tail_nodes:
        parent = node.getparent()
        if parent is not None:  # always: a sibling of text_el shares its parent
            parent.remove(node)
    text_el.tail = None
    parts.attributions.append((norm(clean_line(quote.text_content(), 200))[:40], attribution))


def _site(url: str) -> str:
    """The registered part of a host, roughly: "ria.ru" for "www.ria.ru" or "m.ria.ru"."""
    host = (urlsplit(url).hostname or "").split(".")
    return ".".join(host[-2:])


def _box_links(el: HtmlElement, base: str) -> list[tuple[str, str]]:
    """A box's links to this site's stories; a link with no text (an image teaser) is named
    by its address. Photo credits and photo-bank links in a teaser box are not stories."""
    site = _site(base)
    links = [(text, url) for text, url in _links(el, base)
             if _site(url) == site and not text.startswith("©")]
    if links:
        return links
    out = []
    for a in el.iter("a"):
        url = safe_url(a.get("href"), base)
        if url and _site(url) == site:
            out.append((url.split("://", 1)[-1][:120], url))
    return out


def paragraph_key(text: str) -> str:
    """A paragraph's identity across extractors: its first 60 normalised characters."""
    return norm(text[:120])[:60]


def _collect_images(root: HtmlElement, base: str, parts: ArticleParts) -> None:
    """Pictures with their captions and the paragraph each follows; tracking pixels leave."""
    long_paragraphs = 0  # the lead picture sits above the body, or just after the lead
    last_p: HtmlElement | None = None
    for el in list(root.iter("p", "img")):
        if el.tag == "p":
            text = el.text_content()
            if text.strip():
                long_paragraphs += len(text) > 80
                last_p = el
            continue
        figure = next((a for a in el.iterancestors("figure")), None)
        cap_el = figure.find(".//figcaption") if figure is not None else None
        caption = clean_line(cap_el.text_content(), 1000) if cap_el is not None else None
        item = _image(el, base, None if is_credit(caption or "") else caption or None)
        if item is not None:
            # Keyed only when a picture follows: most paragraphs have none.
            anchor = (paragraph_key(clean_line(last_p.text_content()[:200], 200))
                      if last_p is not None else None)
            parts.images.append((item, anchor, long_paragraphs < 2))
        elif _is_pixel(el):
            _remove(el)


def _is_subtitle(el: HtmlElement, text: str) -> bool:
    """A sentence set as a subheading right under the headline (the standfirst of many
    newsrooms: "<h2>Девушка получила более половины голосов.</h2>"), not a section name."""
    if _tag(el) not in ("h2", "h3", "h4") or not 20 <= len(text) <= 400:
        return False
    return text.endswith((".", "!", "?", "»", '"', "…")) or len(text.split()) >= 6


def _replace_with_box(el: HtmlElement, box: Item, parts: ArticleParts) -> None:
    """Take a box out; a placeholder keeps its place, so our walk can put it back in order."""
    parent = el.getparent()
    if parent is None:  # never: callers pass elements still in the tree
        return
    parts.boxes.append(box)
    marker = el.makeelement(_BOX_TAG, {"idx": str(len(parts.boxes) - 1)})
    marker.tail, el.tail = el.tail, None
    parent.replace(el, marker)


def _lift_labelled_lists(scope: HtmlElement, base: str, parts: ArticleParts) -> None:
    """A "Related news" / "Читайте також" label followed by a list of links is a box."""
    for label_el in list(scope.iter("p", "h2", "h3", "h4", "h5", "h6", "div", "span", "strong")):
        nxt = label_el.getnext()  # first: reading a wrapper div's whole text was the cost
        if label_el.getparent() is None or len(label_el) > 2 or nxt is None \
                or _tag(nxt) not in ("ul", "ol"):
            continue
        label = norm(label_el.text_content())
        kind: RelatedKind | None = (
            "read_also" if label in READ_ALSO_LABELS else "related" if label in RELATED_LABELS
            else "recall" if label in RECALL_LABELS else None)
        if kind is None:
            continue
        links = _links(nxt, base)
        if not links:
            continue
        _replace_with_box(nxt, Item("box", box=kind, links=links), parts)
        _remove(label_el)


def _is_box_sized(el: HtmlElement) -> bool:
    """A related-story box is a few headlines, not a wrapper round the story (seen on real
    pages: "related-content" classes on the element that holds the whole text)."""
    text = " ".join(el.text_content().split())
    if len(text) > 1000:
        return False
    linked = sum(len(" ".join(a.text_content().split())) for a in el.iter("a"))
    return len(text) <= 300 or linked >= 0.3 * len(text)


def _strip_chrome(root: HtmlElement) -> None:
    """Chrome by its class name (share, comments, menus...), for our own walk only: trafilatura
    has its own, and ours removed whole story texts on real pages ("sidebar" wrappers)."""
    for el in list(root.iter()):
        parent = el.getparent()
        if el is root or not isinstance(el.tag, str) or parent is None:
            continue
        cls = _cls(el)
        tag = _tag(el)
        if tag in DROP_TAGS or (cls and _CHROME.search(cls)) or (
            tag in _STRIP_IN_ROOT and _tag(parent) != "blockquote"  # quote <footer>
        ):
            _remove(el)


def lift_specials(root: HtmlElement, base: str) -> ArticleParts:
    """Take chrome out of the article; lift out dateline, views, lead, boxes and quote cites.

    Looks from the headline down (header_scope), since view counters and datelines often sit
    above the element that holds the text.
    """
    parts = ArticleParts()
    scope = header_scope(root)
    for el in list(scope.iter()):
        if el is root or el is scope or not isinstance(el.tag, str) or el.getparent() is None:
            continue
        cls = _cls(el)
        tag = _tag(el)
        box: RelatedKind | None = None
        if tag in _RELATED_TAGS:
            box = "related"
        elif cls and _READ_ALSO.search(cls):
            box = "read_also"
        elif cls and _RELATED.search(cls) and tag not in ("p", "span", "a"):
            box = "related"
        if box is not None and _is_box_sized(el):
            _replace_with_box(el, Item("box", box=box, links=_box_links(el, base)), parts)
    for quote in list(scope.iter("blockquote")):
        _take_cite(quote, parts)
    _lift_labelled_lists(scope, base, parts)
    _collect_images(root, base, parts)
    for p in root.iter("p"):
        raw = p.text_content()
        if recall_prefix(" ".join(raw[:200].split())):  # cleaned only when it is one
            parts.recalls.append(Item("p", clean_line(raw, PARA_MAX), links=_links(p, base)))
    body_started = False  # datelines and view counters sit above the body text
    after_headline = False
    for seen, el in enumerate(list(scope.iter())):
        # Meta lines sit in the first few hundred elements; on a page whose text is not in
        # <p>s the body never "starts", and reading every element's text cost ~5 ms a page.
        if body_started or seen > META_SCAN_MAX:
            break
        if el is root or el is scope or not isinstance(el.tag, str) or el.getparent() is None:
            continue
        text = " ".join(el.text_content().split())
        if _tag(el) == "h1":
            after_headline = True
        elif _tag(el) == "p" and len(text) > 80:
            body_started = True
        elif _tag(el) == "p" and text:
            after_headline = False  # a subheading after a paragraph is a section name
        elif after_headline and parts.lead is None and _is_subtitle(el, text):
            parts.lead = clean_line(text, PARA_MAX)
            _remove(el)
        elif len(text) <= 80 and not el.findall(".//a[@href]") and _tag(el) not in _NOT_META:
            named = bool(_VIEWS_NAME.search(_cls(el)))
            views = match_views(text, named_for_views=named) if parts.views is None else None
            dateline = match_dateline(text) if parts.dateline is None else None
            if views is not None:
                parts.views = views
                _remove(el)
            elif dateline is not None:
                parts.dateline = dateline
                _remove(el)
    body_started = False  # a lead stands above the body; an "author-description" below is a bio
    for el in list(scope.iter()):
        if el is root or el is scope or not isinstance(el.tag, str) or el.getparent() is None:
            continue
        cls = _cls(el)
        if _tag(el) == "time":
            _remove(el)
            continue
        # <address> in an article is its byline and contact ("by Кирилл Янчицкий").
        meta = _tag(el) == "address" or (bool(cls) and bool(_META.search(cls)))
        lead = parts.lead is None and not body_started and bool(cls) \
            and bool(_LEAD.search(cls)) and not _BIO.search(cls) \
            and _tag(el) in ("p", "div", "h2", "span", "section")
        if not (meta or lead):
            if _tag(el) == "p" and not body_started:
                body_started = len(el.text_content()) > 80
            continue  # the text of every element, asked for nothing, was most of this loop
        text = " ".join(el.text_content().split())
        if meta and len(text) <= 200:
            _remove(el)
        elif lead and 20 <= len(text) <= 1000:
            parts.lead = clean_line(text, PARA_MAX)
            _remove(el)
    return parts


def walk_article(root: HtmlElement, base: str, parts: ArticleParts) -> list[Item]:
    """Walk a lifted article root into Items. Raises TooComplex if the DOM is too deep."""
    _strip_chrome(root)
    try:
        walker = _Walker(base, parts.boxes, parts.attributions)
        try:
            walker.container(root, 0)
        except _Full:
            parts.truncated = True
    except RecursionError as exc:
        raise TooComplex from exc
    return walker.items
