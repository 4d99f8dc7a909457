"""A list of choices that j / k move too, as they move the headline list."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import BindingType
from textual.widgets import OptionList

from newsreader.ui.bindings import LIST_KEYS


class ChoiceList(OptionList):
    """An OptionList with j / k besides ↓ / ↑ (the pickers, the related links, search results).

    Each key moves the highlight at once, so a burst of them all count.
    """

    BINDINGS: ClassVar[list[BindingType]] = [*LIST_KEYS]
