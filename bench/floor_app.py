"""The start-time floor: a bare Textual app painting plain OptionList rows read from a JSON file."""

from __future__ import annotations

import json
import sys

from textual.app import App, ComposeResult
from textual.widgets import OptionList


class FloorApp(App[None]):
    """Nothing but one OptionList of plain strings, filled in one call like newsreader's list."""

    def __init__(self, rows: list[str]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        yield OptionList(*self.rows)


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as f:
        rows = json.load(f)
    FloorApp(rows).run()


if __name__ == "__main__":
    main()
