"""Bench: a search that matches nothing (reads every cached story) at 10,000 stories in feeds
plus 1,000 cached in no feed, against the floor of reading and decoding every cached story."""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Row, build_corpus, emit, machine, median, open_bench_reader
from bench.pages import paragraph, title
from newsreader.models import Block, Story
from newsreader.services.stories import PARSER_VERSION

IN_FEEDS, IN_NO_FEED = 10_000, 1_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="one JSON line for run_all.py")
    args = parser.parse_args()
    print(f"machine: {machine()}", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        build_corpus(root, IN_FEEDS)
        reader = open_bench_reader(root, offline=True)
        try:
            rng = random.Random(7)
            for k in range(IN_NO_FEED):  # as the thread prefetch leaves them: parsed, no headline
                url = f"http://127.0.0.1:8/thread/{k}"
                story = Story(url=url, title=title(rng), source="Thread source",
                              blocks=[Block("paragraph", paragraph(rng)) for _ in range(6)])
                reader.cache.put_story(url, {"parser": PARSER_VERSION, "story": story.to_dict()})
            search_runs, floor_runs, found = [], [], 0
            for _ in range(args.runs):
                t0 = time.perf_counter()
                found = len(reader.prepare_search("zzqqx-no-such-word", 100)())
                search_runs.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                for url in reader.cache.story_urls():  # the floor: read and decode each story
                    reader.cache.get_story(url)
                floor_runs.append(time.perf_counter() - t0)
            assert found == 0
        finally:
            reader.close()
    emit([Row(f"search, {IN_FEEDS} + {IN_NO_FEED} cached", median(search_runs), "s",
              median(floor_runs), "<= 3x floor", median(search_runs) <= 3 * median(floor_runs),
              "floor = read and decode every cached story's JSON")], args.json)


if __name__ == "__main__":
    main()
