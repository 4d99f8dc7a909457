"""Source discovery, cache housekeeping and full-text search over the cached stories."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from newsreader.config_write import add_sources
from newsreader.config_write import remove_source as remove_source_from_file
from newsreader.errors import ConfigError, ParseError
from newsreader.models import Source, Story
from newsreader.net.client import fetch
from newsreader.parse.discover import find_feed_links
from newsreader.services.reader import Reader
from newsreader.services.refresh import FEED_ACCEPT


async def discover_feeds(reader: Reader, url: str) -> list[tuple[str, str]]:
    """(title, feed URL) for `url`: itself if it is a feed, else the feeds its page advertises."""
    result = await fetch(reader.client, url, settings=reader.net_settings, accept=FEED_ACCEPT)
    try:
        feed = await reader.parser.parse_feed(
            result.content, result.final_url, source_name="", headers=result.headers
        )
        return [(feed.title or result.final_url, result.final_url)]
    except ParseError as exc:
        if "HTML" not in exc.reason:
            raise
    return find_feed_links(result.content, result.final_url, result.headers)


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
    oldest: str | None
    sources: list[SourceCacheInfo] = field(default_factory=list)


def cache_info(reader: Reader) -> CacheInfo:
    per_source: list[SourceCacheInfo] = []
    for source in reader.sources:
        headlines = reader.cached_headlines(source)
        info = SourceCacheInfo(source.name, headlines=len(headlines))
        info.stories_cached = sum(1 for h in headlines if h.url and reader.is_cached(h.url))
        stamps = [h.published or h.seen for h in headlines if h.published or h.seen]
        info.oldest = min(stamps, key=_timestamp) if stamps else None
        per_source.append(info)
    stats = reader.cache.stats()
    oldest = [s.oldest for s in per_source if s.oldest]
    return CacheInfo(
        size_bytes=int(stats.get("size_bytes", 0)),
        entries=int(stats.get("entries", 0)),
        headlines=sum(s.headlines for s in per_source),
        stories_cached=sum(s.stories_cached for s in per_source),
        oldest=min(oldest, key=_timestamp) if oldest else None,
        sources=per_source,
    )


def clear_cache(reader: Reader, source: Source | None = None) -> int:
    """Drop cached data (everything, or one source's); user state is untouched. Returns count."""
    if source is None:
        count = reader.cache.stats().get("entries", 0)
        reader.cache.clear()
        reader.invalidate_headlines()
        return int(count)
    count = 0
    for headline in reader.cached_headlines(source):
        if headline.url:
            count += reader.cache.delete_story(headline.url)
    count += reader.cache.delete_story(source.url)
    reader.store_headlines(source, [])
    return count


@dataclass(slots=True)
class SearchHit:
    url: str
    title: str
    source: str
    snippet: str


def search(reader: Reader, query: str, limit: int = 100) -> list[SearchHit]:
    """Stories (cached full text, else headline and summary) containing every word of `query`."""
    words = [w.casefold() for w in query.split() if w.strip()]
    if not words:
        return []
    hits: list[SearchHit] = []
    listed: set[str] = set()
    for headline in reader.headlines():
        listed.add(headline.url)
        story = reader.cached_story(headline.url) if headline.url else None
        text = _story_text(story) if story else f"{headline.title}\n{headline.summary}"
        _match(hits, words, text, headline.url, headline.title, headline.source_name)
        if len(hits) >= limit:
            return hits
    # Stories reached through Recall / Read also links are cached but in no feed: the history
    # knows them.
    for entry in reader.history.entries:
        if entry.url in listed:
            continue
        listed.add(entry.url)
        story = reader.cached_story(entry.url)
        if story is not None:
            _match(hits, words, _story_text(story), entry.url, story.title, story.source or "")
            if len(hits) >= limit:
                break
    return hits


def _match(
    hits: list[SearchHit], words: list[str], text: str, url: str, title: str, source: str
) -> None:
    folded = text.casefold()
    if all(word in folded for word in words):
        hits.append(SearchHit(url, title, source, _snippet(text, folded, words[0])))


def _story_text(story: Story) -> str:
    # The title is searched too, but the snippet should show the body: put it last.
    parts = [story.lead or ""]
    for block in story.blocks:
        parts.append(block.text)
        parts.extend(block.items)
        if block.caption:
            parts.append(block.caption)
    parts.append(story.title)
    return "\n".join(p for p in parts if p)


def _snippet(text: str, folded: str, word: str, width: int = 60) -> str:
    at = folded.find(word)
    start = max(0, at - width)
    snippet = " ".join(text[start : at + len(word) + width].split())
    return ("…" if start else "") + snippet + ("…" if at + len(word) + width < len(text) else "")


def _timestamp(value: str) -> float:
    try:
        return datetime.fromisoformat(value).timestamp()
    except ValueError:
        return 0.0


def add_source(reader: Reader, source: Source) -> bool:
    """Add a source to the config file and to the running reader; False if already there."""
    added, _ = import_sources(reader, [source])
    return bool(added)


def import_sources(reader: Reader, sources: list[Source]) -> tuple[list[Source], list[Source]]:
    """Add sources (by URL, skipping known ones) to the config file and the running reader.

    Returns (added, duplicates). As in the config file, the first sources added replace the
    built-in defaults, so the running reader lists what the file will list after a restart.
    """
    had_file, added, duplicates = _write_added(_config_path(reader, "added"), sources)
    _adopt_added(reader, added, had_file)
    return added, duplicates


def remove_source(reader: Reader, source: Source) -> None:
    """Remove a source from the config file and the running reader (its cache stays)."""
    remove_source_from_file(_config_path(reader, "removed"), source.url)
    _adopt_removed(reader, source)


# The app's versions: the config file is written in a thread (it is fsynced), while the
# reader's own lists change on the event loop, never under a refresh that is reading them.


async def add_source_async(reader: Reader, source: Source) -> bool:
    added, _ = await import_sources_async(reader, [source])
    return bool(added)


async def import_sources_async(
    reader: Reader, sources: list[Source]
) -> tuple[list[Source], list[Source]]:
    path = _config_path(reader, "added")
    had_file, added, duplicates = await asyncio.to_thread(_write_added, path, sources)
    _adopt_added(reader, added, had_file)
    return added, duplicates


async def remove_source_async(reader: Reader, source: Source) -> None:
    await asyncio.to_thread(remove_source_from_file, _config_path(reader, "removed"), source.url)
    _adopt_removed(reader, source)


def _config_path(reader: Reader, verb: str) -> Path:
    if reader.config.path is None:
        raise ConfigError("config.toml", f"the demo edition's sources are fixed; nothing {verb}")
    return reader.config.path


def _write_added(path: Path, sources: list[Source]) -> tuple[bool, list[Source], list[Source]]:
    had_file = path.exists()
    added, duplicates = add_sources(path, sources)
    return had_file, added, duplicates


def _adopt_added(reader: Reader, added: list[Source], had_file: bool) -> None:
    if not added:
        return
    current = list(reader.sources) if had_file else []
    known = {s.url for s in current}
    current += [s for s in added if s.url not in known]
    reader.sources = current
    reader.config.sources = list(current)
    reader.invalidate_headlines()


def _adopt_removed(reader: Reader, source: Source) -> None:
    reader.sources = [s for s in reader.sources if s.url != source.url]
    reader.config.sources = list(reader.sources)
    reader.invalidate_headlines()
