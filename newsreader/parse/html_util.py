"""Small lxml helpers shared by the feed and story parsers: safe parsing and plain text."""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

__all__ = [
    "BLOCK_TAGS", "DROP_TAGS", "fragment_text", "iter_text", "parse_document",
    "parse_document_checked",
]

# lxml refuses a str that still carries its XML declaration ("Unicode strings with encoding
# declaration are not supported"): an XHTML page came out empty. The text is decoded already.
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")

# Elements whose content is never reader text (and may carry hostile payloads).
DROP_TAGS = frozenset({
    "script", "style", "noscript", "template", "iframe", "object", "embed", "applet", "svg",
    "math", "canvas", "button", "input", "select", "textarea", "frame", "frameset",
    "head", "title", "meta", "link", "base", "audio", "video", "source", "track", "dialog",
})
# Elements that end a line of text: used to keep words of adjacent blocks apart.
BLOCK_TAGS = frozenset({
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
    "section", "article", "header", "footer", "aside", "nav", "figure", "figcaption", "table",
    "tr", "td", "th", "dd", "dt", "dl", "pre", "hr", "main", "address",
})


def _parser() -> lxml.html.HTMLParser:
    # A fresh parser per call: lxml parser objects are not safe to share between threads.
    parser = lxml.html.HTMLParser(
        remove_comments=True, remove_pis=True, no_network=True, recover=True, huge_tree=True
    )
    # Every element an HtmlElement, chosen in C: lxml.html's own lookup asks Python for each
    # element object made (~1M calls on 79 big pages, 5% of parse_story; form, input and
    # label elements get classes of their own there, whose form helpers nothing here uses).
    parser.set_element_class_lookup(etree.ElementDefaultClassLookup(
        element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment,
        pi=lxml.html.HtmlProcessingInstruction, entity=lxml.html.HtmlEntity,
    ))
    return parser


def parse_document(text: str) -> lxml.html.HtmlElement | None:
    """Parse an HTML document (str, already decoded); None when nothing parseable is left."""
    return parse_document_checked(text)[0]


def parse_document_checked(text: str) -> tuple[lxml.html.HtmlElement | None, bool]:
    """Like parse_document, also saying whether libxml2 stopped at its nesting limit (2048)."""
    if not text.strip():
        return None, False
    parser = _parser()
    text = _XML_DECLARATION.sub("", text, count=1)
    try:
        root = etree.fromstring(text, parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None, False
    too_deep = any(e.type_name == "ERR_RESOURCE_LIMIT" for e in parser.error_log)
    return root, too_deep


def iter_text(el: etree._Element, *, skip: frozenset[str] = DROP_TAGS) -> str:
    """The text of `el` with block boundaries as newlines; iterative, so depth is no problem."""
    out: list[str] = []
    skipping = 0
    for event, node in etree.iterwalk(el, events=("start", "end")):
        tag = node.tag if isinstance(node.tag, str) else ""
        if event == "start":
            if skipping or tag in skip:
                skipping += 1
                continue
            if tag in BLOCK_TAGS:
                out.append("\n")
            if node.text:
                out.append(node.text)
        else:
            if skipping:
                skipping -= 1
                if skipping:
                    continue
            elif tag in BLOCK_TAGS:
                out.append("\n")
            if node is not el and node.tail:
                out.append(node.tail)
    return "".join(out)


def fragment_text(fragment: str) -> str:
    """Plain text of an HTML fragment (a feed summary): tags dropped, script/style skipped."""
    if "<" not in fragment and "&" not in fragment:
        return fragment
    root = parse_document(f"<html><body><div>{fragment}</div></body></html>")
    if root is None:
        return ""
    body = root.find("body")
    return iter_text(body if body is not None else root)
