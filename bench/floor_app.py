"""Floors made of bare Textual apps: OptionList rows (start), and a list beside a text (open)."""

from __future__ import annotations

import json
import sys

from textual.app import App, ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import OptionList, Static


class FloorApp(App[None]):
    """Nothing but one OptionList of plain strings, filled in one call like newsreader's list."""

    def __init__(self, rows: list[str]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        yield OptionList(*self.rows)


class OpenFloorApp(App[None]):
    """The open floor: Enter on a row puts that story's plain text in a scrolling Static.

    The same screen as newsreader's main one, in bare widgets: a list of the same titles
    beside a bordered, padded scroll view of the same width, and a one-line status. The story
    is its title, lead and paragraphs as plain text; Textual wraps it.
    """

    CSS = """
    #list { width: 5fr; }
    #pane { width: 6fr; border: tall $border-blurred; padding: 0 2; background: $surface; }
    #status { height: 1; background: $panel; }
    """

    def __init__(self, titles: list[str], texts: list[str]) -> None:
        super().__init__()
        self.titles, self.texts = titles, texts

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield OptionList(*self.titles, id="list")
            with VerticalScroll(id="pane"):
                yield Static("Pick a headline", id="story", markup=False)
        yield Static("", id="status", markup=False)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.query_one("#story", Static).update(self.texts[event.option_index])
        self.query_one("#pane", VerticalScroll).scroll_home(animate=False)
        self.query_one("#status", Static).update(f"{event.option_index + 1} read")


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as f:
        rows = json.load(f)
    FloorApp(rows).run()


if __name__ == "__main__":
    main()
