"""The story view: every line it says drawn by one widget, plus the numbered related links.

Opening a story swaps the document one StoryText draws (title, meta line, lead, body blocks,
the related heading: pre-wrapped lines, Line API) and the options of one RelatedList, so the
frame that shows it lays out two widgets, not one per part of the story.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING

from rich.control import Control
from rich.segment import ControlType, Segment
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.geometry import Region, Size
from textual.scrollbar import ScrollBar
from textual.selection import Selection
from textual.strip import Strip
from textual.style import Style
from textual.timer import Timer
from textual.widget import Widget

from newsreader.models import Block, Story
from newsreader.present import body_link_marks, has_text, quoted, recall_paragraphs, story_word
from newsreader.ui.format import MUTED, meta_line, related_row
from newsreader.ui.textual_compat.plain_lines import is_plain, plain_lines
from newsreader.ui.textual_compat.widget import (
    own_vertical_scrollbar,
    set_border_title_fast,
    style_parser,
)
from newsreader.ui.widgets.choices import ChoiceList
from newsreader.ui.widgets.plain_lines import StripScrollBar
from newsreader.ui.widgets.scroll import KeyScroll
from newsreader.ui.widgets.story_images import PictureRow
from newsreader.ui.widgets.wrap import wrap_plain

if TYPE_CHECKING:
    from newsreader.ui.widgets.story_images import PictureLines

PLACEHOLDER = "Pick a headline and press Enter to read it."
QUOTE_BAR = "▌"
LEAD_BAR = "▌"
RELATED_RULE = "▔"
LINK_STYLE = "underline"
MARK_STYLE = "bold $accent"
_BLANK = Content("")
Marks = list[tuple[str, int]]  # (a link's words, its number), in reading order
_NO_PICTURES: Mapping[str, PictureLines] = {}
# A control code that does nothing: Rich and Textual pass a control segment's text through as
# it is (a sixel is printable text that must not be measured, cropped or styled).
_NO_OP = ((ControlType.CURSOR_FORWARD, 0),)
TOAST_CHECK = 0.25  # seconds between looks for the toast that hides rows of a sixel picture


def _indent(lines: list[Content], first: Content, rest: Content) -> list[Content]:
    return [(first if i == 0 else rest) + line for i, line in enumerate(lines)]


def _marked(text: str, marks: Marks) -> tuple[Content, Marks]:
    """`text` with each link's words underlined and "[N]" after them; the marks whose words
    it does not hold come back (a list block tries its next entry)."""
    parts: list[str | tuple[str, str]] = []
    pos = 0
    missing: Marks = []
    for words, number in marks:
        at = text.find(words, pos) if words else -1
        if at < 0:
            missing.append((words, number))
            continue
        end = at + len(words)
        parts += [text[pos:at], (text[at:end], LINK_STYLE), (f"[{number}]", MARK_STYLE)]
        pos = end
    parts.append(text[pos:])
    return Content.assemble(*parts), missing


def _numbers(marks: Marks) -> Content:
    """" [3][4]": links whose words the text did not hold, numbered at its end."""
    return Content.styled(" " + "".join(f"[{n}]" for _, n in marks), MARK_STYLE)


def _marked_lines(texts: list[str], width: int, marks: Marks) -> list[list[Content]]:
    """Each text wrapped, the marks placed in order across them (a list's entries)."""
    out = []
    for i, text in enumerate(texts):
        if not marks:
            out.append(wrap_plain(text, width))
            continue
        line, marks = _marked(text, marks)
        if i == len(texts) - 1 and marks:
            line += _numbers(marks)
        out.append(line.wrap(width))
    return out


def block_lines(
    block: Block, width: int, marks: Marks | None = None,
    pictures: Mapping[str, PictureLines] = _NO_PICTURES,
) -> list[Content]:
    """One body block as lines wrapped to `width` cells (fetched text stays literal); `marks`
    number the links in a paragraph's or a list's text; `pictures` are the loaded pictures."""
    width = max(width, 8)
    if block.type == "heading":
        if not block.text:
            return []
        return Content.styled(block.text, "bold underline $text-secondary").wrap(width)
    if block.type == "quote":
        # Quote: margin 2, a bar, padding 1 on both sides, margin 2 on the right.
        inner = max(width - 6, 4)
        lines = Content.styled(quoted(block.text), "italic").wrap(inner)
        if block.attribution:
            lines += Content.styled(f"— {block.attribution}", MUTED).wrap(inner)
        bar = Content.assemble("  ", (QUOTE_BAR, "$secondary"), " ")
        return _indent(lines, bar, bar)
    if block.type == "image":
        from newsreader.ui.widgets.story_images import image_lines  # not at start-up

        return image_lines(block, width, pictures)
    if block.type == "list":
        items = [item for item in block.items if item.strip()] or [block.text]
        out: list[Content] = []
        for wrapped in _marked_lines(items, max(width - 4, 4), marks or []):
            out += _indent(wrapped, Content("  • "), Content("    "))
        return out
    if not block.text:
        return []
    return _marked_lines([block.text], width, marks)[0] if marks else wrap_plain(block.text, width)


def body_lines(
    blocks: Sequence[Block], width: int, marks: dict[int, Marks] | None = None,
    pictures: Mapping[str, PictureLines] = _NO_PICTURES,
) -> list[Content]:
    """All blocks, one blank line after each (what the per-block margins used to give);
    `marks` by block index (present.body_link_marks)."""
    out: list[Content] = []
    for index, block in enumerate(blocks):
        lines = block_lines(block, width, marks.get(index) if marks else None, pictures)
        if lines:
            out += lines
            out.append(_BLANK)
    return out


def _blank_if(lines: list[Content]) -> list[Content]:
    return [*lines, _BLANK] if lines else []


def story_lines(
    story: Story, width: int, pictures: Mapping[str, PictureLines] = _NO_PICTURES
) -> list[Content]:
    """The whole story as lines `width` cells wide; fetched text stays literal; `pictures`
    (by image URL) are the pictures loaded so far."""
    width = max(width, 8)
    lines = [_BLANK]  # the title's top margin
    lines += Content.styled(story.title or story.url, "bold $text-primary").wrap(width)
    lines += _blank_if(meta_line(story).stylize(MUTED).wrap(width))
    if story.lead:
        # The lead: a bar, padding 1 on both sides, bold.
        bar = Content.assemble((LEAD_BAR, "$accent"), " ")
        lead = Content.styled(story.lead, "bold").wrap(max(width - 3, 4))
        lines += _blank_if(_indent(lead, bar, bar))
    link_marks = body_link_marks(story) if story.links else None
    lines += body_lines(story.blocks, width, link_marks, pictures)
    if not has_text(story):
        lines += _blank_if(Content.styled(
            f"{story_word(story, 'no_text')}: the page had no article text newsreader could "
            "find. Press o to open it in your browser.", "italic $warning").wrap(width))
    recalls = recall_paragraphs(story)
    if recalls:
        lines += Content.styled(story_word(story, "recall"), "bold underline $text-secondary"
                                ).wrap(width)
        for numbers, summary in recalls:
            marks = "".join(f"[{n}]" for n in numbers)
            lines += _blank_if(Content.assemble((marks, "bold $accent"), " ", summary).wrap(width))
    if story.related:
        lines += [
            Content.styled(RELATED_RULE * width, "$border-blurred"),
            _BLANK,
            Content.styled("Related stories", "bold $text-accent"),
        ]
    return lines


def message_lines(message: Content, width: int) -> list[Content]:
    """A message (placeholder, loading, error) with a blank line above and below."""
    return [_BLANK, *message.wrap(max(width, 8)), _BLANK]


class StoryText(Widget):
    """The story pane's text: a document (width -> lines), wrapped once per width.

    Line API: `render_line` turns just the requested line into a Strip (cached until the
    document or the width change), so a long story costs what the screen shows, not its length.
    """

    DEFAULT_CSS = "StoryText { height: auto; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._document: Callable[[int], list[Content]] = lambda width: []
        self._lines: tuple[int, list[Content]] = (-1, [])
        self._strips: dict[int, Strip] = {}
        self._toast_check: Timer | None = None  # rows of a sixel picture wait for a toast to go

    def set_document(self, document: Callable[[int], list[Content]]) -> None:
        self._document = document
        self._lines = (-1, [])
        self._strips.clear()
        self.clear_cached_dimensions()
        self.refresh(layout=True)

    def redraw(self) -> None:
        """The same document again (a picture was added to what it draws)."""
        self.set_document(self._document)

    def lines(self, width: int) -> list[Content]:
        if self._lines[0] != width:
            self._lines = (width, self._document(width) if width > 0 else [])
            self._strips.clear()
        return self._lines[1]

    @property
    def plain(self) -> str:
        """The text as shown, at the current width (for tests and debugging)."""
        return "\n".join(line.plain for line in self.lines(self.content_size.width or 80))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines(width))

    def render(self) -> Content:
        # What text selection copies from: the same lines, joined.
        return Content("\n").join(self.lines(self.content_size.width))

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()  # theme or style change: colours must be resolved again

    def selection_updated(self, selection: Selection | None) -> None:
        self._strips.clear()  # lines painted with (or without) the old highlight
        super().selection_updated(selection)

    def render_lines(self, crop: Region) -> list[Strip]:
        if is_plain(self):
            strips = plain_lines(self, crop, self.render_line)
        else:
            strips = super().render_lines(crop)
        return self._overlay_pictures(crop, strips)

    def _overlay_pictures(self, crop: Region, strips: list[Strip]) -> list[Strip]:
        """Sixel pictures drawn over their blank rows among `strips` (lines crop.y...).

        Each row on screen carries its own band of the picture, right after its blank cells:
        a cursor move to the row's start and the band, the cursor saved and put back around
        them. So the rows a scroll brings are drawn in that frame from bands encoded already,
        and a layer in front of some rows costs only those: a row under a toast gets no band
        (drawn after the cells, it would cover the toast; Textual's divide of a row cut by
        another layer drops what follows the cut anyway), and is drawn again once the toast
        has gone. None while another screen (a modal) is in front: it would cover that screen.
        """
        if not self.screen.is_active:
            return strips
        lines = self._lines[1]
        region = self.content_region
        drawn: dict[int, list[str] | None] = {}  # id(picture) -> its bands at the size shown
        toasts: list[Region] | None = None
        hidden = False
        for i, line in enumerate(lines[crop.y:crop.y + len(strips)]):
            if not isinstance(line, PictureRow):
                continue
            if id(line.picture) not in drawn:
                drawn[id(line.picture)] = line.picture.bands(line.size, self.refresh)
            bands = drawn[id(line.picture)]
            if not bands or line.row >= len(bands):
                continue
            if toasts is None:
                toasts = self._toasts()
            shown = Region(region.x, region.y + crop.y + i, line.size[0], 1)
            if any(toast.overlaps(shown) for toast in toasts):
                hidden = True
                continue
            move = Control.move_to(shown.x, shown.y).segment.text
            band = Segment(f"\x1b7{move}{bands[line.row]}\x1b8", None, _NO_OP)
            strip = strips[i]
            # Before the padding to the text's width: a layer cutting only that keeps the band.
            if line.size[0] < strip.cell_length:
                cells, rest = strip.divide([line.size[0], strip.cell_length])
                strips[i] = Strip([*cells, band, *rest], strip.cell_length)
            else:
                strips[i] = Strip([*strip, band], strip.cell_length)
        if hidden and self._toast_check is None:
            self._toast_check = self.set_timer(TOAST_CHECK, self._recheck_toasts)
        return strips

    def _toasts(self) -> list[Region]:
        return [toast.region for toast in self.screen.query("Toast")]

    def _recheck_toasts(self) -> None:
        """Rows a toast hid are drawn again once it has gone (the frame that takes a toast
        away need not repaint them)."""
        self._toast_check = None
        if self._toasts():
            self._toast_check = self.set_timer(TOAST_CHECK, self._recheck_toasts)
        else:
            self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        lines = self.lines(width)
        strip = self._strips.get(y)
        if strip is not None:
            return strip
        style = self.visual_style
        selection = self.text_selection
        if not 0 <= y < len(lines):
            return Strip.blank(width, style.rich_style)
        if selection is None:
            strip = self._strips[y] = self._line_strip(lines[y], y, width, style)
            return strip
        # While a selection lasts, lines are not cached: it changes with every mouse move.
        line = lines[y]
        span = selection.get_span(y)
        if span is not None:
            start, end = span
            highlight = Style.from_styles(self.screen.get_component_styles("screen--selection"))
            line = line.stylize(highlight, start, len(line) if end == -1 else end)
        return self._line_strip(line, y, width, style)

    def _line_strip(self, line: Content, y: int, width: int, style: Style) -> Strip:
        """One pre-wrapped line as a Strip: what Visual.to_strips does, minus re-wrapping.

        to_strips re-wraps and re-formats its input on every call (~0.2 ms a line, 6-8 ms a
        screen); the lines here are wrapped already. The offset meta (x, y in the whole body)
        is what text selection reads.
        """
        segments: list[Segment] = []
        x = 0
        for text, text_style in line.render(style, end="", parse_style=style_parser(self)):
            segments.append(Segment(text, (style + text_style).rich_style_with_offset(x, y)))
            x += len(text)
        return Strip(segments, line.cell_length).extend_cell_length(width, style.rich_style)


class RelatedList(ChoiceList):
    """The story's "Recall" / "Read also" links, numbered like the 1–9 keys that follow them;
    with the focus, j / k move among them (elsewhere in the story they scroll it)."""

    def __init__(self) -> None:
        super().__init__(id="related", markup=False)


class StoryScroll(KeyScroll):
    """The scrolling part of the story pane: the text and the related links, nothing else.

    Each j / k / ↓ / ↑ scrolls one line and each space / b one page, however fast (KeyScroll).

    It has no border and no content of its own (BLANK), so a new story, which changes its
    virtual size and so repaints all of it, costs blank strips rather than ~40 rendered lines
    of border, padding and background (bench/open_bench.py). The border is StoryView's, and
    StoryView keeps its size when the story changes.
    """

    BLANK = True

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        """Widget.vertical_scrollbar, made a StripScrollBar (Textual's own if not verified)."""
        bar = own_vertical_scrollbar(self, self._strip_scrollbar)
        return bar if bar is not None else super().vertical_scrollbar

    def _strip_scrollbar(self) -> ScrollBar:
        thickness = self.scrollbar_size_vertical
        return StripScrollBar(vertical=True, name="vertical", thickness=thickness)


class StoryView(Vertical):
    """Shows one story, a loading state or a message; owns no data and does no I/O."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.story: Story | None = None
        self.url: str | None = None
        self.pictures: dict[str, PictureLines] = {}  # the shown story's, by URL, as they load
        # Rows of the picture that lands on the top line to scroll past (see reading_place).
        self.picture_rows = 0
        # What scrolls (scroll_y, scroll_down, ...): the pane's text and links.
        self.scroller = StoryScroll(id="story-scroll")
        self.text = StoryText(id="story-text")
        self.related = RelatedList()

    def set_max_width(self, columns: int) -> None:
        """The text and its links at most `columns` wide, centred when the pane is wider."""
        self.scroller.styles.align_horizontal = "center"
        self.text.styles.max_width = columns
        self.related.styles.max_width = columns

    def compose(self) -> ComposeResult:
        with self.scroller:
            self.text.set_document(partial(message_lines, Content.styled(PLACEHOLDER, MUTED)))
            yield self.text
            self.related.display = False
            yield self.related

    # The wheel over the border or the title scrolls the story too (those belong to StoryView).
    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self.scroller.scroll_lines(1)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self.scroller.scroll_lines(-1)

    @property
    def shown_text(self) -> str:
        """Everything the pane says but the related links, as plain text."""
        return self.text.plain

    def _show_related(self, shown: bool) -> None:
        if self.related.display != shown:
            self.related.display = shown

    def show_story(self, story: Story, cached: Sequence[bool], scroll_y: float = 0.0,
                   picture_rows: int = 0) -> None:
        """Render `story`; `cached[i]` tells whether related link i is in the cache;
        `scroll_y` and `picture_rows` say where, as `reading_place` gave them."""
        self.story, self.url = story, story.url
        self.picture_rows = picture_rows
        self.release_pictures()
        self.text.set_document(partial(story_lines, story, pictures=self.pictures))
        self.set_related(story, cached)
        self._set_title(story.source or "")
        self.restore_scroll(scroll_y)

    @property
    def text_width(self) -> int:
        """The width the story's lines are wrapped to (pictures are drawn for it)."""
        return self.text.content_size.width or self.size.width or 80

    def _set_title(self, title: str) -> None:
        if str(self.border_title or "") != title:
            set_border_title_fast(self, title)  # the top border line repainted, not the pane

    def set_related(self, story: Story, cached: Sequence[bool]) -> None:
        related = self.related
        # A story without links only hides the list: emptying it too re-laid it out and, as a
        # dirty widget off screen, made Textual rebuild its whole-screen map (~1 ms an open).
        if story.related:
            related.set_options(
                related_row(i, link, cached=bool(cached[i - 1]) if i - 1 < len(cached) else False)
                for i, link in enumerate(story.related, 1)
            )
            related.highlighted = 0  # so Enter follows a link as soon as the list has focus
        self._show_related(bool(story.related) and story is self.story)

    def restore_scroll(self, scroll_y: float) -> None:
        """Scroll once the new content has been laid out (before that the height is unknown);
        lines scrolled meanwhile (Enter j j j, typed at once) count from `scroll_y`."""
        self.scroller.scroll_after_layout(scroll_y)

    def picture_spans(self, width: int) -> list[tuple[int, int]]:
        """(Its first line, the lines it adds to the story) for each loaded picture in the
        document `width` wide: the picture and its caption less the "[image] caption" lines
        the story shows without it."""
        if self.story is None or not self.pictures or width <= 0:
            return []
        from newsreader.ui.widgets.story_images import image_lines

        added: dict[int, int] = {}  # by id() of a picture's first line (memoised per width)
        for block in self.story.blocks:
            picture = self.pictures.get(block.src) if block.type == "image" and block.src else None
            drawn = picture.lines(width) if picture is not None else []
            if drawn and id(drawn[0]) not in added:
                added[id(drawn[0])] = (len(image_lines(block, width, self.pictures))
                                       - len(image_lines(block, width, {})))
        return [(index, added[id(line)]) for index, line in enumerate(self.text.lines(width))
                if id(line) in added]

    def reading_place(self) -> tuple[float, int]:
        """Where the reader is, as the story is shown again: without its pictures, which then
        appear as they load (`show_picture`), each scrolling the text down by the lines it
        adds above the top line. (The top line in the story without pictures; when that line
        is a picture's, how many of its rows were above the top.)"""
        top = self.scroller.position
        shift = 0
        for first, added in self.picture_spans(self.text.content_size.width):
            if first >= top:
                break
            if top - added <= first:  # the top is on the picture (or just below it)
                return max(0.0, first - shift), int(top - first)
            shift += added
        return max(0.0, top - shift), 0

    def release_pictures(self) -> None:
        """Forget the shown story's pictures (the terminal frees what it holds of them)."""
        for picture in self.pictures.values():
            picture.release()
        self.pictures = {}

    def _show_message(self, url: str | None, message: Content) -> None:
        self.story, self.url = None, url
        self.picture_rows = 0
        self.release_pictures()
        self.text.set_document(partial(message_lines, message))
        self._show_related(False)
        self.restore_scroll(0.0)

    def show_loading(self, url: str, title: str | None = None) -> None:
        self._show_message(url, Content.assemble(("Loading… ", "bold"), title or url))

    def show_message(self, url: str | None, title: str, detail: str = "") -> None:
        """A clear message in place of a story (not available offline, fetch failed, ...)."""
        parts: list[str | tuple[str, str]] = [(title, "bold $warning")]
        if detail:
            parts += ["\n\n", detail]
        if url:
            parts += ["\n\n", (url, MUTED)]
        self._show_message(url, Content.assemble(*parts))

    def show_empty(self, hint: str = PLACEHOLDER) -> None:
        self._show_message(None, Content.styled(hint, MUTED))
