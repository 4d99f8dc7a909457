"""The parse pool: feeds and stories parsed in worker processes give what a thread gives."""

from __future__ import annotations

import pytest

from newsreader.errors import ParseError
from newsreader.services.parsing import StoryParser, parse_feed, parse_story

FEED = (
    b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Pool</title>'
    b"<item><title>First &amp; foremost</title><link>http://127.0.0.1/a</link>"
    b"<guid>a</guid></item>"
    b"<item><title>Second</title><link>http://127.0.0.1/b</link><guid>b</guid></item>"
    b"</channel></rss>"
)
PAGE = (
    b"<html><head><title>Pool page</title></head><body><article><h1>Pool page</h1>"
    b"<p>" + b"A paragraph long enough to be the body of a story. " * 8 + b"</p>"
    b"</article></body></html>"
)


async def test_feed_and_story_in_workers_match_a_thread() -> None:
    parser = StoryParser(workers=2)
    try:
        in_worker = await parser.parse_feed(FEED, "http://127.0.0.1/feed", bulk=True,
                                            source_name="Pool")
        assert parser._pool is not None, "bulk parsing started the worker processes"
        story = await parser.parse(PAGE, "http://127.0.0.1/a", {}, bulk=True)
    finally:
        parser.close()
    in_thread = parse_feed(FEED, "http://127.0.0.1/feed", source_name="Pool")
    assert [h.to_dict() for h in in_worker.headlines] == [
        h.to_dict() for h in in_thread.headlines
    ]
    assert [h.title for h in in_worker.headlines] == ["First & foremost", "Second"]
    assert story.to_dict() == parse_story(PAGE, "http://127.0.0.1/a", headers={}).to_dict()


async def test_a_parse_error_in_a_worker_is_a_parse_error_here() -> None:
    parser = StoryParser(workers=2)
    try:
        with pytest.raises(ParseError, match="empty response"):
            await parser.parse_feed(b"", "http://127.0.0.1/empty", bulk=True, source_name="x")
    finally:
        parser.close()


async def test_a_few_feeds_parse_in_a_thread_without_starting_workers() -> None:
    parser = StoryParser(workers=2)
    try:
        feed = await parser.parse_feed(FEED, "http://127.0.0.1/feed", source_name="Pool")
        assert parser._pool is None
        assert len(feed.headlines) == 2
    finally:
        parser.close()


def test_workers_exit_when_the_process_that_started_them_is_killed() -> None:
    # kill -9 (or the OOM killer) gives the pool no chance to shut down; its idle workers
    # must not live on as orphans, each holding tens of MB.
    import signal
    import subprocess
    import sys
    import time

    script = (
        "import asyncio, sys, time\n"
        "from newsreader.services.parsing import StoryParser\n"
        "async def main():\n"
        "    parser = StoryParser(workers=2)\n"
        f"    await parser.parse_feed({FEED!r}, 'http://127.0.0.1/f', bulk=True, source_name='x')\n"
        "    print(' '.join(str(pid) for pid in parser._pool._processes), flush=True)\n"
        "    time.sleep(60)\n"
        "asyncio.run(main())\n"
    )
    owner = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        workers = [int(pid) for pid in owner.stdout.readline().split()]  # type: ignore[union-attr]
        assert workers, "the pool started at least one worker"
        owner.send_signal(signal.SIGKILL)
        owner.wait(10)
        deadline = time.monotonic() + 10
        alive = workers
        while alive and time.monotonic() < deadline:
            time.sleep(0.2)
            alive = [pid for pid in workers if _running(pid)]
        assert alive == [], "orphaned parse workers are still running"
    finally:
        owner.kill()


def _running(pid: int) -> bool:
    import os

    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by init) counts as gone.
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False
