"""Modal dialogs for managing sources: add (with feed discovery), pick, confirm, OPML in/out.

Every dialog shows errors on its own one-line status row and changes nothing until it succeeds;
network and file work runs in workers, never on the event loop. Fetched text (feed titles,
source names) is shown as Content, never parsed as markup.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Generic, TypeVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from newsreader.errors import NewsreaderError
from newsreader.models import Source
from newsreader.parse.urls import url_from_user
from newsreader.ui.bindings import QUIT_KEYS
from newsreader.ui.widgets.choices import ChoiceList

if TYPE_CHECKING:
    from newsreader.parse.opml import OpmlImport
    from newsreader.services.ports import ReaderPort

ResultT = TypeVar("ResultT")
T = TypeVar("T")

DIALOG_CSS = """
    align: center middle;
    & > .dialog {
        width: 84;
        max-width: 95%;
        height: auto;
        max-height: 90%;
        border: thick $accent;
        background: $surface;
        padding: 1 2;
    }
    & .dialog Input {
        margin-bottom: 1;
    }
    & .dialog OptionList {
        height: auto;
        max-height: 16;
        margin-bottom: 1;
    }
    & .dialog .prompt {
        margin-bottom: 1;
    }
    & .dialog .status {
        height: auto;
        color: $text-muted;
    }
    & .dialog .status.-error {
        color: $text-error;
    }
"""


def one_line(error: BaseException) -> str:
    """A one-line message for an expected error (NewsreaderError's str already is one)."""
    text = str(error) if isinstance(error, NewsreaderError) else type(error).__name__
    return " ".join(text.split())[:300]


class Dialog(ModalScreen[ResultT], Generic[ResultT]):
    """A centred box with a status row; Esc cancels (dismisses with None); q and Ctrl+C quit
    the app (q is typed where an Input has the focus)."""

    DEFAULT_CSS = "Dialog {" + DIALOG_CSS + "}"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="cancel_dialog"),
        *QUIT_KEYS,
    ]

    def show_status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one(".status", Static)
        status.update(Content(text))
        status.set_class(error, "-error")

    def action_cancel(self) -> None:
        self.dismiss(None)


# -- open any URL -------------------------------------------------------------------------------


class OpenUrlScreen(Dialog[str | None]):
    """A story's URL typed or pasted; dismisses with it once it is a clean http(s) URL."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = "Open a story by its URL — Esc cancels"
            yield Input(placeholder="https://… (https:// may be left out)", id="open-url")
            yield Static(Content("Enter opens it in the story view (Backspace comes back)."),
                         classes="status", markup=False)

    def on_mount(self) -> None:
        self.query_one("#open-url").focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        url = url_from_user(event.value.strip())
        if url is None:
            self.show_status("Not an http(s) URL.", error=True)
            return
        self.dismiss(url)


# -- add a source -------------------------------------------------------------------------------


class AddSourceScreen(Dialog[Source | None]):
    """URL (a feed or a home page), optional name and folder; dismisses with the added Source.

    Offline (--offline, or the network down, the host unreachable) the URL is added as given,
    named after its host unless a name is typed, with a warning that its first refresh checks
    it; a site that answers without a feed is refused.
    """

    def __init__(self, reader: ReaderPort) -> None:
        super().__init__(id="add-source")
        self.reader = reader
        self.feeds: list[tuple[str, str]] = []
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = "Add a source — Esc cancels"
            yield Input(placeholder="Feed or home page URL (https://…)", id="source-url")
            yield Input(placeholder="Name (optional: the feed's title)", id="source-name")
            yield Input(placeholder='Folder (optional: nest with "/", e.g. News/Ukraine)',
                        id="source-folder")
            yield ChoiceList(id="feed-choices", markup=False)
            yield Static(Content("Enter adds it; a home page's feeds are found."),
                         classes="status", markup=False)

    def on_mount(self) -> None:
        self.query_one("#feed-choices").display = False
        self.query_one("#source-url").focus()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        if self.busy:
            return
        raw = self.query_one("#source-url", Input).value.strip()
        if not raw:
            self.show_status("Type the address of a feed or a site's home page.", error=True)
            return
        url = url_from_user(raw)  # "example.com/feed" is https://example.com/feed
        if url is None:
            self.show_status(f"Not an http(s) address: {raw}", error=True)
            return
        self._discover(url)

    @work(exclusive=True, group="add-source")
    async def _discover(self, url: str) -> None:
        self.busy = True
        self.feeds = []
        self.query_one("#feed-choices").display = False  # a new address: a new choice
        if not self.reader.offline:
            self.show_status("Looking for feeds…")
        try:
            # Offline, or with the network down, the URL comes back as given, unchecked.
            found = await self.reader.find_feeds(url)
        except Exception as exc:  # FetchError / ParseError; anything else must not crash it
            self.busy = False
            self.show_status(one_line(exc), error=True)
            return
        feeds = found.feeds
        if not feeds:
            self.busy = False
            self.show_status(f"No feed found at {url}", error=True)
            return
        if len(feeds) == 1:
            await self._add(*feeds[0], note=found.note())
            return
        self.feeds = feeds
        choices = self.query_one("#feed-choices", OptionList)
        choices.set_options(
            Option(Content.assemble(title, ("  " + feed_url, "dim")))
            for title, feed_url in feeds
        )
        choices.display = True
        choices.highlighted = 0
        choices.focus()
        self.busy = False
        self.show_status(f"{len(feeds)} feeds on that page: pick one (Enter).")

    @on(OptionList.OptionSelected, "#feed-choices")
    def _feed_chosen(self, event: OptionList.OptionSelected) -> None:
        if not self.busy and 0 <= event.option_index < len(self.feeds):
            self._add_chosen(*self.feeds[event.option_index])

    @work(exclusive=True, group="add-source")
    async def _add_chosen(self, title: str, feed_url: str) -> None:
        await self._add(title, feed_url)

    async def _add(self, title: str, feed_url: str, *, note: str = "") -> None:
        self.busy = True
        name = self.query_one("#source-name", Input).value.strip() or title or feed_url
        folder = self.query_one("#source-folder", Input).value.strip().strip("/") or None
        source = Source(" ".join(name.split()), feed_url, folder)
        try:
            added, _ = await self.reader.add_sources([source])  # the file is written in a thread
        except Exception as exc:  # ConfigError (no config file, unwritable); never a crash
            self.busy = False
            self.show_status(one_line(exc), error=True)
            return
        if not added:
            self.busy = False
            self.show_status(f"Already a source: {feed_url}", error=True)
            return
        if note:  # added without the network: its first refresh checks it
            self.app.notify(f"{source.name}: {note}", severity="warning", timeout=10,
                            markup=False)
        self.dismiss(source)


# -- choose one of a list -----------------------------------------------------------------------


class PickScreen(Dialog[T | None], Generic[T]):
    """A list of (label, value); Enter dismisses with the value, Esc with None; j / k move."""

    def __init__(
        self,
        title: str,
        choices: Sequence[tuple[Content, T]],
        *,
        selected: int = 0,
        hint: str = "Enter chooses, Esc cancels.",
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.title_text = title
        self.choices = list(choices)
        self.selected = selected
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = Content(self.title_text)
            choices = ChoiceList(*(Option(label) for label, _ in self.choices), id="choices",
                                 markup=False)
            # Enter acts at once, not by a posted message: the keys sent with it ("D Enter y")
            # then go to what the choice opens (the confirmation), not to this list.
            choices.on_select = self._chosen
            yield choices
            yield Static(Content(self.hint), classes="status", markup=False)

    def on_mount(self) -> None:
        choices = self.query_one("#choices", OptionList)
        if self.choices:
            choices.highlighted = max(0, min(self.selected, len(self.choices) - 1))
        self.set_focus(choices)

    def _chosen(self, index: int) -> None:
        self.dismiss(self.choices[index][1])


def source_choices(sources: Sequence[Source]) -> list[tuple[Content, Source]]:
    """Sources grouped by folder (folders A–Z, then those in none), each with its URL."""
    ordered = sorted(sources, key=lambda s: (s.folder is None, (s.folder or "").casefold(),
                                              s.name.casefold()))
    return [
        (Content.assemble(((s.folder + " / ") if s.folder else "", "dim"), s.name,
                          ("  " + s.url, "dim")), s)
        for s in ordered
    ]


# -- yes or no ----------------------------------------------------------------------------------


class ConfirmScreen(Dialog[bool]):
    """A question answered with y or n; anything that is not "y" (Esc, n, Enter) means no."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="confirm_yes"),
        Binding("n,escape,enter", "answer(False)", "No", id="confirm_no"),
    ]

    def __init__(self, question: Content, *, title: str = "Are you sure?") -> None:
        super().__init__(id="confirm")
        self.question = question
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = Content(self.title_text)
            yield Static(self.question, classes="prompt", markup=False)
            yield Static(Content("y: yes   n / Esc: no"), classes="status", markup=False)

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


# -- OPML ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class ImportSummary:
    added: list[Source] = field(default_factory=list)
    duplicates: list[Source] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (f"{len(self.added)} added, {len(self.duplicates)} duplicates skipped, "
                f"{len(self.refused)} refused")


def read_opml_file(path: Path) -> OpmlImport:
    """Read and parse (call it in a thread). Raises OpmlError (file:line:col) or OSError."""
    from newsreader.parse.opml import parse_opml  # defusedxml: loaded by the first OPML dialog

    return parse_opml(path.read_bytes(), str(path))


def export_opml_file(sources: Sequence[Source], path: Path) -> None:
    """Write the sources as OPML atomically: a temporary file beside it, then os.replace."""
    from newsreader.parse.opml import write_opml

    text = write_opml(list(sources))
    fd, tmp_name = tempfile.mkstemp(prefix=".newsreader-", suffix=".opml", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    finally:
        Path(tmp_name).unlink(missing_ok=True)


class OpmlScreen(Dialog[ImportSummary | Path | None]):
    """Import: dismisses with an ImportSummary. Export: dismisses with the Path written."""

    def __init__(self, reader: ReaderPort, *, export: bool) -> None:
        super().__init__(id="export-opml" if export else "import-opml")
        self.reader = reader
        self.export = export
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            if self.export:
                box.border_title = "Export OPML — Esc cancels"
                yield Input("~/newsreader.opml", placeholder="File to write", id="opml-path")
                hint = f"Enter writes {len(self.reader.sources)} sources to this file."
            else:
                box.border_title = "Import OPML — Esc cancels"
                yield Input(placeholder="OPML file to read (~ works)", id="opml-path")
                hint = "Enter adds its feeds; duplicates are skipped."
            yield Static(Content(hint), classes="status", markup=False)

    def on_mount(self) -> None:
        self.query_one("#opml-path").focus()

    @on(Input.Submitted, "#opml-path")
    def _submitted(self, event: Input.Submitted) -> None:
        if self.busy:
            return
        raw = event.value.strip()
        if not raw:
            self.show_status("Type a file name.", error=True)
            return
        self._run(Path(raw).expanduser())

    @work(exclusive=True, group="opml")
    async def _run(self, path: Path) -> None:
        self.busy = True
        self.show_status("Writing…" if self.export else "Reading…")
        try:
            if self.export:
                await asyncio.to_thread(export_opml_file, list(self.reader.sources), path)
                result: ImportSummary | Path = path
            else:
                found = await asyncio.to_thread(read_opml_file, path)
                # Only a file that parsed gets here: a broken one has changed nothing.
                added, duplicates = await self.reader.add_sources(found.sources)
                result = ImportSummary(added, duplicates, list(found.skipped))
        except OSError as exc:
            self.busy = False
            verb = "cannot write" if self.export else "cannot read"
            self.show_status(f"{path}: {verb}: {exc.strerror or exc}", error=True)
            return
        except Exception as exc:  # OpmlError (file:line:col), ConfigError; never a crash
            self.busy = False
            self.show_status(one_line(exc), error=True)
            return
        self.dismiss(result)
