"""Generic body extraction with trafilatura, mapped onto the same Items the news layer reads."""

from __future__ import annotations

import copy
import unicodedata

import lxml.html
import trafilatura
from lxml import etree
from lxml.html import HtmlElement

from newsreader.parse.fields import attribution_for, match_attribution
from newsreader.parse.html_util import iter_text
from newsreader.parse.news import Item
from newsreader.parse.sanitize import clean_line
from newsreader.parse.urls import safe_url

__all__ = ["extract_generic"]

PARA_MAX = 20_000
FULL_BELOW_CHARS = 1500


def _links(el: etree._Element, base: str) -> list[tuple[str, str]]:
    out = []
    for ref in el.iter("ref"):
        url = safe_url(ref.get("target"), base)
        text = clean_line("".join(ref.itertext()), 300)
        if url and text:
            out.append((text, url))
    return out


_BOLD = ("#b", "#strong")
_ITALIC = ("#i", "#em")


def _wholly(el: etree._Element, rends: tuple[str, ...]) -> bool:
    """All the text of `el` is set in one style (bold or italic: trafilatura's <hi rend>)."""
    styled = " ".join("".join(h.itertext()) for h in el.iter("hi")
                      if (h.get("rend") or "") in rends)
    if not styled:  # most paragraphs: no need to clean the whole text
        return False
    total = clean_line("".join(el.itertext()), PARA_MAX)
    return bool(total) and clean_line(styled, PARA_MAX) == total


def _main_text(doc: HtmlElement, article: HtmlElement | None) -> etree._Element | None:
    """trafilatura's main-text tree, the one its XML output is built from.

    `trafilatura.extract(output_format="xml")` also fingerprints the text (a simhash we never
    read: ~30% of the extraction on a big page), serialises the tree and we parsed it back.
    Its output's last cleaning (empty elements, doubled tags, whitespace, NFC) is not applied
    to this tree: the walk below skips empty text, clean_line normalises whitespace and _nfc
    composes characters, so the Items come out the same (checked on 424 pages).

    The page's one <article>, when it has one, is asked first on its own: less page to clean
    and search, and less chrome to mistake for text (generic set 'with' 0.948 → 0.949).
    trafilatura's full mode (its readability and justext fallbacks, as slow again as the fast
    one) runs only when the fast text is short and misses most of the page's paragraph text:
    on 100 of 171 short pages it changed nothing, and where the fast text held most of the
    paragraphs it made two pages worse and none better.
    """
    if article is not None:
        body = _extract(_alone(article), fast=True)
        if _text_len(body) >= FULL_BELOW_CHARS:
            return body
    body = _extract(doc, fast=True)
    text_len = _text_len(body)
    if text_len < FULL_BELOW_CHARS:
        paragraphs = sum(len(p.text_content()) for p in doc.iter("p"))
        if not 0.4 * paragraphs <= text_len <= paragraphs:
            full = _extract(doc, fast=False)
            body = full if full is not None else body
    return body


def _alone(article: HtmlElement) -> HtmlElement:
    """A page holding a copy of `article` and nothing else."""
    page = lxml.html.Element("html")
    etree.SubElement(page, "body").append(copy.deepcopy(article))
    return page


def _text_len(body: etree._Element | None) -> int:
    return len("".join(body.itertext())) if body is not None else 0


def _extract(doc: HtmlElement, *, fast: bool) -> etree._Element | None:
    # include_comments=True although the comments are never read: only then does trafilatura
    # take a comment section out of the page before it looks for the main text. Without it a
    # RIA longread came out as its comment rules instead of its story (plain extract(), whose
    # default it is, got the story); generic set 0.948/0.893 → 0.946/0.891, still above it.
    # No url: given one, trafilatura resolves every link of the page, menus included, before
    # it knows which are text (~9% of its time on big pages); _links() resolves the few kept
    # (the same Stories on all 968 corpus pages).
    document = trafilatura.bare_extraction(
        doc, url=None, output_format="xml", include_comments=True, include_tables=True,
        include_images=False, include_links=True, include_formatting=True, with_metadata=False,
        deduplicate=False, fast=fast,
    )
    body = getattr(document, "body", None)
    return body if body is not None and len(body) else None


def _nfc(items: list[Item]) -> list[Item]:
    """Composed Unicode in every text, as trafilatura's string output gave (й, not и + U+0306)."""

    def nfc(text: str | None) -> str | None:
        return unicodedata.normalize("NFC", text) if text else text

    for item in items:
        item.text = nfc(item.text) or ""
        item.items = [nfc(entry) or "" for entry in item.items]
        item.links = [(nfc(text) or "", url) for text, url in item.links]
        item.alt, item.caption = nfc(item.alt), nfc(item.caption)
    return items


def _quote(el: etree._Element, cites: list[tuple[str, str]]) -> Item | None:
    """A quote box; a last line "— Name" inside it is its attribution, not its text."""
    text = clean_line(iter_text(el), PARA_MAX)
    if not text:
        return None
    attribution = attribution_for(text, cites)
    lines = [clean_line(iter_text(c), PARA_MAX) for c in el if isinstance(c.tag, str)]
    lines = [line for line in lines if line]
    if attribution is None and len(lines) > 1:
        attribution = match_attribution(lines[-1])
        if attribution:
            text = clean_line(" ".join(lines[:-1]), PARA_MAX)
    return Item("quote", text, attribution=attribution)


_INLINE = frozenset({"hi", "ref", "lb", "del"})


def _blocks(container: etree._Element) -> list[etree._Element]:
    """trafilatura's block elements in order; its output nests <div>s on some pages (a real page
    kept all its text in one), and a div's loose inline text becomes a paragraph of its own."""
    out: list[etree._Element] = []
    run: etree._Element | None = None
    if container.text and container.text.strip():
        run = etree.Element("p")
        run.text = container.text
        out.append(run)
    for el in container:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag == "div":
            out += _blocks(el)
            run = None
        elif tag in _INLINE:
            if run is None:
                run = etree.Element("p")
                out.append(run)
            run.append(copy.copy(el))
        else:
            out.append(el)
            run = None
        if tag not in _INLINE and el.tail and el.tail.strip():
            run = etree.Element("p")
            run.text = el.tail
            out.append(run)
    return out


def extract_generic(
    doc: HtmlElement, base: str, cites: list[tuple[str, str]] | None = None,
    article: HtmlElement | None = None,
) -> list[Item]:
    """Run trafilatura on the (already cleaned) tree; returns [] when it finds nothing.

    `cites` are the attributions taken out of quote boxes beforehand (walk.lift_specials);
    `article` is the page's one article element, when it has one, tried on its own first.
    """
    main = _main_text(doc, article)
    if main is None:
        return []
    items: list[Item] = []
    for el in _blocks(main):
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag == "head":
            rend = el.get("rend") or "h2"
            level = int(rend[1]) if len(rend) == 2 and rend[1].isdigit() else 2
            text = clean_line("".join(el.itertext()), 300)  # iter_text() skips HTML <head>
            if text:
                items.append(Item("h", text, level=level))
        elif tag in ("p", "code"):
            text = clean_line(iter_text(el), PARA_MAX)
            if text:
                items.append(Item("p", text, links=_links(el, base), bold=_wholly(el, _BOLD),
                                  italic=_wholly(el, _ITALIC)))
        elif tag == "quote":
            quote = _quote(el, cites or [])
            if quote is not None:
                items.append(quote)
        elif tag == "list":
            entries = [clean_line(iter_text(i), 2000) for i in el.iter("item")]
            entries = [e for e in entries if e]
            if entries:
                items.append(Item("list", items=entries, links=_links(el, base)))
        elif tag == "graphic":
            src = safe_url(el.get("src"), base)
            alt = clean_line(el.get("alt"), 500) or None
            if src or alt:
                items.append(Item("image", src=src, alt=alt))
        elif tag == "table":
            for row in el.iter("row"):
                text = clean_line(" ".join(iter_text(c) for c in row), PARA_MAX)
                if text:
                    items.append(Item("p", text))
    return _nfc(items)
