"""Textual's per-line style pass (StylesCache, 8.2.8) re-created for plain widgets' lines."""

# For a widget with no border, outline, padding, tint, opacity, text opacity or hatch, Textual's
# StylesCache.render_line comes down to the content line padded to the widget's width with its
# background, then the app's line filters; yet it reads a dozen style rules for every line. The
# story's text and its scrollbar are repainted whole at every open: that pass, and the Rich
# rendering of the bar, were ~4 ms of the ~17 ms frame (bench/open_bench.py). Anything not plain
# goes through Textual's own path; tests/test_plain_lines.py checks that both paint the same.

from __future__ import annotations

from collections.abc import Callable

from textual.geometry import NULL_SPACING, Region
from textual.strip import Strip
from textual.style import Style
from textual.widget import Widget

from newsreader.ui.textual_compat.versions import verified


def is_plain(widget: Widget) -> bool:
    """True when StylesCache would only pad and filter the widget's lines.

    Always False when the versions are not verified: every widget takes Textual's own path.
    """
    if not verified():
        return False
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
    """`widget.render_lines(crop)` for a plain widget (`is_plain`): what StylesCache paints.

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
