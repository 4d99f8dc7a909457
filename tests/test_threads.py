"""Story threads (issue 20) on two loopback sites: prefetch along Recall / Read-also links, the
thread index, the timeline both ways, and `newsreader thread` (JSON and text, offline)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

from newsreader.config import Config
from newsreader.errors import NotInCache
from newsreader.models import THREAD_ENTRY_KEYS, Source
from newsreader.paths import default_paths
from newsreader.services.refresh import THREAD_RETRY_SECONDS
from newsreader.services.wiring import open_reader
from newsreader.store.threads import INDEX_KEY
from tests.http_server import TestServer
from tests.test_cli import run
from tests.thread_site import BROKEN, CHAIN, CYCLE, FAN, FAN_OUT, FEED, GONE, serve_threads


@pytest.fixture
def sites() -> Iterator[tuple[TestServer, TestServer, dict[str, str]]]:
    a, b = TestServer(), TestServer()
    try:
        yield a, b, serve_threads(a, b)
    finally:
        a.close()
        b.close()


def config_for(a: TestServer, **settings: int) -> Config:
    config = Config(sources=[Source("Threads", a.url(FEED))])
    for key, value in settings.items():
        setattr(config, key, value)
    return config


def write_config(a: TestServer, extra: str = "") -> None:
    path = default_paths().config_file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'{extra}\n[[sources]]\nname = "Threads"\nurl = "{a.url(FEED)}"\n',
                    encoding="utf-8")


def shape(entries: list) -> list[tuple[str, str, int, bool]]:
    return [(e.url.rsplit("/", 1)[-1], e.relation, e.depth, e.cached) for e in entries]


async def test_a_refresh_fetches_along_the_threads_to_thread_depth(sites) -> None:
    a, b, _ = sites
    reader = open_reader(config_for(a))
    seen: list[tuple[int, int]] = []
    progress = await reader.refresh(lambda p: seen.append((p.threads_done, p.threads_total)))
    await reader.aclose()
    # chain-5, -4, -3 (depth 3 from chain-6, on both sites), cycle-b, the 404 and the fan-out.
    assert (progress.threads_total, progress.threads_done) == (8, 8)
    assert progress.thread_errors == 1 and progress.story_errors == 0
    assert seen[-1] == (8, 8) and any(done < total for done, total in seen), "progress moves"
    fetched = set(a.paths()) | set(b.paths())
    assert {CHAIN[2], CHAIN[3], CHAIN[4], CYCLE[1], GONE, *FAN_OUT} <= fetched
    assert CHAIN[1] not in fetched and CHAIN[0] not in fetched, "no deeper than thread_depth"

    # Nothing is fetched twice: the second refresh asks for no story page again.
    a.requests.clear()
    b.requests.clear()
    again = open_reader(config_for(a))
    second = await again.refresh()
    await again.aclose()
    assert second.threads_total == 0  # the broken link is not tried again for a day
    assert [p for p in a.paths() + b.paths() if p != FEED] == []
    later = open_reader(config_for(a), clock=lambda: time.time() + THREAD_RETRY_SECONDS + 60)
    third = await later.refresh()
    await later.aclose()
    assert third.threads_total == 1 and a.paths()[-1] == GONE  # a day later it is


async def test_the_whole_chain_opens_offline_with_the_servers_gone(sites) -> None:
    a, b, urls = sites
    reader = open_reader(config_for(a))
    await reader.refresh()
    await reader.aclose()
    a.close()
    b.close()
    offline = open_reader(config_for(a), offline=True)
    entries = await offline.load_thread(urls[CHAIN[5]])
    assert shape(entries) == [
        ("chain-3", "recall", 3, True), ("chain-4", "recall", 2, True),
        ("chain-5", "recall", 1, True), ("chain-6", "self", 0, True),
        ("chain-2", "recall", 4, False),  # known from chain-3's Recall, never fetched: undated
    ]
    assert entries[2].source == "Site B" and entries[3].source == "Site A"
    assert entries[0].lead and entries[0].published == "2026-03-03T10:00:00+02:00"
    for entry in entries[:4]:  # chain-5 is in no feed: reachable only through the Recall
        story = await offline.open_story(entry.url)
        assert story.title == entry.title
    with pytest.raises(NotInCache):
        await offline.open_story(urls[CHAIN[1]])
    await offline.aclose()


async def test_a_story_in_the_middle_shows_what_followed_it(sites) -> None:
    a, _, urls = sites
    reader = open_reader(config_for(a))
    await reader.refresh()
    entries = await reader.load_thread(urls[CHAIN[3]])  # online: chain-2 and chain-1 fetched
    await reader.aclose()
    assert shape(entries) == [
        ("chain-1", "recall", 3, True), ("chain-2", "recall", 2, True),
        ("chain-3", "recall", 1, True), ("chain-4", "self", 0, True),
        ("chain-5", "followed_by", 1, True), ("chain-6", "followed_by", 2, True),
    ]


async def test_cycles_self_links_broken_links_and_fan_outs(sites) -> None:
    a, _, urls = sites
    reader = open_reader(config_for(a))
    await reader.refresh()
    await reader.aclose()
    offline = open_reader(config_for(a), offline=True)
    # cycle-a recalls cycle-b, which recalls cycle-a and "reads also" itself: two entries.
    assert shape(await offline.load_thread(urls[CYCLE[0]])) == [
        ("cycle-b", "recall", 1, True), ("cycle-a", "self", 0, True)]
    assert shape(await offline.load_thread(urls[CYCLE[1]])) == [
        ("cycle-b", "self", 0, True), ("cycle-a", "recall", 1, True)]
    broken = await offline.load_thread(urls[BROKEN])
    assert shape(broken) == [("broken", "self", 0, True), ("gone", "recall", 1, False)]
    assert broken[1].title == "a story that is gone"  # what the linking story called it
    fan = await offline.load_thread(urls[FAN])
    assert shape(fan) == [("fan", "self", 0, True)] + [
        (path.rsplit("/", 1)[-1], "read_also", 1, True) for path in FAN_OUT]
    # The list's mark: as many stories as the thread view lists (uncached ones too).
    assert offline.thread_length(urls[CHAIN[5]]) == 5
    assert offline.thread_length(urls[CHAIN[3]]) == 5  # chain-5, -6 follow; -3, -2 before
    assert offline.thread_length(urls[FAN]) == 4
    assert offline.thread_length(urls[CYCLE[0]]) == 2
    await offline.aclose()


async def test_thread_prefetch_max_bounds_the_pages_a_refresh_fetches(sites) -> None:
    a, b, _ = sites
    reader = open_reader(config_for(a, thread_prefetch_max=2))
    progress = await reader.refresh()
    await reader.aclose()
    assert progress.threads_total == 2
    assert len([p for p in a.paths() + b.paths() if p != FEED]) == 4 + 2
    off = open_reader(config_for(a, thread_depth=0))
    a.requests.clear()
    assert (await off.refresh()).threads_total == 0
    await off.aclose()


async def test_a_missing_or_damaged_index_is_rebuilt_from_the_cached_stories(sites) -> None:
    a, _, urls = sites
    reader = open_reader(config_for(a))
    await reader.refresh()
    stored = reader.cache.get_json(INDEX_KEY)
    assert stored and urls[CHAIN[5]] in stored["links"], "the refresh saved the index"
    reader.cache.put_json(INDEX_KEY, {"version": 1, "links": ["not", "a", "map"]})
    await reader.aclose()
    for damage in ({"version": 1, "links": ["not", "a", "map"]}, None):
        offline = open_reader(config_for(a), offline=True)
        if damage is None:
            offline.cache.delete(INDEX_KEY)
        entries = await offline.load_thread(urls[CHAIN[3]])
        assert ("chain-6", "followed_by", 2, True) in shape(entries)  # backlinks came back
        await offline.aclose()


def test_the_thread_command_prints_json_text_and_fails_offline_when_not_cached(sites) -> None:
    a, _, urls = sites
    write_config(a)
    fetched = run("fetch")
    assert fetched.returncode == 0, fetched.stderr
    assert "of 8 pages along their threads" in fetched.stdout
    result = run("thread", urls[CHAIN[5]], "--format", "json", "--offline")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["url"] == urls[CHAIN[5]]
    assert [tuple(entry) for entry in data["stories"]] == [THREAD_ENTRY_KEYS] * 5
    assert [(s["relation"], s["depth"]) for s in data["stories"]] == [
        ("recall", 3), ("recall", 2), ("recall", 1), ("self", 0), ("recall", 4)]
    assert [s["published"] for s in data["stories"]][-1] is None  # undated last

    text = run("thread", urls[CHAIN[3]], "--offline")
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert lines[0].startswith("  ") and "recalled" in lines[0] and "Dam talks, day 3" in lines[0]
    assert any(line.startswith("▶") and "Dam talks, day 4" in line for line in lines)
    assert any("followed up by" in line and "Dam talks, day 6" in line for line in lines)

    missing = run("thread", urls[CHAIN[0]], "--offline")
    assert missing.returncode == 1
    assert missing.stderr.strip().splitlines() == [f"newsreader: {urls[CHAIN[0]]}: not in cache"]
    bad = run("thread", "javascript:alert(1)")
    assert bad.returncode == 1 and "not an http(s) URL" in bad.stderr


def test_two_processes_saving_the_index_keep_each_others_stories() -> None:
    from newsreader.models import RelatedLink
    from newsreader.store.cache import memory_cache
    from newsreader.store.threads import ThreadIndex

    cache = memory_cache()
    app, child = ThreadIndex(cache), ThreadIndex(cache)
    app.ensure_loaded()
    child.ensure_loaded()
    app.add("https://a.test/2", [RelatedLink("recall", "one", "https://a.test/1")])
    child.add("https://b.test/9", [RelatedLink("read_also", "eight", "https://b.test/8"),
                                   RelatedLink("related", "not a thread", "https://b.test/7"),
                                   RelatedLink("recall", "itself", "https://b.test/9")])
    child.save()
    app.save()  # merged into what the child stored, not over it
    fresh = ThreadIndex(cache)
    fresh.ensure_loaded()
    assert fresh.links("https://a.test/2") == (("recall", "https://a.test/1"),)
    assert fresh.links("https://b.test/9") == (("read_also", "https://b.test/8"),)
    assert fresh.backlinks("https://b.test/8") == ["https://b.test/9"]
    # A story stored again with other links: its old backlinks go.
    fresh.add("https://a.test/2", [RelatedLink("recall", "zero", "https://a.test/0")])
    assert fresh.backlinks("https://a.test/1") == []
    assert fresh.backlinks("https://a.test/0") == ["https://a.test/2"]
    assert fresh.size("https://a.test/2") == 2


async def test_a_story_read_before_the_index_was_ever_built_is_in_it(sites) -> None:
    a, _, urls = sites
    online = open_reader(config_for(a))
    for path in (CHAIN[4], CHAIN[5]):  # `newsreader read`: the index is never loaded
        await online.open_story(urls[path])
    await online.aclose()
    offline = open_reader(config_for(a), offline=True)
    assert offline.cache.get_json(INDEX_KEY) is None  # nothing half-built was stored...
    entries = await offline.load_thread(urls[CHAIN[4]])  # ...the first load rebuilds it
    assert ("chain-6", "followed_by", 1, True) in shape(entries)
    await offline.aclose()
    again = open_reader(config_for(a), offline=True)
    assert urls[CHAIN[5]] in again.cache.get_json(INDEX_KEY)["links"]  # and saved it
    await again.aclose()
