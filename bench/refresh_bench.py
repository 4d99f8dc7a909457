"""Bench 4: refresh of 200 feeds + prefetch of 4,000 stories (100 ms per response) vs its floor.

The stories' "Read also" links lead to pages in no feed (/n/..., all on 127.0.0.1): the
refresh fetches them along the threads, level by level to thread_depth. Their floor is, per
level, ceil(pages / max_per_host) x latency (one host), plus their parse CPU (the stories'
mean per page) divided by the cores; it is added to the whole refresh's floor, and the thread
phase (from its first page counted to the end) has its own row.

The floor is ceil(requests / allowed concurrency) x latency per phase (feeds, then the stories
they list) plus the parse CPU the refresh itself did, divided by the cores. Allowed concurrency
is the client's: min(max_connections, hosts x max_per_host) with the feeds spread over
127.0.0.1-127.0.0.50. Parse CPU is measured in the same run by re-parsing, single-threaded,
every body the refresh parsed (each distinct body once, times its count). The second refresh
asks again with the cached validators: every feed answers 304, nothing is left to prefetch.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import math
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    N_HOSTS,
    Row,
    bench_paths,
    build_corpus,
    emit,
    machine,
    server_stats,
    start_server,
    stop_server,
)
from newsreader.config import load_config
from newsreader.net.client import NetSettings

LATENCY = 0.1
RATIO_TARGET = 1.3
SECOND_TARGET = 0.2


def parse_cpu(reader: object, story_urls: list[str]) -> tuple[float, float, int]:
    """Seconds of single-threaded CPU to parse the feeds and the stories the refresh parsed."""
    from newsreader.parse.feed import parse_feed
    from newsreader.parse.story import parse_story

    cache = reader.cache  # type: ignore[attr-defined]
    feeds = 0.0
    for source in reader.sources:  # type: ignore[attr-defined]
        body = cache.get_body(source.url)
        if body is None:
            continue
        start = time.thread_time()
        parse_feed(body.content, source.url, source_name=source.name,
                   headers={"content-type": body.content_type or ""})
        feeds += time.thread_time() - start
    parsed = [u for u in story_urls if cache.get_story(u) is not None]
    counts: dict[str, tuple[int, object, str]] = {}
    for url in parsed:
        body = cache.get_body(url)
        if body is None:
            continue
        digest = hashlib.md5(body.content).hexdigest()
        n, _, _ = counts.get(digest, (0, body, url))
        counts[digest] = (n + 1, body, url)
    stories = 0.0
    for n, body, url in counts.values():
        start = time.thread_time()
        parse_story(body.content, url, headers={"content-type": body.content_type or ""})  # type: ignore[attr-defined]
        stories += (time.thread_time() - start) * n
    return feeds, stories, len(parsed)


async def refresh_twice(paths: object) -> dict[str, object]:
    from newsreader.services.wiring import open_reader

    config = load_config(paths.config_file)  # type: ignore[attr-defined]
    # As the app refreshes: in a child process (its CPU is read from RUSAGE_CHILDREN).
    reader = open_reader(config, paths=paths, refresh_in_child=True)  # type: ignore[arg-type]
    try:
        cpu0, t0 = time.process_time(), time.perf_counter()
        child0 = _children_cpu()
        levels: list[int] = []  # threads_total as each level of links was reached
        thread_start: list[float] = []

        def track(progress: object) -> None:
            total = int(getattr(progress, "threads_total", 0))
            if total and (not levels or total != levels[-1]):
                levels.append(total)
            if total and not thread_start:
                thread_start.append(time.perf_counter())

        first = await reader.refresh(track, force=True)
        t1, cpu1 = time.perf_counter(), time.process_time()
        child_cpu = _children_cpu() - child0
        second = await reader.refresh(force=True)
        t2 = time.perf_counter()
        wanted = [h.url for s in reader.sources for h in reader.library.cached_headlines(s)
                  if h.url.rsplit("/", 1)[-1].startswith("n")]
        feeds_cpu, stories_cpu, parsed = parse_cpu(reader, wanted)
        return {"first": t1 - t0, "second": t2 - t1, "cpu": cpu1 - cpu0, "child_cpu": child_cpu,
                "stories": first.stories_total, "story_errors": first.story_errors,
                "errors": len(first.errors), "second_stories": second.stories_total,
                "feeds_cpu": feeds_cpu, "stories_cpu": stories_cpu, "parsed": parsed,
                "sources": len(reader.sources),
                "thread_levels": [b - a for a, b in zip([0, *levels], levels, strict=False)],
                "threads": first.threads_total, "thread_errors": first.thread_errors,
                "thread_phase": t1 - thread_start[0] if thread_start else 0.0}
    finally:
        await reader.aclose()


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(quick: bool) -> tuple[list[Row], dict[str, object]]:
    feed_items = 5 if quick else 20
    server, port = start_server(LATENCY, feed_items)
    root = Path(tempfile.mkdtemp(prefix="nrbench-refresh-"))
    try:
        build_corpus(root, 2_000 if quick else 10_000, port=port, parsed_stories=False,
                     config={"prefetch_per_source": feed_items})
        result = asyncio.run(refresh_twice(bench_paths(root)))
        stats = server_stats(port)
    finally:
        stop_server(server)
        shutil.rmtree(root, ignore_errors=True)
    net = NetSettings()
    concurrency = min(net.max_connections, N_HOSTS * net.max_per_host)
    sources, stories = int(result["sources"]), int(result["stories"])  # type: ignore[call-overload]
    cores = os.cpu_count() or 1
    parse = float(result["feeds_cpu"]) + float(result["stories_cpu"])  # type: ignore[arg-type]
    levels = [int(n) for n in result["thread_levels"]]  # type: ignore[attr-defined]
    per_page = float(result["stories_cpu"]) / max(1, int(result["parsed"]))  # type: ignore[arg-type, call-overload]
    threads = int(result["threads"])  # type: ignore[call-overload]
    thread_floor = sum(math.ceil(n / net.max_per_host) for n in levels) * LATENCY \
        + threads * per_page / cores
    floor = (math.ceil(sources / concurrency) + math.ceil(stories / concurrency)) * LATENCY \
        + parse / cores + thread_floor
    phase = float(result["thread_phase"])  # type: ignore[arg-type]
    first, second = float(result["first"]), float(result["second"])  # type: ignore[arg-type]
    note = (f"{sources} feeds + {stories} stories, concurrency {concurrency}, parse CPU "
            f"{parse:.1f} s ({result['parsed']} stories parsed during refresh) / {cores} cores; "
            f"app CPU {float(result['cpu']):.1f} s, refresh process CPU "
            f"{float(result['child_cpu']):.1f} s; server: {stats['requests']:.0f} requests, "  # type: ignore[arg-type]
            f"max {stats['max_in_flight']:.0f} in flight, {stats['cpu_seconds']:.1f} s CPU; "
            f"errors {result['errors']}/{result['story_errors']}")
    rows = [
        Row(f"refresh {sources} feeds + prefetch {stories}", first, "s", floor,
            f"<= {RATIO_TARGET}x floor", first <= RATIO_TARGET * floor, note),
        Row(f"  of which pages along threads ({threads} in levels {levels})", phase, "s",
            thread_floor, f"<= {RATIO_TARGET}x floor",
            phase <= RATIO_TARGET * thread_floor if threads else None,
            f"one host: {net.max_per_host} at a time; {result['thread_errors']} failed"),
        Row("second refresh (all 304)", second, "s", first, f"<= {SECOND_TARGET}x first",
            second <= SECOND_TARGET * first,
            f"floor column = the first refresh; {stats['not_modified']:.0f} answered 304"),
    ]
    return rows, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 stories per feed, 2k corpus")
    parser.add_argument("--json", action="store_true", help="one JSON line for run_all.py")
    args = parser.parse_args()
    print(f"machine: {machine()}", file=sys.stderr)
    rows, _ = measure(args.quick)
    emit(rows, args.json)


if __name__ == "__main__":
    main()
