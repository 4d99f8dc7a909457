"""The story's links view: every numbered link; Enter reads one here, o opens it in the browser."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Literal

from textual.binding import Binding, BindingType
from textual.widgets import OptionList

from newsreader.present import NumberedLink
from newsreader.ui.dialogs import PickScreen
from newsreader.ui.format import link_row

# What the reader chose: read link N in the app, or open it in the web browser.
LinkChoice = tuple[Literal["follow", "browser"], int]


class LinksScreen(PickScreen[LinkChoice]):
    """The numbers are the story's own (the 1–9 keys and the "text[N]" marks use them)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o", "browser", "Open in browser", id="links_browser"),
    ]

    def __init__(self, links: Sequence[NumberedLink], *, selected: int = 0) -> None:
        super().__init__(
            "Links of this story — Esc closes",
            [(link_row(link), ("follow", link.number)) for link in links],
            selected=selected,
            hint="Enter reads it here (Backspace comes back) · o opens it in the web browser",
            id="links",
        )
        self.links = list(links)

    def action_browser(self) -> None:
        index = self.query_one("#choices", OptionList).highlighted
        if index is not None:
            self.dismiss(("browser", self.links[index].number))
