"""When each source is next due: its interval, the feed's <ttl>, Cache-Control, and backoff."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from typing import Any

from newsreader.config import Config
from newsreader.errors import NewsreaderError
from newsreader.models import Source
from newsreader.store.cache import Cache
from newsreader.store.writer import CacheWriter

MAX_BACKOFF_SECONDS = 24 * 3600
MAX_SERVER_HINT_SECONDS = 24 * 3600  # a feed may not ask us to stay away for more than a day


class Schedule:
    """Per-source timing kept in the cache (losing it only means everything is due)."""

    def __init__(
        self, config: Config, *, cache: Cache, cache_writer: CacheWriter,
        clock: Callable[[], float],
    ) -> None:
        self.config = config
        self.cache = cache
        self.cache_writer = cache_writer
        self.clock = clock

    def _key(self, source: Source) -> str:
        return f"feedmeta:{source.url}"

    def _meta(self, source: Source) -> dict[str, Any]:
        meta = self.cache.get_json(self._key(source))
        return meta if isinstance(meta, dict) else {}

    def interval(self, source: Source) -> float:
        config = self.config
        return 60.0 * config.source_refresh_minutes.get(source.url, config.refresh_minutes)

    def is_due(self, source: Source, now: float) -> bool:
        due = self._meta(source).get("next_due")
        return not isinstance(due, int | float) or now >= due

    def last_errors(self, sources: list[Source]) -> dict[str, str]:
        """The last error of each source still failing: shown until it succeeds again."""
        errors = {}
        for source in sources:
            error = self._meta(source).get("last_error")
            if isinstance(error, str) and error:
                errors[source.name] = error
        return errors

    async def succeeded(
        self, source: Source, headers: dict[str, str], ttl_minutes: int | None
    ) -> None:
        now = self.clock()
        wait = self.interval(source)
        hint = max(_cache_hint(headers, now), 60.0 * (ttl_minutes or 0))
        wait = max(wait, min(hint, MAX_SERVER_HINT_SECONDS))
        meta = {"next_due": now + wait, "failures": 0, "last_error": None, "last_success": now}
        await self.cache_writer.run(self._write, source, meta)

    async def failed(self, source: Source, reason: str, retry_after: float | None) -> None:
        now = self.clock()
        meta = self._meta(source)
        failures = int(meta.get("failures") or 0) + 1
        # Exponential backoff from one minute, never more often than the server asks.
        wait = min(60.0 * 2 ** (failures - 1), MAX_BACKOFF_SECONDS)
        if retry_after:
            wait = max(wait, min(retry_after, 3600.0))
        meta.update(next_due=now + wait, failures=failures, last_error=reason)
        await self.cache_writer.run(self._write, source, meta)

    def _write(self, source: Source, meta: dict[str, Any]) -> None:
        # Timing is an optimisation: a full disk must not fail the refresh over it.
        with contextlib.suppress(NewsreaderError, OSError):
            self.cache.put_json(self._key(source), meta)


def _cache_hint(headers: dict[str, str], now: float) -> float:
    """Seconds the server says the feed stays fresh (Cache-Control max-age, else Expires)."""
    control = headers.get("cache-control", "")
    match = re.search(r"max-age\s*=\s*(\d+)", control)
    if match:
        return float(match.group(1))
    expires = headers.get("expires")
    if expires:
        try:
            from email.utils import parsedate_to_datetime  # only for an Expires header

            return max(0.0, parsedate_to_datetime(expires).timestamp() - now)
        except (TypeError, ValueError, IndexError, OverflowError):
            return 0.0
    return 0.0
