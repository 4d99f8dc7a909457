"""Rich output for the headless commands: a story as readable text, a refresh progress bar."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.text import Text

from newsreader.models import Story, ThreadEntry
from newsreader.present import (
    RELATION_LABELS,
    kind_label,
    meta_parts,
    numbered_links,
    one_line,
    quoted,
    recall_paragraphs,
    story_word,
    thread_when,
)

if TYPE_CHECKING:
    from newsreader.services.refresh import RefreshProgress


def story_renderable(story: Story, cached: Callable[[str], bool] | None = None) -> RenderableType:
    """The story as Rich renderables. Every string is wrapped in Text: never parsed as markup."""
    parts: list[RenderableType] = [Text(story.title or "(untitled)", style="bold")]
    meta = " • ".join(meta_parts(story))
    if meta:
        parts.append(Text(meta, style="dim"))
    if story.lead:
        parts.append(Padding(Text(story.lead, style="italic"), (1, 0, 0, 0)))
    for block in story.blocks:
        if block.type == "heading":
            parts.append(Padding(Text(block.text, style="bold underline"), (1, 0, 0, 0)))
        elif block.type == "quote":
            quote = Text(quoted(block.text), style="italic")
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
    recalls = recall_paragraphs(story)
    if recalls:
        parts.append(Padding(Text(story_word(story, "recall"), style="bold underline"),
                             (1, 0, 0, 0)))
        for numbers, summary in recalls:
            line = Text("".join(f"[{n}]" for n in numbers) + " ", style="bold")
            line.append(summary)
            parts.append(line)
    if story.related:
        parts.append(Text("\nRelated", style="bold underline"))
        for number, link in enumerate(story.related, 1):
            label = kind_label(link.kind)
            line = Text(f"[{number}] ", style="bold")
            line.append(f"{label}: ", style="dim")
            line.append(link.title or link.summary or link.url)
            if cached is not None:
                line.append("  (cached)" if cached(link.url) else "", style="green")
            line.append(f"\n    {link.url}", style="dim")
            parts.append(line)
    body_links = numbered_links(story)[len(story.related):]
    if body_links:  # numbered on after the related links, as the app numbers them
        parts.append(Text("\nLinks in the text", style="bold underline"))
        for body_link in body_links:
            line = Text(f"[{body_link.number}] ", style="bold")
            line.append(body_link.title)
            line.append(f"\n    {body_link.url}", style="dim")
            parts.append(line)
    for warning in story.warnings:
        parts.append(Text(f"warning: {warning}", style="yellow"))
    return Group(*parts)


def print_story(story: Story, cached: Callable[[str], bool] | None = None) -> None:
    if sys.stdout.isatty():
        Console(highlight=False).print(story_renderable(story, cached), "")
        return
    # Piped: one line per paragraph, no padding to a width, URLs never broken mid-way.
    console = Console(highlight=False, soft_wrap=True, no_color=True)
    renderable = story_renderable(story, cached)
    for line in console.render_lines(renderable, pad=False, new_lines=False,
                                     options=console.options.update(width=_no_wrap_width(renderable))):
        sys.stdout.write("".join(segment.text for segment in line).rstrip() + "\n")
    sys.stdout.write("\n")


def _no_wrap_width(story: RenderableType) -> int:
    """A width no line of `story` wraps at: twice its longest line (wide characters take two
    cells; a tab up to eight) plus its indent.

    It used to be a fixed 1,000,000 columns, and every padded blank line was a million spaces
    that Rich measured and this function stripped again: 0.1-0.2 s of a cached story's `read`.
    """
    longest = 0
    for part in story.renderables if isinstance(story, Group) else [story]:
        indent = 0
        while isinstance(part, Padding):
            indent += part.left
            part = part.renderable
        if isinstance(part, Text):
            for line in part.plain.split("\n"):
                longest = max(longest, indent + 2 * (len(line) + 7 * line.count("\t")))
    return longest + 80


def print_thread(entries: list[ThreadEntry]) -> None:
    """The timeline, oldest first: date, how it is related, source and title, its first line.
    Plain lines (the titles are fetched text: never markup); "▶" marks the story asked for."""
    for entry in entries:
        mark = "▶" if entry.relation == "self" else " "
        source = f"{entry.source} — " if entry.source else ""
        note = "" if entry.cached else "  (not cached)"
        print(f"{mark} {thread_when(entry):16}  {RELATION_LABELS[entry.relation]:14}  "
              f"{source}{one_line(entry.title, 200)}{note}")
        if entry.lead:
            print(f"  {'':16}  {'':14}  {one_line(entry.lead, 160)}")
        print(f"  {'':16}  {'':14}  {entry.url}")


@contextmanager
def fetch_progress() -> Iterator[Callable[[RefreshProgress], None]]:
    """A two-bar progress display (sources, stories) fed by refresh progress callbacks."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn  # fetch only

    progress = Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
        console=Console(file=sys.stderr), transient=True,
        disable=not sys.stderr.isatty(),
    )
    sources = progress.add_task("sources", total=None)
    stories = progress.add_task("stories", total=None)
    threads = progress.add_task("threads", total=None, visible=False)

    def update(state: RefreshProgress) -> None:
        progress.update(sources, total=state.sources_total, completed=state.sources_done)
        progress.update(stories, total=state.stories_total or None, completed=state.stories_done)
        if state.threads_total:  # pages along Recall / Read-also links: "threads 120/300"
            progress.update(threads, total=state.threads_total, completed=state.threads_done,
                            visible=True)

    with progress:
        yield update
