"""The status line: online/offline, refresh progress, failing sources and the unread count."""

from __future__ import annotations

from typing import Any

from textual.content import Content
from textual.widgets import Static

from newsreader.present import failure_groups
from newsreader.ui.format import MUTED

MAX_ERROR_CHARS = 60


def status_content(
    *,
    offline: bool,
    forced_offline: bool,
    progress: Any,
    unread: int,
    note: str = "",
) -> Content:
    """Build the line from the reader's RefreshProgress (duck-typed: no services import here)."""
    parts: list[str | tuple[str, str]] = []
    if forced_offline:
        parts.append(("● offline (--offline)", "$warning"))
    elif offline:
        parts.append(("● offline, showing cache", "$warning"))
    else:
        parts.append(("● online", "$success"))
    if progress is not None and progress.running:
        parts += ["  ", (f"⟳ {progress.sources_done}/{progress.sources_total} sources", "bold")]
        if progress.stories_total:
            parts.append(f", {progress.stories_done}/{progress.stories_total} stories")
        threads_total = int(getattr(progress, "threads_total", 0) or 0)
        if threads_total:  # pages along the stories' Recall / Read-also links
            parts.append(f", threads {getattr(progress, 'threads_done', 0)}/{threads_total}")
    elif progress is not None and progress.sources_total:
        succeeded = getattr(progress, "succeeded", progress.sources_done)
        parts.append(f"  updated {succeeded}/{progress.sources_total} sources")
        if progress.new_headlines:
            parts.append(f", {progress.new_headlines} new")
    parts += ["  ", (f"{unread} unread", "$accent")]
    errors: dict[str, str] = dict(getattr(progress, "errors", None) or {})
    if errors:
        # The last error per failing source, one line each would not fit: join and cut.
        shown = "; ".join(f"{name}: {message}" for name, message in errors.items())
        if len(shown) > MAX_ERROR_CHARS * 2:
            shown = shown[: MAX_ERROR_CHARS * 2 - 1] + "…"
        parts += ["  ", (f"⚠ {len(errors)} failing: ", "$error"), shown]
    paused = str(getattr(progress, "paused", "") or "")
    if paused:
        parts += ["  ", (f"⚠ {paused}", "$warning")]
    failed_stories = int(getattr(progress, "story_errors", 0) or 0)
    if failed_stories and not (progress is not None and progress.running):
        groups = failure_groups(dict(getattr(progress, "story_failures", None) or {}))
        shown = "; ".join(groups)
        if len(shown) > MAX_ERROR_CHARS:
            shown = shown[: MAX_ERROR_CHARS - 1] + "…"
        noun = "story" if failed_stories == 1 else "stories"
        parts += ["  ", (f"⚠ {failed_stories} {noun} not prefetched: ", "$warning"), shown]
    notes: dict[str, str] = dict(getattr(progress, "warnings", None) or {})
    if notes and not errors:
        # Feeds that worked with a caveat ("encoding guessed", "malformed feed"): say so briefly.
        shown = "; ".join(f"{name}: {message}" for name, message in notes.items())
        if len(shown) > MAX_ERROR_CHARS:
            shown = shown[: MAX_ERROR_CHARS - 1] + "…"
        parts += ["  ", ("ⓘ ", "$warning"), (shown, MUTED)]
    if note:
        parts += ["  ", (note, MUTED)]
    return Content.assemble(*parts)


class StatusLine(Static):
    """A one-line summary; the screen calls `show` whenever something changes."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self._shown: tuple[str, tuple[Any, ...]] | None = None

    def show(self, **kwargs: Any) -> None:
        content = status_content(**kwargs)
        key = (content.plain, tuple(content.spans))
        if key != self._shown:  # an unchanged line is not repainted
            self._shown = key
            self.update(content)
