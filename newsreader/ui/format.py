"""Pure formatting helpers: fetched text in, Content out — never markup parsed from fetched text."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import UTC, datetime

from textual.content import Content

from newsreader.models import Headline, RelatedLink, Story
from newsreader.present import NumberedLink, age, kind_label, local_time, meta_parts

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
    headline: Headline, *, read: bool, saved: bool, now: datetime,
    source_width: int = SOURCE_WIDTH, source_prefix: str = "", thread: int = 0,
) -> Content:
    """One list row: unread mark, saved mark, age, source, the thread's length when the story
    has one, headline — literal text only.

    `source_width` 0 leaves the source out (the list shows one source: it says nothing);
    `source_prefix`, which every source name starts with ("RNA — "), is not repeated.
    """
    title = " ".join((headline.title or headline.url or "(untitled)").split())
    name = (headline.source_name or "").removeprefix(source_prefix)
    source = (_fit(name, source_width) + " ") if source_width else ""
    return Content.assemble(
        (READ_MARK if read else UNREAD_MARK, "$accent"),
        " ",
        (SAVED_MARK if saved else " ", "$warning"),
        " ",
        (age(headline.published, now).rjust(4), ROW_MUTED),
        " ",
        (source, "$text-secondary"),
        (f"{THREAD_MARK}{thread} " if thread > 1 else "", ROW_MUTED),
        (title, "" if read else "bold"),
    )


def shared_prefix(names: Collection[str]) -> str:
    """The words every one of two or more names starts with, up to a separator ("RNA — " of
    "RNA — Economy" and "RNA — Politics"); "" when they share none or are fewer than two."""
    if len(names) < 2:
        return ""
    # The first and last in sort order differ where any two do.
    first, last = min(names), max(names)
    pairs = zip(first, last, strict=False)  # as long as the shorter
    same = next((i for i, (a, b) in enumerate(pairs) if a != b), len(first))
    prefix = first[:same]
    cut = max(prefix.rfind(sep) + len(sep) for sep in (" ", "—", "–", "-", ":", "/"))
    prefix = prefix[:cut] if cut > 0 else ""
    # Every name keeps something after it.
    return prefix if all(len(name) > len(prefix) for name in names) else ""


ROW_FIXED = 9  # the marks, the age and the spaces around them: what a row has besides these


def source_column(row_width: int, longest: int, sources: int) -> int:
    """How wide the source column is: none for one source; else at most a quarter of what the
    row leaves after its marks and age (the title keeps the rest), never more than the longest
    name nor SOURCE_WIDTH, and at least 6 ("Examp…")."""
    if sources <= 1:
        return 0
    share = max(6, (row_width - ROW_FIXED) // 4)
    return max(1, min(SOURCE_WIDTH, longest, share))


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


def link_row(link: NumberedLink) -> Content:
    """A links-view row: "[3] Link: the words", and under it the address as it is opened."""
    return Content.assemble(
        (f"[{link.number}] ", "bold $accent"),
        (f"{link.label}: ", "$text-secondary"),
        " ".join(link.title.split()),
        ("\n    " + link.url, ROW_MUTED),
    )
