"""Bench (not a test): parse_story speed over the fixture pages and body-text word F1 vs truth."""

from __future__ import annotations

import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from newsreader.parse.story import parse_story
from tests.fixture_site import STORY_PATHS, build_site

BASE = "http://127.0.0.1:8000"
REPEATS = 50
_WORD = re.compile(r"\w+", re.U)


def _body_words(story: dict) -> Counter[str]:
    parts = [story.get("lead") or ""]
    for block in story["blocks"]:
        parts.append(block.get("text") or "")
        parts.extend(block.get("items") or [])
    return Counter(w.casefold() for w in _WORD.findall(" ".join(parts)))


def _f1(got: Counter[str], want: Counter[str]) -> float:
    common = sum((got & want).values())
    if not common:
        return 0.0
    precision, recall = common / sum(got.values()), common / sum(want.values())
    return 2 * precision * recall / (precision + recall)


def main() -> None:
    site = build_site(BASE)
    timings: list[float] = []
    scores: dict[str, float] = {}
    for path in STORY_PATHS:
        page = site[path]
        headers = {"Content-Type": page.content_type}
        for _ in range(REPEATS):
            start = time.perf_counter()
            story = parse_story(page.body, BASE + path, headers=headers)
            timings.append((time.perf_counter() - start) * 1000)
        scores[path] = _f1(_body_words(story.to_dict()), _body_words(page.truth or {"blocks": []}))
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(f"parse_story over {len(STORY_PATHS)} fixture pages x {REPEATS}: "
          f"median {statistics.median(timings):.2f} ms, p95 {p95:.2f} ms per story")
    for path, score in scores.items():
        print(f"  F1 {score:.3f}  {path}")
    print(f"word F1 of body text (lead + blocks): mean {statistics.mean(scores.values()):.3f}, "
          f"min {min(scores.values()):.3f}")


if __name__ == "__main__":
    main()
