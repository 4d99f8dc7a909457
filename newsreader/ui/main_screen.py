"""The main screen: headline list, story view and status line; it runs the workers."""

from __future__ import annotations

import asyncio
import time
from functools import partial
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Footer, Header, Input

from newsreader.dates import timestamp
from newsreader.errors import NewsreaderError
from newsreader.models import Headline
from newsreader.services.ports import ProgressView, ReaderPort
from newsreader.ui.bindings import MAIN_BINDINGS
from newsreader.ui.format import Clock, headline_row
from newsreader.ui.manage import SourceManager
from newsreader.ui.navigation import StoryNavigator
from newsreader.ui.widgets.headlines import HeadlineList
from newsreader.ui.widgets.status import StatusLine
from newsreader.ui.widgets.story import StoryView

NARROW_WIDTH = 100  # below this the list sits above the story instead of beside it
# Ages ("3h") are re-rendered this often: one set_options of every row, so not every second.
AGE_TICK_SECONDS = 300.0
RELOAD_EVERY = 5.0  # seconds between list rebuilds while a refresh brings in headlines
STATUS_EVERY = 0.25  # seconds between status-line updates while a refresh runs (≤ 4 a second)
SCHEDULE_TICK_SECONDS = 60.0
SESSION_KEY = "session_started"  # a setting: when the last session began


class MainScreen(Screen[None]):
    """Everything the reader looks at. Its keys call `navigator` (which story is shown) and
    `manager` (the dialogs); the screen itself holds the list, the refresh and the status."""

    BINDINGS = MAIN_BINDINGS  # type: ignore[assignment]  # list is invariant: Binding vs BindingType

    def __init__(
        self, reader: ReaderPort, clock: Clock, *, refresh_on_start: bool = True,
        warnings: list[str] | None = None,
    ) -> None:
        super().__init__(id="main")
        self.reader = reader
        self.start_warnings = list(warnings or [])  # the app's, said with the config's
        self.clock = clock
        self.refresh_on_start = refresh_on_start
        self._refreshing = False
        self._loaded_new = -1  # progress.new_headlines when the list was last reloaded
        self._status_at = 0.0  # time.monotonic() of the last status update from a progress tick
        self._reloaded_at = -RELOAD_EVERY  # time.monotonic() of that reload
        self._note = ""
        self._unread_shown = 0  # the unread count of the list as last loaded
        self._since: float | None = None  # when the previous session began (POSIX seconds)
        self._nothing_cached = False  # the story pane says "nothing cached yet: press r"
        self._marked_all: list[str] = []  # what the last "mark all read" changed (U undoes it)
        # Made here and kept: opening a story reaches these several times, and each query_one
        # walked the screen's DOM (~0.5 ms an open).
        self.headlines = HeadlineList(id="headlines")
        self.story_view = StoryView(id="story")
        self.status_line = StatusLine(id="status")
        self.filter_input = Input(placeholder="Filter headlines…", id="filter")
        self.navigator = StoryNavigator(
            self, reader, self.headlines, self.story_view, marks_changed=self.update_status
        )
        self.headlines.on_select = self.navigator.open_list_index
        self.story_view.related.on_select = self._follow_related
        self.manager = SourceManager(
            self, reader, self.headlines, self.navigator,
            reload_list=self.reload_headlines, refresh_due=partial(self.action_refresh, False),
        )

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="panes"):
            with Vertical(id="list-pane"):
                yield self.filter_input
                yield self.headlines
            yield self.story_view
        yield self.status_line
        yield Footer()

    # -- start-up ---------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.filter_input.display = False
        self.story_view.set_max_width(self.reader.config.max_width)
        self.headlines.is_saved = self.reader.is_saved
        self._remember_session()
        self.headlines.is_new = self.is_new
        self.reload_headlines()  # from the cache, at once: no network before the first paint
        self._show_placeholder()
        self.headlines.focus()
        self._say_start_warnings([*self.start_warnings, *self.reader.warnings])
        self.navigator.restore_last_story()
        self.set_interval(AGE_TICK_SECONDS, self.headlines.refresh_all_rows)
        if not self.reader.offline:
            # Each source has its own schedule (interval, ttl, backoff): check every minute
            # and refresh only those due; `r` refreshes everything at once.
            self.set_interval(SCHEDULE_TICK_SECONDS, partial(self.action_refresh, force=False))
            if self.refresh_on_start:
                self.action_refresh(force=False)
        self.update_status()
        # After the first paint: the thread index (a JSON parse, off the loop) for the marks.
        self.call_after_refresh(self._load_thread_index)
        # After the first paint: what exists now (the whole list) lives as long as the app.
        self.call_after_refresh(self.app.gc_pacer.start)  # type: ignore[attr-defined]  # NewsreaderApp's; Screen.app is typed App

    def _say_start_warnings(self, warnings: list[str]) -> None:
        """One notice listing them all (a second would replace the first: NewsreaderApp's
        on_notify), counted and a blank line apart: each wraps (a file path, a line number),
        and run together they read as several toasts. No bullets: a path too long for the
        toast's line left the bullet alone on its own."""
        if not warnings:
            return
        if len(warnings) == 1:
            message, title = warnings[0], "newsreader"
        else:
            message = "\n\n".join(warnings)
            title = f"newsreader: {len(warnings)} warnings"
        self.notify(message, title=title, severity="warning", timeout=10, markup=False)

    @work(group="thread-index")
    async def _load_thread_index(self) -> None:
        try:
            await self.reader.load_thread_index()
        except Exception as exc:  # derived data: without it only the marks are missing
            self.notify(f"Threads unavailable: {type(exc).__name__}", severity="warning")
            return
        self.headlines.refresh_all_rows()  # the thread marks

    def on_resize(self, event: Resize) -> None:
        self.set_class(event.size.width < NARROW_WIDTH, "-narrow")

    # -- the list ---------------------------------------------------------------------------

    def render_row(self, headline: Headline) -> Any:
        return headline_row(
            headline,
            read=self.reader.is_read(headline.id),
            saved=self.reader.is_saved(headline.id),
            now=self.clock(),
            source_width=self.headlines.source_width,
            source_prefix=self.headlines.source_prefix,
            thread=self.reader.thread_length(headline.url),
        )

    def _remember_session(self) -> None:
        """When this session began; the previous one's start says which stories are new."""
        previous = self.reader.get_setting(SESSION_KEY)
        self._since = float(previous) if isinstance(previous, int | float) else None
        self.reader.set_setting(SESSION_KEY, self.clock().timestamp())
        if self._since is not None:
            count = sum(1 for h in self.reader.headlines() if self.is_new(h))
            if count:
                self._note = f"{count} new since last time"

    def is_new(self, headline: Headline) -> bool:
        """First seen after the previous session began (never true in a first session)."""
        return self._since is not None and timestamp(headline.seen) > self._since

    def _show_placeholder(self) -> None:
        """What the story pane says before a story is open: what to do next."""
        self._nothing_cached = not self.reader.headlines()
        if not self._nothing_cached:
            self.story_view.show_empty()
        elif self.reader.offline:
            self.story_view.show_empty("Nothing cached yet, and newsreader was started with "
                                       "--offline: run `newsreader fetch` when online.")
        else:
            self.story_view.show_empty("Nothing cached yet: press r to refresh, or run "
                                       "`newsreader fetch`.")

    def reload_headlines(self) -> None:
        folders = {source.name: source.folder for source in self.reader.sources}
        # Until the reader has moved or opened something, new stories arriving above the top row
        # keep the highlight on the top row; after that it follows the story it is on.
        keep = self.story_view.url is not None or bool(self.headlines.highlighted)
        self.headlines.load(self.reader.headlines(), self.render_row, folders, keep_current=keep)
        self._unread_shown = self.reader.unread_count()
        if self._nothing_cached and self.story_view.url is None and self.headlines.shown:
            self._show_placeholder()  # the first headlines arrived: "pick one", not "press r"

    # j/k follow focus, as in less or newsboat's article view: reading a story they scroll it
    # a line; on the list they move the highlight (on the related links, the links' own j/k
    # bindings move theirs). n/p open stories from either place. Each key counts, however fast.
    def action_list_down(self) -> None:
        if self.story_view.has_focus_within:
            self.story_view.scroller.scroll_lines(1)
        else:
            self.headlines.action_cursor_down()

    def action_list_up(self) -> None:
        if self.story_view.has_focus_within:
            self.story_view.scroller.scroll_lines(-1)
        else:
            self.headlines.action_cursor_up()

    def action_list_first(self) -> None:
        if self.story_view.has_focus_within:
            self.story_view.scroller.scroll_home(animate=False, immediate=True)
        else:
            self.headlines.action_first()

    def action_list_last(self) -> None:
        if self.story_view.has_focus_within:
            self.story_view.scroller.scroll_end(animate=False, immediate=True)
        else:
            self.headlines.action_last()

    def action_toggle_full_story(self) -> None:
        """The story alone on the screen (the list hidden), or back beside the list."""
        full = not self.has_class("-full-story")
        self.set_class(full, "-full-story")
        if full:
            self.story_view.scroller.focus()
        else:
            self.headlines.focus()

    def action_cycle_scope(self) -> None:
        scopes = self.headlines.scopes()
        current = self.headlines.scope
        position = scopes.index(current) if current in scopes else 0
        scope = scopes[(position + 1) % len(scopes)]
        self.headlines.set_scope(scope)
        self.notify(f"Showing: {scope[1] if scope else 'all sources'}", timeout=2, markup=False)

    # -- filter -----------------------------------------------------------------------------

    def action_filter(self) -> None:
        self.filter_input.display = True
        # Focus now, not on the next tick as Widget.focus() would: the keys typed right after
        # "/" are handed to whatever is focused when they are read (textual_compat/keys.py).
        self.set_focus(self.filter_input)

    def action_clear_filter(self) -> None:
        was_filtering = self.filter_input.display or self.headlines.filter_text
        self.filter_input.value = ""  # posts Changed, which resets the list
        self.filter_input.display = False
        self.headlines.set_filter("")
        if was_filtering:
            self.headlines.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.headlines.set_filter(event.value)

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.headlines.focus()

    # -- selection --------------------------------------------------------------------------

    # Enter or a click on a headline or a related link: called at once, not by a message.
    def _follow_related(self, index: int) -> None:
        self.navigator.follow(index + 1)

    def action_open_selected(self) -> None:
        if self.headlines.highlighted is not None:
            self.navigator.open_list_index(self.headlines.highlighted)

    # -- keys that change the story shown (StoryNavigator) -------------------------------------

    def action_next_story(self) -> None:
        self.navigator.next_story()

    def action_previous_story(self) -> None:
        self.navigator.previous_story()

    def action_next_unread(self) -> None:
        self.navigator.next_unread()

    def action_follow(self, number: int) -> None:
        self.navigator.follow(number)

    def action_back(self) -> None:
        self.navigator.back()

    def action_forward(self) -> None:
        self.navigator.forward()

    def action_thread(self) -> None:
        self.navigator.show_thread()

    def action_toggle_saved(self) -> None:
        self.navigator.toggle_saved()

    def action_toggle_read(self) -> None:
        self.navigator.toggle_read()

    def action_open_browser(self) -> None:
        self.navigator.open_browser()

    def action_show_links(self) -> None:
        self.navigator.show_links()

    def action_copy_link(self) -> None:
        self.navigator.copy_link()

    # -- marking the list read -------------------------------------------------------------------

    def action_mark_all_read(self) -> None:
        """Every headline the list shows (its filter and folder or source applied) read."""
        changed = self.reader.mark_read([h.id for h in self.headlines.shown])
        if not changed:
            self.notify("Nothing unread here.", timeout=2)
            return
        self._marked_all = changed
        self.headlines.refresh_all_rows()
        self.update_status()
        self.notify(f"Marked {len(changed)} read (U undoes).", timeout=4, markup=False)

    def action_undo_mark_all(self) -> None:
        if not self._marked_all:
            self.notify("No mark-all-read to undo.", timeout=2)
            return
        restored = self.reader.mark_read(self._marked_all, read=False)
        self._marked_all = []
        self.headlines.refresh_all_rows()
        self.update_status()
        self.notify(f"Marked {len(restored)} unread again.", timeout=3, markup=False)

    # -- keys that open a dialog (SourceManager) -----------------------------------------------

    def action_add_source(self) -> None:
        self.manager.add_source()

    def action_remove_source(self) -> None:
        self.manager.remove_source()

    def action_import_opml(self) -> None:
        self.manager.import_opml()

    def action_export_opml(self) -> None:
        self.manager.export_opml()

    def action_search_stories(self) -> None:
        self.manager.search_stories()

    def action_open_any_url(self) -> None:
        self.manager.open_url()

    def action_pick_scope(self) -> None:
        self.manager.pick_scope()

    def action_page_down(self) -> None:
        self.story_view.scroller.scroll_pages(1)

    def action_page_up(self) -> None:
        self.story_view.scroller.scroll_pages(-1)

    # -- refresh ----------------------------------------------------------------------------

    def action_refresh(self, force: bool = True) -> None:
        if self.reader.offline:
            if force:
                self.notify("Started with --offline: nothing is fetched.", severity="warning")
            return
        if not self._refreshing:
            self._refreshing = True
            self._loaded_new = -1
            self._refresh(force)

    @work(exclusive=True, group="refresh")
    async def _refresh(self, force: bool = True) -> None:
        """Runs behind the UI: keys keep working, the list grows as sources report in."""
        try:
            progress = await self.reader.refresh(on_progress=self._on_progress, force=force)
        except asyncio.CancelledError:
            self._refreshing = False
            raise
        except NewsreaderError as exc:  # e.g. the refresh process died: keep what it stored
            self._refreshing = False
            self.reload_headlines()
            self.update_status()
            self.notify(f"Refresh failed: {exc}", severity="error", markup=False)
            return
        except Exception as exc:  # the reader reports per-source errors; this is a bug: survive it
            self._refreshing = False
            self.notify(
                f"Refresh failed: {type(exc).__name__}: {exc}", severity="error", markup=False
            )
            return
        self._refreshing = False
        notices = getattr(progress, "notices", None) or []  # e.g. the cache was damaged
        if notices:  # one notice: each would replace the one before
            self.notify("\n".join(notices), title="newsreader", severity="warning", timeout=10,
                        markup=False)
        # The reader's last progress tick (not running) has reloaded the list already; the
        # thread index was re-read after it, so the marks are redrawn when threads grew.
        if getattr(progress, "threads_total", 0) or progress.new_headlines:
            self.headlines.refresh_all_rows()
        self.navigator.refresh_related_marks()
        self.update_status()

    def _on_progress(self, progress: ProgressView) -> None:
        # While it runs, reload only when something new arrived and at most every RELOAD_EVERY
        # seconds: rebuilding 10,000 rows holds the event loop for ~60 ms. The last tick always
        # reloads: expiry and changed titles bring no new headlines.
        now = time.monotonic()
        if not progress.running or (
            progress.new_headlines
            and progress.new_headlines != self._loaded_new
            and now - self._reloaded_at >= RELOAD_EVERY
        ):
            self._loaded_new = progress.new_headlines
            self._reloaded_at = now
            self.reload_headlines()
        # Progress ticks come per source and per story: repaint the line at most 4 times a
        # second while running; the final state (not running) always shows.
        if progress.running and now - self._status_at < STATUS_EVERY:
            return
        self._status_at = now
        # The count of the list on screen: recounting here would rebuild and re-sort 10,000
        # headlines after every source stored (tens of ms, several times a second).
        self.update_status(progress, recount=False)

    # -- status -----------------------------------------------------------------------------

    def update_status(self, progress: ProgressView | None = None, *, recount: bool = True) -> None:
        progress = progress if progress is not None else self.reader.progress
        if recount:
            self._unread_shown = self.reader.unread_count()
        self.status_line.show(
            offline=bool(progress and progress.offline),
            forced_offline=self.reader.offline,
            progress=progress,
            unread=self._unread_shown,
            note=self._note,
        )
