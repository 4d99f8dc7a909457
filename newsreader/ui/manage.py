"""Sources, OPML, search and scope for the main screen: the actions that open the dialogs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.content import Content
from textual.screen import Screen

from newsreader.folders import folder_paths, in_folder
from newsreader.models import Source
from newsreader.services.ports import ReaderPort
from newsreader.services.search import SearchHit
from newsreader.ui.navigation import StoryNavigator
from newsreader.ui.widgets.headlines import HeadlineList, Scope

if TYPE_CHECKING:
    from newsreader.ui.dialogs import ImportSummary

# The dialogs (ui/dialogs.py, ui/search.py) are imported by the action that opens one: the
# first frame does not show them, and their classes and CSS were ~5 ms of start-up imports.

ALL_SOURCES = ("all", "")  # the scope chooser's "everything" (None would read as "cancelled")
SAVED = ("saved", "saved stories")  # the saved view
NEW = ("new", "new since last time")  # what arrived since the previous session began
NAMES_SHOWN = 5
DEMO_FIXED = "The demo edition's sources are fixed: nothing can be added or removed."


def _names(items: list[str]) -> str:
    more = len(items) - NAMES_SHOWN
    return "; ".join(items[:NAMES_SHOWN]) + (f"; and {more} more" if more > 0 else "")


class SourceManager:
    """The main screen's dialogs: add/remove sources, OPML, search, pick a scope.

    Once the sources are different it calls `reload_list`, then `refresh_due` (a new source is
    due at once); search results open through `navigator`.
    """

    def __init__(
        self,
        screen: Screen[Any],
        reader: ReaderPort,
        headlines: HeadlineList,
        navigator: StoryNavigator,
        *,
        reload_list: Callable[[], None],
        refresh_due: Callable[[], None],
    ) -> None:
        self.screen = screen
        self.reader = reader
        self.headlines = headlines
        self.navigator = navigator
        self.reload_list = reload_list
        self.refresh_due = refresh_due

    def notify(self, message: str, **kwargs: Any) -> None:
        self.screen.notify(message, **kwargs)

    def _sources_changed(self) -> None:
        """Reload the list (a removed source's rows go) and start fetching a new source."""
        self.reload_list()
        scope = self.headlines.scope
        if scope is not None and scope[0] not in ("saved", "new") and not any(
            (scope[0] == "source" and s.name == scope[1])
            or (scope[0] == "folder" and in_folder(s.folder, scope[1]))
            for s in self.reader.sources
        ):
            self.headlines.set_scope(None)  # the folder or source shown is gone
        self.refresh_due()  # only the sources that are due: a new one is

    # -- add ----------------------------------------------------------------------------------

    def _demo_refuses(self) -> bool:
        """In the demo edition say at once that its sources are fixed (before any question)."""
        if self.reader.demo:
            self.notify(DEMO_FIXED, severity="warning", timeout=4)
            self._refused()
        return self.reader.demo

    def _refused(self) -> None:
        """No prompt opens: the keys typed ahead for it must not fire the list's keys."""
        swallow = getattr(self.screen.app, "swallow_burst", None)  # NewsreaderApp's
        if swallow is not None:
            swallow()

    def add_source(self) -> None:
        if self._demo_refuses():
            return
        from newsreader.ui.dialogs import AddSourceScreen

        self.screen.app.push_screen(AddSourceScreen(self.reader), self._source_added)

    def _source_added(self, source: Source | None) -> None:
        if source is None:
            return
        where = f" in {source.folder}" if source.folder else ""
        self.notify(f"Added {source.name}{where}", markup=False)
        self._sources_changed()

    # -- remove -------------------------------------------------------------------------------

    def remove_source(self) -> None:
        if self._demo_refuses():
            return
        if not self.reader.sources:
            self.notify("There are no sources to remove.", timeout=3)
            self._refused()
            return
        from newsreader.ui.dialogs import PickScreen, source_choices

        choices = source_choices(self.reader.sources)
        current = self.headlines.current
        selected = 0
        if current is not None:
            selected = next(
                (i for i, (_, s) in enumerate(choices) if s.url == current.source_url),
                next((i for i, (_, s) in enumerate(choices) if s.name == current.source_name),
                     0),
            )
        picker = PickScreen("Remove which source? — Esc cancels", choices, selected=selected,
                            id="pick-source")
        self.screen.app.push_screen(picker, self._confirm_remove)

    def _confirm_remove(self, source: Source | None) -> None:
        if source is None:
            return
        from newsreader.ui.dialogs import ConfirmScreen

        question = Content.assemble(
            "Remove ", (source.name, "bold"), "? Its cached stories stay until they expire. ",
            ("[y/N]", "bold"),
        )
        self.screen.app.push_screen(
            ConfirmScreen(question, title="Remove source"), partial(self._remove, source)
        )

    def _remove(self, source: Source, yes: bool | None) -> None:
        if not yes:
            self.notify(f"Kept {source.name}", timeout=2, markup=False)
            return
        self.screen.run_worker(self._remove_work(source), group="sources")

    async def _remove_work(self, source: Source) -> None:
        try:
            await self.reader.remove_source(source)  # the file is written in a thread
        except Exception as exc:  # ConfigError: demo edition, unwritable or hand-made file
            from newsreader.ui.dialogs import one_line

            self.notify(one_line(exc), severity="error", markup=False)
            return
        self.notify(f"Removed {source.name}", markup=False)
        self._sources_changed()

    # -- OPML ---------------------------------------------------------------------------------

    def import_opml(self) -> None:
        from newsreader.ui.dialogs import OpmlScreen

        self.screen.app.push_screen(OpmlScreen(self.reader, export=False), self._imported)

    def _imported(self, summary: ImportSummary | Path | None) -> None:
        from newsreader.ui.dialogs import ImportSummary

        if not isinstance(summary, ImportSummary):
            return
        lines = [summary.line()]  # one notice: a second would replace the first
        if summary.duplicates:
            names = _names([s.name for s in summary.duplicates])
            lines.append(f"Already sources (skipped): {names}")
        self.notify("\n".join(lines), title="Import OPML", timeout=8 if summary.duplicates else 5,
                    markup=False)
        if summary.refused:
            self.notify(f"Refused: {_names(summary.refused)}", severity="warning", timeout=12,
                        markup=False)
        if summary.added:
            self._sources_changed()

    def export_opml(self) -> None:
        from newsreader.ui.dialogs import OpmlScreen

        self.screen.app.push_screen(OpmlScreen(self.reader, export=True), self._exported)

    def _exported(self, path: ImportSummary | Path | None) -> None:
        if isinstance(path, Path):
            count = len(self.reader.sources)
            self.notify(f"Wrote {count} sources to {path}", markup=False)

    # -- open a URL ---------------------------------------------------------------------------

    def open_url(self) -> None:
        from newsreader.ui.dialogs import OpenUrlScreen

        self.screen.app.push_screen(OpenUrlScreen(id="open-url-dialog"), self._url_chosen)

    def _url_chosen(self, url: str | None) -> None:
        if url:
            self._open(url)

    def _open(self, url: str, title: str | None = None) -> None:
        """Open as the list would (its row highlighted) when it lists the story, else as a
        Recall link is followed: either way into the history, Backspace comes back."""
        headline = self.reader.headline_for_url(url)
        index = self.headlines.index_of(headline.id) if headline else None
        if index is not None:
            self.navigator.open_list_index(index)
        else:
            self.navigator.open_url(url, title=title)

    # -- search -------------------------------------------------------------------------------

    def search_stories(self) -> None:
        from newsreader.ui.search import SearchScreen

        self.screen.app.push_screen(SearchScreen(self.reader), self._open_hit)

    def _open_hit(self, hit: SearchHit | None) -> None:
        """Open a result as the list would: the row is highlighted if the list shows it."""
        if hit is not None and hit.url:
            self._open(hit.url, hit.title)

    # -- scope ----------------------------------------------------------------------------------

    def pick_scope(self) -> None:
        """Saved stories, then the folder tree (a folder shows its subfolders too), each
        folder's sources under it, then the sources in no folder; each row with its number of
        unread headlines, and the sources whose last refresh failed marked."""
        headlines = self.reader.headlines()
        unread = Counter(h.source_name for h in headlines if not self.reader.is_read(h.id))
        saved = sum(1 for h in headlines if self.reader.is_saved(h.id))
        failing = set(self.reader.progress.errors)
        folder_of = {s.name: s.folder for s in self.reader.sources}
        names = list(dict.fromkeys([*(s.name for s in self.reader.sources),
                                    *(h.source_name for h in headlines)]))

        def label(text: str, count: int, depth: int = 0, style: str = "",
                  what: str = "unread") -> Content:
            failed = ("  ⚠ failing", "$error") if text in failing else ""
            return Content.assemble("    " * depth, (text, style), (f"  {count} {what}", "dim"),
                                    failed)

        choices: list[tuple[Content, tuple[str, str]]] = [
            (label("All sources", sum(unread.values()), style="bold"), ALL_SOURCES),
            (label("★ Saved", saved, style="bold", what="saved"), SAVED),
        ]
        new = sum(1 for h in headlines if self.headlines.is_new(h))
        if new:
            choices.insert(1, (label("✦ New since last time", new, style="bold", what="new"),
                               NEW))
        for path in folder_paths(f for f in folder_of.values() if f):
            depth = path.count("/")
            inside = [n for n in names if in_folder(folder_of.get(n), path)]
            choices.append((label(path.rsplit("/", 1)[-1] + "/", sum(unread[n] for n in inside),
                                  depth, "bold"), ("folder", path)))
            choices += [(label(n, unread[n], depth + 1), ("source", n))
                        for n in names if folder_of.get(n) == path]
        choices += [(label(n, unread[n]), ("source", n)) for n in names if not folder_of.get(n)]
        scope = self.headlines.scope or ALL_SOURCES
        selected = next((i for i, (_, value) in enumerate(choices) if value == scope), 0)
        from newsreader.ui.dialogs import PickScreen

        picker = PickScreen("Show which folder or source? — Esc cancels", choices,
                            selected=selected, id="pick-scope")
        self.screen.app.push_screen(picker, self._scope_picked)

    def _scope_picked(self, value: tuple[str, str] | None) -> None:
        if value is None:
            return
        scope: Scope = None if value == ALL_SOURCES else value
        self.headlines.set_scope(scope)
        self.notify(f"Showing: {scope[1] if scope else 'all sources'}", timeout=2, markup=False)
