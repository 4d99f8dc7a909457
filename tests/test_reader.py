"""The reader service over a real loopback fixture site: refresh, prefetch, 304s, offline reads."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from newsreader.errors import FetchError, NotInCache
from newsreader.models import STORY_KEYS
from newsreader.net.client import NetSettings
from newsreader.services.wiring import open_reader
from newsreader.store.cache import CacheWriteError
from newsreader.store.state import StateError
from tests.fixture_site import STORY_PATHS
from tests.http_server import TestServer, stall
from tests.site_helpers import fixture_config, serve_fixture_site


@pytest.fixture
def site(http_server: TestServer) -> TestServer:
    serve_fixture_site(http_server)
    return http_server


async def test_refresh_lists_headlines_and_prefetches_every_story(site: TestServer) -> None:
    reader = open_reader(fixture_config(site))
    seen: list[tuple[int, int]] = []
    progress = await reader.refresh(lambda p: seen.append((p.sources_done, p.stories_done)))
    await reader.aclose()
    assert progress.errors == {}
    assert progress.sources_done == progress.sources_total == len(reader.sources)
    assert progress.stories_total > 0 and progress.stories_done == progress.stories_total
    assert progress.story_errors == 0
    assert seen[-1] == (progress.sources_total, progress.stories_total)

    offline = open_reader(fixture_config(site), offline=True)
    headlines = offline.headlines()
    assert headlines, "the list comes from the cache"
    stamps = [h.published or "" for h in headlines]
    assert len({h.id for h in headlines}) == len(headlines)
    assert stamps == sorted(stamps, reverse=True) or all(stamps)
    before = len(site.requests)
    for headline in headlines:
        story = await offline.open_story(headline.url)
        assert story.title and list(story.to_dict()) == list(STORY_KEYS)
    assert len(site.requests) == before, "offline reads never touch the network"
    await offline.aclose()


async def test_second_refresh_is_all_304_and_parses_nothing(
    site: TestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = open_reader(fixture_config(site))
    await reader.refresh()
    calls: list[str] = []
    real_parse = reader.parser.parse_feed

    async def counting(content: bytes, url: str, **kwargs):  # bulk= passes through kwargs
        calls.append(url)
        return await real_parse(content, url, **kwargs)

    monkeypatch.setattr(reader.parser, "parse_feed", counting)
    count = len(site.requests)
    progress = await reader.refresh()
    await reader.aclose()
    feed_requests = site.requests[count:]
    assert feed_requests and all("if-none-match" in headers for _, _, headers in feed_requests)
    assert calls == [], "a 304 costs no parse"
    assert progress.errors == {} and progress.new_headlines == 0
    assert progress.stories_total == 0, "everything was already prefetched"


async def test_the_refresh_after_a_parser_change_parses_cached_pages_again_once(
    site: TestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = open_reader(fixture_config(site))
    await reader.refresh()
    urls = [h.url for h in reader.headlines() if h.url]
    assert urls and all(reader.cached_story(url) for url in urls)
    # An upgrade whose parser gives different output: every parsed story is stale now.
    monkeypatch.setattr("newsreader.services.stories.PARSER_VERSION", 2)
    assert not any(reader.cached_story(url) for url in urls)
    count = len(site.requests)
    progress = await reader.refresh()
    pages = [path for _, path, _ in site.requests[count:] if path in STORY_PATHS]
    assert pages == [], "parsed from the cached pages, not downloaded again"
    assert progress.stories_done == progress.stories_total == len(set(urls))
    assert all(reader.cached_story(url) for url in urls)

    scanned: list[str] = []
    real = reader.stories.needs_reparse
    monkeypatch.setattr(
        reader.stories, "needs_reparse", lambda url: scanned.append(url) or real(url)
    )
    progress = await reader.refresh()
    await reader.aclose()
    assert scanned == [] and progress.stories_total == 0, "once per parser version"


async def test_a_cached_page_opens_even_when_its_parsed_copy_cannot_be_stored(
    site: TestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = open_reader(fixture_config(site))
    await reader.refresh()
    url = next(h.url for h in reader.headlines() if h.url)
    monkeypatch.setattr("newsreader.services.stories.PARSER_VERSION", 2)  # the page only
    stored = reader.cache.put_story

    def disk_full(*args: object) -> None:
        raise CacheWriteError("disk full")

    reader.cache.put_story = disk_full  # type: ignore[method-assign]
    count = len(site.requests)
    story = await reader.open_story(url)
    assert story.title, "shown although the parsed copy was not stored"
    reader.cache_writer.flush()  # the store was queued behind the open: let it fail now
    assert reader.cached_story(url) is None and reader.stories.storing == {}

    reader.cache.put_story = stored  # type: ignore[method-assign]
    assert (await reader.open_story(url)).to_dict() == story.to_dict()
    await reader.aclose()
    assert len(site.requests) == count, "parsed from the cached page both times"
    offline = open_reader(fixture_config(site), offline=True)
    assert offline.cached_story(url) is not None, "the second open stored its parsed copy"
    await offline.aclose()


async def test_a_story_saved_before_its_parsed_copy_is_stored_keeps_that_copy(
    site: TestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = open_reader(fixture_config(site))
    await reader.refresh()
    headline = next(h for h in reader.headlines() if h.url)
    monkeypatch.setattr("newsreader.services.stories.PARSER_VERSION", 2)  # the page only
    busy = threading.Event()
    reader.cache_writer.submit(busy.wait)  # a refresh's writes still queued ahead
    story = await reader.open_story(headline.url)
    assert reader.cached_story(headline.url) is story, "answered from memory meanwhile"
    assert reader.toggle_saved(headline) is True
    busy.set()
    reader.cache_writer.flush()
    assert reader.stories.storing == {}
    assert reader.cached_story(headline.url) is not None, "and from the cache after"
    reader.cache.clear()
    await reader.aclose()
    offline = open_reader(fixture_config(site), offline=True)
    kept = offline.reading.saved_story(headline.url)
    assert kept is not None and kept.to_dict() == story.to_dict()
    await offline.aclose()


async def test_related_story_not_in_any_feed_is_readable_and_cached(site: TestServer) -> None:
    reader = open_reader(fixture_config(site))
    await reader.refresh()
    listed = {h.url for h in reader.headlines()}
    targets = set()
    for url in listed:
        story = await reader.open_story(url)
        targets |= {link.url for link in story.related}
    await reader.aclose()
    assert targets, "fixture stories carry Recall / Read also links"
    offline = open_reader(fixture_config(site), offline=True)
    cached = [url for url in targets if offline.is_cached(url)]
    await offline.aclose()
    # Prefetch covers listed stories; a related one is cached after one online open.
    online = open_reader(fixture_config(site))
    for url in targets - set(cached):
        try:
            await online.open_story(url)
        except FetchError:
            continue  # a deliberately missing page
    await online.aclose()
    offline = open_reader(fixture_config(site), offline=True)
    readable = [url for url in targets if offline.is_cached(url)]
    await offline.aclose()
    assert readable


async def test_offline_uncached_story_is_not_in_cache(site: TestServer) -> None:
    reader = open_reader(fixture_config(site), offline=True)
    with pytest.raises(NotInCache, match="not in cache"):
        await reader.open_story(site.url(STORY_PATHS[0]))
    assert site.requests == []
    await reader.aclose()


async def test_failing_source_keeps_old_headlines_and_reports_error(site: TestServer) -> None:
    config = fixture_config(site)
    reader = open_reader(config)
    await reader.refresh()
    count = len(reader.headlines())
    first = config.sources[0]
    site.route(first.url.replace(site.base_url, ""), b"oops", status=503,
               content_type="text/plain")
    progress = await reader.refresh()
    await reader.aclose()
    assert first.name in progress.errors and "503" in progress.errors[first.name]
    assert len(reader.headlines()) == count, "a failing feed never deletes its items"


async def test_network_down_means_offline_not_errors_everywhere(
    http_server: TestServer,
) -> None:
    http_server.handler("/feed", lambda h: stall(h, seconds=5))
    config = fixture_config(http_server)
    from newsreader.models import Source

    config.sources = [Source("Stalled", http_server.url("/feed")),
                      Source("Closed", "http://127.0.0.1:9/feed")]
    reader = open_reader(config, net_settings=NetSettings(connect_timeout=0.5, read_timeout=0.5,
                                                          deadline=1.0))
    progress = await reader.refresh()
    await reader.aclose()
    assert progress.offline
    assert set(progress.errors) == {"Stalled", "Closed"}


async def test_state_writes_run_in_order_off_the_loop_and_a_failure_stops_none_after_it(
    site: TestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = open_reader(fixture_config(site), offline=True)
    told: list[Exception] = []
    reader.report_state_errors(lambda exc: told.append(exc) or True)
    real = reader.reading.state.set_read
    writer_threads: set[str] = set()

    def flaky(ids: list[str], read: bool = True) -> None:
        writer_threads.add(threading.current_thread().name)
        if ids == ["b"]:
            raise StateError("cannot write state.db: disk I/O error")
        real(ids, read)

    monkeypatch.setattr(reader.reading.state, "set_read", flaky)
    for key in ("a", "b", "c"):
        reader.set_read(key)
    reader.set_read("a", False)
    assert reader.is_read("b") and not reader.is_read("a"), "the UI reads memory at once"
    reader.close()  # waits for the queued writes
    assert [str(f) for f in told] == ["cannot write state.db: disk I/O error"]
    assert reader.close_state() == [], "the user was told already"
    assert all(name.startswith("state-writer") for name in writer_threads)
    again = open_reader(fixture_config(site), offline=True)
    assert (again.is_read("a"), again.is_read("b"), again.is_read("c")) == (False, False, True)
    again.close()


async def test_a_state_failure_nobody_was_told_about_is_returned_at_close(
    site: TestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = open_reader(fixture_config(site), offline=True)

    def read_only(*args: object) -> None:
        raise StateError("cannot write state.db: attempt to write a readonly database")

    monkeypatch.setattr(reader.reading.state, "set_read", read_only)
    reader.set_read("a")
    assert reader.close_state() == [
        "could not save your reading state: "
        "cannot write state.db: attempt to write a readonly database"
    ]
    reader.close()


async def test_history_snapshots_still_queued_are_replaced_by_the_newest(
    site: TestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = open_reader(fixture_config(site), offline=True)
    written: list[dict] = []
    real = reader.reading.state.set_history
    monkeypatch.setattr(reader.reading.state, "set_history",
                        lambda value: written.append(value) or real(value))
    release = threading.Event()
    reader.reading.writer.submit(release.wait)  # a slow disk: the writer is busy
    for n in range(20):
        reader.history.visit(f"https://example.test/{n}", n, None)
    release.set()
    reader.close()
    assert len(written) == 1 and written[0]["entries"][-1]["url"] == "https://example.test/19"
    again = open_reader(fixture_config(site), offline=True)
    assert again.history.current is not None
    assert again.history.current.url == "https://example.test/19"
    again.close()


async def test_read_state_follows_a_story_whose_guid_changed(site: TestServer) -> None:
    reader = open_reader(fixture_config(site))
    await reader.refresh()
    source = reader.sources[0]
    first = reader.library.cached_headlines(source)[0]
    reader.set_read(first.id)
    changed = [h for h in reader.library.cached_headlines(source)]
    for headline in changed:
        headline.id = "new-guid-" + headline.id
    _, kept = reader.refresher._merge(source, changed)
    await reader.library.save_headlines(source, kept)
    again = {h.url: h for h in reader.library.cached_headlines(source)}
    assert again[first.url].id == first.id and reader.is_read(again[first.url].id)
    assert len(again) == len(changed), "no duplicate entries"
    await reader.aclose()


async def test_history_and_marks_survive_reopen(site: TestServer) -> None:
    reader = open_reader(fixture_config(site))
    await reader.refresh()
    by_url = {h.url: h for h in reversed(reader.headlines())}
    first, second = list(by_url.values())[:2]
    reader.history.visit(first.url, list_index=0)
    reader.history.remember(scroll_y=12.0)
    reader.history.visit(second.url, list_index=1)
    reader.set_read(first.id)
    assert reader.toggle_saved(second) is True
    await reader.aclose()
    again = open_reader(fixture_config(site), offline=True)
    assert again.history.current.url == second.url
    back = again.history.back()
    assert back.url == first.url and back.scroll_y == 12.0 and back.list_index == 0
    assert again.is_read(first.id) and not again.is_read(second.id)
    assert again.is_saved(second.id)
    assert again.unread_count() == len(again.headlines()) - 1
    await again.aclose()


async def test_saved_story_survives_a_cleared_cache(site: TestServer) -> None:
    reader = open_reader(fixture_config(site))
    await reader.refresh()
    headline = next(h for h in reader.headlines() if h.url)
    story = await reader.open_story(headline.url)
    assert reader.toggle_saved(headline) is True
    reader.cache.clear()
    reader.library.invalidate()
    await reader.aclose()
    offline = open_reader(fixture_config(site), offline=True)
    listed = offline.headlines()
    assert [h.id for h in listed] == [headline.id], "a saved story stays listed"
    again = await offline.open_story(headline.url)
    assert again.to_dict() == story.to_dict(), "and readable offline from its own copy"
    assert offline.is_saved(headline.id)
    await offline.aclose()


async def test_read_stories_expire_after_keep_days_but_saved_and_unread_stay(
    site: TestServer,
) -> None:
    reader = open_reader(fixture_config(site))
    await reader.refresh()
    source = reader.sources[0]
    read, saved, unread = reader.library.cached_headlines(source)[:3]
    reader.set_read(read.id)
    reader.set_read(saved.id)
    reader.toggle_saved(saved)
    reader.refresher.clock = lambda: time.time() + (reader.config.keep_days + 1) * 86400
    assert await reader.refresher.expire() >= 1
    left = {h.id for h in reader.library.cached_headlines(source)}
    assert read.id not in left and not reader.is_cached(read.url)
    assert saved.id in left and unread.id in left
    await reader.aclose()


def test_prefetch_order_takes_hosts_in_turn() -> None:
    from newsreader.services.refresh import interleave_hosts

    urls = ["http://a.example/1", "http://A.example:8080/2", "http://a.example/3",
            "https://b.example/1", "http://c.example/1", "http://c.example/2", "not a url"]
    assert interleave_hosts(urls) == [
        "http://a.example/1", "https://b.example/1", "http://c.example/1", "not a url",
        "http://A.example:8080/2", "http://c.example/2", "http://a.example/3",
    ]
    assert interleave_hosts([]) == []


async def test_a_saved_copy_opens_without_waiting_for_the_state_writer(site: TestServer) -> None:
    """The miss path reads saved copies from memory: a slow state write (an fsync on a busy
    disk) never holds the opening of a story the cache lost."""
    reader = open_reader(fixture_config(site))
    await reader.refresh()
    headline = next(h for h in reader.headlines() if h.url)
    story = await reader.open_story(headline.url)
    assert reader.toggle_saved(headline) is True
    reader.cache.clear()
    busy = threading.Event()
    reader.reading.writer.submit(busy.wait)  # the state writer is stuck behind a slow write
    try:
        again = await asyncio.wait_for(reader.load_story(headline.url), timeout=2)
    finally:
        busy.set()
    assert again.to_dict() == story.to_dict()
    await reader.aclose()


def test_headline_from_dict_drops_unknown_keys_and_needs_the_required_ones() -> None:
    from newsreader.models import Headline

    h = Headline(id="i", source_url="s", source_name="n", title="t", url="u", published="p")
    assert Headline.from_dict(h.to_dict()) == h
    assert Headline.from_dict({**h.to_dict(), "later_field": 1}) == h
    assert Headline.from_dict({"id": "i", "source_url": "s", "source_name": "n", "title": "t",
                               "url": "u"}).summary == ""
    with pytest.raises(TypeError):
        Headline.from_dict({"id": "i", "title": "t"})


async def test_filters_hide_headlines_from_the_list_and_its_counts(site: TestServer) -> None:
    from newsreader.config import HeadlineFilter

    config = fixture_config(site)
    everything = open_reader(config)
    await everything.refresh()
    listed = everything.headlines()
    await everything.aclose()
    hidden = listed[0]
    config.filters = [HeadlineFilter(words=(hidden.title.split()[0].casefold(),))]
    reader = open_reader(config)
    shown = reader.headlines()
    assert hidden.id not in {h.id for h in shown}
    assert all(not reader.library.hides(h) for h in shown)
    assert len(shown) < len(listed)
    assert reader.unread_count() == len(shown), "hidden ones are not counted either"
    await reader.aclose()


async def test_what_a_filter_hides_is_not_prefetched(http_server: TestServer) -> None:
    import re

    from newsreader.config import Config, HeadlineFilter
    from newsreader.models import Source
    from tests.hostile.helpers import items, rss

    for feed in ("a", "b"):
        http_server.route(f"/{feed}.xml", rss(items(3, feed, base=http_server.url(""))),
                          content_type="application/rss+xml")
        for i in range(3):
            http_server.route(f"/{feed}/{i}", f"<html><body><article><h1>{feed} {i}</h1><p>"
                              + "Words of the story. " * 40 + "</p></article></body></html>",
                              content_type="text/html")
    sources = [Source("A", http_server.url("/a.xml")), Source("B", http_server.url("/b.xml"))]
    config = Config(sources=sources,
                    filters=[HeadlineFilter(pattern=re.compile("."), source="A")])
    reader = open_reader(config)
    progress = await reader.refresh()
    assert not progress.errors, progress.errors
    hidden = reader.library.cached_headlines(sources[0])
    assert len(hidden) == 3, "the feed's entries are stored (a filter change shows them again)"
    assert not any(reader.is_cached(h.url) for h in hidden), "but not downloaded"
    assert {h.source_name for h in reader.headlines()} == {"B"}
    assert all(reader.is_cached(h.url) for h in reader.headlines())
    await reader.aclose()
