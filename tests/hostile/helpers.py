"""Shared pieces of the hostile suite: a Reader on loopback feeds, feed builders, state counts."""

from __future__ import annotations

import html
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from newsreader.config import Config
from newsreader.models import Source
from newsreader.net.client import NetSettings
from newsreader.services import wiring
from newsreader.services.reader import Reader
from tests.http_server import TestServer

# Tight limits so fault tests finish in seconds; the product defaults are asserted elsewhere.
FAST = NetSettings(connect_timeout=1.0, read_timeout=1.0, deadline=2.0, http2=False)


def rss(items: list[dict[str, str]], *, title: str = "Hostile feed", extra: str = "") -> bytes:
    """An RSS 2.0 document; item values are inserted as given (callers escape if they want)."""
    parts = []
    for item in items:
        fields = "".join(f"<{k}>{v}</{k}>" for k, v in item.items())
        parts.append(f"<item>{fields}</item>")
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>{title}</title><link>http://127.0.0.1/</link>{extra}"
        + "".join(parts)
        + "</channel></rss>"
    ).encode()


def items(n: int, prefix: str = "story", base: str = "http://127.0.0.1:9") -> list[dict[str, str]]:
    """`n` plain items with distinct guids, links and dates (newest first)."""
    return [
        {
            "title": html.escape(f"{prefix} {i}"),
            "link": f"{base}/{prefix}/{i}",
            "guid": f"{prefix}-{i}",
            "pubDate": f"Mon, {1 + i % 28:02d} Jan 2024 10:00:00 GMT",
        }
        for i in range(n)
    ]


def open_reader(server: TestServer, paths: list[str], *, settings: NetSettings = FAST,
                clock: Callable[[], float] = time.time, **config: Any) -> Reader:
    """The real Reader (real cache + state store in the isolated XDG dirs) on loopback feeds."""
    config.setdefault("prefetch", False)
    sources = [Source(f"Feed {i}", server.url(p)) for i, p in enumerate(paths)]
    return wiring.open_reader(
        Config(sources=sources, **config), net_settings=settings, clock=clock
    )


@dataclass(frozen=True)
class Counts:
    """What "nothing lost" is measured by."""

    headlines: int
    read: int
    saved: int


def counts(reader: Reader) -> Counts:
    reader.library.invalidate()
    reader.reading.writer.flush()  # the database as the queued marks will leave it
    state = reader.reading.state
    return Counts(len(reader.headlines()), len(state.read_ids()), len(state.saved()))


def mark_some(reader: Reader, read: int = 3, saved: int = 2) -> None:
    """Mark the first `read` headlines read and save `saved` of them."""
    heads = reader.headlines()
    reader.reading.state.set_read([h.id for h in heads[:read]])
    for h in heads[:saved]:
        reader.toggle_saved(h)


def raw_http(body: bytes, content_type: str = "application/rss+xml") -> bytes:
    """A complete HTTP/1.1 response (closing the connection) for RawServer handlers."""
    head = (
        f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode() + body


def read_request(conn: Any) -> bytes:
    """Read a request's head from a raw socket (enough to answer it)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


async def primed(server: TestServer, path: str = "/feed.xml", n: int = 5,
                 **config: Any) -> tuple[Reader, Counts]:
    """A Reader whose cache holds `n` headlines of `path`, with read marks and saved stories."""
    server.route(path, rss(items(n)), content_type="application/rss+xml", etag='"v1"')
    reader = open_reader(server, [path], **config)
    progress = await reader.refresh()
    assert not progress.errors, progress.errors
    mark_some(reader)
    before = counts(reader)
    assert before.headlines == n
    return reader, before


async def refresh_error(reader: Reader) -> str:
    """Refresh once and return the single source error the user is shown."""
    progress = await reader.refresh()
    assert len(progress.errors) == 1, progress.errors
    return next(iter(progress.errors.values()))
