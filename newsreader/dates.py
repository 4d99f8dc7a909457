"""The one reader of the ISO 8601 times newsreader stores (published, seen, saved)."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache


def parse_time(value: str | None) -> datetime | None:
    """An ISO 8601 string as an aware datetime (naive values are taken as UTC), else None."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@lru_cache(maxsize=1 << 17)
def timestamp(value: str | None) -> float:
    """POSIX seconds of `value`, 0.0 when it is missing or no ISO time.

    Cached per distinct string: re-sorting 10,000 headlines then costs a few ms.
    """
    parsed = parse_time(value)
    return parsed.timestamp() if parsed else 0.0
