"""Pure formatting helpers: fetched text in, Content out — never markup parsed from fetched text."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from textual.content import Content

from newsreader.models import Headline, RelatedLink, Story

Clock = Callable[[], datetime]

READ_MARK, UNREAD_MARK = " ", "●"
SAVED_MARK = "★"
SOURCE_WIDTH = 14
KIND_LABELS = {"recall": "Recall", "read_also": "Read also", "related": "Related"}


def utc_now() -> datetime:
    return datetime.now(UTC)


def parse_time(value: str | None) -> datetime | None:
    """An ISO 8601 string as an aware datetime (naive values are taken as UTC), else None."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def age(published: str | None, now: datetime) -> str:
    """A compact age such as "5m", "3h", "2d", "7w"; "" when unknown, "now" for the future."""
    when = parse_time(published)
    if when is None:
        return ""
    seconds = (now - when).total_seconds()
    if seconds < 60:
        return "now"
    for size, unit in ((7 * 86400, "w"), (86400, "d"), (3600, "h"), (60, "m")):
        if seconds >= size:
            return f"{int(seconds // size)}{unit}"
    return "now"  # pragma: no cover - the loop always returns for seconds >= 60


def local_time(value: str | None) -> str:
    """The timestamp in the user's local zone, "2024-05-01 14:05"; "" when unknown."""
    when = parse_time(value)
    return when.astimezone().strftime("%Y-%m-%d %H:%M") if when else ""


def _fit(text: str, width: int) -> str:
    """Pad or cut `text` to exactly `width` characters (cut ends with an ellipsis)."""
    if len(text) > width:
        return text[: width - 1] + "…"
    return text.ljust(width)


def headline_row(headline: Headline, *, read: bool, saved: bool, now: datetime) -> Content:
    """One list row: unread mark, saved mark, age, source, headline — literal text only."""
    title = " ".join((headline.title or headline.url or "(untitled)").split())
    return Content.assemble(
        (READ_MARK if read else UNREAD_MARK, "$accent"),
        " ",
        (SAVED_MARK if saved else " ", "$warning"),
        " ",
        (age(headline.published, now).rjust(4), "$text-muted"),
        " ",
        (_fit(headline.source_name or "", SOURCE_WIDTH), "$text-secondary"),
        " ",
        (title, "" if read else "bold"),
    )


def meta_line(story: Story) -> Content:
    """The meta line, "Kyiv • UNN  ·  2024-05-01 14:05  ·  1,558 views  ·  by A", as known."""
    parts: list[str] = []
    if story.dateline and (story.dateline.place or story.dateline.agency):
        parts.append(" • ".join(p for p in (story.dateline.place, story.dateline.agency) if p))
    elif story.source:
        parts.append(story.source)
    when = local_time(story.published)
    if when:
        parts.append(when)
    if story.views is not None:
        parts.append(f"{story.views:,} views")
    if story.authors:
        parts.append("by " + ", ".join(story.authors))
    return Content("  ·  ".join(parts))


def related_row(number: int, link: RelatedLink, *, cached: bool) -> Content:
    """A related-links row: "[1] Recall: title  ✓ cached"."""
    label = KIND_LABELS.get(link.kind, link.kind.replace("_", " ").title())
    title = " ".join((link.title or link.summary or link.url).split())
    return Content.assemble(
        (f"[{number}] ", "bold $accent"),
        (f"{label}: ", "$text-secondary"),
        title,
        ("  ✓ cached" if cached else "  ○ not cached", "$text-muted"),
    )
