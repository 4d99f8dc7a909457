"""The demo edition's calendar: its stories' dates follow today instead of the day they were
written for, so the demo never looks weeks stale.

The site's files carry fixed dates (newest: 24 Nov 2026, 15:00 Kyiv time). At a given moment
every date is moved by the same whole number of days, so that the newest story is between 2
and 26 hours old; times of day stay as written and weekdays follow their dates. At the moment
the demo was written for (WRITTEN_FOR, the tests' frozen clock and the screenshots') the shift
is 0 and the files are served byte for byte.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

WRITTEN_FOR = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
NEWEST_STORY = datetime(2026, 11, 24, 13, 0, tzinfo=UTC)
YOUNGEST = timedelta(hours=2)  # the newest story is never younger than this

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# The pages' own <time> text: "24 November 15:00", "24 листопада 15:00" (utf-8 or windows-1251).
_MONTH_WORDS = (
    ("January", "February", "March", "April", "May", "June", "July", "August", "September",
     "October", "November", "December"),
    ("січня", "лютого", "березня", "квітня", "травня", "червня", "липня", "серпня", "вересня",
     "жовтня", "листопада", "грудня"),
)

_ISO = re.compile(rb"\b(\d{4}-\d{2}-\d{2})(?=T\d{2}:\d{2})")  # Atom, <time>, meta, JSON-LD
_RFC822 = re.compile(  # RSS: "Tue, 24 Nov 2026 09:40:00 +0200"
    rb"\b(?:" + b"|".join(w.encode() for w in _WEEKDAYS) + rb"), (\d{1,2}) ("
    + b"|".join(m.encode() for m in _MONTHS) + rb") (\d{4})\b"
)
_TIME_TEXT = re.compile(
    rb'(<time\b[^>]*\bdatetime="(\d{4}-\d{2}-\d{2})T[^"]*"[^>]*>)'  # the tag, its date
    rb"(\d{1,2}) ([^\s<]+)( \d{2}:\d{2}</time>)"  # "24 November 15:00</time>"
)


def shift_days(now: datetime) -> int:
    """Whole days to move the demo's dates by at `now` (0 at WRITTEN_FOR)."""
    return (now - (NEWEST_STORY + YOUNGEST)) // timedelta(days=1)


def shift_dates(body: bytes, days: int) -> bytes:
    """`body` (a demo feed or page) with every date `days` days later."""
    if not days:
        return body
    step = timedelta(days=days)

    def iso(match: re.Match[bytes]) -> bytes:
        return (date.fromisoformat(match[1].decode()) + step).isoformat().encode()

    def rfc822(match: re.Match[bytes]) -> bytes:
        month = _MONTHS.index(match[2].decode()) + 1
        moved = date(int(match[3]), month, int(match[1])) + step
        return (f"{_WEEKDAYS[moved.weekday()]}, {moved.day:02d} {_MONTHS[moved.month - 1]} "
                f"{moved.year}").encode()

    def time_text(match: re.Match[bytes]) -> bytes:
        moved = date.fromisoformat(match[2].decode())  # the attribute, already moved
        for encoding in ("utf-8", "windows-1251"):
            try:
                word = match[4].decode(encoding)
            except UnicodeDecodeError:
                continue
            for names in _MONTH_WORDS:
                if word in names:
                    text = f"{moved.day} {names[moved.month - 1]}".encode(encoding)
                    return match[1] + text + match[5]
        return match[0]  # a form it does not know: as written

    body = _ISO.sub(iso, body)
    body = _RFC822.sub(rfc822, body)
    return _TIME_TEXT.sub(time_text, body)
