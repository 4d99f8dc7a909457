"""The Reader: the one face the UI and the CLI see, over the small services wiring.py builds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from newsreader.config import Config
from newsreader.models import Headline, Source, Story, ThreadEntry
from newsreader.paths import Paths
from newsreader.services.history import History
from newsreader.services.images import Images
from newsreader.services.library import Library
from newsreader.services.network import Network
from newsreader.services.parsing import StoryParser
from newsreader.services.reading import ReadingState
from newsreader.services.refresh import ProgressCallback, Refresher, RefreshProgress
from newsreader.services.search import SearchHit, search
from newsreader.services.sources import (
    FoundFeeds,
    find_feeds,
    import_sources_async,
    remove_source_async,
)
from newsreader.services.stories import Stories
from newsreader.services.threads import Threads
from newsreader.store.cache import Cache
from newsreader.store.writer import CacheWriter


@dataclass(eq=False)
class Reader:
    """A façade: each method is one call into the service that owns it; no state of its own.

    Built only by `services.wiring.open_reader`. The UI depends on it through the Protocols in
    `services/ports.py`; services never see it (each takes the few others it uses).
    """

    config: Config
    paths: Paths
    offline: bool
    demo: bool
    cache: Cache
    cache_writer: CacheWriter
    parser: StoryParser
    network: Network
    reading: ReadingState
    library: Library
    stories: Stories
    images: Images
    refresher: Refresher
    threads: Threads
    warnings: list[str] = field(default_factory=list)

    # -- headlines (Library) ------------------------------------------------------------------

    @property
    def sources(self) -> list[Source]:
        return self.library.sources

    def headlines(self) -> list[Headline]:
        return self.library.headlines()

    def headline_for_url(self, url: str) -> Headline | None:
        return self.library.headline_for_url(url)

    def unread_count(self) -> int:
        return self.library.unread_count()

    # -- reading state (ReadingState) ---------------------------------------------------------

    @property
    def history(self) -> History:
        return self.reading.history

    def is_read(self, headline_id: str) -> bool:
        return self.reading.is_read(headline_id)

    def set_read(self, headline_id: str, read: bool = True) -> None:
        self.reading.set_read(headline_id, read)

    def mark_read(self, headline_ids: list[str], read: bool = True) -> list[str]:
        return self.reading.set_read_many(headline_ids, read)

    def is_saved(self, headline_id: str) -> bool:
        return self.reading.is_saved(headline_id)

    def toggle_saved(self, headline: Headline) -> bool:
        """Save or unsave; a saved story keeps a copy of its cached text."""
        story = self.stories.cached_story(headline.url) if headline.url else None
        return self.reading.toggle_saved(headline, story)

    def get_setting(self, key: str, default: Any = None) -> Any:
        return self.reading.get_setting(key, default)

    def set_setting(self, key: str, value: Any) -> None:
        self.reading.set_setting(key, value)

    def report_state_errors(self, report: Callable[[Exception], bool] | None) -> None:
        self.reading.report_errors(report)

    def close_state(self) -> list[str]:
        return self.reading.close_writes()

    # -- stories (Stories) --------------------------------------------------------------------

    def is_cached(self, url: str) -> bool:
        return self.stories.is_cached(url)

    def cached_story(self, url: str) -> Story | None:
        return self.stories.cached_story(url)

    async def open_story(self, url: str) -> Story:
        return await self.stories.open_story(url)

    async def load_story(self, url: str) -> Story:
        return await self.stories.load_story(url)

    async def load_image(self, url: str) -> bytes | None:
        return await self.images.load(url)

    # -- threads (Threads) ----------------------------------------------------------------------

    async def load_thread_index(self) -> None:
        await self.threads.load_index()

    def thread_length(self, url: str) -> int:
        return self.threads.length(url)

    def cached_thread(self, url: str) -> list[ThreadEntry] | None:
        return self.threads.cached_thread(url)

    async def load_thread(self, url: str) -> list[ThreadEntry]:
        return await self.threads.load_thread(url)

    async def prefetch_thread(self, url: str) -> None:
        await self.threads.prefetch(url)

    # -- refresh (Refresher) ------------------------------------------------------------------

    @property
    def progress(self) -> RefreshProgress:
        return self.refresher.progress

    async def refresh(
        self, on_progress: ProgressCallback | None = None, *, force: bool = True
    ) -> RefreshProgress:
        return await self.refresher.run(on_progress, force=force)

    # -- sources and search -------------------------------------------------------------------

    async def find_feeds(self, url: str) -> FoundFeeds:
        """The feeds to offer for a new source; unchecked when offline or the network is down."""
        return await find_feeds(self.network, self.parser, url, offline=self.offline)

    async def add_sources(self, sources: list[Source]) -> tuple[list[Source], list[Source]]:
        """Add to the config file (in a thread) and the list: (added, duplicates)."""
        return await import_sources_async(self.config, sources, self.library)

    async def remove_source(self, source: Source) -> None:
        await remove_source_async(self.config, source, self.library)

    def prepare_search(self, query: str, limit: int = 100) -> Callable[[], list[SearchHit]]:
        """The search of `query`, its inputs read now (on the loop); run it on a thread."""
        visited = [entry.url for entry in self.reading.history.entries]
        return partial(search, self.library.headlines(), visited, self.stories, query, limit)

    def notices(self) -> list[str]:
        """One line for each thing that went wrong quietly since the last call (the cache was
        found damaged and started afresh): the CLI prints them, the app shows them."""
        return self.cache.take_warnings()

    # -- closing ------------------------------------------------------------------------------

    async def aclose(self) -> None:
        if self.refresher.child is not None:  # the app quits mid-refresh: let it stop cleanly
            await self.refresher.child.stop()
        await self.network.aclose()
        self.close()

    def close(self) -> None:
        try:
            self.reading.writer.close()  # the user's marks and history first: they matter most
            self.parser.close()
            # The thread links of the stories this run stored, behind the writes before them.
            self.cache_writer.submit(self.threads.index.save)
            self.cache_writer.close(last=self.cache.close)
            self.cache.close()
        finally:
            self.reading.close()
