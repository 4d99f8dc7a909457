"""Bench (not a test): extraction quality and speed on real pages, newsreader vs plain trafilatura.

Generic set (../shared/corpus/generic, trafilatura's own evaluation pages): share of "with"
snippets found, of "without" snippets absent, pages with no text, title and date right.
News set (../shared/corpus/news with our truth in tests/corpus_truth): every field's hit rate.
Parse time p50/p95 of parse_story over every page. Both extractors run in the same process on
the same bytes, one after the other, page by page.

    python bench/extract_bench.py [--limit N] [--show-misses FIELD]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402

from newsreader.errors import ParseError  # noqa: E402
from newsreader.models import Story  # noqa: E402
from newsreader.parse.story import parse_story  # noqa: E402
from tests.corpus import (  # noqa: E402
    NEWS_TRUTH,
    corpus_missing_reason,
    generic_pages,
    iter_news_cases,
    news_page,
    norm_text,
    score_news,
    story_body_text,
)

# Targets from issue 16.
FIELD_TARGET = 0.95
PARSE_P95_MS = 25.0


def _parse(html: bytes, url: str) -> tuple[Story | None, float]:
    start = time.perf_counter()
    try:
        story = parse_story(html, url)
    except ParseError:
        story = None
    return story, (time.perf_counter() - start) * 1000


def _trafilatura(html: bytes, url: str, timings: list[float]) -> tuple[str, str, str]:
    """(text, title, date) as plain trafilatura gives them; its extract() time joins `timings`."""
    start = time.perf_counter()
    text = trafilatura.extract(html, url=url) or ""
    timings.append((time.perf_counter() - start) * 1000)
    meta = trafilatura.extract_metadata(html)
    return norm_text(text), (meta.title or "") if meta else "", (meta.date or "") if meta else ""


def _has(snippet: str, text: str) -> bool:
    return norm_text(snippet).casefold() in text.casefold()


def _pct(hits: list[bool]) -> str:
    return f"{sum(hits) / len(hits):.3f}" if hits else "  -  "


def _generic(limit: int | None, timings: list[float], floor: list[float],
             misses: dict[str, list[str]]) -> None:
    pages = generic_pages()[:limit] if limit else generic_pages()
    ours: dict[str, list[bool]] = defaultdict(list)
    theirs: dict[str, list[bool]] = defaultdict(list)
    empty_where_they_have_text = []
    for page in pages:
        html, entry = page.html(), page.entry
        story, ms = _parse(html, page.url)
        timings.append(ms)
        text = story_body_text(story) if story else ""
        # The same text without picture captions: trafilatura's text has none, and its truth
        # counts captions as not the main text, while a reader of the page sees them.
        bare = story_body_text(story, captions=False) if story else ""
        t_text, t_title, t_date = _trafilatura(html, page.url, floor)
        for got, out in ((text, ours), (t_text, theirs)):
            out["with"] += [_has(s, got) for s in entry["with"]]
            out["without"] += [not _has(s, got) for s in entry["without"]]
            out["not_empty"].append(bool(got))
        ours["without_captions_aside"] += [not _has(s, bare) for s in entry["without"]]
        for s in entry["with"]:
            if not _has(s, text) and _has(s, t_text):
                misses["generic-with"].append(f"{page.name}: {s!r}")
        for s in entry["without"]:
            if _has(s, text) and not _has(s, t_text):
                misses["generic-without"].append(f"{page.name}: {s!r}")
        if not text and t_text:
            empty_where_they_have_text.append(page.name)
        if entry.get("title"):
            want = norm_text(entry["title"]).casefold()
            ours["title"].append(norm_text(story.title if story else "").casefold() == want)
            theirs["title"].append(norm_text(t_title).casefold() == want)
            if not ours["title"][-1]:
                misses["generic-title"].append(
                    f"{page.name}: {story.title if story else None!r} != {entry['title']!r}")
        if entry.get("date"):
            ours["date"].append(((story.published or "") if story else "")[:10] == entry["date"])
            theirs["date"].append(t_date[:10] == entry["date"])
            if not ours["date"][-1]:
                misses["generic-date"].append(
                    f"{page.name}: {story.published if story else None} != {entry['date']}")
    print(f"Generic set: {len(pages)} pages, {len(ours['with'])} 'with' and "
          f"{len(ours['without'])} 'without' snippets")
    print(f"  {'':28} {'newsreader':>10} {'trafilatura':>11}")
    for key, label in (("with", "'with' snippets found"), ("without", "'without' snippets absent"),
                       ("without_captions_aside", "  the same, captions aside"),
                       ("not_empty", "pages with text"), ("title", "title right"),
                       ("date", "date right")):
        print(f"  {label:28} {_pct(ours[key]):>10} {_pct(theirs[key]):>11}")
    print(f"  pages empty where trafilatura has text: {len(empty_where_they_have_text)} "
          f"{empty_where_they_have_text[:5]}")


def _news(timings: list[float], floor: list[float],
          misses: dict[str, list[str]]) -> dict[str, list[bool]]:
    fields: dict[str, list[bool]] = defaultdict(list)
    theirs: dict[str, list[bool]] = defaultdict(list)
    cases = list(iter_news_cases())
    for path, truth in cases:
        html, url = news_page(path)
        story, ms = _parse(html, url)
        timings.append(ms)
        if story is None:
            story = Story(url=url)
        for field, hits in score_news(story, truth).items():
            fields[field] += hits
            if not all(hits):
                misses[field].append(f"{path}: {_explain(field, story, truth)}")
        t_text, t_title, t_date = _trafilatura(html, url, floor)
        want_title = norm_text(truth["title"]).casefold()
        theirs["title"].append(norm_text(t_title).casefold() == want_title)
        if truth.get("published"):
            theirs["published"].append(t_date[:10] == truth["published"])
        theirs["body_has"] += [_has(s, t_text) for s in truth.get("body_has") or []]
        theirs["body_lacks"] += [not _has(s, t_text) for s in truth.get("body_lacks") or []]
        theirs["recall"] += [_has(r["text"], t_text) for r in truth.get("recall") or []]
    print(f"News set: {len(cases)} pages with our truth (tests/corpus_truth/news_truth.json)")
    print(f"  {'field':16} {'newsreader':>10} {'trafilatura':>11} {'cases':>6}  target")
    for field in ("title", "published", "dateline", "views", "lead", "quotes", "recall",
                  "read_also", "related_clean", "body_has", "body_lacks"):
        hits = fields.get(field, [])
        ok = "ok" if hits and sum(hits) / len(hits) >= FIELD_TARGET else "BELOW"
        other = _pct(theirs[field]) if field in theirs else "  n/a"
        print(f"  {field:16} {_pct(hits):>10} {other:>11} {len(hits):>6}  ≥{FIELD_TARGET} {ok}")
    return fields


def _explain(field: str, story: Story, truth: dict) -> str:
    if field == "dateline":
        return f"got {story.dateline}, want {truth.get('dateline')}"
    if field == "views":
        return f"got {story.views}, want {truth.get('views')}"
    if field == "title":
        return f"got {story.title!r}, want {truth['title']!r}"
    if field == "published":
        return f"got {story.published}, want {truth.get('published')}"
    if field == "quotes":
        got = [(b.text[:30], b.attribution) for b in story.blocks if b.type == "quote"]
        want = [(q["text"][:30], q.get("attribution")) for q in truth["quotes"]]
        return f"got {got}, want {want}"
    if field in ("read_also", "related_clean", "recall"):
        got = [(r.kind, r.title[:30], r.url) for r in story.related]
        want = truth.get("read_also" if field != "recall" else "recall")
        return f"got {got}, want {want}"
    if field == "lead":
        return f"got {(story.lead or '')[:50]!r}, want {truth.get('lead')!r}"
    body = story_body_text(story)
    if field == "body_has":
        return f"missing {[s for s in truth['body_has'] if not _has(s, body)]}"
    return f"present {[s for s in truth['body_lacks'] if _has(s, body)]}"


def _quantiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.95) - 1)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, help="only the first N generic pages")
    parser.add_argument("--show-misses", metavar="FIELD", action="append", default=[],
                        help="list the pages that miss FIELD (generic-with, recall, ...)")
    args = parser.parse_args()
    reason = corpus_missing_reason()
    if reason:
        print(f"extract_bench: {reason}", file=sys.stderr)
        return 1
    warnings.simplefilter("ignore")
    timings: list[float] = []
    floor: list[float] = []  # plain trafilatura.extract on the same pages
    misses: dict[str, list[str]] = defaultdict(list)
    _generic(args.limit, timings, floor, misses)
    fields = _news(timings, floor, misses) if NEWS_TRUTH.is_file() else {}
    p50, p95 = _quantiles(timings)
    f50, f95 = _quantiles(floor)
    print(f"parse_story over {len(timings)} pages: p50 {p50:.1f} ms, p95 {p95:.1f} ms "
          f"(target p95 ≤ {PARSE_P95_MS} ms: {'ok' if p95 <= PARSE_P95_MS else 'OVER'}); "
          f"floor, trafilatura.extract alone: p50 {f50:.1f} ms, p95 {f95:.1f} ms")
    for field in args.show_misses:
        print(f"--- misses: {field} ({len(misses[field])})")
        for line in misses[field]:
            print("  " + line)
    below = [f for f, hits in fields.items() if hits and sum(hits) / len(hits) < FIELD_TARGET]
    return 1 if below else 0


if __name__ == "__main__":
    sys.exit(main())
