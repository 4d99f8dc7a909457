"""Stories: the one way to open a story (parsed cache, cached page, saved copy, network)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from functools import partial
from typing import Any

from newsreader.errors import FetchError, NotInCache
from newsreader.models import Story
from newsreader.services.network import Network
from newsreader.services.parsing import StoryParser
from newsreader.store.cache import Cache
from newsreader.store.threads import ThreadIndex
from newsreader.store.writer import CacheWriter

# Bump when the parser's output changes so stale parsed stories are re-parsed from cached HTML.
PARSER_VERSION = 1
# The parser version the refresh last re-parsed stale cached pages for (a cache JSON key).
PARSED_WITH_KEY = "parsed-with"
STORY_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"


class Stories:
    """Opening, fetching and caching story pages.

    `cached_story` is the synchronous look-up (the UI shows a hit in the key's own frame);
    `open_story` is the whole path, cache first, and the only one that reaches the network.
    """

    def __init__(
        self,
        *,
        cache: Cache,
        cache_writer: CacheWriter,
        parser: StoryParser,
        network: Network,
        offline: bool,
        saved_story: Callable[[str], Story | None],
        thread_index: ThreadIndex | None = None,
    ) -> None:
        self.cache = cache
        self.cache_writer = cache_writer
        self.parser = parser
        self.network = network
        self.offline = offline
        self.saved_story = saved_story
        self.thread_index = thread_index  # told of every story stored: its links and backlinks
        # Parsed stories shown before their queued cache write has run (url -> story).
        self.storing: dict[str, Story] = {}

    def is_cached(self, url: str) -> bool:
        return self.cache.has_story(url)

    def needs_reparse(self, url: str) -> bool:
        """The page is cached but its parsed story is missing or from an older parser."""
        return _current(self.cache.get_story(url)) is None and self.cache.has_body(url)

    async def reparse_cached(self, url: str) -> None:
        """Parse the cached page again, in the worker processes (refresh, after an upgrade)."""
        body = self.cache.get_body(url)
        if body is not None:
            await self.parse_downloaded(url, body.content, body.final_url or url,
                                        body.content_type)

    def cached_story(self, url: str) -> Story | None:
        """The parsed story if the cache holds one from the current parser; no parse, no I/O."""
        pending = self.storing.get(url)
        if pending is not None:
            return pending
        wrapped = _current(self.cache.get_story(url))
        if wrapped is None:
            return None
        try:
            return Story.from_dict(wrapped["story"])
        except (KeyError, TypeError, ValueError):
            return None

    async def open_story(self, url: str) -> Story:
        """From the parsed cache, else the cached page, else the network (unless offline)."""
        story = self.cached_story(url)
        return story if story is not None else await self.load_story(url)

    async def load_story(self, url: str) -> Story:
        """`open_story` after `cached_story` missed (the UI looks that up itself, in the key's
        own handler): the cached page parsed, else a saved copy, else the network."""
        body = self.cache.get_body(url)
        if body is not None:
            return await self._parse_and_store(
                url, body.content, body.final_url or url, body.content_type
            )
        saved = self.saved_story(url)
        if saved is not None:
            return saved
        if self.offline:
            raise NotInCache(url)
        return await self.fetch_story(url)

    async def fetch_story(self, url: str, *, bulk: bool = False) -> Story:
        """Download, cache and parse one story page. Raises FetchError or ParseError.

        `bulk` (prefetch) parses in the worker processes instead of a thread.
        """
        content, final_url, content_type = await self.download_story(url)
        return await self._parse_and_store(url, content, final_url, content_type, bulk=bulk)

    async def download_story(self, url: str) -> tuple[bytes, str, str | None]:
        """Download and cache one story page: (content, final URL, Content-Type)."""
        import httpx  # here, not at the top: opening a cached story never pays for it

        from newsreader.net.client import fetch

        try:
            result = await fetch(
                self.network.client, url, settings=self.network.settings, accept=STORY_ACCEPT
            )
        except FetchError:
            raise
        except (httpx.HTTPError, OSError) as exc:  # belt and braces: fetch() should wrap these
            raise FetchError(url, f"network error: {exc}", kind="unreachable") from None
        content_type = result.headers.get("content-type")
        await self.cache_writer.run(
            self.cache.put_body,
            url,
            final_url=result.final_url,
            content=result.content,
            content_type=content_type,
            etag=result.etag,
            last_modified=result.last_modified,
        )
        return result.content, result.final_url, content_type

    async def parse_downloaded(
        self, url: str, content: bytes, final_url: str, content_type: str | None
    ) -> Story:
        """Parse and cache a page `download_story` returned, in the worker processes (prefetch)."""
        return await self._parse_and_store(url, content, final_url, content_type, bulk=True)

    async def _parse_and_store(
        self, url: str, content: bytes, final_url: str, content_type: str | None,
        *, bulk: bool = False,
    ) -> Story:
        headers = {"content-type": content_type} if content_type else {}
        # Parsing a big page takes tens of ms: keep it off the event loop so keys stay live.
        story = await self.parser.parse(content, final_url, headers, bulk=bulk)
        if bulk:  # a prefetch counts a story done once it is stored
            await self.cache_writer.run(self._store_story, url, story)
        else:
            # The reader is waiting for this story: show it now, and answer for it from memory
            # until the write has run (saving it, reopening it, searching it meanwhile).
            self.storing[url] = story
            done = self.cache_writer.submit(self._store_story, url, story)
            done.add_done_callback(partial(self._stored, url, story))
        return story

    def _stored(self, url: str, story: Story, done: Future[None]) -> None:
        # On the writer thread. A failed write is dropped on purpose: the page itself is
        # cached, so a parsed copy that could not be stored (disk full) costs a parse next
        # time; a bug in the write raises in the prefetch, which awaits the same write.
        if self.storing.get(url) is story:
            del self.storing[url]

    def _store_story(self, url: str, story: Story) -> None:
        # On the writer thread: to_dict of a long story is milliseconds the open must not wait.
        self.cache.put_story(url, {"parser": PARSER_VERSION, "story": story.to_dict()})
        if self.thread_index is not None:
            aliases = [story.canonical_url] if story.canonical_url else []
            self.thread_index.add(url, story.related, aliases)


def _current(wrapped: object) -> dict[str, Any] | None:
    """A cached parsed story (its wrapper), if the current parser made it."""
    if isinstance(wrapped, dict) and wrapped.get("parser") == PARSER_VERSION:
        return wrapped
    return None
