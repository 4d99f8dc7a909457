"""An httpx transport that serves the bundled demo site and refuses every other host."""

from __future__ import annotations

import asyncio
import hashlib
import re
from importlib.resources import files
from importlib.resources.abc import Traversable

import httpx

from newsreader.demo.calendar import shift_dates

DEMO_HOST = "demo.newsreader.invalid"
DEMO_BASE = f"https://{DEMO_HOST}"

# The site map (newsreader/demo/site/), for whoever demos or tests against it.
#
# Feeds: /feeds/politics.rss (RSS 2.0, utf-8), /feeds/economy.atom (Atom 1.0, utf-8),
# /feeds/regions-uk.rss (RSS 2.0, Ukrainian, windows-1251 bytes, charset only in the XML
# declaration). Stories: /news/<slug> (or /news/<slug>.html), 16 pages. Every page ends with a
# "Recall" ("Нагадаємо") block linking an earlier story; the chains are
#
#   kyiv-extends-heating-point-hours -> kyiv-council-approves-winter-heating-plan
#     -> kyiv-heating-mains-repairs-finished-early -> kyiv-council-adopts-2027-budget (archive)
#     -> government-approves-winter-preparedness-programme (archive)
#     -> cabinet-holds-winter-consultations (MISSING: 404, so the app can show "not found")
#   cyber-agency-warns-of-fake-links (hostile strings) -> cyber-agency-opens-scam-hotline
#     -> government-approves-winter-preparedness-programme
#   central-bank-holds-key-rate -> odesa-grain-shipments-rise -> odesa-port-opens-grain-terminal
#     -> odesa-substation-upgrade-completed -> government-approves-winter-preparedness-programme
#   kharkiv-opens-underground-classrooms -> government-approves-winter-preparedness-programme
#   dnipro-hospitals-get-modular-boilers -> government-approves-winter-preparedness-programme
#   lviv-punkty-obihrivu (uk) -> lviv-enerhoefektyvnist-shkil (uk)
#     -> kharkivshchyna-hazopostachannia (uk) -> government-approves-winter-preparedness-programme
#
# Pictures: /img/<slug>.jpg; only dnipro-hospitals-get-modular-boilers has one (a drawing made
# for the demo), every other page's picture is a 404 and shows its caption alone.
# The two "archive" pages are in no feed: they are reachable only through Recall links.
# The windows-1251 pages (only <meta charset="windows-1251">, no charset in Content-Type) are
# the three Ukrainian ones. cyber-agency-warns-of-fake-links carries a literal
# "[bold red]markup[/]" in its title and an entity-encoded OSC sequence in its body.
MISSING_PAGE = f"{DEMO_BASE}/news/cabinet-holds-winter-consultations"

_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_TYPES = {
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".html": "text/html",
    ".jpg": "image/jpeg",
}


def _site() -> Traversable:
    return files("newsreader.demo") / "site"


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha1(body, usedforsecurity=False).hexdigest() + '"'


def _matches(if_none_match: str, etag: str) -> bool:
    tags = [t.strip() for t in if_none_match.split(",")]
    return "*" in tags or any(t.removeprefix("W/") == etag for t in tags)


class DemoTransport(httpx.AsyncBaseTransport):
    """Serve newsreader/demo/site/ for DEMO_HOST only; nothing ever leaves the machine."""

    def __init__(self, latency: float = 0.0, shift_days: int = 0) -> None:
        self.latency = latency
        self.shift_days = shift_days  # every date served this many days later (calendar.py)
        self._cache: dict[str, bytes | None] = {}

    def _load(self, path: str) -> tuple[str, bytes] | None:
        """Map a URL path to (file name, bytes), or None when there is no such file."""
        segments = [s for s in path.split("/") if s]
        if not segments or not all(_SEGMENT.match(s) for s in segments):
            return None
        names = [segments[-1]]
        if "." not in segments[-1]:
            names.append(segments[-1] + ".html")
        for name in names:
            key = "/".join([*segments[:-1], name])
            if key not in self._cache:
                node = _site()
                for part in [*segments[:-1], name]:
                    node = node.joinpath(part)
                self._cache[key] = (
                    shift_dates(node.read_bytes(), self.shift_days) if node.is_file() else None
                )
            body = self._cache[key]
            if body is not None:
                return name, body
        return None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.host != DEMO_HOST or request.url.scheme not in ("http", "https"):
            raise httpx.ConnectError("demo edition: no network", request=request)
        if self.latency > 0:
            await asyncio.sleep(self.latency)
        if request.method not in ("GET", "HEAD"):
            return httpx.Response(405, headers={"Allow": "GET, HEAD"}, request=request)
        found = self._load(request.url.path)
        if found is None:
            body = b"<!DOCTYPE html><title>Not found</title><h1>404 Not Found</h1>"
            headers = {"Content-Type": "text/html; charset=utf-8"}
            return httpx.Response(404, headers=headers, content=body, request=request)
        name, body = found
        etag = _etag(body)
        headers = {"ETag": etag, "Cache-Control": "max-age=60"}
        if _matches(request.headers.get("If-None-Match", ""), etag):
            return httpx.Response(304, headers=headers, request=request)
        content_type = _TYPES.get(name[name.rfind(".") :], "application/octet-stream")
        if content_type == "text/html":
            try:
                body.decode("utf-8")
            except UnicodeDecodeError:
                pass  # legacy pages: the charset is only in <meta>, as on the real sites
            else:
                content_type += "; charset=utf-8"
        headers["Content-Type"] = content_type
        if request.method == "HEAD":
            headers["Content-Length"] = str(len(body))
            return httpx.Response(200, headers=headers, request=request)
        return httpx.Response(200, headers=headers, content=body, request=request)
