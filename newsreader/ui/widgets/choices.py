"""Lists that stop at their ends, and the list of choices that j / k move too."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.binding import BindingType
from textual.widgets import OptionList

from newsreader.ui.bindings import LIST_KEYS


class StopsAtEnds(OptionList):
    """Up / down stop at the first and last choice (as in newsboat and mutt), where OptionList
    wraps around: 20 j on a 14-row list must end on the last row, not on row 7."""

    def action_cursor_down(self) -> None:
        self._step(1)

    def action_cursor_up(self) -> None:
        self._step(-1)

    def _step(self, direction: int) -> None:
        if self.highlighted is None:
            if direction > 0:
                self.action_first()
            else:
                self.action_last()
            return
        options = self.options
        index = self.highlighted + direction
        while 0 <= index < len(options):
            if not options[index].disabled:  # skip a heading ("Followed up by")
                self.highlighted = index
                return
            index += direction


class ChoiceList(StopsAtEnds):
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
