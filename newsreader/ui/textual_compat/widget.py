"""Widget internals (Textual 8.2.8): its own vertical scrollbar, a border title, a style parser."""

from __future__ import annotations

from collections.abc import Callable

from textual.content import Content
from textual.geometry import Region
from textual.scrollbar import ScrollBar
from textual.style import Style
from textual.widget import Widget

from newsreader.ui.textual_compat.versions import verified

StyleParser = Callable[[str | Style], Style]


def own_vertical_scrollbar(widget: Widget, make: Callable[[], ScrollBar]) -> ScrollBar | None:
    """`widget.vertical_scrollbar`, made by `make()` the first time instead of Textual's.

    What Widget.vertical_scrollbar does, with another ScrollBar class. None when not verified:
    the caller then returns Textual's own (`super().vertical_scrollbar`).
    """
    if not verified():
        return None
    if widget._vertical_scrollbar is None:
        bar = make()
        bar.display = False
        widget._vertical_scrollbar = bar
        widget.app._start_widget(widget, bar)
    return widget._vertical_scrollbar


def set_border_title_fast(widget: Widget, title: str) -> None:
    """`widget.border_title = Content(title)` (literal text), repainting only the top border line.

    The border_title descriptor refreshes the whole widget: for the story pane, ~37 lines
    re-rendered under the story (~3 ms of the frame), while the title is on one line.
    """
    if not verified():
        widget.border_title = Content(title)
        return
    # What the border_title descriptor stores.
    widget._border_title = widget.render_str(Content(title)).expand_tabs(4).split()[0]
    widget.refresh(Region(0, 0, widget.outer_size.width, 1).translate(-widget.content_offset))


def style_parser(widget: Widget) -> StyleParser | None:
    """The `parse_style` Textual's own Visual.to_strips gives Content.render for `widget`.

    None (Content's default: the same parse, without ".component" styles) when not verified.
    """
    if not verified():
        return None
    return widget._get_style
