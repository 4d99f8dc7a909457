"""The help screen: every live binding (config overrides included), grouped by where it works."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from newsreader.ui.bindings import QUIT_KEYS, SCROLL_KEYS
from newsreader.ui.widgets.scroll import KeyScroll

KEY_WIDTH = 14  # the keys' column, a space after them included
INDENT = "  "


def help_content(rows: Iterable[tuple[str, list[tuple[str, str]]]]) -> Content:
    """`rows` is [(section, [(keys, description), ...]), ...]; one aligned line per binding.

    Keys too long for their column ("tab / shift+tab") get a line of their own, the
    description under it in its column: never run into it, never pushed past the edge.
    """
    lines: list[Content] = []
    for section, bindings in rows:
        if not bindings:
            continue
        if lines:
            lines.append(Content(""))
        lines.append(Content.styled(section, "bold $accent"))
        for keys, description in bindings:
            if cell_len(keys) < KEY_WIDTH:
                padding = " " * (KEY_WIDTH - cell_len(keys))
                lines.append(Content.assemble((INDENT + keys, "bold"), padding, description))
            else:
                lines.append(Content.styled(INDENT + keys, "bold"))
                lines.append(Content(INDENT + " " * KEY_WIDTH + description))
    return Content("\n").join(lines)


class HelpBody(KeyScroll):
    """The help's scrolling body: j / k as well as ↓ / ↑, each key a line however fast."""

    BINDINGS: ClassVar[list[BindingType]] = [*SCROLL_KEYS]


class HelpScreen(ModalScreen[None]):
    """A modal listing the bindings it was given; any of Esc, q, ? or F1 closes it; Ctrl+C
    quits."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,f1", "dismiss_help", "Close help", id="close_help"),
        *QUIT_KEYS,  # Ctrl+C quits (q, bound first, closes the help as in less)
    ]

    def __init__(self, rows: list[tuple[str, list[tuple[str, str]]]]) -> None:
        super().__init__(id="help")
        self.rows = rows

    def compose(self) -> ComposeResult:
        with HelpBody(id="help-body") as body:
            body.border_title = "Keys — Esc closes"
            body.border_subtitle = "Ctrl+P: every action by name"
            yield Static(help_content(self.rows), id="help-text", markup=False)

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
