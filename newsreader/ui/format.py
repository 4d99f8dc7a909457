"""Pure formatting helpers: fetched text in, Content out — never markup parsed from fetched text."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from textual.content import Content

from newsreader.models import Headline, RelatedLink, Story
from newsreader.present import age, kind_label, local_time, meta_parts

Clock = Callable[[], datetime]

READ_MARK, UNREAD_MARK = " ", "●"
SAVED_MARK = "★"
# Secondary text in a span on the pane's own background. Not $text-muted there: an "auto"
# colour, which a span renders at full contrast, not muted.
MUTED = "$foreground-muted"
# In list rows the auto colour is what keeps the highlighted row readable (a muted foreground
# on the light theme's cursor row has a contrast of 1.4:1).
ROW_MUTED = "$text-muted"
SOURCE_WIDTH = 14
__all__ = ["age", "local_time"]  # re-exported: the UI's time helpers live here


def utc_now() -> datetime:
    return datetime.now(UTC)


def _fit(text: str, width: int) -> str:
    """Pad or cut `text` to exactly `width` characters (cut ends with an ellipsis)."""
    if len(text) > width:
        return text[: width - 1] + "…"
    return text.ljust(width)


THREAD_MARK = "↳"  # before a headline whose story has a thread: "↳4" (4 stories)


def headline_row(
    headline: Headline, *, read: bool, saved: bool, now: datetime, thread: int = 0
) -> Content:
    """One list row: unread mark, saved mark, age, source, the thread's length when the story
    has one, headline — literal text only."""
    title = " ".join((headline.title or headline.url or "(untitled)").split())
    return Content.assemble(
        (READ_MARK if read else UNREAD_MARK, "$accent"),
        " ",
        (SAVED_MARK if saved else " ", "$warning"),
        " ",
        (age(headline.published, now).rjust(4), ROW_MUTED),
        " ",
        (_fit(headline.source_name or "", SOURCE_WIDTH), "$text-secondary"),
        " ",
        (f"{THREAD_MARK}{thread} " if thread > 1 else "", ROW_MUTED),
        (title, "" if read else "bold"),
    )


def meta_line(story: Story) -> Content:
    """The meta line, "Kyiv • UNN  ·  2024-05-01 14:05  ·  1,558 views  ·  by A", as known."""
    return Content("  ·  ".join(meta_parts(story)))


def related_row(number: int, link: RelatedLink, *, cached: bool) -> Content:
    """A related-links row: "[1] Recall: title  ✓ cached"."""
    label = kind_label(link.kind)
    title = " ".join((link.title or link.summary or link.url).split())
    return Content.assemble(
        (f"[{number}] ", "bold $accent"),
        (f"{label}: ", "$text-secondary"),
        title,
        ("  ✓ cached" if cached else "  ○ not cached", ROW_MUTED),
    )
