"""The library: the sources and their headlines, held in memory over the cache."""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from datetime import datetime

from newsreader.config import HeadlineFilter
from newsreader.dates import parse_time, timestamp
from newsreader.folders import in_folder
from newsreader.models import Headline, Source
from newsreader.services.reading import ReadingState
from newsreader.store.cache import Cache
from newsreader.store.writer import CacheWriter


class Library:
    """Every source's headlines, newest first; read from the cache once, then from memory.

    `sources` is the one live list of sources: adding or removing one goes through
    `set_sources`, and a refresh (here or in a child) reads it.
    """

    def __init__(
        self,
        sources: list[Source],
        *,
        filters: Sequence[HeadlineFilter] = (),
        cache: Cache,
        cache_writer: CacheWriter,
        reading: ReadingState,
    ) -> None:
        self.sources: list[Source] = list(sources)
        self.filters = tuple(filters)  # [[filters]]: headlines they match are not listed
        self.cache = cache
        self.cache_writer = cache_writer
        self.reading = reading
        # Called with a source's URL each time its headlines are stored (the child reports them).
        self.on_stored: Callable[[str], None] | None = None
        self._headlines: list[Headline] | None = None
        self._by_url: dict[str, Headline] = {}
        # Per-source lists as stored (source URL -> headlines), so a refresh that stores one
        # source never re-reads and re-decodes the other 199 from the cache.
        self._per_source: dict[str, list[Headline]] = {}
        # (unread count, the read-marks version and list it was counted for)
        self._unread: tuple[int, int, list[Headline]] | None = None

    def set_sources(self, sources: list[Source]) -> None:
        """The sources changed (added, removed, imported): list what they hold."""
        self.sources = list(sources)
        self.invalidate()

    def headlines(self) -> list[Headline]:
        """Every known headline, newest first: no network, no cache read once loaded."""
        return list(self._merged())

    def _merged(self) -> list[Headline]:
        """The held merged list (do not change it)."""
        if self._headlines is None:
            merged: dict[str, Headline] = {}
            for source in self.sources:
                for headline in self._source_headlines(source):
                    if not self.hides(headline):
                        merged.setdefault(headline.id, headline)
            # Saved stories stay listed, even when the cache no longer has their feed's entry
            # (and a filter hides a feed's entries, not what you saved).
            for headline in self.reading.saved_headlines():
                merged.setdefault(headline.id, headline)
            headlines = list(merged.values())
            headlines.sort(key=_sort_key, reverse=True)
            self._headlines = headlines
            self._by_url = {h.url: h for h in reversed(headlines) if h.url}
        return self._headlines

    def hides(self, headline: Headline) -> bool:
        """A [[filters]] table matches it: it is neither listed nor prefetched."""
        return any(
            rule.hides(headline.title, headline.source_name, headline.source_url, headline.url)
            for rule in self.filters
        )

    def select(
        self, *, source: str | None = None, folder: str | None = None,
        before: datetime | None = None,
    ) -> list[Headline]:
        """The headlines of one source (by name or URL) or folder (with its subfolders), and
        only those published (else first seen) before `before`; all of them by default."""
        folder_of = {s.name: s.folder for s in self.sources}
        chosen = []
        for headline in self._merged():
            if source is not None and source not in (headline.source_name, headline.source_url):
                continue
            if folder is not None and not in_folder(folder_of.get(headline.source_name), folder):
                continue
            if before is not None:
                when = parse_time(headline.published or headline.seen)
                if when is None or when >= before:
                    continue
            chosen.append(headline)
        return chosen

    def headline_for_url(self, url: str) -> Headline | None:
        self._merged()
        return self._by_url.get(url)

    def unread_count(self) -> int:
        """Counted once per change of the list or of the read marks, then a stored number."""
        headlines = self._merged()
        version = self.reading.version
        held = self._unread
        if held is None or held[1] != version or held[2] is not headlines:
            reads = self.reading.read_ids()
            count = sum(1 for h in headlines if h.id not in reads)
            self._unread = held = (count, version, headlines)
        return held[0]

    def _source_headlines(self, source: Source) -> list[Headline]:
        """The in-memory list for `source` (read from the cache once); do not mutate."""
        held = self._per_source.get(source.url)
        if held is None:
            held = self._read_cached(source)
            self._per_source[source.url] = held
        return held

    def cached_headlines(self, source: Source) -> list[Headline]:
        # Copies: callers may change the headlines they get without touching the held list.
        return [copy.copy(h) for h in self._source_headlines(source)]

    def _read_cached(self, source: Source) -> list[Headline]:
        raw = self.cache.get_json(headlines_key(source.url))
        if not isinstance(raw, list):
            return []
        out: list[Headline] = []
        for item in raw:
            try:
                out.append(Headline.from_dict(item))
            except (TypeError, KeyError):
                continue  # an entry from an older or damaged cache: skip it, keep the rest
        return out

    def store_headlines(self, source: Source, headlines: list[Headline]) -> None:
        self.cache.put_json(headlines_key(source.url), [h.to_dict() for h in headlines])
        self._hold(source, headlines)

    async def save_headlines(self, source: Source, headlines: list[Headline]) -> None:
        """`store_headlines` with the cache write on the writer thread (a refresh uses this)."""
        records = [h.to_dict() for h in headlines]
        await self.cache_writer.run(self.cache.put_json, headlines_key(source.url), records)
        self._hold(source, headlines)

    def _hold(self, source: Source, headlines: list[Headline]) -> None:
        # Only this source changes; the merged list is rebuilt from memory when next asked.
        self._per_source[source.url] = [copy.copy(h) for h in headlines]
        self._headlines = None
        if self.on_stored is not None:
            self.on_stored(source.url)

    def reload_sources(self, urls: list[str]) -> None:
        """Re-read these sources' headlines from the cache: another process stored them."""
        by_url = {source.url: source for source in self.sources}
        for url in urls:
            source = by_url.get(url)
            if source is not None:
                self._per_source[url] = self._read_cached(source)
                self._headlines = None

    def invalidate(self) -> None:
        """Forget the in-memory lists so the next `headlines()` re-reads the cache."""
        self._headlines = None
        self._per_source.clear()
        self.reading.forget_saved_headlines()


def headlines_key(source_url: str) -> str:
    return f"headlines:{source_url}"


def _sort_key(headline: Headline) -> float:
    return timestamp(headline.published) or timestamp(headline.seen)
