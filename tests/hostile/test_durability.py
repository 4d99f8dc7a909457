"""Durable user state (C4 and more): kill -9 mid-fetch, two instances at once, state survives."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newsreader.paths import default_paths
from newsreader.store.cache import open_cache
from newsreader.store.state import UserState
from tests.hostile.helpers import counts, open_reader, rss
from tests.http_server import TestServer

FEEDS = 3
PER_FEED = 25
ITERATIONS = int(os.environ.get("HOSTILE_KILL_ITERATIONS", "20"))


def slow_site(server: TestServer, edition: int = 0) -> list[str]:
    """Feeds whose stories answer after a short pause, so a fetch takes a few seconds.

    Each `edition` links new story URLs, so every run has stories left to prefetch.
    """
    paths = []
    for f in range(FEEDS):
        entries = [{"title": f"f{f} story {i}", "guid": f"f{f}-{i}-{edition}",
                    "link": server.url(f"/s/{f}/{i}?edition={edition}"),
                    "pubDate": f"Mon, {1 + i % 28:02d} Jan 2024 10:00:00 GMT"}
                   for i in range(PER_FEED)]
        server.route(f"/feed{f}.xml", rss(entries), content_type="application/rss+xml")
        paths.append(f"/feed{f}.xml")
    page = ("<html><head><title>A story</title></head><body><article><h1>A story</h1>"
            + "<p>" + "Words of the story body, long enough to be a paragraph. " * 20 + "</p>" * 6
            + "</article></body></html>").encode()

    def story(h) -> None:  # type: ignore[no-untyped-def]
        if server.stopping.wait(0.1):
            return
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("Content-Length", str(len(page)))
        h.end_headers()
        h.wfile.write(page)

    for f in range(FEEDS):
        for i in range(PER_FEED):
            server.handler(f"/s/{f}/{i}", story)
    return paths


def write_config(server: TestServer, paths: list[str]) -> Path:
    config = default_paths().config_file
    config.parent.mkdir(parents=True, exist_ok=True)
    lines = ["prefetch = true", "prefetch_per_source = 25", ""]
    for i, path in enumerate(paths):
        lines += ["[[sources]]", f'name = "Feed {i}"', f'url = "{server.url(path)}"', ""]
    config.write_text("\n".join(lines), encoding="utf-8")
    return config


def start_fetch() -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "newsreader", "fetch", "--all"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_for_requests(server: TestServer, n: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 20
    while len(server.requests) < n and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)


@pytest.mark.timeout(180)
def test_kill_9_mid_fetch_loses_no_mark(http_server: TestServer):
    """C4: SIGKILL a real `newsreader fetch` at varied moments while marks are written.

    Slow (~20-40 s): 20 real subprocesses, each killed mid-run; HOSTILE_KILL_ITERATIONS
    changes the count.
    """
    paths = slow_site(http_server)
    write_config(http_server, paths)
    dirs = default_paths()
    dirs.data_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(1234)
    expected_read: set[str] = set()
    expected_saved: set[str] = set()
    mid_run = 0  # kills that landed after the fetch had started talking to the site
    with UserState.open(dirs.state_db) as state:
        for it in range(ITERATIONS):
            http_server.requests.clear()
            slow_site(http_server, it)
            proc = start_fetch()
            # Kill at varied moments: during start-up, mid-feeds, mid-prefetch.
            mode = it % 3
            if mode == 0:
                time.sleep(rng.uniform(0.05, 0.6))
            else:
                wait_for_requests(http_server, rng.randint(1, FEEDS + PER_FEED), proc)
            for j in range(5):  # marks made while the fetch runs
                key = f"mark-{it}-{j}"
                state.set_read([key, f"link:http://127.0.0.1/{key}"])
                expected_read |= {key, f"link:http://127.0.0.1/{key}"}
            state.set_saved(f"saved-{it}", {"id": f"saved-{it}", "title": f"t{it}"})
            expected_saved.add(f"saved-{it}")
            mid_run += bool(http_server.requests) and proc.poll() is None
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
            # After every kill: the store opens clean and holds every mark made before it.
            with UserState.open(dirs.state_db) as check:
                assert check.warning is None
                assert expected_read <= check.read_ids()
                assert {s["id"] for s in check.saved()} == expected_saved
            cache, warning = open_cache(dirs.cache_dir)
            assert warning is None or warning.startswith("cache was corrupt; moved aside")
            cache.close()
    assert mid_run >= ITERATIONS // 2
    # A full run afterwards completes and fills the cache.
    done = subprocess.run([sys.executable, "-m", "newsreader", "fetch", "--all"],
                          capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    assert b"3 of 3 sources refreshed" in done.stdout
    with UserState.open(dirs.state_db) as final:
        assert expected_read <= final.read_ids()
    print(f"kill -9: {ITERATIONS} iterations ({mid_run} mid-refresh), {len(expected_read)} "
          "read keys and "
          f"{len(expected_saved)} saved stories checked after every kill")


async def test_two_instances_app_marks_while_cron_fetches(http_server: TestServer):
    """C4: a cron `newsreader fetch` and the app (marking read, saving, refreshing) at once."""
    paths = slow_site(http_server)
    write_config(http_server, paths)
    reader = open_reader(http_server, paths)
    progress = await reader.refresh()
    assert not progress.errors
    heads = reader.headlines()
    assert len(heads) == FEEDS * PER_FEED
    proc = start_fetch()
    try:
        for i, headline in enumerate(heads):  # one click at a time, as a user would
            reader.reading.state.set_read([h.id for h in [headline]])
            if i % 10 == 0:
                reader.toggle_saved(headline)
            await asyncio.sleep(0.01)
        progress = await reader.refresh()  # both instances refresh at the same time
        assert not progress.errors, progress.errors
    finally:
        _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err.decode()
    marks = reader.reading.state.read_ids()
    assert {h.id for h in reader.headlines()} & marks == {h.id for h in heads}
    assert len(reader.reading.state.saved()) == len(heads[::10])
    after = counts(reader)
    assert after.headlines == FEEDS * PER_FEED  # no duplicates from two writers
    await reader.aclose()
