"""Real pages nobody here wrote (../shared/corpus): loading, story text, and scoring on truth."""

from __future__ import annotations

import gzip
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsreader.models import Story

__all__ = [
    "CORPUS", "NEWS_TRUTH", "GenericPage", "corpus_missing_reason", "generic_pages", "news_page",
    "news_truth", "norm_text", "score_news", "story_body_text",
]

_ROOT = Path(__file__).resolve().parent.parent
# The corpus lives beside the project (../shared/corpus), never inside it; a clone elsewhere
# finds the workplace's copy (as tests/fixture_site.py finds the seed).
_CANDIDATES = [_ROOT.parent / "shared" / "corpus", Path("/work/shared/corpus")]
CORPUS = Path(os.environ.get("NEWSREADER_CORPUS") or next(
    (c for c in _CANDIDATES if (c / "generic").is_dir()), _CANDIDATES[0]))
NEWS_TRUTH = Path(__file__).resolve().parent / "corpus_truth" / "news_truth.json"
_SPACE = re.compile(r"\s+")


def corpus_missing_reason() -> str | None:
    """Why the corpus tests cannot run here, or None when they can."""
    if not (CORPUS / "generic" / "evaldata.json").is_file():
        return f"the shared real-page corpus is absent ({CORPUS}); set NEWSREADER_CORPUS"
    return None


def norm_text(text: str | None) -> str:
    """Whitespace collapsed, for substring checks of snippets."""
    return _SPACE.sub(" ", text or "").strip()


@dataclass(frozen=True)
class GenericPage:
    """One page of the generic evaluation set with its expected snippets."""

    url: str
    name: str
    entry: dict[str, Any]

    def html(self) -> bytes:
        return gzip.decompress((CORPUS / "generic" / "pages" / f"{self.name}.gz").read_bytes())


def generic_pages() -> list[GenericPage]:
    """Every page of generic/evaldata.json, in file order."""
    data = json.loads((CORPUS / "generic" / "evaldata.json").read_text(encoding="utf-8"))
    return [GenericPage(url, entry["file"], entry) for url, entry in data.items()]


def news_truth() -> dict[str, dict[str, Any]]:
    """Our truth for the news pages: path under corpus/news/ → expected fields."""
    return json.loads(NEWS_TRUTH.read_text(encoding="utf-8"))


def news_page(path: str) -> tuple[bytes, str]:
    """The bytes of a news page and the URL it was published at (from its manifest or og:url)."""
    body = (CORPUS / "news" / path).read_bytes()
    url = _manifest_urls().get(path.removeprefix("raw/"), "")
    if not url:
        m = re.search(rb'property="og:url" content="([^"]+)"', body[:4096])
        url = m.group(1).decode("utf-8", "replace") if m else ""
    return body, url or f"https://{path.split('/')[1]}/"


def _manifest_urls() -> dict[str, str]:
    out = {}
    lines = (CORPUS / "news" / "raw" / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()
    for line in lines[1:]:
        cols = line.split("\t")
        if len(cols) > 5:
            out[cols[0]] = cols[5]
    return out


def story_body_text(story: Story, *, captions: bool = True) -> str:
    """Everything a reader sees below the headline: lead, blocks, related summaries."""
    parts = [story.lead or ""]
    for block in story.blocks:
        caption = block.caption if captions else None
        parts += [block.text, block.attribution or "", caption or "", *block.items]
    seen = {norm_text(p) for p in parts}
    for link in story.related:
        summary = link.summary or ""
        if norm_text(summary) not in seen:
            parts.append(summary)
    return norm_text("\n".join(parts))


def _found(snippet: str, text: str) -> bool:
    # A label's colon ("Напоминаем:") is typography; shown as a heading it has none.
    return norm_text(snippet).rstrip(":").casefold() in text.casefold()


def _same(a: str | None, b: str | None) -> bool:
    return norm_text(a).casefold().rstrip(" .") == norm_text(b).casefold().rstrip(" .")


def _url_eq(a: str | None, b: str | None) -> bool:
    def key(u: str | None) -> str:
        return re.sub(r"^https?://(www\.)?", "", (u or "").strip()).rstrip("/")

    return key(a) == key(b)


def score_news(story: Story, truth: dict[str, Any]) -> dict[str, list[bool]]:
    """Per field, one hit or miss per expected item of `truth` (fields absent there: no entry).

    A field whose truth is null or empty is checked the other way: nothing may be found there.
    """
    out: dict[str, list[bool]] = {}
    body = story_body_text(story)
    out["title"] = [_same(story.title, truth["title"])]
    if truth.get("published"):
        out["published"] = [(story.published or "")[:10] == truth["published"]]
    dateline = truth.get("dateline")
    got = story.dateline
    out["dateline"] = [
        (got is None) if dateline is None else (
            got is not None and _same(got.place, dateline.get("place"))
            and _same(got.agency, dateline.get("agency")))]
    out["views"] = [story.views == truth.get("views")]
    quotes = [b for b in story.blocks if b.type == "quote"]
    hits = []
    for want in truth.get("quotes") or []:
        match = next((q for q in quotes if norm_text(q.text).startswith(
            norm_text(want["text"])[:30])), None)
        hits.append(match is not None and _same(match.attribution, want.get("attribution")))
    if hits:
        out["quotes"] = hits
    recall = [r for r in story.related if r.kind == "recall"]
    hits = []
    for want in truth.get("recall") or []:
        shown = _found(want["text"], body)
        linked = want.get("url") is None or any(_url_eq(r.url, want["url"]) for r in recall)
        hits.append(shown and linked)
    if hits:
        out["recall"] = hits
    related_urls = [r.url for r in story.related]
    hits = [any(_url_eq(u, want["url"]) for u in related_urls)
            for want in truth.get("read_also") or []]
    if hits:
        out["read_also"] = hits
    wanted_urls = [w["url"] for w in (truth.get("read_also") or []) + (truth.get("recall") or [])
                   if w.get("url")]
    # No related entry the page does not have: share buttons, credits and tags are not stories.
    out["related_clean"] = [all(any(_url_eq(u, w) for w in wanted_urls) for u in related_urls)]
    if truth.get("lead"):
        out["lead"] = [norm_text(story.lead).startswith(norm_text(truth["lead"])[:40])]
    out["body_has"] = [_found(s, body) for s in truth.get("body_has") or []]
    if truth.get("body_lacks"):
        out["body_lacks"] = [not _found(s, body) for s in truth["body_lacks"]]
    return out


def iter_news_cases() -> Iterator[tuple[str, dict[str, Any]]]:
    """(path, truth) for every news page with truth, sorted by path."""
    yield from sorted(news_truth().items())
