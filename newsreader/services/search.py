"""Full-text search over every cached story (and the headlines of those not cached)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from newsreader.models import Headline, Story
from newsreader.services.stories import Stories
from newsreader.words import has_all, query_words


@dataclass(slots=True)
class SearchHit:
    url: str
    title: str
    source: str
    snippet: str
    published: str | None = None  # ISO 8601, as the feed or the page gave it


def search(
    headlines: list[Headline], visited: list[str], stories: Stories, query: str,
    limit: int = 100,
) -> list[SearchHit]:
    """Stories (cached full text, else headline and summary) containing every word of `query`.

    `headlines` and `visited` (the history's URLs) are snapshots taken on the event loop: this
    reads only the cache, so it may run on a thread while the loop changes the library.
    """
    words = query_words(query)
    if not words:
        return []
    hits: list[SearchHit] = []
    listed: set[str] = set()
    for headline in headlines:
        listed.add(headline.url)
        story = stories.cached_story(headline.url) if headline.url else None
        text = _story_text(story) if story else f"{headline.title}\n{headline.summary}"
        _match(hits, words, text, headline.url, headline.title, headline.source_name,
               headline.published)
        if len(hits) >= limit:
            return hits
    # Stories in no feed are cached too: reached through Recall / Read also links (the history
    # knows those, most recent first) or along threads by the refresh (only the cache does).
    for url in _unlisted(visited, stories.cache.story_urls(), listed):
        story = stories.cached_story(url)
        if story is not None:
            _match(hits, words, _story_text(story), url, story.title or url,
                   story.source or urlsplit(url).hostname or "", story.published)
            if len(hits) >= limit:
                break
    return hits


def _unlisted(visited: list[str], cached: list[str], listed: set[str]) -> Iterator[str]:
    """The URLs of `visited`, then of `cached`, that are not in `listed`, each once."""
    for url in (*visited, *cached):
        if url not in listed:
            listed.add(url)
            yield url


def _match(
    hits: list[SearchHit], words: list[str], text: str, url: str, title: str, source: str,
    published: str | None,
) -> None:
    folded = text.casefold()
    if has_all(words, folded):
        hits.append(SearchHit(url, title, source, _snippet(text, folded, words[0]), published))


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
