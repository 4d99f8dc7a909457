"""The thread view (`t`): a story's thread as an oldest-first timeline; Enter opens an entry.

Shown from the cache in the key's own frame when it can be; otherwise (the thread index not
loaded yet, the story itself not cached) a worker loads it: offline that may end in "not
available offline", online it fetches the story and the pages along its links.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from newsreader.errors import NewsreaderError, NotInCache
from newsreader.models import ThreadEntry
from newsreader.present import RELATION_LABELS, one_line, thread_when
from newsreader.ui.dialogs import Dialog
from newsreader.ui.format import ROW_MUTED
from newsreader.ui.widgets.choices import ChoiceList

if TYPE_CHECKING:
    from newsreader.services.ports import ReaderPort

CURRENT_MARK = "▶"
ROW_WIDTH = 100  # each line of an entry, cut to fit the dialog (110 wide, borders, padding)
FOLLOWED_UP = "followed_by"


def entry_row(entry: ThreadEntry, width: int = ROW_WIDTH) -> Content:
    """Date, source, title and how it is related on one line of `width`, then the first line:
    plain Content, never markup."""
    current = entry.relation == "self"
    when = f"{thread_when(entry):16}  "
    source = f"{entry.source}  " if entry.source else ""
    if not entry.cached:
        note = "  ○ not cached"
    elif entry.relation != "self":
        note = f"  {RELATION_LABELS[entry.relation]}"
    else:
        note = ""
    room = width - 2 - len(when) - len(source) - len(note)
    parts: list[str | tuple[str, str]] = [
        (f"{CURRENT_MARK} " if current else "  ", "bold $accent"),
        (when, ROW_MUTED),
        (source, "$text-secondary"),
        (one_line(entry.title, max(20, room)), "bold" if current else ""),
        (note, ROW_MUTED),
    ]
    if entry.lead:
        parts += ["\n", ("    " + one_line(entry.lead, width - 4), ROW_MUTED)]
    return Content.assemble(*parts)


def timeline_rows(entries: list[ThreadEntry]) -> tuple[list[Option], list[ThreadEntry]]:
    """The options to show and the entry of each selectable one, in order: the story and what
    it recalls, oldest first, then a "Followed up by" heading and the stories that recall it."""
    before = [e for e in entries if e.relation != FOLLOWED_UP]
    after = [e for e in entries if e.relation == FOLLOWED_UP]
    options = [Option(entry_row(e)) for e in before]
    if after:
        options.append(Option(Content.styled("Followed up by", "bold underline"),
                              disabled=True))
        options += [Option(entry_row(e)) for e in after]
    return options, before + after


class ThreadScreen(Dialog[ThreadEntry | None]):
    """Dismisses with the chosen entry (Enter), or None (Esc)."""

    # Opaque, unlike the other dialogs: nothing of the main screen shows through, so it is
    # not composited under the timeline on every frame (bench/thread_bench.py: `t` to the
    # painted view took half the time: p50 51 -> 26 ms in one run).
    DEFAULT_CSS = """
    ThreadScreen {
        background: $background;
    }
    ThreadScreen > .dialog {
        width: 110;
        height: auto;
        max-height: 90%;
    }
    ThreadScreen #thread-entries {
        height: auto;
        max-height: 30;
    }
    """

    def __init__(self, reader: ReaderPort, url: str, title: str | None = None) -> None:
        super().__init__(id="thread")
        self.reader = reader
        self.url = url
        self.title_hint = title
        self.entries: list[ThreadEntry] = []
        self._shown: list[ThreadEntry] = []  # the selectable rows' entries, in list order
        # Enter acts at once (not by a posted message): "Enter Backspace" sent together opens
        # the entry and comes back, in that order.
        self._choices = ChoiceList(id="thread-entries", markup=False)
        self._choices.on_select = self._select

    def compose(self) -> ComposeResult:
        # From the cache, the rows are there from the first layout: one layout, one frame
        # (options set after mounting cost a second layout of the dialog).
        cached = self.reader.cached_thread(self.url)
        if cached is not None:
            self._list(cached)
        with Vertical(classes="dialog") as box:
            box.border_title = "Thread — Enter opens a story, Esc closes"
            yield self._choices
            yield Static(Content(self._summary() if cached is not None else
                                 "Loading the thread…"), classes="status", markup=False)

    @property
    def choices(self) -> OptionList:
        return self._choices

    def on_mount(self) -> None:
        self.set_focus(self._choices)
        if not self.entries:
            self._load()

    @work(exclusive=True, group="thread")
    async def _load(self) -> None:
        try:
            await self.reader.load_thread_index()
            entries = self.reader.cached_thread(self.url)
            if entries is None:
                entries = await self.reader.load_thread(self.url)
        except NotInCache:
            self.show_status("Not available offline: this story was never downloaded.",
                             error=True)
            return
        except NewsreaderError as exc:
            self.show_status(f"Could not load the thread: {exc}", error=True)
            return
        self.show_entries(entries)

    def show_entries(self, entries: list[ThreadEntry]) -> None:
        self._list(entries)
        self.show_status(self._summary())

    def _list(self, entries: list[ThreadEntry]) -> None:
        """Fill the list; the story itself highlighted (it is never a follow-up, so its row is
        before the "Followed up by" heading: its index among the entries)."""
        self.entries = entries
        options, self._shown = timeline_rows(entries)
        self._choices.set_options(options)
        self._choices.highlighted = next(
            (i for i, e in enumerate(self._shown) if e.relation == "self"), 0)

    def _summary(self) -> str:
        count = len(self.entries)
        if count <= 1:
            return "This story recalls no other, and none recalls it yet."
        missing = sum(1 for e in self.entries if not e.cached)
        note = f"; {missing} not cached" if missing else ""
        return f"{count} stories in this thread{note}."

    def _select(self, index: int) -> None:
        entry = self.entry_at(index)
        if entry is not None:
            self.dismiss(entry)

    def entry_at(self, index: int) -> ThreadEntry | None:
        """The entry of list row `index` (None for the "Followed up by" heading)."""
        before = sum(1 for e in self._shown if e.relation != FOLLOWED_UP)
        if index < before:
            return self._shown[index]
        if index == before or index - 1 >= len(self._shown):
            return None
        return self._shown[index - 1]
