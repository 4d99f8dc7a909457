"""Story threads: a story's Recall / Read-also chain both ways, as an oldest-first timeline."""

from __future__ import annotations

import asyncio
from typing import cast

from newsreader.dates import timestamp
from newsreader.errors import NewsreaderError
from newsreader.models import Story, ThreadEntry, ThreadRelation
from newsreader.services.stories import Stories
from newsreader.store.threads import THREAD_KINDS, ThreadIndex

MAX_ENTRIES = 200  # a thread longer than this is cut: nobody reads a 200-story timeline
MAX_WALK_DEPTH = 50  # links from the story asked for, either way


class Threads:
    """Threads from the cache (`cached_thread`, no network) or completed online (`load_thread`).

    A thread is the story, what it recalls (and what those recall...), and the stories that
    recall it (`followed_by`, from the `ThreadIndex`'s backlinks). Cycles, self-links and
    links to pages that never arrived end a branch; they never repeat an entry.
    """

    def __init__(self, *, index: ThreadIndex, stories: Stories, depth: int, offline: bool) -> None:
        self.index = index
        self.stories = stories
        self.depth = depth  # thread_depth: how far an online open fetches along the links
        self.offline = offline

    async def load_index(self) -> None:
        """Load the index off the loop (a JSON parse; a scan of the cache when it is missing)."""
        if not self.index.loaded:
            await asyncio.to_thread(self.index.ensure_loaded)

    def length(self, url: str) -> int:
        """How many stories `url`'s thread has, 0 before the index is loaded: the list's mark,
        from the index alone (no story is read), cheap enough for every row."""
        if not self.index.loaded or not url:
            return 0
        return self.index.size(url, MAX_ENTRIES)

    def cached_thread(self, url: str) -> list[ThreadEntry] | None:
        """The thread from the cache alone, or None when the story itself is not cached or
        the index is not loaded yet (then `load_thread`)."""
        if not self.index.loaded:
            return None
        story = self.stories.cached_story(url)
        if story is None:
            return None
        return self._walk(url, story)

    async def load_thread(self, url: str) -> list[ThreadEntry]:
        """The story opened as any story is (NotInCache offline), and online the pages along
        its links fetched to thread_depth first; then the thread from the cache."""
        story = await self.stories.open_story(url)
        await self.load_index()
        if not self.offline and self.depth:
            await self.fetch_along(url, story)
        return self._walk(url, self.stories.cached_story(url) or story)

    async def prefetch(self, url: str) -> None:
        """A story was just opened from the network or the cached page: fetch along its links
        to thread_depth in the background, as a refresh does for listed stories."""
        story = self.stories.cached_story(url)
        if self.offline or not self.depth or story is None:
            return
        await self.fetch_along(url, story)

    async def fetch_along(self, url: str, story: Story) -> None:
        """Open what `story` recalls or "reads also", then what those do, to thread_depth:
        each level's pages at once (fetch() keeps to the per-host limits), a cached page
        never fetched again, a broken link the end of its branch."""
        seen = {url}
        frontier = [story]
        for _ in range(self.depth):
            wanted = []
            for node in frontier:
                for link in node.related:
                    if link.kind in THREAD_KINDS and link.url not in seen:
                        seen.add(link.url)
                        wanted.append(link.url)
            results = await asyncio.gather(
                *(self.stories.open_story(target) for target in wanted), return_exceptions=True
            )
            frontier = []
            for result in results:
                if isinstance(result, Story):
                    frontier.append(result)
                elif not isinstance(result, NewsreaderError):
                    raise result  # a bug, not a broken link

    def _walk(self, url: str, story: Story) -> list[ThreadEntry]:
        found: dict[str, ThreadEntry] = {url: _entry(url, story, "self", 0)}
        stories: dict[str, Story | None] = {url: story}
        if story.canonical_url:
            stories[story.canonical_url] = story  # a link to its own canonical form is itself
        # Backwards in time: what it recalls, and what that recalls.
        frontier = [url]
        for depth in range(1, MAX_WALK_DEPTH + 1):
            following: list[str] = []
            for node in frontier:
                known = stories.get(node)
                for link in known.related if known else ():
                    if link.kind not in THREAD_KINDS or link.url in found \
                            or link.url in stories or len(found) >= MAX_ENTRIES:
                        continue
                    target = self.stories.cached_story(link.url)
                    stories[link.url] = target
                    kind = cast(ThreadRelation, link.kind)  # one of THREAD_KINDS
                    found[link.url] = _entry(link.url, target, kind, depth) if target else \
                        ThreadEntry(url=link.url, title=link.title or link.url, relation=kind,
                                    depth=depth, lead=link.summary, cached=False)
                    if target is not None:
                        following.append(link.url)
            frontier = following
            if not frontier:
                break
        # Forwards: the stories that recall it, and those that recall them.
        frontier = [url]
        for depth in range(1, MAX_WALK_DEPTH + 1):
            following = []
            for node in frontier:
                for source in self.index.backlinks(node):
                    if source in found or source in stories or len(found) >= MAX_ENTRIES:
                        continue
                    later = self.stories.cached_story(source)
                    stories[source] = later
                    if later is None:  # evicted since it was indexed: nothing to show
                        continue
                    found[source] = _entry(source, later, "followed_by", depth)
                    following.append(source)
            frontier = following
            if not frontier:
                break
        return timeline(list(found.values()))


def timeline(entries: list[ThreadEntry]) -> list[ThreadEntry]:
    """Oldest first by `published`; undated entries last, in the order they were found."""
    return sorted(entries, key=lambda e: (e.published is None, timestamp(e.published)))


def first_line(story: Story) -> str | None:
    """The lead, else the first paragraph: what a timeline shows under the title."""
    if story.lead:
        return story.lead
    for block in story.blocks:
        if block.type == "paragraph" and block.text:
            return block.text
    return None


def _entry(url: str, story: Story, relation: ThreadRelation, depth: int) -> ThreadEntry:
    return ThreadEntry(
        url=url, title=story.title or url, relation=relation, depth=depth,
        published=story.published, source=story.source, lead=first_line(story),
    )
