"""The headline list: an OptionList of one-line Content rows, filtered with one set_options call."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from textual.content import Content
from textual.events import Resize
from textual.geometry import Region, Size
from textual.reactive import reactive
from textual.strip import Strip
from textual.widgets.option_list import Option

from newsreader.folders import in_folder
from newsreader.models import Headline
from newsreader.ui.format import SOURCE_WIDTH, shared_prefix, source_column
from newsreader.ui.textual_compat.option_list import (
    OneLineOptionList,
    fill_option_prompt,
    forget_option_renders,
    replace_options,
    set_option_prompt,
)
from newsreader.ui.widgets.choices import StopsAtEnds
from newsreader.words import has_all, query_words

_PENDING = Content(" ")  # the prompt of a row not rendered yet (see render_line)
RowRenderer = Callable[[Headline], Content]
# ("folder", "World") or ("source", "BBC World"); None shows every source.
Scope = tuple[str, str] | None


class HeadlineList(StopsAtEnds, OneLineOptionList):
    """Every known headline, newest first; a text filter and a source/folder scope narrow it.

    Rows are built once per headline and kept, so filtering as you type only picks the
    matching Option objects and hands them to one `replace_options` call. Every row is exactly
    one line (`text-wrap: nowrap`, no dividers, no padding): see OneLineOptionList.
    """

    # OptionList repaints the whole list when the highlight moves (~37 rows re-rendered per
    # key); here only the row left and the row reached are repainted (a scroll still repaints
    # everything, as it must).
    highlighted: reactive[int | None] = reactive(None, repaint=False)

    # Called with the highlighted index on Enter (or a click) instead of posting OptionSelected.
    on_select: Callable[[int], None] | None = None

    def __init__(self, *, id: str | None = None) -> None:
        # markup=False: a headline is literal text even if it looks like "[b]markup[/]".
        super().__init__(id=id, markup=False)
        self._all: list[Headline] = []
        self._keys: list[str] = []  # lower-cased "title source" per headline, for filtering
        self._key_of: dict[str, str] = {}  # the same by id, kept across loads
        self._rows: dict[str, Option] = {}
        self._by_id: dict[str, Headline] = {}
        self._folders: dict[str, str | None] = {}  # source name -> folder
        self._shown: list[Headline] = []
        self._index_of: dict[str, int] = {}
        self._stale: set[str] = set()  # ids whose row must be re-rendered before it is painted
        self._render_row: RowRenderer = lambda h: Content(h.title)
        self.filter_text = ""
        self.scope: Scope = None
        # Which stories are saved (the "saved" scope); the screen gives the reader's.
        self.is_saved: Callable[[str], bool] = lambda headline_id: False
        # Which arrived since the previous session (the "new" scope); the screen decides.
        self.is_new: Callable[[Headline], bool] = lambda headline: False
        # The source column's width in the rows (format.source_column): 0 when the list shows
        # one source. The row renderer reads it; a change re-renders the rows as painted.
        self.source_width = SOURCE_WIDTH
        self._longest_source = 0  # the longest source name of all headlines, less the prefix
        self.source_prefix = ""  # what every source name starts with (format.shared_prefix)

    def action_select(self) -> None:
        """Open the row now: a posted OptionSelected is read after the keys already queued
        behind Enter, so Enter Tab j j, sent at once, scrolled the story being left."""
        if self.on_select is None or self.highlighted is None:
            super().action_select()
            return
        self.on_select(self.highlighted)

    def watch_highlighted(self, old: int | None, new: int | None) -> None:  # type: ignore[override]  # Textual passes (old, new) to a two-argument watcher
        for index in (old, new):
            if index is not None:
                self.refresh_line(index)  # one line per row
        super().watch_highlighted(new)

    def _replace_options(self, options: list[Option]) -> None:
        """`set_options` in one pass (these ids are unique by construction): see replace_options."""
        replace_options(self, options)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.options)  # one line per row

    # -- loading ----------------------------------------------------------------------------

    def load(
        self,
        headlines: Sequence[Headline],
        render_row: RowRenderer,
        folders: dict[str, str | None] | None = None,
        *,
        keep_current: bool = True,
    ) -> None:
        """Replace the headlines; the highlighted story stays highlighted if it is still there.

        With `keep_current=False` the highlight goes back to the top row instead.
        """
        keep = self.current if keep_current else None
        self._render_row = render_row
        self._folders = dict(folders or {})
        old_rows, old_keys, old_by_id = self._rows, self._key_of, self._by_id
        self._all, self._keys, self._rows, self._by_id, self._key_of = [], [], {}, {}, {}
        for headline in headlines:
            if headline.id in self._rows:
                continue  # the same story from two feeds is listed once
            self._all.append(headline)
            self._by_id[headline.id] = headline
            # A row already built is reused while its story is unchanged (its read/saved marks
            # are kept current). A new one is rendered when first painted: a refresh that
            # brings 1,000 stories must not render 1,000 rows nobody has scrolled to.
            old = old_by_id.get(headline.id)
            if old is not None and (old is headline or old == headline):
                row, key = old_rows[headline.id], old_keys[headline.id]
            else:
                row = Option(_PENDING, id=headline.id)
                self._stale.add(headline.id)
                key = f"{headline.title} {headline.source_name}".casefold()
            self._rows[headline.id] = row
            self._key_of[headline.id] = key
            self._keys.append(key)
        names = {h.source_name for h in self._all}
        prefix = shared_prefix(names)
        if prefix != self.source_prefix:
            self.source_prefix = prefix
            self.refresh_all_rows()  # rows already built name their source in full
        self._longest_source = max((len(name) - len(prefix) for name in names), default=0)
        self._apply(keep.id if keep else None)

    def set_filter(self, text: str) -> None:
        self.filter_text = text
        self._apply(self._current_id())

    def set_scope(self, scope: Scope) -> None:
        self.scope = scope
        self._apply(self._current_id())

    def scopes(self) -> list[Scope]:
        """None, then each folder, then each source, in first-seen order."""
        folders = [f for f in dict.fromkeys(self._folders.values()) if f]
        sources = list(dict.fromkeys(h.source_name for h in self._all))
        return [None, *(("folder", f) for f in folders), *(("source", s) for s in sources)]

    def _in_scope(self, headline: Headline) -> bool:
        if self.scope is None:
            return True
        kind, name = self.scope
        if kind == "folder":  # a folder holds its subfolders: "News" shows "News/Ukraine"
            return in_folder(self._folders.get(headline.source_name), name)
        if kind == "saved":
            return self.is_saved(headline.id)
        if kind == "new":
            return self.is_new(headline)
        return headline.source_name == name

    def _apply(self, keep_id: str | None) -> None:
        words = query_words(self.filter_text)
        shown = [
            h
            for h, key in zip(self._all, self._keys, strict=True)
            if has_all(words, key) and self._in_scope(h)
        ]
        self._shown = shown
        self._index_of = {h.id: i for i, h in enumerate(shown)}
        rows = self._rows
        self._replace_options([rows[h.id] for h in shown])  # the one rebuild
        if shown:
            index = self._index_of.get(keep_id, 0) if keep_id else 0
            self.highlighted = index
        self._update_title()
        self._fit_source_column()

    def on_resize(self, event: Resize) -> None:
        self._fit_source_column()

    def _fit_source_column(self) -> None:
        """Size the source column for the list's width and what it shows (one source: none)."""
        sources = 0 if self.scope is not None and self.scope[0] == "source" else 2
        if sources and self._shown:
            first = self._shown[0].source_name
            sources = 2 if any(h.source_name != first for h in self._shown) else 1
        width = source_column(self.size.width or 80, self._longest_source, sources)
        if width != self.source_width:
            self.source_width = width
            self.refresh_all_rows()

    def _update_title(self) -> None:
        parts = [
            f"{len(self._shown)} of {len(self._all)}"
            if self._is_narrowed()
            else f"{len(self._all)} headlines"
        ]
        if self.scope:
            parts.append(self.scope[1])
        if self.filter_text:
            parts.append(f"/{self.filter_text}")
        self.border_title = Content(" · ".join(parts))

    def _is_narrowed(self) -> bool:
        return bool(self.filter_text.strip()) or self.scope is not None

    # -- queries ----------------------------------------------------------------------------

    @property
    def shown(self) -> Sequence[Headline]:
        return self._shown

    @property
    def current(self) -> Headline | None:
        return self.headline_at(self.highlighted)

    def _current_id(self) -> str | None:
        current = self.current
        return current.id if current else None

    def headline_at(self, index: int | None) -> Headline | None:
        if index is None or not 0 <= index < len(self._shown):
            return None
        return self._shown[index]

    def index_of(self, headline_id: str) -> int | None:
        return self._index_of.get(headline_id)

    # -- updates ----------------------------------------------------------------------------

    def refresh_row(self, headline_id: str) -> None:
        """Re-render one row after its read/saved state changed: that row, not the list.

        OptionList's own replace_option_prompt* drop every cached row render and the line
        cache, so each read mark re-rendered all visible rows (~20 ms a frame at 120x40).
        """
        headline = self._by_id.get(headline_id)
        if headline is None:
            return
        self._stale.discard(headline_id)
        index = self._index_of.get(headline_id)
        row = self._rows[headline_id]
        self._rows[headline_id] = set_option_prompt(self, row, self._render_row(headline), index)
        if index is not None:
            self.refresh_line(index)

    def refresh_all_rows(self) -> None:
        """Re-render every row (the clock moved on, or many marks changed at once), lazily.

        Every row is marked stale and re-rendered only when it is next painted (render_lines):
        a 10,000-row list costs the visible rows, not ~0.25 s of rendering every row.
        """
        self._stale = set(self._by_id)
        forget_option_renders(self)  # painted strips are keyed by the (same) Option
        self.refresh()

    def render_lines(self, crop: Region) -> list[Strip]:
        if self._stale:  # every stale row on screen first, then the lines (one line per row)
            top = self.scroll_offset.y
            for index in range(top, top + self.size.height):
                self.row_prompt(index)
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        if self._stale:
            self.row_prompt(self.scroll_offset.y + y)  # one line per row
        return super().render_line(y)

    def row_prompt(self, index: int) -> Content | None:
        """Row `index` as painted, rendered now if it was pending or stale."""
        headline = self.headline_at(index)
        if headline is None:
            return None
        row = self._rows[headline.id]
        if headline.id in self._stale:
            self._stale.discard(headline.id)
            row = fill_option_prompt(self, row, self._render_row(headline), index)
            self._rows[headline.id] = row
        return row.prompt  # type: ignore[return-value]  # VisualType; our rows hold Content

    def row_texts(self) -> list[str]:
        """Every shown row as plain text (renders pending rows: for tests and tools)."""
        return [str(self.row_prompt(index)) for index in range(len(self._shown))]

    def move_to(self, index: int) -> None:
        if self._shown:
            self.highlighted = max(0, min(index, len(self._shown) - 1))
