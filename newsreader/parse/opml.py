"""OPML import and export; nested <outline> folders survive a round trip as "A/B" folder paths."""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.etree.ElementTree import Element, ParseError, SubElement, indent, tostring

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from newsreader.errors import NewsreaderError
from newsreader.models import Source
from newsreader.parse.sanitize import clean_line
from newsreader.parse.urls import safe_url

FOLDER_SEPARATOR = "/"
MAX_OPML_BYTES = 5 * 1024 * 1024


class OpmlError(NewsreaderError):
    """An OPML file that cannot be read; the message names the line and column."""


@dataclass(slots=True)
class OpmlImport:
    """What an OPML file holds: usable sources and the entries skipped, with reasons."""

    sources: list[Source] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def parse_opml(content: bytes, name: str = "OPML") -> OpmlImport:
    """Read feeds from OPML bytes. Only http(s) feed URLs are taken; XML entities never expand."""
    if len(content) > MAX_OPML_BYTES:
        raise OpmlError(f"{name}: file is larger than 5 MiB")
    try:
        root = SafeET.fromstring(content, forbid_dtd=True)
    except ParseError as exc:
        line, column = getattr(exc, "position", (None, None))
        reason = str(exc).split(":")[0]
        raise OpmlError(f"{name}:{line}:{column}: not valid OPML ({reason})") from None
    except DefusedXmlException as exc:
        kind = type(exc).__name__
        raise OpmlError(f"{name}: refused: {kind} (DTDs and entities are not allowed)") from None
    if _local(root.tag) != "opml":
        raise OpmlError(f"{name}:1:1: not an OPML file (root is <{_local(root.tag)}>)")
    body = next((child for child in root if _local(child.tag) == "body"), None)
    result = OpmlImport()
    if body is not None:
        _walk(body, [], result)
    return result


def _walk(parent: Element, folders: list[str], result: OpmlImport) -> None:
    for outline in parent:
        if _local(outline.tag) != "outline":
            continue
        title = clean_line(outline.get("title") or outline.get("text") or "", 200)
        raw_url = outline.get("xmlUrl") or outline.get("xmlurl")
        if raw_url is None:
            # An outline without a feed URL is a folder: its children inherit its name.
            label = title.replace(FOLDER_SEPARATOR, "-") or "Untitled"
            _walk(outline, [*folders, label], result)
            continue
        url = safe_url(raw_url.strip())
        if url is None:
            shown = clean_line(raw_url, 120)
            result.skipped.append(f"{title or shown}: not an http(s) feed URL ({shown})")
            continue
        folder = FOLDER_SEPARATOR.join(folders) or None
        result.sources.append(Source(title or url, url, folder))


def write_opml(sources: list[Source], title: str = "newsreader subscriptions") -> str:
    """Sources as OPML 2.0, folders nested as outlines (not flattened)."""
    root = Element("opml", version="2.0")
    head = SubElement(root, "head")
    SubElement(head, "title").text = title
    body = SubElement(root, "body")
    folders: dict[str, Element] = {}
    for source in sources:
        parent = body
        path: list[str] = []
        for part in (source.folder or "").split(FOLDER_SEPARATOR):
            if not part:
                continue
            path.append(part)
            key = FOLDER_SEPARATOR.join(path)
            if key not in folders:
                folders[key] = SubElement(parent, "outline", text=part, title=part)
            parent = folders[key]
        SubElement(parent, "outline", type="rss", text=source.name, title=source.name,
                   xmlUrl=source.url)
    indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + tostring(root, encoding="unicode") + "\n"


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1].lower()
