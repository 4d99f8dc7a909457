"""The demo edition: an invented agency site served in-process, so `--demo` needs no network."""

from __future__ import annotations

from newsreader.demo.transport import DEMO_BASE, DEMO_HOST, MISSING_PAGE, DemoTransport
from newsreader.models import Source

__all__ = [
    "DEMO_BASE",
    "DEMO_HOST",
    "DEMO_SOURCES",
    "MISSING_PAGE",
    "DemoTransport",
    "demo_transport",
]

DEMO_FOLDER = "Demo"

DEMO_SOURCES: list[Source] = [
    Source("RNA — Politics", f"{DEMO_BASE}/feeds/politics.rss", DEMO_FOLDER),
    Source("RNA — Economy", f"{DEMO_BASE}/feeds/economy.atom", DEMO_FOLDER),
    Source("RNA — Регіони", f"{DEMO_BASE}/feeds/regions-uk.rss", DEMO_FOLDER),
]


def demo_transport(latency: float = 0.0) -> DemoTransport:
    """Return a transport serving the demo site; `latency` seconds are added to every response."""
    return DemoTransport(latency=latency)
