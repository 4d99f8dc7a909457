"""A story's pictures: loaded through the reader in a worker, decoded and drawn on a thread.

The story shows at once with each picture's caption; each picture appears above its caption
when it is ready. Pillow and textual-image are imported on the first picture, on its thread
(never at start-up). Anything that goes wrong — missing, broken, not an image, too many
pixels — leaves the caption alone and raises nothing.
"""

from __future__ import annotations

import asyncio
import threading
from typing import TYPE_CHECKING, Protocol

from textual.content import Content

from newsreader.models import Story
from newsreader.services.ports import ReaderPort

if TYPE_CHECKING:
    from PIL.Image import Image

    from newsreader.ui.terminal_probe import Graphics
    from newsreader.ui.widgets.story import StoryView

MAX_ROWS = 20  # a picture is at most this many lines tall (40 pixels of half cells)
# The widths a picture is drawn at: the widest that fits the text. The one for the text's
# width and the widest (the story alone, `z`, at the default max_width) are drawn on the
# picture's thread (10-30 ms each); another width (a resize) is drawn once on the event loop.
PICTURE_WIDTHS = (80, 70, 60, 50, 40, 30)
MIN_SIDE = 32  # pixels: smaller is an icon, a spacer or a tracking pixel, not worth lines
MAX_PIXELS = 16_000_000  # past this (after JPEG's reduced decoding) a picture is not decoded
_KEEP_WIDTH = 160  # pixels kept after decoding for half cells: enough for any text width
_KEEP_WIDTH_GRAPHICS = 1600  # the cap for kitty and sixel (80 columns of 20-pixel cells)
HALF_CELL = (1, 2)  # a half-block cell is two pixels, one above the other


def fit(pixels: tuple[int, int], width: int, cell: tuple[int, int]) -> tuple[int, int]:
    """(columns, rows) for a picture of `pixels` in text `width` wide, cells of `cell` pixels:
    the widest of PICTURE_WIDTHS that fits, never wider than the picture, MAX_ROWS tall."""
    pixels_wide, pixels_high = pixels
    cell_wide, cell_high = cell
    fits = next((columns for columns in PICTURE_WIDTHS if columns <= width), width)
    columns = max(1, min(fits, round(pixels_wide / cell_wide)))
    rows = max(1, round(columns * cell_wide * pixels_high / pixels_wide / cell_high))
    if rows > MAX_ROWS:
        rows = MAX_ROWS
        columns = max(1, min(columns, round(rows * cell_high * pixels_wide / pixels_high
                                            / cell_wide)))
    return columns, rows


class Picture:
    """A decoded picture, drawn as half-cell lines for a given text width (memoised)."""

    @property
    def cell(self) -> tuple[int, int]:
        """A cell's pixels, as the picture is drawn."""
        return HALF_CELL

    def __init__(self, image: Image) -> None:
        self.image = image  # RGB, at most _KEEP_WIDTH pixels wide
        self._lines: dict[tuple[int, int], list[Content]] = {}
        self._lock = threading.Lock()

    def size(self, width: int) -> tuple[int, int]:
        """(columns, rows) at text width `width`."""
        return fit(self.image.size, width, self.cell)

    def prepare(self, width: int) -> None:
        """Do the slow part of drawing at `width` (on the picture's thread)."""
        self.lines(width)

    def lines(self, width: int) -> list[Content]:
        size = self.size(width)
        with self._lock:
            lines = self._lines.get(size)
            if lines is None:
                from newsreader.ui.textual_compat.images import halfcell_lines

                lines = self._lines[size] = halfcell_lines(self.image, *size)
        return lines

    def release(self) -> None:
        """The story no longer shows it (what the terminal holds of it is freed)."""


class PictureTerminal(Protocol):
    """The terminal that draws pictures itself (ui/terminal_pictures.PictureTerminal)."""

    graphics: Graphics

    def picture(self, image: Image) -> Picture: ...


def decode(data: bytes, width: int, terminal: PictureTerminal | None = None) -> Picture | None:
    """The picture in `data`, prepared for `width` already (run on a thread); None if it is not
    one Pillow can read, or too big to decode safely. `terminal` draws it with kitty graphics
    or sixel when it says so; half cells otherwise."""
    import io

    from PIL import Image as PILImage

    protocol = terminal.graphics.protocol if terminal is not None else "halfblock"
    keep = _KEEP_WIDTH if protocol == "halfblock" else _KEEP_WIDTH_GRAPHICS
    try:
        with PILImage.open(io.BytesIO(data)) as opened:
            if opened.width < MIN_SIDE or opened.height < MIN_SIDE:
                return None
            opened.draft("RGB", (keep, keep))  # JPEG: decode at a smaller scale
            if opened.width * opened.height > MAX_PIXELS:  # a decompression bomb
                return None
            image = opened.convert("RGBA")
            image.thumbnail((keep, keep * 4))
            background = PILImage.new("RGBA", image.size, (0, 0, 0, 255))
            image = PILImage.alpha_composite(background, image).convert("RGB")
        picture = Picture(image) if terminal is None else terminal.picture(image)
        for columns in {width, PICTURE_WIDTHS[0]}:
            picture.prepare(columns)
    except Exception:  # Pillow raises many kinds (OSError, ValueError, SyntaxError...)
        return None
    return picture


async def load_pictures(reader: ReaderPort, view: StoryView, story: Story, width: int,
                        terminal: PictureTerminal | None = None) -> None:
    """Show each of `story`'s pictures as it arrives (the screen runs this as its worker);
    `terminal` when the terminal draws pictures itself (kitty, sixel)."""
    from newsreader.services.images import picture_urls

    for url in picture_urls(story):
        try:
            data = await reader.load_image(url)
            picture = await asyncio.to_thread(decode, data, width, terminal) if data else None
        except Exception:  # a bug in one picture must not take the app down: its caption stays
            continue
        if picture is not None:
            show_picture(view, story, url, picture)


def show_picture(view: StoryView, story: Story, url: str, picture: Picture,
                 waits: int = 3) -> None:
    """Add a loaded picture to `story` if it is still shown; if it lands above the top line,
    the text scrolls down by the lines it adds, so the line being read stays where it is; if
    it lands on the top line of a story shown again, down by the rows of it that were above
    the top when the story was left (`StoryView.reading_place`)."""
    if story is not view.story:
        picture.release()
        return  # another story is shown now
    if view.scroller.awaiting_layout and waits:
        # Just shown (a story opened again, a picture decoded already): the line the reader
        # was on is known only at the width laid out, which a scrollbar may still narrow.
        # (`waits` bounds it: content wider than the pane would be "awaiting" for ever.)
        view.scroller.call_after_refresh(show_picture, view, story, url, picture, waits - 1)
        return
    top = view.scroller.position
    view.pictures[url] = picture
    view.text.redraw()
    width = view.text.content_size.width
    drawn = picture.lines(width) if width > 0 else []
    if not drawn:
        return
    first = drawn[0]
    for index, added in view.picture_spans(width):
        if view.text.lines(width)[index] is first:
            # On the top line: the reader was that far into it when the story was left.
            rows = added if index < top else view.picture_rows if index == top else 0
            if index <= top:
                view.picture_rows = 0
            if rows:
                view.scroller.call_after_refresh(view.scroller.scroll_lines, rows)
            return
