"""Refreshing every source at once and prefetching their stories so they can be read offline."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

from newsreader.config import Config
from newsreader.dates import parse_time
from newsreader.errors import FetchError, NewsreaderError, ParseError
from newsreader.models import Headline, Source, Story
from newsreader.services import stories
from newsreader.services.library import Library
from newsreader.services.network import Network
from newsreader.services.parsing import StoryParser
from newsreader.services.reading import ReadingState
from newsreader.services.schedule import Schedule
from newsreader.services.stories import Stories
from newsreader.store.cache import Cache, CacheWriteError
from newsreader.store.threads import ThreadIndex
from newsreader.store.writer import CacheWriter

if TYPE_CHECKING:  # only a type here: the app imports this module at start-up
    from newsreader.services.images import Images

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5"
)
MAX_HEADLINES_PER_SOURCE = 1000
PREFETCH_MARK = "prefetch-unfinished"  # a cache JSON key, set while a prefetch runs
# Pages along threads that failed ({url: when}, a cache JSON key): a broken Recall link is
# tried again only after THREAD_RETRY_SECONDS, not by every refresh.
THREAD_FAILURES_KEY = "thread-failures"
THREAD_RETRY_SECONDS = 24 * 3600
PREFETCH_RESERVE = 64 * 1024 * 1024  # free bytes the prefetch leaves (5% of a small disk)
FEW_SOURCES = 10  # up to this many feeds parse in threads: starting worker processes costs more
# Prefetch as many stories at once as the client has connections (fetch() still caps each host).
# Failures that mean "we could not reach it" rather than "it answered badly".
NETWORK_KINDS = frozenset({"unreachable", "dns", "timeout", "offline"})
_HOST_PREFIX = re.compile(r"^(?:www|mail|m)\d*\.")


@dataclass(slots=True)
class RefreshProgress:
    """Where a refresh is; the UI's status line and the CLI's progress bar read this."""

    sources_total: int = 0  # sources refreshed in this run (all, or those due)
    sources_done: int = 0
    succeeded: int = 0
    not_due: int = 0  # skipped: their interval, ttl or backoff has not run out yet
    stories_total: int = 0
    stories_done: int = 0
    # Pages fetched along the listed stories' Recall / Read-also links ("threads 120/300"):
    # the total grows as each level of links is reached.
    threads_total: int = 0
    threads_done: int = 0
    thread_errors: int = 0  # of those, pages that failed (a broken link: the thread says so)
    new_headlines: int = 0
    running: bool = False
    offline: bool = False  # every source failed to connect: the network looks down
    errors: dict[str, str] = field(default_factory=dict)  # source name -> last error
    story_errors: int = 0
    # Why stories were not prefetched: "host: cause" -> how many (a 403 wall, a timeout...).
    story_failures: dict[str, int] = field(default_factory=dict)
    paused: str = ""  # why the prefetch stopped early ("cache full (1.2 MiB free): …")
    notices: list[str] = field(default_factory=list)  # one line each: "cache was corrupt; …"
    stories_paused: int = 0  # stories it then skipped (counted in stories_done)
    # source name -> what the parser noted ("encoding guessed", "malformed feed"): it worked
    warnings: dict[str, str] = field(default_factory=dict)


ProgressCallback = Callable[[RefreshProgress], None]


class ChildRunner(Protocol):
    """Runs a refresh elsewhere (services/refresh_process.py: a child process)."""

    async def run(self, on_progress: ProgressCallback, force: bool) -> RefreshProgress:
        """Run it, passing on every progress; the last one (not running) is returned."""
        ...

    async def stop(self) -> None:
        """Stop a run still going (the app quits)."""
        ...


class Refresher:
    """Runs one refresh at a time; a second request while one runs just waits.

    One runner for both places a refresh runs: `run` takes the lock, picks the sources due and
    reports the first progress, then runs the refresh here or, when a `child` runner is set
    (the app), in the child process, which runs this same class in-process.
    """

    def __init__(
        self,
        config: Config,
        *,
        library: Library,
        stories: Stories,
        reading: ReadingState,
        schedule: Schedule,
        network: Network,
        parser: StoryParser,
        cache: Cache,
        cache_writer: CacheWriter,
        thread_index: ThreadIndex,
        clock: Callable[[], float],
        offline: bool,
        child: ChildRunner | None = None,
        images: Images | None = None,
    ) -> None:
        self.config = config
        self.library = library
        self.stories = stories
        self.reading = reading
        self.schedule = schedule
        self.network = network
        self.parser = parser
        self.cache = cache
        self.cache_writer = cache_writer
        self.thread_index = thread_index
        self.clock = clock
        self.offline = offline
        self.child = child
        self.images = images  # a prefetched story's pictures come with it (images = "auto")
        self.progress = RefreshProgress()
        self.lock = asyncio.Lock()  # one refresh at a time, in-process or in a child

    async def run(
        self, on_progress: ProgressCallback | None = None, *, force: bool = True
    ) -> RefreshProgress:
        """Refresh sources (all, or with force=False only those due) then prefetch stories.

        Never raises for a failing source: its error is in the returned progress.
        """
        if self.offline:
            self.progress = RefreshProgress(offline=True, sources_total=len(self.library.sources))
            _notify(on_progress, self.progress)
            return self.progress
        async with self.lock:
            chosen = self.chosen(force)
            if not chosen and not force and not self.prefetch_unfinished():
                return self.nothing_due()  # the minute's schedule check: no network, no child
            # Reported at once, also for a child: it needs ~0.5 s to start and say it.
            progress = self.start(chosen, on_progress)
            try:
                # A child can only share a cache on disk (not the memory fallback of a broken one).
                if self.child is not None and self.cache.on_disk:
                    final = await self.child.run(self._tracking(on_progress), force)
                    if self.thread_index.loaded:  # the child added to the stored index
                        await asyncio.to_thread(self.thread_index.reload)
                    return final
                return await self._run_here(chosen, progress, on_progress)
            finally:
                self.progress.running = False  # whatever happened, it is not running now

    def _tracking(self, on_progress: ProgressCallback | None) -> ProgressCallback:
        def track(progress: RefreshProgress) -> None:
            self.progress = progress
            _notify(on_progress, progress)

        return track

    async def _run_here(
        self, chosen: list[Source], progress: RefreshProgress,
        on_progress: ProgressCallback | None,
    ) -> RefreshProgress:
        resets = self.cache.resets
        await self._refresh_and_prefetch(chosen, progress, on_progress)
        if self.cache.resets > resets:
            # The cache was damaged and started afresh under this refresh: what it had stored
            # before is gone. Fetch every feed once more (the stories follow in the prefetch).
            progress.sources_total = len(self.library.sources)
            progress.sources_done = progress.succeeded = progress.not_due = 0
            progress.stories_done = progress.story_errors = progress.stories_paused = 0
            progress.story_failures.clear()
            await self._refresh_and_prefetch(self.library.sources, progress, on_progress)
        with contextlib.suppress(NewsreaderError):  # derived data: rebuilt if it is lost
            await self.cache_writer.run(self.thread_index.save)
        progress.notices += self.cache.take_warnings()
        progress.running = False
        _notify(on_progress, progress)
        return progress

    async def _refresh_and_prefetch(
        self, chosen: list[Source], progress: RefreshProgress,
        on_progress: ProgressCallback | None,
    ) -> None:
        kinds = await asyncio.gather(
            *(self._refresh_source(source, on_progress) for source in chosen)
        )
        failed = [kind for kind in kinds if kind is not None]
        progress.offline = bool(kinds) and len(failed) == len(kinds) and all(
            kind in NETWORK_KINDS for kind in failed
        )
        if self.config.prefetch and not progress.offline:
            await self._prefetch(on_progress)
        with contextlib.suppress(NewsreaderError):  # housekeeping never fails a refresh
            await self.expire()

    def chosen(self, force: bool) -> list[Source]:
        """The sources a refresh would fetch: all, or (force=False) those due now."""
        now = self.clock()
        return [s for s in self.library.sources if force or self.schedule.is_due(s, now)]

    def start(
        self, chosen: list[Source], on_progress: ProgressCallback | None
    ) -> RefreshProgress:
        """The first progress of a refresh of `chosen`: running, with the last errors."""
        sources = self.library.sources
        self.progress = RefreshProgress(
            sources_total=len(chosen), running=True, not_due=len(sources) - len(chosen),
            errors=self.schedule.last_errors(sources),
        )
        _notify(on_progress, self.progress)
        return self.progress

    def nothing_due(self) -> RefreshProgress:
        """Keep the last refresh's outcome, noting that every source was skipped."""
        self.progress.not_due = len(self.library.sources)
        self.progress.errors = self.schedule.last_errors(self.library.sources)
        return self.progress

    async def _refresh_source(
        self, source: Source, on_progress: ProgressCallback | None
    ) -> str | None:
        """Refresh one feed; returns the failure kind, or None when it worked."""
        from newsreader.net.client import fetch  # here: a start-up that never fetches skips httpx

        progress = self.progress
        ttl_minutes: int | None = None
        headers: dict[str, str] = {}
        try:
            cached = self.cache.get_body(source.url)
            if cached is not None and not self.library.cached_headlines(source):
                cached = None  # headlines lost (damaged/evicted): a 304 could never rebuild them
            result = await fetch(
                self.network.client,
                source.url,
                settings=self.network.settings,
                etag=cached.etag if cached else None,
                last_modified=cached.last_modified if cached else None,
                accept=FEED_ACCEPT,
            )
            headers = result.headers
            if result.not_modified:
                await self.cache_writer.run(self.cache.touch_body, source.url)
            else:
                feed = await self.parser.parse_feed(
                    result.content,
                    result.final_url,
                    bulk=progress.sources_total > FEW_SOURCES,
                    source_name=source.name,
                    headers=result.headers,
                )
                ttl_minutes = feed.ttl_minutes
                added, kept = self._merge(source, feed.headlines)
                # Headlines first, then the body with its new validators: stopped between the
                # two, the next refresh asks with the old ETag and gets the feed again, rather
                # than a 304 for entries that were never stored.
                await self.library.save_headlines(source, kept)
                await self.cache_writer.run(
                    self.cache.put_body,
                    source.url,
                    final_url=result.final_url,
                    content=result.content,
                    content_type=result.headers.get("content-type"),
                    etag=result.etag,
                    last_modified=result.last_modified,
                )
                progress.new_headlines += added
                if feed.warnings:
                    progress.warnings[source.name] = ", ".join(feed.warnings)
            progress.errors.pop(source.name, None)
            progress.succeeded += 1
            await self.schedule.succeeded(source, headers, ttl_minutes)
            return None
        except FetchError as exc:
            return await self._failed(source, exc.reason, exc.kind, exc.retry_after)
        except ParseError as exc:
            # Old headlines stay: a feed that fails to parse never empties the list.
            return await self._failed(source, exc.reason, "parse")
        except NewsreaderError as exc:  # e.g. the cache could not be written (disk full)
            return await self._failed(source, str(exc), "store")
        finally:
            progress.sources_done += 1
            _notify(on_progress, progress)

    async def _failed(
        self, source: Source, reason: str, kind: str, retry_after: float | None = None
    ) -> str:
        self.progress.errors[source.name] = reason
        await self.schedule.failed(source, reason, retry_after)
        return kind

    def _merge(self, source: Source, fresh: list[Headline]) -> tuple[int, list[Headline]]:
        """Merge a feed's entries into what we knew: (how many are new, the list to keep)."""
        now = datetime.fromtimestamp(self.clock(), UTC)
        old = self.library.cached_headlines(source)
        old_by_id = {h.id: h for h in old}
        # A feed that changes an entry's guid but not its link keeps the old id, so read
        # state follows the story instead of showing a duplicate unread.
        old_id_by_url = {h.url: h.id for h in old if h.url}
        # ... and one whose guid and link moved to https or a www./mail. host keeps it too.
        old_id_by_alias: dict[str, str] = {}
        for h in old:
            for key in (h.id, h.url):
                alias = _alias(key)
                if alias:
                    old_id_by_alias.setdefault(alias, h.id)
        merged: dict[str, Headline] = {}
        added = 0
        for headline in fresh:
            headline.source_url, headline.source_name = source.url, source.name
            if headline.url and headline.id not in old_by_id:
                headline.id = old_id_by_url.get(headline.url, headline.id)
            if headline.id not in old_by_id:
                alias = _alias(headline.id) or _alias(headline.url)
                headline.id = old_id_by_alias.get(alias or "", headline.id)
            previous = old_by_id.get(headline.id)
            headline.seen = previous.seen if previous and previous.seen else now.isoformat()
            if previous is None:
                added += 1
            merged.setdefault(headline.id, headline)
        # Stories that left the feed stay readable until they are older than keep_days.
        cutoff = now - timedelta(days=self.config.keep_days)
        for headline in old:
            if headline.id not in merged and not _older_than(headline, cutoff):
                merged[headline.id] = headline
        return added, list(merged.values())[:MAX_HEADLINES_PER_SOURCE]

    async def expire(self) -> int:
        """Forget read stories first seen more than keep_days ago; saved ones never expire."""
        from newsreader.services.images import forget_story  # not at the app's start-up

        cutoff = datetime.fromtimestamp(self.clock(), UTC) - timedelta(
            days=self.config.keep_days
        )
        removed = 0
        for source in self.library.sources:
            headlines = self.library.cached_headlines(source)
            kept = []
            for headline in headlines:
                if (
                    _older_than(headline, cutoff)
                    and self.reading.is_read(headline.id)
                    and not self.reading.is_saved(headline.id)
                ):
                    if headline.url:
                        await self.cache_writer.run(forget_story, self.cache, headline.url)
                    removed += 1
                else:
                    kept.append(headline)
            if len(kept) != len(headlines):
                await self.library.save_headlines(source, kept)
        return removed

    async def _prefetch(self, on_progress: ProgressCallback | None) -> None:
        progress, pages = self.progress, self.stories
        # Once per parser version (the first refresh after an upgrade that changed it): pages
        # whose parsed story is stale are parsed again here, in the worker processes, so
        # opening them is not the moment they get parsed.
        rescan = self.cache.get_json(stories.PARSED_WITH_KEY) != stories.PARSER_VERSION
        wanted: list[str] = []
        reparse: set[str] = set()
        listed: list[str] = []  # where the threads start
        for source in self.library.sources:
            for headline in self.library.cached_headlines(source)[
                : self.config.prefetch_per_source
            ]:
                if not headline.url or self.library.hides(headline):
                    continue
                listed.append(headline.url)
                if not pages.is_cached(headline.url):
                    wanted.append(headline.url)
                elif rescan and pages.needs_reparse(headline.url):
                    reparse.add(headline.url)
        wanted = interleave_hosts(list(dict.fromkeys(wanted)))
        progress.stories_total = len(wanted) + len(reparse)
        _notify(on_progress, progress)
        # Stopped before it ends (kill -9, the app closed), the next refresh finishes it even
        # when no feed is due: this mark says a prefetch is unfinished.
        await self._mark_prefetch(bool(wanted or reparse))
        connections = max(1, self.network.settings.max_connections)
        limit = asyncio.Semaphore(connections)
        # Downloaded but not yet parsed pages wait here: the network slot is free again (parsing
        # is CPU, the network is latency), yet memory stays bounded.
        pending = asyncio.Semaphore(connections * 2)

        pictured: list[Story] = []  # prefetched stories, whose pictures follow them

        async def download(url: str) -> None:
            async with limit:
                if not progress.paused and self._low_on_space():
                    self._pause_full(progress)
                if progress.paused:
                    raise _Paused
                page = await pages.download_story(url)
            pictured.append(await pages.parse_downloaded(url, *page))

        async def counted(
            url: str, work: Callable[[str], Awaitable[None]], thread: bool = False
        ) -> None:
            async with pending:
                try:
                    if progress.paused:
                        raise _Paused
                    await work(url)
                except _Paused:
                    if thread:
                        progress.thread_errors += 1
                    else:
                        progress.stories_paused += 1
                except NewsreaderError as exc:
                    if isinstance(exc, CacheWriteError) and exc.disk_full:
                        self._pause_full(progress)
                    if thread:  # a broken link in a story: its thread shows it not cached
                        progress.thread_errors += 1
                        return
                    progress.story_errors += 1  # the story shows its own error when opened
                    group = f"{urlsplit(url).hostname or url}: {failure_cause(exc)}"
                    progress.story_failures[group] = progress.story_failures.get(group, 0) + 1
                finally:
                    if thread:
                        progress.threads_done += 1
                    else:
                        progress.stories_done += 1
                    _notify(on_progress, progress)

        await asyncio.gather(*(counted(url, download) for url in wanted),
                             *(counted(url, pages.reparse_cached) for url in reparse))
        await self._prefetch_threads(listed, partial(counted, work=download, thread=True),
                                     on_progress)
        await self._prefetch_pictures(pictured, progress)
        # Paused for space, it is not retried every minute: the next refresh of a feed is.
        await self._mark_prefetch(False)
        if rescan and not progress.paused:
            with contextlib.suppress(NewsreaderError):  # a full disk: parsed again next time
                await self.cache_writer.run(
                    self.cache.put_json, stories.PARSED_WITH_KEY, stories.PARSER_VERSION
                )

    async def _prefetch_pictures(self, prefetched: list[Story], progress: RefreshProgress) -> None:
        """The prefetched stories' pictures, once every page is in: text first, it matters most."""
        images = self.images
        if images is None or progress.paused:
            return
        limit = asyncio.Semaphore(max(1, self.network.settings.max_connections))

        async def story_pictures(story: Story) -> None:
            async with limit:
                if not self._low_on_space():
                    await images.prefetch(story)

        await asyncio.gather(*(story_pictures(story) for story in prefetched))

    async def _prefetch_threads(
        self, listed: list[str], fetch: Callable[[str], Awaitable[None]],
        on_progress: ProgressCallback | None,
    ) -> None:
        """Fetch the pages the listed stories recall ("Recall", "Read also"), then the pages
        those recall, to thread_depth links, at most thread_prefetch_max in all.

        A page already cached is never fetched again, but its own links are followed. Level by
        level: a level's links are known only once its pages are parsed (the thread index,
        told by every stored story, has them: no story is read back to find them).
        """
        depth, budget = self.config.thread_depth, self.config.thread_prefetch_max
        if not depth or not budget or not listed or self.progress.paused:
            return
        await asyncio.to_thread(self.thread_index.ensure_loaded)
        progress, pages, index = self.progress, self.stories, self.thread_index
        now = self.clock()
        stored = self.cache.get_json(THREAD_FAILURES_KEY)
        failures: dict[str, float] = {
            url: when for url, when in (stored.items() if isinstance(stored, dict) else ())
            if isinstance(when, int | float) and now - when < THREAD_RETRY_SECONDS
        }
        seen = set(listed) | set(failures)
        frontier = list(dict.fromkeys(listed))
        for _ in range(depth):
            wanted: list[str] = []
            following: list[str] = []
            for url in frontier:
                for _, target in index.links(url) or ():
                    if target in seen:
                        continue
                    seen.add(target)
                    (following if pages.is_cached(target) else wanted).append(target)
            wanted = interleave_hosts(wanted[:budget])
            budget -= len(wanted)
            progress.threads_total += len(wanted)
            _notify(on_progress, progress)
            await asyncio.gather(*(fetch(url) for url in wanted))
            fetched = [url for url in wanted if pages.is_cached(url)]
            if not progress.paused:
                failures.update((url, now) for url in set(wanted) - set(fetched))
            frontier = following + fetched
            if not frontier or progress.paused:
                break
        if failures != stored:
            with contextlib.suppress(NewsreaderError):
                await self.cache_writer.run(self.cache.put_json, THREAD_FAILURES_KEY, failures)

    def _low_on_space(self) -> bool:
        """Under the reserve the prefetch leaves free: the state store, the next start and the
        rest of the system need the last bytes of a disk more than one more story does."""
        space = self.cache.space()
        return space is not None and space[0] < min(PREFETCH_RESERVE, space[1] // 20)

    def _pause_full(self, progress: RefreshProgress) -> None:
        """The cache's disk is full: stop prefetching, keep what is listed, say it once."""
        if not progress.paused:
            space = self.cache.space()
            room = f"{space[0] / 1024 / 1024:.1f} MiB free" if space else "no space"
            progress.paused = f"cache full ({room}): prefetch paused"

    def prefetch_unfinished(self) -> bool:
        """A prefetch was stopped before it ended (the mark it leaves is still there)."""
        return bool(self.config.prefetch) and self.cache.get_json(PREFETCH_MARK) is True

    async def _mark_prefetch(self, running: bool) -> None:
        # A full disk may refuse the mark too: then a stopped prefetch waits for its feeds.
        with contextlib.suppress(NewsreaderError):
            if running:
                await self.cache_writer.run(self.cache.put_json, PREFETCH_MARK, True)
            else:
                await self.cache_writer.run(self.cache.delete, PREFETCH_MARK)


class _Paused(Exception):
    """A story the prefetch skipped: the cache disk is full."""


def failure_cause(exc: NewsreaderError) -> str:
    """Why one story failed, without its URL: what groups failures by cause."""
    if isinstance(exc, FetchError | ParseError):
        return exc.reason
    return str(exc)


def interleave_hosts(urls: list[str]) -> list[str]:
    """`urls` taken round-robin by host, each host's own order kept.

    The prefetch admits pages in list order, and a host serves at most `max_per_host` at a
    time: in source order, the first 40 pages admitted came from two hosts, so 8 were in flight
    and the other admitted pages held their places waiting (83 pages/s instead of 200 in
    bench/refresh_bench.py, 50 hosts at 100 ms per response).
    """
    by_host: dict[str, list[str]] = {}
    for url in urls:
        # The host as fetch() counts it for max_per_host: without the port.
        by_host.setdefault(urlsplit(url).hostname or "", []).append(url)
    queues = list(by_host.values())
    return [queue[i] for i in range(max(map(len, queues), default=0))
            for queue in queues if i < len(queue)]


def _alias(value: str) -> str | None:
    """A URL-like id or link without its scheme and a www./mail./m. host prefix, else None.

    Feedbin's approach to guids that flip http→https or change host: match on what is left.
    """
    if not value or "://" not in value:
        return None
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    host = _HOST_PREFIX.sub("", parts.hostname)
    return f"{host}{parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")


def _older_than(headline: Headline, cutoff: datetime) -> bool:
    stamp = parse_time(headline.seen or headline.published)
    return stamp is not None and stamp < cutoff


def _notify(callback: ProgressCallback | None, progress: RefreshProgress) -> None:
    if callback is not None:
        callback(progress)
