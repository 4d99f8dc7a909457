"""How stories and times read to a person, shared by the app and the CLI (stdlib only)."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from newsreader.dates import parse_time
from newsreader.models import Story, ThreadEntry

KIND_LABELS = {"recall": "Recall", "read_also": "Read also", "related": "Related"}
# How a thread's entry is related to the story the thread was asked for.
RELATION_LABELS = {"self": "this story", "recall": "recalled", "read_also": "read also",
                   "followed_by": "followed up by"}
# The story's own words for its meta line and its Recall section, in the story's language.
_WORDS = {
    "en": {"views": "views", "by": "by", "recall": "Recall", "no_text": "No article text found"},
    "uk": {"views": "переглядів", "by": "автор:", "recall": "Нагадаємо",
           "no_text": "Текст статті не знайдено"},
    "ru": {"views": "просмотров", "by": "автор:", "recall": "Напомним",
           "no_text": "Текст статьи не найден"},
}


def story_word(story: Story, key: str) -> str:
    """A label in the story's language ("views" → "переглядів"), English when unknown."""
    return _WORDS.get((story.language or "en")[:2], _WORDS["en"])[key]


def recall_paragraphs(story: Story) -> list[tuple[list[int], str]]:
    """Each distinct Recall summary with the numbers of the related links it carries.

    The paragraph is what the reader of the page saw; the links' titles are often fragments
    of it ("[1] shipments through the Odesa ports rose"), so it is shown in full.
    """
    out: list[tuple[list[int], str]] = []
    for number, link in enumerate(story.related, 1):
        summary = " ".join((link.summary or "").split())
        if link.kind != "recall" or not summary:
            continue
        if out and out[-1][1] == summary:
            out[-1][0].append(number)
        else:
            out.append(([number], summary))
    return out


class NumberedLink(NamedTuple):
    """A link of the story as the reader sees it numbered: "[3] Link: the central bank"."""

    number: int
    label: str  # "Recall", "Read also", "Related" or "Link" (in the body text)
    title: str
    url: str


def numbered_links(story: Story) -> list[NumberedLink]:
    """Every link of the story under the one numbering the digit keys follow: the related
    links first (1, 2, … as they always were), then the body text's links in reading order."""
    out = [NumberedLink(n, kind_label(link.kind), link.title or link.summary or link.url,
                        link.url)
           for n, link in enumerate(story.related, 1)]
    first = len(out) + 1
    out += [NumberedLink(n, "Link", link.text or link.url, link.url)
            for n, link in enumerate(story.links, first)]
    return out


def body_link_marks(story: Story) -> dict[int, list[tuple[str, int]]]:
    """Block index -> [(link text, number), ...]: where the body's "text[N]" marks go."""
    marks: dict[int, list[tuple[str, int]]] = {}
    for number, link in enumerate(story.links, len(story.related) + 1):
        marks.setdefault(link.block, []).append((link.text, number))
    return marks


# Opening quotation marks and the marks that may close them ("„…“" in German, "„…”" in Ukrainian).
_CLOSERS = {"“": "”", "„": "“”", "«": "»", "‘": "’", "‹": "›", "「": "」", '"': '"'}


def quoted(text: str) -> str:
    """A pull quote's text in quotation marks, once: “…”.

    Pages often put the marks in the text already ("“We stay,” he said", «…», „…“); those keep
    their own (an attribution after them too: “…” — Name), straight ones become curly, and a
    mark opened but never closed is closed at the end.
    """
    text = text.strip()
    closers = _CLOSERS.get(text[:1])
    if not text or closers is None:
        return f"“{text}”"
    rest = text[1:]
    if text[0] == '"':  # straight: make the pair curly when it is the whole text
        if rest.endswith('"') and rest.count('"') == 1:
            return f"“{rest[:-1]}”"
        return text if '"' in rest else f"“{rest}”"
    if any(mark in rest for mark in closers):
        return text
    return text + closers[-1]


def plural(count: int, word: str, many: str | None = None) -> str:
    """ "1 duplicate", "2 duplicates" (`many` for an irregular plural)."""
    return f"{count} {word if count == 1 else (many or word + 's')}"


def has_text(story: Story) -> bool:
    """Whether the page gave any article text (a lead, or a block other than a picture)."""
    return bool(story.lead) or any(b.type != "image" and (b.text or b.items)
                                   for b in story.blocks)


def age(published: str | None, now: datetime) -> str:
    """A compact age such as "5m", "3h", "2d", "7w"; "" when unknown, "now" for the future."""
    when = parse_time(published)
    if when is None:
        return ""
    seconds = (now - when).total_seconds()
    for size, unit in ((7 * 86400, "w"), (86400, "d"), (3600, "h"), (60, "m")):
        if seconds >= size:
            return f"{int(seconds // size)}{unit}"
    return "now"


def local_time(value: str | None) -> str:
    """The timestamp in the user's local zone, "2024-05-01 14:05"; "" when unknown."""
    when = parse_time(value)
    return when.astimezone().strftime("%Y-%m-%d %H:%M") if when else ""


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind.replace("_", " ").title())


def meta_parts(story: Story) -> list[str]:
    """["Kyiv • UNN", "2024-05-01 14:05", "1,558 views", "by A"], with what is known."""
    parts: list[str] = []
    if story.dateline and (story.dateline.place or story.dateline.agency):
        parts.append(" • ".join(p for p in (story.dateline.place, story.dateline.agency) if p))
    elif story.source:
        parts.append(story.source)
    when = local_time(story.published)
    if when:
        parts.append(when)
    if story.views is not None:
        parts.append(f"{story.views:,} {story_word(story, 'views')}")
    if story.authors:
        parts.append(f"{story_word(story, 'by')} " + ", ".join(story.authors))
    return parts


def failure_groups(failures: dict[str, int]) -> list[str]:
    """"host: cause (n)" lines, the biggest group first: why stories were not prefetched."""
    ranked = sorted(failures.items(), key=lambda item: (-item[1], item[0]))
    return [f"{group} ({count})" if count > 1 else group for group, count in ranked]


def thread_when(entry: ThreadEntry) -> str:
    """A timeline entry's date, "2024-05-01 14:05", or "undated"."""
    return local_time(entry.published) or "undated"


def one_line(text: str | None, width: int) -> str:
    """`text` on one line of at most `width` characters (cut with an ellipsis)."""
    flat = " ".join((text or "").split())
    return flat if len(flat) <= width else flat[: max(0, width - 1)] + "…"
