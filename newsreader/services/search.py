"""Full-text search over the cached stories (and the headlines of those not cached)."""

from __future__ import annotations

from dataclasses import dataclass

from newsreader.models import Headline, Story
from newsreader.services.stories import Stories
from newsreader.words import has_all, query_words


@dataclass(slots=True)
class SearchHit:
    url: str
    title: str
    source: str
    snippet: str


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
        _match(hits, words, text, headline.url, headline.title, headline.source_name)
        if len(hits) >= limit:
            return hits
    # Stories reached through Recall / Read also links are cached but in no feed: the history
    # knows them.
    for url in visited:
        if url in listed:
            continue
        listed.add(url)
        story = stories.cached_story(url)
        if story is not None:
            _match(hits, words, _story_text(story), url, story.title, story.source or "")
            if len(hits) >= limit:
                break
    return hits


def _match(
    hits: list[SearchHit], words: list[str], text: str, url: str, title: str, source: str
) -> None:
    folded = text.casefold()
    if has_all(words, folded):
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
