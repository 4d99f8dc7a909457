"""Full-text search over the cached stories: type, see matches, Enter opens one in the story view.

The search itself (services.search.search) is synchronous and reads the cache, so it runs in a
thread, debounced: each keystroke cancels the previous, still-waiting search.

Keys count however fast they come: the first ↓ moves the focus into the results at once, even
before the results of what the box says have arrived; the moves (↓ ↑ j k g G) and Enter pressed
before they arrive are kept and applied to them (the query, then ↓ ↓ Enter, or ↓ j j Enter,
typed in one go, opens the third result), never typed into the box.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from newsreader.present import local_time
from newsreader.services.search import SearchHit
from newsreader.ui.dialogs import Dialog
from newsreader.ui.widgets.choices import ChoiceList
from newsreader.words import query_words, spans

if TYPE_CHECKING:
    from newsreader.services.ports import ReaderPort

DEBOUNCE_SECONDS = 0.15
MAX_RESULTS = 200
NO_MATCH = "No cached story matches."
MATCH_STYLE = "bold $accent underline"  # the query's words in a result


def hit_row(hit: SearchHit, query: str = "") -> Content:
    """Title, source and date, then the snippet on its own line, the query's words
    highlighted: plain Content, never markup."""
    words = query_words(query)
    where = "  ".join(part for part in (hit.source, local_time(hit.published)) if part)
    return Content.assemble(
        _marked(hit.title or hit.url, words, "bold"), ("  " + where, "dim"), "\n  ",
        _marked(hit.snippet, words, ""),
    )


def _marked(text: str, words: list[str], style: str) -> Content:
    content = Content.styled(text, style) if style else Content(text)
    for start, end in spans(words, text):
        content = content.stylize(MATCH_STYLE, start, end)
    return content


def _retrieve(future: asyncio.Future[list[SearchHit]]) -> None:
    """Fetch the outcome of a search nobody awaited any more, so asyncio never warns about it."""
    if not future.cancelled():
        future.exception()


class ResultList(ChoiceList):
    """The results; its moves and Enter pressed before they arrive are applied to them."""

    def _early(self, step: int | None) -> bool:
        screen = self.screen
        return isinstance(screen, SearchScreen) and screen.early(step)

    def action_cursor_down(self) -> None:
        if not self._early(1):
            super().action_cursor_down()

    def action_cursor_up(self) -> None:
        if not self._early(-1):
            super().action_cursor_up()

    def action_first(self) -> None:
        if not self._early(-MAX_RESULTS):
            super().action_first()

    def action_last(self) -> None:
        if not self._early(MAX_RESULTS):
            super().action_last()

    def action_select(self) -> None:
        if not self._early(None):
            super().action_select()


class SearchScreen(Dialog[SearchHit | None]):
    """Dismisses with the chosen SearchHit (Enter), or None (Esc)."""

    DEFAULT_CSS = """
    SearchScreen > .dialog {
        width: 110;
        height: 90%;
    }
    SearchScreen #search-results {
        height: 1fr;
        max-height: 100%;
    }
    """

    # Not a priority binding: it must see the box as the keys typed before it left it. (Keys
    # sent in the same burst after it are handed on once it has run: textual_compat/keys.py.)
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "focus_results", "Results", show=False, id="search_results"),
    ]

    def __init__(self, reader: ReaderPort, query: str = "") -> None:
        super().__init__(id="search")
        self.reader = reader
        self.query_text = query
        self.hits: list[SearchHit] = []
        self._search_future: asyncio.Future[list[SearchHit]] | None = None
        self._listed: str | None = None  # the query `hits` are the results of
        self._searching: str | None = None  # the query being searched now (past the debounce)
        # Pressed in the box before the results of what it says arrived: applied to them.
        self._downs = 0
        self._enter = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = "Search the cached stories — Esc closes"
            # Back in the box (Tab, or an early ↓ that found nothing), typing goes on after
            # the query rather than over it.
            yield Input(self.query_text, placeholder="Words to find (all of them)",
                        id="search-input", select_on_focus=False)
            yield ResultList(id="search-results", markup=False)
            yield Static(Content("Type to search; ↓ then Enter opens a story."),
                         classes="status", markup=False)

    def on_mount(self) -> None:
        self.query_one("#search-input").focus()
        if self.query_text.strip():
            self._search(self.query_text)

    @property
    def results(self) -> OptionList:
        return self.query_one("#search-results", OptionList)

    @property
    def box(self) -> Input:
        return self.query_one("#search-input", Input)

    def _listed_now(self) -> bool:
        """True when the results shown are those of what the box says."""
        return self._listed == self.box.value

    @on(Input.Changed, "#search-input")
    def _changed(self, event: Input.Changed) -> None:
        self._search(event.value)

    @on(Input.Submitted, "#search-input")
    def _submitted(self) -> None:
        """Enter in the box opens the highlighted (by default the first) result; before the
        results have arrived, the one they will highlight (searching at once, no debounce)."""
        if self._listed_now():
            if self.hits:
                self.dismiss(self.hits[self.results.highlighted or 0])
            return
        self._open_when_listed()

    def _open_when_listed(self) -> None:
        self._enter = True
        # The keys typed after this Enter are for the story it will open, not for the box:
        # they wait until the results are in (_apply_early_keys, or the dialog closes).
        self._app_keys("hold_keys")
        query = self.box.value
        if self._searching != query:
            self._search(query, wait=False)

    def early(self, step: int | None) -> bool:
        """A key of the results list pressed after a ↓ left the box, before the results of its
        query arrived: move by `step` rows (None: Enter) once they do. False when the results
        are listed: the list acts itself."""
        if self._listed_now() or not self._downs:
            return False
        if step is None:
            self._open_when_listed()
        else:
            self._downs = max(1, self._downs + step)  # 1: the first row
        return True

    @on(OptionList.OptionSelected, "#search-results")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if 0 <= event.option_index < len(self.hits):
            self.dismiss(self.hits[event.option_index])

    def action_focus_results(self) -> None:
        """↓ in the box moves into the results (the list's own ↓ wins once it has focus)."""
        if not self._listed_now():
            if self.box.value.strip():
                self._downs += 1  # counted until the results arrive
                if self._downs == 1:  # the keys after it are the results' (early()), not
                    self.hits, self._listed = [], None  # typed: out of the box at once,
                    self.results.clear_options()  # over no stale results
                    self.set_focus(self.results)
            return
        if self.hits:
            # Now, not on the next tick as Widget.focus() would: a ↓ typed right after this
            # one is dispatched from whatever has the focus when it is read.
            self.set_focus(self.results)

    @work(exclusive=True, group="search")
    async def _search(self, query: str, wait: bool = True) -> None:
        if wait:
            await asyncio.sleep(DEBOUNCE_SECONDS)  # the next keystroke cancels this one
        if self._dialog_gone():
            return
        if not query.strip():
            self._show(query, [], "Type to search; ↓ then Enter opens a story.")
            return
        self._searching = query
        # A thread cannot be cancelled: wait for the one still running (a search typed over)
        # before starting the next, so fast typing never piles threads up over a big cache.
        if self._search_future is not None and not self._search_future.done():
            await asyncio.wait({self._search_future})
            if self._dialog_gone():
                return
        self.show_status("Searching…")
        running = asyncio.ensure_future(
            asyncio.to_thread(self.reader.prepare_search(query, MAX_RESULTS))
        )
        running.add_done_callback(_retrieve)
        self._search_future = running
        try:
            hits = await asyncio.shield(running)  # cancelling this worker leaves it to finish
        except Exception as exc:  # a damaged cache entry must not take the app down
            if self._dialog_gone():
                return
            self._downs, self._enter = 0, False
            self._back_to_box()
            self._app_keys("release_keys")
            self.show_status(f"Search failed: {type(exc).__name__}", error=True)
            return
        finally:
            if self._searching == query:
                self._searching = None
        if self._dialog_gone():
            return
        if not hits:
            self._show(query, [], NO_MATCH)
        else:
            more = "+" if len(hits) >= MAX_RESULTS else ""
            noun = "story" if len(hits) == 1 else "stories"
            self._show(query, hits, f"{len(hits)}{more} {noun}; Enter opens the highlighted one.")

    def _app_keys(self, name: str) -> None:
        """NewsreaderApp's hold_keys / release_keys (textual_compat/keys.py), where it runs."""
        call = getattr(self.app, name, None)
        if call is not None:
            call()

    def on_unmount(self) -> None:
        self._app_keys("release_keys")  # however it closes, held keys never stay held

    def _dialog_gone(self) -> bool:
        """True once this search is cancelled, or the dialog is being taken down: its widgets
        go before its Unmount cancels the worker (the burst bench hit that window)."""
        return get_current_worker().is_cancelled or not self.query("#search-results")

    def _show(self, query: str, hits: list[SearchHit], status: str) -> None:
        self.hits = hits
        self._listed = query
        self.results.set_options(Option(hit_row(hit, query)) for hit in hits)
        if hits:
            self.results.highlighted = 0
        self.show_status(status)
        if query == self.box.value:
            self._apply_early_keys()

    def _back_to_box(self) -> None:
        """An early ↓ left the box for results that never came: type on after the query."""
        if self.focused is self.results:
            self.set_focus(self.box)

    def _apply_early_keys(self) -> None:
        """↓ and Enter pressed before these results arrived: move into them, then down one a
        ↓ after the first, then open the highlighted one."""
        downs, enter = self._downs, self._enter
        self._downs, self._enter = 0, False
        if not self.hits:
            self._back_to_box()
        else:
            if downs:
                self.set_focus(self.results)
                self.results.highlighted = min(downs - 1, len(self.hits) - 1)
            if enter:
                self.dismiss(self.hits[self.results.highlighted or 0])
        if enter:
            self._app_keys("release_keys")
