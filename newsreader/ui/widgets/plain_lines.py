"""The story's scrollbar painted without Rich and without Textual's per-line style pass.

The pass itself is textual_compat.plain_lines (it re-creates Textual internals); when the
installed Textual is not the one it was verified with, the bar is Textual's own.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.color import Color
from rich.segment import Segment
from rich.style import Style as RichStyle
from textual.geometry import Region
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.strip import Strip

from newsreader.ui.textual_compat.plain_lines import is_plain, plain_lines

__all__ = ["StripScrollBar"]


class StripScrollBar(ScrollBar):
    """Textual's vertical ScrollBar, its segments made into Strips directly.

    Its render goes through Rich (ScrollBarRender, console.render_lines) and then StylesCache:
    ~2 ms for a 35-line bar, repainted at every open and every scroll of the story.
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]  # passed on to ScrollBar
        self._bar_key: tuple[object, ...] | None = None
        self._bar_lines: list[Strip] = []

    def render_lines(self, crop: Region) -> list[Strip]:
        bar = self.render()
        if not (self.vertical and isinstance(bar, ScrollBarRender) and is_plain(self)):
            return super().render_lines(crop)
        return plain_lines(self, crop, self._bar_line(bar))

    def _bar_line(self, bar: ScrollBarRender) -> Callable[[int], Strip]:
        """Line y of the bar, from the segments ScrollBarRender would yield at this size."""
        width, height = self.size
        style = bar.style
        assert isinstance(style, RichStyle)  # ScrollBar.render passes one
        base = self.visual_style.rich_style  # what Rich renders the bar's segments over
        key = (width, height, bar.virtual_size, bar.window_size, bar.position, style, base)
        if key != self._bar_key:
            segments = bar.render_bar(
                size=height,
                window_size=bar.window_size,
                virtual_size=bar.virtual_size,
                position=bar.position,
                vertical=True,
                thickness=width,
                back_color=style.bgcolor or Color.parse("#555555"),  # as __rich_console__
                bar_color=style.color or Color.parse("bright_magenta"),
            )
            # A few distinct segments (track above, thumb, track below): one Strip each, so
            # the line filters' per-Strip cache serves every line of a kind.
            strips: dict[Segment, Strip] = {}
            for segment in segments.segments:
                if segment not in strips:
                    strips[segment] = Strip([Segment(segment.text, base + segment.style)], width)
            self._bar_lines = [strips[segment] for segment in segments.segments]
            self._bar_key = key
        return self._bar_lines.__getitem__
