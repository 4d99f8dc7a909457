"""Painting a plain widget's lines without Textual's per-line style pass (Textual 8.2.8 internals).

For a widget with no border, outline, padding, tint, opacity, text opacity or hatch, Textual's
StylesCache.render_line comes down to the content line padded to the widget's width with its
background, then the app's line filters; yet it reads a dozen style rules for every line. The
story's text and its scrollbar are repainted whole at every open: that pass, and the Rich
rendering of the bar, were ~4 ms of the ~17 ms frame (bench/open_bench.py). Anything not plain
goes through Textual's own path; tests/test_plain_lines.py checks that both paint the same.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.color import Color
from rich.segment import Segment
from rich.style import Style as RichStyle
from textual.geometry import NULL_SPACING, Region
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.strip import Strip
from textual.style import Style
from textual.widget import Widget

__all__ = ["StripScrollBar", "is_plain", "plain_lines"]


def is_plain(widget: Widget) -> bool:
    """True when StylesCache would only pad and filter the widget's lines."""
    styles = widget.styles
    if widget.opacity != 1.0 or styles.text_opacity != 1.0 or styles.tint.a:
        return False
    if styles.padding != NULL_SPACING:
        return False
    if any(edge for edge, _ in styles.border) or any(edge for edge, _ in styles.outline):
        return False
    if styles.has_rule("hatch") and styles.hatch != "none":
        return False
    # A link under the mouse is restyled after the lines are drawn (StylesCache.render_widget's
    # own test). Any style with meta has a link id, the story text's offsets included.
    hover = widget.hover_style
    return not (
        widget.auto_links
        and hover._link_id
        and hover._meta
        and "@click" in hover.meta
        and widget.link_style_hover
    )


def plain_lines(widget: Widget, crop: Region, render_line: Callable[[int], Strip]) -> list[Strip]:
    """`widget.render_lines(crop)` for a plain widget: what StylesCache.render_widget paints.

    For widgets that do not scroll themselves (no scrollbar gutter): the story's text and bar.
    """
    base_background, background = widget.background_colors
    inner = Style(background=base_background + background).rich_style
    width, height = widget.size
    filters = widget.get_line_filters()
    strips: list[Strip] = []
    for y in crop.line_range:
        if y < height:
            strip = render_line(y).adjust_cell_length(width, inner)
        else:
            strip = Strip.blank(width, inner)
        for line_filter in filters:
            strip = strip.apply_filter(line_filter, background)
        strips.append(strip)
    if crop.column_span != (0, width):
        x1, x2 = crop.column_span
        strips = [strip.crop(x1, x2) for strip in strips]
    return strips


class StripScrollBar(ScrollBar):
    """Textual's vertical ScrollBar, its segments made into Strips directly.

    Its render goes through Rich (ScrollBarRender, console.render_lines) and then StylesCache:
    ~2 ms for a 35-line bar, repainted at every open and every scroll of the story.
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
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
