"""The reader service: headlines, stories, read state and history over the cache and the network."""

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache, partial
from typing import Any

import httpx

from newsreader.config import Config
from newsreader.models import Headline, Source, Story
from newsreader.net.client import NetSettings, build_client
from newsreader.paths import Paths, default_paths, ensure_private_dir
from newsreader.services.history import History
from newsreader.services.parsing import StoryParser
from newsreader.services.refresh import Refresher, RefreshProgress
from newsreader.services.stories import PARSER_VERSION, StoryPages
from newsreader.store.cache import Cache, open_cache
from newsreader.store.state import UserState
from newsreader.store.writer import CacheWriter, StateWriter

__all__ = ["PARSER_VERSION", "Reader", "RefreshProgress"]


class Reader(StoryPages):
    """Everything the UI and the CLI need, with no knowledge of either (no textual, no rich)."""

    def __init__(
        self,
        config: Config,
        *,
        cache: Cache,
        state: UserState,
        offline: bool = False,
        transport: httpx.AsyncBaseTransport | None = None,
        net_settings: NetSettings | None = None,
        warnings: list[str] | None = None,
        clock: Callable[[], float] = time.time,
        paths: Paths | None = None,
        demo: bool = False,
        refresh_in_child: bool = False,
    ) -> None:
        self.config = config
        self.sources: list[Source] = list(config.sources)
        self.offline = offline
        self.warnings = list(warnings or [])
        self.cache = cache
        self.cache_writer = CacheWriter()
        self.storing: dict[str, Story] = {}
        self.state_writer = StateWriter()
        self.state = state
        self.net_settings = net_settings or NetSettings()
        self.clock = clock
        self.paths = paths  # where the cache and state live (a refresh child opens them too)
        self.demo = demo
        # The app refreshes in a child process (services/refresh_process.py); the CLI's
        # `fetch` (what that child runs) and tests with an injected transport, in-process.
        self.refresh_in_child = refresh_in_child
        # Called with a source's URL each time its headlines are stored (the child reports them).
        self.on_stored: Callable[[str], None] | None = None
        self.refresh_child: asyncio.subprocess.Process | None = None  # running, if any
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._headlines: list[Headline] | None = None
        self._by_url: dict[str, Headline] = {}
        # Per-source lists as stored (source URL -> headlines), so a refresh that stores one
        # source never re-reads and re-decodes the other 199 from the cache.
        self._per_source: dict[str, list[Headline]] = {}
        self._saved_headlines: list[Headline] | None = None
        self._unread: int | None = None
        self._read_ids: set[str] | None = None
        self._saved_ids: set[str] | None = None
        self.history = History.from_dict(state.get_history(), on_change=self._save_history)
        self.refresher = Refresher(self)
        self.parser = StoryParser()

    # ---------------------------------------------------------------- construction

    @classmethod
    def open(
        cls,
        config: Config,
        *,
        offline: bool = False,
        demo: bool = False,
        paths: Paths | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        net_settings: NetSettings | None = None,
        refresh_in_child: bool = False,
    ) -> Reader:
        """Open the cache and the state store; a broken cache is moved aside, never fatal."""
        paths = paths or default_paths(demo=demo)
        ensure_private_dir(paths.data_dir)
        ensure_private_dir(paths.cache_dir.parent)
        warnings: list[str] = []
        cache, cache_warning = open_cache(
            paths.cache_dir, size_limit=config.cache_size_mb * 1024 * 1024
        )
        if cache_warning:
            warnings.append(cache_warning)
        state = UserState.open(paths.state_db)
        if getattr(state, "warning", None):
            warnings.append(state.warning)
        injected = transport is not None
        if demo and transport is None:
            from newsreader.demo import demo_transport

            transport = demo_transport()
        return cls(
            config,
            cache=cache,
            state=state,
            offline=offline,
            transport=transport,
            net_settings=net_settings,
            warnings=warnings,
            paths=paths,
            demo=demo,
            # A child cannot be handed an injected transport (tests'): those refresh here.
            refresh_in_child=refresh_in_child and not injected,
        )

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = build_client(self.net_settings, transport=self._transport)
        return self._client

    async def aclose(self) -> None:
        if self.refresh_child is not None:  # the app quits mid-refresh: let it stop cleanly
            from newsreader.services.refresh_process import stop_child

            await stop_child(self.refresh_child)
        if self._client is not None:
            await self._client.aclose()
            self._client = None
        self.close()

    def close(self) -> None:
        try:
            self.state_writer.close()  # the user's marks and history first: they matter most
            self.parser.close()
            self.cache_writer.close(last=self.cache.close)
            self.cache.close()
        finally:
            self.state.close()

    def report_state_errors(self, report: Callable[[Exception], bool] | None) -> None:
        """Who is told when a state write fails (returns whether it told the user), or None."""
        self.state_writer.on_error = report

    def close_state(self) -> list[str]:
        """Write the queued user state; one line for each failure nobody was told about yet."""
        self.state_writer.close()
        failures, self.state_writer.unreported = self.state_writer.unreported, []
        return [f"could not save your reading state: {exc}" for exc in failures]

    def _state_now(self) -> UserState:
        """The user state once every write already submitted is in it (to read it back)."""
        self.state_writer.flush()
        return self.state

    # ---------------------------------------------------------------- headlines

    def headlines(self) -> list[Headline]:
        """Every known headline, newest first: no network, no cache read once loaded."""
        if self._headlines is None:
            merged: dict[str, Headline] = {}
            for source in self.sources:
                for headline in self._source_headlines(source):
                    merged.setdefault(headline.id, headline)
            # Saved stories stay listed even when the cache no longer has their feed's entry.
            for headline in self._saved_list():
                merged.setdefault(headline.id, headline)
            self._set_headlines(list(merged.values()))
        return list(self._headlines or [])

    def _source_headlines(self, source: Source) -> list[Headline]:
        """The in-memory list for `source` (read from the cache once); do not mutate."""
        held = self._per_source.get(source.url)
        if held is None:
            held = self._read_cached_headlines(source)
            self._per_source[source.url] = held
        return held

    def _saved_list(self) -> list[Headline]:
        if self._saved_headlines is None:
            out: list[Headline] = []
            for saved in self._state_now().saved():
                try:
                    out.append(Headline.from_dict(saved.get("headline") or saved))
                except (TypeError, KeyError):
                    continue
            self._saved_headlines = out
        return self._saved_headlines

    def cached_headlines(self, source: Source) -> list[Headline]:
        # Copies: callers may change the headlines they get without touching the held list.
        return [copy.copy(h) for h in self._source_headlines(source)]

    def _read_cached_headlines(self, source: Source) -> list[Headline]:
        raw = self.cache.get_json(_headlines_key(source.url))
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
        self.cache.put_json(_headlines_key(source.url), [h.to_dict() for h in headlines])
        self._hold_headlines(source, headlines)

    async def save_headlines(self, source: Source, headlines: list[Headline]) -> None:
        """`store_headlines` with the cache write on the writer thread (a refresh uses this)."""
        records = [h.to_dict() for h in headlines]
        await self.cache_writer.run(self.cache.put_json, _headlines_key(source.url), records)
        self._hold_headlines(source, headlines)

    def _hold_headlines(self, source: Source, headlines: list[Headline]) -> None:
        # Only this source changes; the merged list is rebuilt from memory when next asked.
        self._per_source[source.url] = [copy.copy(h) for h in headlines]
        self._headlines = None
        self._unread = None
        if self.on_stored is not None:
            self.on_stored(source.url)

    def reload_sources(self, urls: list[str]) -> None:
        """Re-read these sources' headlines from the cache: another process stored them."""
        by_url = {source.url: source for source in self.sources}
        for url in urls:
            source = by_url.get(url)
            if source is not None:
                self._per_source[url] = self._read_cached_headlines(source)
                self._headlines = None
                self._unread = None

    def invalidate_headlines(self) -> None:
        """Forget the in-memory lists so the next `headlines()` re-reads the cache."""
        self._headlines = None
        self._per_source.clear()
        self._saved_headlines = None
        self._unread = None

    def _set_headlines(self, headlines: list[Headline]) -> None:
        headlines.sort(key=_sort_key, reverse=True)
        self._headlines = headlines
        self._by_url = {h.url: h for h in reversed(headlines) if h.url}
        self._unread = None

    def headline_for_url(self, url: str) -> Headline | None:
        self.headlines()
        return self._by_url.get(url)

    # ---------------------------------------------------------------- user state

    def _reads(self) -> set[str]:
        if self._read_ids is None:
            self._read_ids = set(self._state_now().read_ids())
        return self._read_ids

    def is_read(self, headline_id: str) -> bool:
        return headline_id in self._reads()

    def set_read(self, headline_id: str, read: bool = True) -> None:
        self.state_writer.submit(self.state.set_read, [headline_id], read)
        reads = self._reads()
        if (headline_id in reads) != read:
            self._unread = None
        if read:
            reads.add(headline_id)
        else:
            reads.discard(headline_id)

    def unread_count(self) -> int:
        """Counted once per change of the list or of the read marks, then a stored number."""
        headlines = self.headlines() if self._headlines is None else self._headlines
        if self._unread is None:
            reads = self._reads()
            self._unread = sum(1 for h in headlines if h.id not in reads)
        return self._unread

    def _saved(self) -> set[str]:
        # One query, then a set: the list asks for every row (10,000 queries at start-up).
        if self._saved_ids is None:
            self._saved_ids = self._state_now().saved_ids()
        return self._saved_ids

    def is_saved(self, headline_id: str) -> bool:
        return headline_id in self._saved()

    def toggle_saved(self, headline: Headline) -> bool:
        """Save or unsave; a saved story keeps its own copy, safe from cache eviction."""
        saved = not self.is_saved(headline.id)
        record = None
        if saved:
            story = self.cached_story(headline.url) if headline.url else None
            record = {"headline": headline.to_dict(), "story": story.to_dict() if story else None}
        self.state_writer.submit(self.state.set_saved, headline.id, record)
        self._saved_headlines = None  # re-read with the next rebuild of the list
        if saved:
            self._saved().add(headline.id)
        else:
            self._saved().discard(headline.id)
        return saved

    def saved_story(self, url: str) -> Story | None:
        """The copy kept with a saved story, if any (used when the cache lost it)."""
        for record in self._state_now().saved():
            headline, story = record.get("headline") or {}, record.get("story")
            if isinstance(story, dict) and url in (headline.get("url"), story.get("url")):
                try:
                    return Story.from_dict(story)
                except (KeyError, TypeError, ValueError):
                    return None
        return None

    def get_setting(self, key: str, default: Any = None) -> Any:
        return self._state_now().get_setting(key, default)

    def set_setting(self, key: str, value: Any) -> None:
        write = partial(self.state.set_setting, key)
        self.state_writer.submit_latest(f"setting:{key}", write, value)

    def _save_history(self, history: History) -> None:
        self.state_writer.submit_latest("history", self.state.set_history, history.to_dict())

    # ---------------------------------------------------------------- refresh

    @property
    def progress(self) -> RefreshProgress:
        return self.refresher.progress

    async def refresh(
        self, on_progress: Callable[[RefreshProgress], None] | None = None, *, force: bool = True
    ) -> RefreshProgress:
        """Refresh sources at once (all, or only those due), then prefetch their stories.

        Never raises for a failing source: its error is in the returned progress.
        """
        # A child can only share a cache on disk (not the memory fallback of a broken one).
        if self.refresh_in_child and not self.offline and self.cache.on_disk:
            from newsreader.services.refresh_process import refresh_in_child

            return await refresh_in_child(self, on_progress, force=force)
        return await self.refresher.run(on_progress, force=force)


def _headlines_key(source_url: str) -> str:
    return f"headlines:{source_url}"


def _sort_key(headline: Headline) -> float:
    return _timestamp(headline.published, headline.seen)


@lru_cache(maxsize=1 << 17)
def _timestamp(published: str | None, seen: str | None) -> float:
    """Parsed once per distinct pair: re-sorting 10k headlines then costs a few ms."""
    for value in (published, seen):
        if value:
            try:
                return datetime.fromisoformat(value).timestamp()
            except ValueError:
                continue
    return 0.0

