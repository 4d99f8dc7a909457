"""Story navigation for the main screen: open, next/previous, related links, back/forward."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from textual.screen import Screen
from textual.worker import get_current_worker

from newsreader.errors import NewsreaderError, NotInCache
from newsreader.models import Headline, Story, ThreadEntry
from newsreader.present import numbered_links
from newsreader.services.history import HistoryEntry
from newsreader.services.ports import ReaderPort
from newsreader.ui.links import BrowserError, is_openable_url, open_in_browser
from newsreader.ui.widgets.headlines import HeadlineList
from newsreader.ui.widgets.story import StoryView

LOADING_DELAY = 0.08  # seconds before an uncached story shows "Loading…"
OFFLINE_TITLE = "Not available offline"
# NotInCache is raised only under --offline, where r fetches nothing: say what does.
OFFLINE_DETAIL = (
    "This story was never downloaded, and newsreader was started with --offline. "
    "Start it without --offline to fetch it."
)


class StoryNavigator:
    """Everything that changes which story the main screen shows; the screen's keys call it.

    History is the reader's (browser-like, persisted within 0.5 s of a change); this class only
    says where the reader is — `remember` before leaving a story, `visit` when opening a new
    one. Its workers run on `screen` (cancelled with it); `marks_changed` is called after a
    read mark changes (the screen recounts its status line).
    """

    def __init__(
        self,
        screen: Screen[Any],
        reader: ReaderPort,
        headlines: HeadlineList,
        story_view: StoryView,
        *,
        marks_changed: Callable[[], None],
    ) -> None:
        self.screen = screen
        self.reader = reader
        self.headlines = headlines
        self.story_view = story_view
        self.marks_changed = marks_changed
        self._open_headline_id: str | None = None

    def notify(self, message: str, **kwargs: Any) -> None:
        self.screen.notify(message, **kwargs)

    # -- opening ----------------------------------------------------------------------------

    def open_list_index(self, index: int) -> None:
        headline = self.headlines.headline_at(index)
        if headline is None:
            return
        self.headlines.move_to(index)
        if not headline.url:
            self._leave_current()
            self.story_view.show_message(None, headline.title, "This entry has no story link.")
            self._mark_opened(headline)
            return
        self.open_url(headline.url, list_index=index, title=headline.title)

    def open_url(
        self, url: str, *, list_index: int | None = None, title: str | None = None
    ) -> None:
        """Open `url` as a new page of history (forward history is dropped, as in a browser)."""
        with self.reader.history.one_change():  # one write of the history, not two
            self._leave_current()
            if list_index is None:
                # A listed story (from the thread or links view, a Recall link): its row.
                row = self._row_of(url)
                if row is not None:
                    self.headlines.move_to(row)
                list_index = self.headlines.highlighted
            self.reader.history.visit(url, list_index, self._id_at(list_index))
        self._load(url, title, 0.0)

    def _leave_current(self) -> None:
        """Record the scroll position and list row of the story being left; apply "leave"."""
        view = self.story_view
        current = self.reader.history.current
        if view.url and current is not None and current.url == view.url:
            scroll_y, picture_rows = view.reading_place()  # its pictures load again on return
            self.reader.history.remember(
                scroll_y=scroll_y,
                picture_rows=picture_rows,
                list_index=self.headlines.highlighted,
                list_id=self._id_at(self.headlines.highlighted),
            )
        if self.reader.config.mark_read == "leave" and self._open_headline_id:
            self._set_read(self._open_headline_id, True)
        self._open_headline_id = None

    def _load(self, url: str, title: str | None, scroll_y: float, picture_rows: int = 0) -> None:
        """Show `url`: at once when its parsed story is cached, else from a worker.

        A cached story is shown in this same handler, so the key's frame is the story's frame
        (through a worker it often took two: the key's, then the story's, 16 ms apart at most).
        """
        story = self.reader.cached_story(url)
        if story is None:
            self._fetch_and_show(url, title, scroll_y, picture_rows)
            return
        # A slower open still running (fetching, parsing) must not land over this story.
        self.screen.workers.cancel_group(self.screen, "story")
        self._show(url, story, scroll_y, picture_rows)

    def _fetch_and_show(self, url: str, title: str | None, scroll_y: float,
                        picture_rows: int) -> None:
        # Exclusive: opening another story cancels this one.
        self.screen.run_worker(
            self._fetch_and_show_work(url, title, scroll_y, picture_rows), group="story",
            exclusive=True,
        )

    async def _fetch_and_show_work(self, url: str, title: str | None, scroll_y: float,
                                   picture_rows: int) -> None:
        """Parse the cached page or fetch it ("Loading…" after 80 ms), then show it.

        Exclusive: opening another story cancels this one, so fast n/n/n never shows a stale
        story over a newer one.
        """
        view = self.story_view
        # "Loading…" only if the story is not ready soon: a cached page parses in tens of ms,
        # and painting a loading frame first would only delay the story's own frame.
        loading = self.screen.set_timer(LOADING_DELAY, lambda: view.show_loading(url, title))
        try:
            story = await self.reader.load_story(url)
        except NotInCache:
            view.show_message(url, OFFLINE_TITLE, OFFLINE_DETAIL)
            self._mark_opened(self.reader.headline_for_url(url))
            return
        except NewsreaderError as exc:
            view.show_message(url, "Could not open this story", str(exc))
            return
        except Exception as exc:  # a bug in one page must not take the whole app down
            view.show_message(url, "Could not open this story", f"{type(exc).__name__}")
            return
        finally:
            loading.stop()
        if get_current_worker().is_cancelled:
            return
        self._show(url, story, scroll_y, picture_rows)
        if not self.reader.offline:
            # Not cached before: what it recalls is likely not either. Fetched behind the story
            # (never a page twice), so its Recall links open offline too.
            self.screen.run_worker(self._prefetch_thread(url), group="thread-prefetch")

    async def _prefetch_thread(self, url: str) -> None:
        try:
            await self.reader.prefetch_thread(url)
        except Exception:  # each page says why when it is opened; a bug must not end the app
            return
        if self.story_view.url == url:
            self.refresh_related_marks()

    def _show(self, url: str, story: Story, scroll_y: float, picture_rows: int) -> None:
        cached = [self.reader.is_cached(link.url) for link in story.related]
        self.story_view.show_story(story, cached, scroll_y, picture_rows)
        self._load_pictures(story)
        self._mark_opened(self.reader.headline_for_url(url) or self._headline_for_story(story))

    def _load_pictures(self, story: Story) -> None:
        """Fetch and draw the story's pictures in a worker; opening another story cancels it."""
        pictured = any(block.type == "image" and block.src for block in story.blocks)
        if pictured and self.reader.config.images != "off":
            from newsreader.ui.pictures import load_pictures  # not at start-up

            view, width = self.story_view, self.story_view.text_width
            terminal = getattr(self.screen.app, "picture_terminal", lambda: None)()

            # A function, not a coroutine: a worker cancelled before it starts (n n n) leaves
            # no coroutine that was never awaited.
            async def work() -> None:
                await load_pictures(self.reader, view, story, width, terminal)

            # Textual's run_worker types a worker function as returning Coroutine[..., Never].
            run = self.screen.run_worker
            run(work, group="pictures", exclusive=True)  # type: ignore[arg-type]  # see above
        else:
            self.screen.workers.cancel_group(self.screen, "pictures")

    def _headline_for_story(self, story: Story) -> Headline | None:
        if story.canonical_url and story.canonical_url != story.url:
            return self.reader.headline_for_url(story.canonical_url)
        return None

    def _mark_opened(self, headline: Headline | None) -> None:
        self._open_headline_id = headline.id if headline else None
        if headline and self.reader.config.mark_read == "open":
            self._set_read(headline.id, True)

    def _set_read(self, headline_id: str, read: bool) -> None:
        if self.reader.is_read(headline_id) != read:
            self.reader.set_read(headline_id, read)
            self.headlines.refresh_row(headline_id)
            self.marks_changed()

    def restore_last_story(self) -> None:
        """After a restart, show the story history points at, where the reader left it.

        Its row is highlighted at once; the story itself is shown just after the first frame,
        which then waits only for the headlines (rendering a cached story was 10-40 ms of the
        start). A key that opened or moved to another story meanwhile wins.
        """
        entry = self.reader.history.current
        if entry is None:
            return
        self._return_to_row(entry)
        row = self.headlines.highlighted

        def show() -> None:
            if self.story_view.url is None and self.headlines.highlighted == row:
                self._load(entry.url, None, entry.scroll_y, entry.picture_rows)

        self.screen.call_after_refresh(show)

    def _id_at(self, row: int | None) -> str | None:
        headline = self.headlines.headline_at(row)
        return headline.id if headline else None

    def _row_of(self, url: str | None) -> int | None:
        """The list row of the story at `url`, when the list shows it."""
        headline = self.reader.headline_for_url(url) if url else None
        return self.headlines.index_of(headline.id) if headline is not None else None

    def _return_to_row(self, entry: HistoryEntry) -> None:
        """Highlight `entry`'s own headline when the list shows it (the highlight follows the
        story on screen); else the headline the list was on when the reader left `entry`.

        By its id, since rows shift as new stories arrive above; by its row if it has gone
        (or the entry predates ids).
        """
        row = self._row_of(entry.url)
        if row is None and entry.list_id:
            row = self.headlines.index_of(entry.list_id)
        if row is None:
            row = entry.list_index
        if row is not None:
            self.headlines.move_to(row)

    # -- moving along the list --------------------------------------------------------------

    def _here(self, highlighted: int) -> int:
        """Where n / p / N count from: the story on screen when the list shows it (a Recall
        walk leaves the list's cursor where the walk began), else the cursor."""
        here = self._row_of(self.story_view.url)
        return here if here is not None else highlighted

    def _step(self, delta: int) -> None:
        highlighted = self.headlines.highlighted
        if highlighted is None:
            self.screen.app.bell()
            return
        # Nothing open yet: n opens the highlighted headline itself.
        target = highlighted if self.story_view.url is None else self._here(highlighted) + delta
        if 0 <= target < len(self.headlines.shown):
            self.open_list_index(target)
        else:
            self.notify("No more stories in the list.", timeout=2)

    def next_story(self) -> None:
        self._step(+1)

    def previous_story(self) -> None:
        self._step(-1)

    def next_unread(self) -> None:
        shown = self.headlines.shown
        highlighted = self.headlines.highlighted or 0
        # Nothing open yet: the highlighted headline itself counts; else after the story on
        # screen, as n does (never from a cursor moved past unread stories since).
        start = highlighted if self.story_view.url is None else self._here(highlighted) + 1
        for offset in range(len(shown)):
            index = (start + offset) % len(shown)
            if not self.reader.is_read(shown[index].id):
                self.open_list_index(index)
                return
        self.notify("No unread stories.", timeout=2)

    # -- related links and history ------------------------------------------------------------

    def follow(self, number: int) -> None:
        """Open link `number` of the story (its related links, then its text's) as a new page
        of history, as Enter on a headline would."""
        story = self.story_view.story
        links = numbered_links(story) if story is not None else []
        if not 1 <= number <= len(links):
            self.notify(f"No link {number}.", timeout=2)
            return
        link = links[number - 1]
        self.open_url(link.url, title=link.title)

    def show_links(self) -> None:
        """Every link of the story in a list: Enter follows one, o opens it in the browser."""
        from newsreader.ui.story_links import LinksScreen  # not needed before the first `u`

        story = self.story_view.story
        links = numbered_links(story) if story is not None else []
        if not links:
            self.notify("This story has no links.", timeout=2)
            return
        self.screen.app.push_screen(LinksScreen(links), self._link_chosen)

    def _link_chosen(self, choice: tuple[str, int] | None) -> None:
        story = self.story_view.story
        if choice is None or story is None:
            return
        action, number = choice
        if action == "follow":
            self.follow(number)
        else:
            self._open_browser_worker(numbered_links(story)[number - 1].url)

    def show_thread(self) -> None:
        """The thread of the highlighted headline (the list has focus) or of the open story;
        an entry chosen there opens as a followed link does (Backspace comes back)."""
        from newsreader.ui.threads import ThreadScreen  # the first `t` pays for it, not start-up

        if self.headlines.has_focus or self.story_view.url is None:
            headline = self.headlines.current
            url, title = (headline.url, headline.title) if headline else (None, None)
        else:
            story = self.story_view.story
            url, title = self.story_view.url, story.title if story else None
        if not url:
            self.notify("No story here to show the thread of.", timeout=2)
            return
        self.screen.app.push_screen(ThreadScreen(self.reader, url, title), self._open_entry)

    def _open_entry(self, entry: ThreadEntry | None) -> None:
        if entry is not None and entry.url != self.story_view.url:
            self.open_url(entry.url, title=entry.title)

    def _go(self, forward: bool) -> None:
        history = self.reader.history
        if not (history.can_go_forward if forward else history.can_go_back):
            self.notify(f"Nothing to go {'forward' if forward else 'back'} to.", timeout=2)
            return
        with history.one_change():
            self._leave_current()
            entry = history.forward() if forward else history.back()
        if entry is None:
            return
        self._return_to_row(entry)
        self._load(entry.url, None, entry.scroll_y, entry.picture_rows)

    def back(self) -> None:
        self._go(forward=False)

    def forward(self) -> None:
        self._go(forward=True)

    def refresh_related_marks(self) -> None:
        """After a refresh more related stories may be cached: update their marks."""
        story = self.story_view.story
        if story is not None and story.related:
            self.story_view.set_related(
                story, [self.reader.is_cached(r.url) for r in story.related]
            )

    # -- the story's own actions --------------------------------------------------------------

    def _target(self) -> Headline | None:
        """The headline s/m act on: the list's when it has focus, else the open story's."""
        if self.headlines.has_focus or self.story_view.url is None:
            return self.headlines.current
        url = self.story_view.url
        headline = self.reader.headline_for_url(url)
        story = self.story_view.story
        if headline is None and story is not None:
            # A related story that is in no feed can still be saved: describe it as a headline.
            headline = Headline(
                id=url,
                source_url="",
                source_name=story.source or "",
                title=story.title,
                url=url,
                published=story.published,
            )
        return headline

    def toggle_saved(self) -> None:
        headline = self._target()
        if headline is None:
            return
        saved = self.reader.toggle_saved(headline)
        self.headlines.refresh_row(headline.id)
        self.notify("Saved." if saved else "Removed from saved.", timeout=2)

    def toggle_read(self) -> None:
        headline = self._target()
        if headline is None:
            return
        read = not self.reader.is_read(headline.id)
        self._set_read(headline.id, read)
        self.notify("Marked read." if read else "Marked unread.", timeout=2, markup=False)
        if headline.id == self._open_headline_id and not read:
            # Explicitly unread: do not let the "leave" policy mark it read again.
            self._open_headline_id = None

    def _story_link(self) -> str | None:
        story = self.story_view.story
        url = (story.canonical_url or story.url) if story else self.story_view.url
        if url is None and self.headlines.current is not None:
            url = self.headlines.current.url
        if not url or not is_openable_url(url):
            self.notify("This story has no http(s) link.", severity="warning")
            return None
        return url

    def open_browser(self) -> None:
        url = self._story_link()
        if url:
            self._open_browser_worker(url)

    def _open_browser_worker(self, url: str) -> None:
        if not is_openable_url(url):  # open_in_browser checks again: no caller can forget
            self.notify("Only http(s) links are opened.", severity="warning")
            return
        self.screen.run_worker(
            partial(self._open_browser, url), thread=True, exclusive=True, group="browser"
        )

    def _open_browser(self, url: str) -> None:
        """webbrowser / subprocess can block for a while: never on the event loop."""
        try:
            open_in_browser(url, self.reader.config.browser)
        except BrowserError as exc:
            self.screen.app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        # Show exactly what was opened (the canonical, punycode form) so a look-alike shows.
        self.screen.app.call_from_thread(
            self.notify, f"Opened in the browser: {url}", timeout=4, markup=False
        )

    def copy_link(self) -> None:
        url = self._story_link()
        if url:
            self.screen.app.copy_to_clipboard(url)
            self.notify("Link copied.", timeout=2)
