"""Cache housekeeping: what the cache holds per source, and clearing it."""

from __future__ import annotations

from dataclasses import dataclass, field

from newsreader.dates import timestamp
from newsreader.models import Source
from newsreader.services.images import forget_story
from newsreader.services.library import Library
from newsreader.services.stories import Stories
from newsreader.store.cache import Cache


@dataclass(slots=True)
class SourceCacheInfo:
    name: str
    headlines: int = 0
    stories_cached: int = 0
    oldest: str | None = None


@dataclass(slots=True)
class CacheInfo:
    size_bytes: int
    entries: int
    headlines: int
    stories_cached: int
    oldest: str | None  # of the headlines and of the stories in no feed
    sources: list[SourceCacheInfo] = field(default_factory=list)
    # Stories cached but in no feed: followed through Recall / Read also, or along threads.
    stories_unlisted: int = 0


def cache_info(library: Library, stories: Stories) -> CacheInfo:
    per_source: list[SourceCacheInfo] = []
    listed: set[str] = set()
    for source in library.sources:
        headlines = library.cached_headlines(source)
        listed.update(h.url for h in headlines)
        info = SourceCacheInfo(source.name, headlines=len(headlines))
        info.stories_cached = sum(1 for h in headlines if h.url and stories.is_cached(h.url))
        stamps = [h.published or h.seen for h in headlines if h.published or h.seen]
        info.oldest = min(stamps, key=timestamp) if stamps else None
        per_source.append(info)
    stats = stories.cache.stats()
    unlisted = [url for url in stories.cache.story_urls() if url not in listed]
    oldest = [s.oldest for s in per_source if s.oldest]
    for url in unlisted:
        story = stories.cached_story(url)
        if story is not None and story.published:
            oldest.append(story.published)
    return CacheInfo(
        size_bytes=int(stats.get("size_bytes", 0)),
        entries=int(stats.get("entries", 0)),
        headlines=sum(s.headlines for s in per_source),
        stories_cached=sum(s.stories_cached for s in per_source),
        oldest=min(oldest, key=timestamp) if oldest else None,
        sources=per_source,
        stories_unlisted=len(unlisted),
    )


def clear_cache(library: Library, cache: Cache, source: Source | None = None) -> int:
    """Drop cached data (everything, or one source's); user state is untouched. Returns count."""
    if source is None:
        count = cache.stats().get("entries", 0)
        cache.clear()
        library.invalidate()
        return int(count)
    count = 0
    for headline in library.cached_headlines(source):
        if headline.url:
            count += forget_story(cache, headline.url)
    count += cache.delete_story(source.url)
    library.store_headlines(source, [])
    return count
