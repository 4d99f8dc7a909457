"""The demo edition: an invented agency site served in-process, so `--demo` needs no network."""

from __future__ import annotations

from datetime import UTC, datetime

from newsreader.demo.calendar import WRITTEN_FOR, shift_days
from newsreader.demo.transport import DEMO_BASE, DEMO_HOST, MISSING_PAGE, DemoTransport
from newsreader.models import Source

__all__ = [
    "DEMO_BASE",
    "DEMO_HOST",
    "DEMO_SOURCES",
    "MISSING_PAGE",
    "WRITTEN_FOR",
    "DemoTransport",
    "demo_transport",
]

DEMO_FOLDER = "Demo"

DEMO_SOURCES: list[Source] = [
    Source("RNA — Politics", f"{DEMO_BASE}/feeds/politics.rss", DEMO_FOLDER),
    Source("RNA — Economy", f"{DEMO_BASE}/feeds/economy.atom", DEMO_FOLDER),
    Source("RNA — Регіони", f"{DEMO_BASE}/feeds/regions-uk.rss", DEMO_FOLDER),
]


def demo_transport(latency: float = 0.0, *, now: datetime | None = None) -> DemoTransport:
    """Return a transport serving the demo site; `latency` seconds are added to every response.

    Its stories are dated relative to `now` (default: the current time), the newest a few
    hours old; at `calendar.WRITTEN_FOR` (the tests' frozen clock) exactly as in the files.
    """
    days = shift_days(now or datetime.now(UTC))
    return DemoTransport(latency=latency, shift_days=days)
