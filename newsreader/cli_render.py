"""Rich output for the headless commands: a story as readable text, a refresh progress bar."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.rule import Rule
from rich.text import Text

from newsreader.models import Story
from newsreader.services.refresh import RefreshProgress


def story_renderable(story: Story, cached: Callable[[str], bool] | None = None) -> RenderableType:
    """The story as Rich renderables. Every string is wrapped in Text: never parsed as markup."""
    parts: list[RenderableType] = [Text(story.title or "(untitled)", style="bold")]
    meta = meta_line(story)
    if meta:
        parts.append(Text(meta, style="dim"))
    if story.lead:
        parts.append(Padding(Text(story.lead, style="italic"), (1, 0, 0, 0)))
    for block in story.blocks:
        if block.type == "heading":
            parts.append(Padding(Text(block.text, style="bold underline"), (1, 0, 0, 0)))
        elif block.type == "quote":
            quote = Text("“" + block.text + "”", style="italic")
            if block.attribution:
                quote.append("\n— " + block.attribution, style="dim")
            parts.append(Padding(quote, (1, 0, 0, 4)))
        elif block.type == "image":
            label = block.caption or block.alt or ""
            parts.append(Padding(Text(f"[image] {label}".rstrip(), style="dim"), (1, 0, 0, 0)))
        elif block.type == "list":
            bullets = "\n".join(f"• {item}" for item in block.items)
            parts.append(Padding(Text(bullets), (1, 0, 0, 2)))
        else:
            parts.append(Padding(Text(block.text), (1, 0, 0, 0)))
    if story.related:
        parts.append(Padding(Rule("Related", align="left"), (1, 0, 0, 0)))
        for number, link in enumerate(story.related, 1):
            label = {"recall": "Recall", "read_also": "Read also"}.get(link.kind, "Related")
            line = Text(f"[{number}] ", style="bold")
            line.append(f"{label}: ", style="dim")
            line.append(link.title or link.summary or link.url)
            if cached is not None:
                line.append("  (cached)" if cached(link.url) else "", style="green")
            line.append(f"\n    {link.url}", style="dim")
            parts.append(line)
    for warning in story.warnings:
        parts.append(Text(f"warning: {warning}", style="yellow"))
    return Group(*parts)


def meta_line(story: Story) -> str:
    """'Kyiv • UNN • 23 Feb 2026 14:05 • 1,558 views • By Jane Doe' with what is known."""
    bits: list[str] = []
    if story.dateline and (story.dateline.place or story.dateline.agency):
        bits.append(" • ".join(x for x in (story.dateline.place, story.dateline.agency) if x))
    elif story.source:
        bits.append(story.source)
    if story.published:
        bits.append(local_time(story.published))
    if story.views is not None:
        bits.append(f"{story.views:,} views")
    if story.authors:
        bits.append("By " + ", ".join(story.authors))
    return " • ".join(bits)


def local_time(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%d %b %Y %H:%M")
    except ValueError:
        return iso


def print_story(story: Story, cached: Callable[[str], bool] | None = None) -> None:
    console = Console(highlight=False, soft_wrap=False)
    console.print(story_renderable(story, cached))
    console.print()


@contextmanager
def fetch_progress() -> Iterator[Callable[[RefreshProgress], None]]:
    """A two-bar progress display (sources, stories) fed by refresh progress callbacks."""
    progress = Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
        console=Console(file=sys.stderr), transient=True,
        disable=not sys.stderr.isatty(),
    )
    sources = progress.add_task("sources", total=None)
    stories = progress.add_task("stories", total=None)

    def update(state: RefreshProgress) -> None:
        progress.update(sources, total=state.sources_total, completed=state.sources_done)
        progress.update(stories, total=state.stories_total or None, completed=state.stories_done)

    with progress:
        yield update
