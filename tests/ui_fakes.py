"""A small in-memory Reader with the real service's API, for UI tests that need exact control."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from newsreader.config import Config
from newsreader.errors import FetchError, NotInCache
from newsreader.models import Block, Dateline, Headline, RelatedLink, Source, Story, ThreadEntry
from newsreader.services.history import History
from newsreader.services.ports import ReaderPort
from newsreader.services.search import SearchHit
from newsreader.services.sources import OFFLINE_REASON, FoundFeeds, host_name
from newsreader.services.threads import Threads
from newsreader.store.cache import memory_cache
from newsreader.store.threads import ThreadIndex
from newsreader.ui.app import NewsreaderApp
from newsreader.ui.main_screen import MainScreen

if TYPE_CHECKING:
    from textual.pilot import Pilot

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
BASE = "https://news.example"


def fixed_clock() -> datetime:
    return NOW


@dataclass
class FakeProgress:
    sources_total: int = 0
    sources_done: int = 0
    stories_total: int = 0
    stories_done: int = 0
    threads_total: int = 0
    threads_done: int = 0
    new_headlines: int = 0
    running: bool = False
    offline: bool = False
    errors: dict[str, str] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)


def make_story(
    url: str,
    title: str,
    related: Sequence[tuple[str, str, str]] = (),
    paras: int = 3,
) -> Story:
    """A story with every kind of block; `related` is [(kind, title, url), ...]."""
    blocks = [
        Block("paragraph", f"{title}: paragraph {i}. " + "Words go here. " * 30)
        for i in range(1, paras + 1)
    ]
    blocks[1:1] = [
        Block("heading", "Details"),
        Block("quote", "We will keep the lights on", attribution="the mayor said"),
        Block("image", src=f"{url}/img.jpg", alt="A photo", caption="Workers at the plant"),
        Block("list", items=["first point", "second point"]),
    ]
    return Story(
        url=url,
        title=title,
        published="2025-03-01T09:00:00+00:00",
        authors=["Olena Reporter"],
        source="Example News",
        dateline=Dateline("Kyiv", "UNN"),
        views=1558,
        lead=f"The lead of {title}.",
        blocks=blocks,
        related=[RelatedLink(kind, t, u) for kind, t, u in related],  # type: ignore[arg-type]
    )


class FakeReader:
    """Same surface as newsreader.services.reader.Reader; state persists to `data_dir`."""

    def __init__(
        self,
        headlines: list[Headline] | None = None,
        stories: dict[str, Story] | None = None,
        *,
        remote: dict[str, Story] | None = None,
        offline: bool = False,
        demo: bool = False,
        config: Config | None = None,
        data_dir: Path | None = None,
        refresh_gate: asyncio.Event | None = None,
        refresh_adds: list[Headline] | None = None,
    ) -> None:
        self.config = config or Config(
            sources=[
                Source("Example News", f"{BASE}/rss", "World"),
                Source("Other Wire", f"{BASE}/other", "Local"),
            ]
        )
        self.sources = list(self.config.sources)
        self.offline = offline
        self.demo = demo
        self.warnings: list[str] = []
        self.progress = FakeProgress()
        self._headlines = list(headlines if headlines is not None else sample_headlines())
        self._cache: dict[str, Story] = dict(stories if stories is not None else sample_stories())
        self._remote = dict(remote or {})  # fetchable when online
        self._read: set[str] = set()
        self._saved: set[str] = set()
        self._settings: dict[str, Any] = {}
        self.data_dir = data_dir
        self.refresh_gate = refresh_gate
        self.refresh_adds = list(refresh_adds or [])
        self.refresh_notices: list[str] = []  # what the next refresh reports going wrong quietly
        self.refresh_calls = 0
        self.opened: list[str] = []
        self.images: dict[str, bytes] = {}  # picture URL -> bytes load_image gives
        self.images_asked: list[str] = []
        self.closed = False
        saved = self._load_state()
        self.history = History.from_dict(saved.get("history"), on_change=self._persist)
        # Threads are the real service's walk over this fake's stories (the index in memory).
        self.thread_index = ThreadIndex(memory_cache())
        for story_url, story in self._cache.items():
            self.thread_index.add(story_url, story.related)
        self.threads = Threads(index=self.thread_index, stories=cast(Any, self), depth=3,
                               offline=offline)

    # -- persistence (stands in for the real durable store) -----------------------------------

    def _state_file(self) -> Path | None:
        return self.data_dir / "fake-state.json" if self.data_dir else None

    def _load_state(self) -> dict[str, Any]:
        path = self._state_file()
        if path is None or not path.exists():
            return {}
        data = json.loads(path.read_text())
        self._read = set(data.get("read", []))
        self._settings = dict(data.get("settings", {}))
        return data

    def _persist(self, _history: History | None = None) -> None:
        path = self._state_file()
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            json.dumps(
                {
                    "history": self.history.to_dict(),
                    "read": sorted(self._read),
                    "settings": self._settings,
                }
            )
        )

    # -- the Reader API -------------------------------------------------------------------------

    def headlines(self) -> list[Headline]:
        return list(self._headlines)

    def headline_for_url(self, url: str) -> Headline | None:
        return next((h for h in self._headlines if h.url == url), None)

    def is_read(self, headline_id: str) -> bool:
        return headline_id in self._read

    def set_read(self, headline_id: str, read: bool = True) -> None:
        (self._read.add if read else self._read.discard)(headline_id)
        self._persist()

    def mark_read(self, headline_ids: list[str], read: bool = True) -> list[str]:
        changed = [i for i in dict.fromkeys(headline_ids) if (i in self._read) != read]
        for headline_id in changed:
            (self._read.add if read else self._read.discard)(headline_id)
        self._persist()
        return changed

    def unread_count(self) -> int:
        return sum(1 for h in self._headlines if h.id not in self._read)

    def is_saved(self, headline_id: str) -> bool:
        return headline_id in self._saved

    def toggle_saved(self, headline: Headline) -> bool:
        if headline.id in self._saved:
            self._saved.discard(headline.id)
            return False
        self._saved.add(headline.id)
        return True

    def is_cached(self, url: str) -> bool:
        return url in self._cache

    def cached_story(self, url: str) -> Story | None:
        return self._cache.get(url)

    async def open_story(self, url: str) -> Story:
        cached = self.cached_story(url)
        return cached if cached is not None else await self.load_story(url)

    async def load_story(self, url: str) -> Story:
        self.opened.append(url)
        if url in self._cache:
            return self._cache[url]
        if self.offline:
            raise NotInCache(url)
        await asyncio.sleep(0)  # a real fetch yields to the loop
        if url in self._remote:
            self._cache[url] = self._remote[url]
            self.thread_index.add(url, self._remote[url].related)
            return self._remote[url]
        raise FetchError(url, "HTTP 404", kind="http")

    async def load_image(self, url: str) -> bytes | None:
        self.images_asked.append(url)
        return self.images.get(url)

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

    async def refresh(
        self, on_progress: Callable[[Any], None] | None = None, *, force: bool = True
    ) -> Any:
        self.refresh_calls += 1
        total = len(self.sources)
        self.progress = FakeProgress(sources_total=total, running=True)
        if on_progress:
            on_progress(self.progress)
        if self.refresh_gate is not None:
            await self.refresh_gate.wait()  # the test decides when the "network" answers
        self._headlines[:0] = self.refresh_adds
        self.progress = FakeProgress(
            sources_total=total,
            sources_done=total,
            new_headlines=len(self.refresh_adds),
            errors={"Other Wire": "timeout after 20 s"},
            notices=self.refresh_notices,
        )
        self.refresh_adds = []
        if on_progress:
            on_progress(self.progress)
        return self.progress

    def get_setting(self, key: str, default: Any = None) -> Any:
        return self._settings.get(key, default)

    def set_setting(self, key: str, value: Any) -> None:
        self._settings[key] = value
        self._persist()

    def report_state_errors(self, report: Any) -> None:
        self.state_error_report = report

    def close_state(self) -> list[str]:
        return []

    async def find_feeds(self, url: str) -> FoundFeeds:
        # The fake has no network: the URL comes back unchecked, as the real one's does offline.
        why = OFFLINE_REASON if self.offline else "the fake reader has no network"
        return FoundFeeds([(host_name(url), url)], why)

    async def add_sources(self, sources: list[Source]) -> tuple[list[Source], list[Source]]:
        known = {s.url for s in self.sources}
        added = [s for s in sources if s.url not in known]
        self.sources += added
        return added, [s for s in sources if s.url in known]

    async def remove_source(self, source: Source) -> None:
        self.sources = [s for s in self.sources if s.url != source.url]

    def prepare_search(self, query: str, limit: int = 100) -> Callable[[], list[SearchHit]]:
        words = query.casefold().split()
        hits = [
            SearchHit(h.url, h.title, h.source_name, h.title)
            for h in self._headlines
            if words and all(w in h.title.casefold() for w in words)
        ][:limit]
        return lambda: hits

    async def aclose(self) -> None:
        self.closed = True


# The fake must keep the app's contract: mypy checks this assignment against the Protocol.
_CONTRACT: type[ReaderPort] = FakeReader


def url(slug: str) -> str:
    return f"{BASE}/news/{slug}"


def headline(slug: str, title: str, hours_ago: float, source: str = "Example News") -> Headline:
    published = (NOW - timedelta(hours=hours_ago)).isoformat()
    return Headline(
        id=slug,
        source_url=f"{BASE}/rss",
        source_name=source,
        title=title,
        url=url(slug),
        published=published,
    )


def arrivals(count: int = 2) -> list[Headline]:
    """New headlines a refresh brings in above every listed one (FakeReader refresh_adds)."""
    return [headline(f"new{i}", f"Arrived story {i}", 0.01 * i) for i in range(count)]


def sample_headlines() -> list[Headline]:
    return [
        headline("a", "Alpha story", 1),
        headline("b", "Bravo story", 3, "Other Wire"),
        headline("c", "Charlie story", 5),
        headline("d", "Delta story", 30, "Other Wire"),
        headline("e", "Echo story", 200),
    ]


def sample_stories() -> dict[str, Story]:
    """a links to c (in the list, cached) and to x (in no feed, cached) and to z (not cached)."""
    return {
        url("a"): make_story(
            url("a"),
            "Alpha story",
            [
                ("recall", "Charlie story", url("c")),
                ("read_also", "Xray story, in no feed", url("x")),
                ("recall", "Zulu story, never downloaded", url("z")),
            ],
            paras=12,
        ),
        url("b"): make_story(url("b"), "Bravo story"),
        url("c"): make_story(url("c"), "Charlie story", [("recall", "Alpha story", url("a"))]),
        url("d"): make_story(url("d"), "Delta story"),
        url("e"): make_story(url("e"), "Echo story"),
        url("x"): make_story(url("x"), "Xray story", paras=10),
    }


# -- app helpers shared by the UI tests ---------------------------------------------------------

SIZE = (120, 40)


def make_app(reader: Any = None, **kwargs: Any) -> NewsreaderApp:
    """An app on `reader` (a FakeReader by default) with a frozen clock and no refresh at start."""
    kwargs.setdefault("refresh_on_start", False)
    return NewsreaderApp(reader or FakeReader(), clock=fixed_clock, **kwargs)


async def settle(pilot: Pilot) -> None:
    """Let messages, then workers, then the repaint they cause, finish."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_highlighted(pilot: Pilot) -> MainScreen:
    """Once the app has settled, Enter on the highlighted headline; its screen, story shown."""
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    return main(pilot.app)  # type: ignore[arg-type]


def key_event(key: str) -> Any:
    """The Key event a terminal's driver would post for `key` ("j", "down", "enter", ...)."""
    from textual import events

    characters = {"space": " ", "enter": "\r"}
    return events.Key(key, characters.get(key, key if len(key) == 1 else None))


async def burst(pilot: Pilot, *keys: str) -> None:
    """Post every key at once, as a terminal delivers a paste, a fast typist or one tmux
    send-keys (Pilot.press waits for each key's handlers, animations and repaint); then settle."""
    for key in keys:
        pilot.app.post_message(key_event(key))
    await settle(pilot)


async def held(pilot: Pilot, key: str, times: int, every: float) -> None:
    """`key` posted `times` times, `every` seconds apart, from a thread, as the driver's input
    thread does with a held key: keys that arrive while the loop draws a frame queue up."""
    import threading
    import time

    loop = asyncio.get_running_loop()
    app = pilot.app

    def typist() -> None:
        for _ in range(times):
            loop.call_soon_threadsafe(app.post_message, key_event(key))
            time.sleep(every)

    thread = threading.Thread(target=typist)
    thread.start()
    while thread.is_alive():
        await asyncio.sleep(every)
    thread.join()
    await settle(pilot)


def main(app: NewsreaderApp) -> MainScreen:
    screen = app.screen
    assert isinstance(screen, MainScreen)
    return screen


def shown_text(screen: MainScreen) -> str:
    """What the story pane says (but its related links), with wrapped lines joined again."""
    return " ".join(screen.story_view.shown_text.split())



def status_text(screen: MainScreen) -> str:
    return str(screen.query_one("#status").render())


# -- the real Reader on the bundled demo edition --------------------------------------------------

DEMO_NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def demo_clock() -> datetime:
    return DEMO_NOW


def demo_reader(*, offline: bool = False, **config: Any) -> Any:
    """The real Reader on the demo site (served in-process); dirs come from the XDG fixture."""
    from newsreader.demo import DEMO_SOURCES, demo_transport
    from newsreader.services.wiring import open_reader

    # Dated for the frozen clock: the site exactly as written (newsreader/demo/calendar.py).
    return open_reader(Config(sources=list(DEMO_SOURCES), **config), demo=True, offline=offline,
                       transport=demo_transport(now=DEMO_NOW))


def demo_app(*, offline: bool = False, refresh_on_start: bool = True, **config: Any) -> Any:
    reader = demo_reader(offline=offline, **config)
    return NewsreaderApp(reader, clock=demo_clock, refresh_on_start=refresh_on_start)
