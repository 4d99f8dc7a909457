"""A list of choices that j / k move too, as they move the headline list."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.binding import BindingType
from textual.widgets import OptionList

from newsreader.ui.bindings import LIST_KEYS


class ChoiceList(OptionList):
    """An OptionList with j / k besides ↓ / ↑ (the pickers, the related links, search results).

    Each key moves the highlight at once, so a burst of them all count.
    """

    BINDINGS: ClassVar[list[BindingType]] = [*LIST_KEYS]

    # Called with the highlighted index on Enter (or a click) instead of posting OptionSelected.
    on_select: Callable[[int], None] | None = None

    def action_select(self) -> None:
        """Act on the choice now: a posted OptionSelected is read after the keys already queued
        behind Enter (Enter h, sent at once, went back first and followed the link after)."""
        if self.on_select is None or self.highlighted is None:
            super().action_select()
            return
        self.on_select(self.highlighted)
