"""Pictures the terminal draws itself: kitty graphics (placeholder cells) and sixel (overlaid).

Both keep the story one Line-API document, as the half-cell pictures do:

- kitty: each size of a picture is sent once as a PNG (`a=t`) with a virtual placement (`a=p,
  U=1`); the document's lines for it are U+10EEEE placeholder cells whose diacritics number
  the row and column and whose foreground colour is the image id. They scroll, clip and wrap
  like text; the terminal puts the picture's pixels in them. The escape sequences go through
  the Textual driver's writer, in order with its frames (write_to_terminal).
- sixel: the document holds blank lines for the picture (PictureRow). The picture is encoded
  once a size as bands, one sixel a text row (cell-height pixels, ~80 ms in all for
  800x450), on the decoding thread or the terminal's own encoder thread; StoryText draws
  each row it paints with that row's band, so scrolling never encodes. Until the bands of a
  new size (a resize, a font zoom) are ready its rows stay blank.

Pillow is imported here only through the pictures it is given (this module loads with the
first picture, never at start-up).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import io
import os
import sys
from collections.abc import Callable
from itertools import count
from random import randint
from typing import TYPE_CHECKING

from textual.content import Content

from newsreader.ui.pictures import Picture
from newsreader.ui.sixel_encoder import SixelEncoder
from newsreader.ui.terminal_probe import Graphics, cell_size
from newsreader.ui.widgets.story_images import PictureRow

if TYPE_CHECKING:
    from PIL.Image import Image

PLACEHOLDER = "\U0010eeee"
_CHUNK = 4096  # base64 bytes an escape sequence carries (kitty's limit)
_BandsKey = tuple[tuple[int, int], tuple[int, int]]  # a sixel picture's (size, cell size)


def _apc(control: str, payload: str = "") -> str:
    return f"\x1b_G{control}{';' + payload if payload else ''}\x1b\\"


def transmit_sequences(image_id: int, png_base64: str, columns: int, rows: int) -> str:
    """Send a PNG (base64) as image `image_id` and place it virtually in columns x rows."""
    chunks = [png_base64[i:i + _CHUNK] for i in range(0, len(png_base64), _CHUNK)] or [""]
    out = []
    for n, chunk in enumerate(chunks):
        more = int(n < len(chunks) - 1)
        control = f"a=t,f=100,i={image_id},q=2,m={more}" if n == 0 else f"m={more},q=2"
        out.append(_apc(control, chunk))
    out.append(_apc(f"a=p,U=1,i={image_id},c={columns},r={rows},q=2"))
    return "".join(out)


def delete_sequence(image_id: int) -> str:
    """Free image `image_id` and its placements in the terminal."""
    return _apc(f"a=d,d=I,i={image_id},q=2")


def placeholder_lines(image_id: int, columns: int, rows: int) -> list[Content]:
    """The cells that show image `image_id` (at most 2**24 - 1): one placeholder a cell, its
    row and column as diacritics, the id as the foreground colour."""
    from newsreader.ui.textual_compat.images import kitty_diacritics

    marks = kitty_diacritics()
    colour = f"#{image_id:06x}"
    return [Content.styled("".join(f"{PLACEHOLDER}{chr(marks[row])}{chr(marks[column])}"
                                   for column in range(columns)), colour)
            for row in range(rows)]


def _tty_cell() -> tuple[int, int] | None:
    """A cell's pixels as the app's terminal reports them now; None when it is no tty."""
    out = sys.__stdout__
    return cell_size(out.fileno()) if out is not None and os.isatty(out.fileno()) else None


class PictureTerminal:
    """What the app's terminal draws pictures with, and the kitty images sent to it."""

    def __init__(self, graphics: Graphics, write: Callable[[str], object]) -> None:
        self.graphics = graphics
        self.write = write
        # Ids another program's images in the same terminal are unlikely to have; below 2**24
        # so the colour alone carries them.
        self._ids = count(randint(1, 2**23))
        self.sent: set[int] = set()
        self.encoder = SixelEncoder()
        self.measure: Callable[[], tuple[int, int] | None] = _tty_cell

    @property
    def cell(self) -> tuple[int, int]:
        return self.graphics.cell_width, self.graphics.cell_height

    def remeasure(self) -> bool:
        """Take the cell size the tty reports now (a font zoom changes it); True if sixel
        pictures must be drawn again for it. Kitty's are not: its cells scale them."""
        if self.graphics.protocol != "sixel":
            return False
        cell = self.measure()
        if cell is None or cell == self.cell:
            return False
        old = self.graphics
        self.graphics = Graphics(old.protocol, *cell, typed=old.typed, late=old.late)
        return True

    def picture(self, image: Image) -> Picture:
        """`image` as the kind of picture this terminal shows."""
        if self.graphics.protocol == "kitty":
            return KittyPicture(image, self)
        if self.graphics.protocol == "sixel":
            return SixelPicture(image, self)
        return Picture(image)

    def transmit(self, png_base64: str, columns: int, rows: int) -> int:
        image_id = next(self._ids)
        self.write(transmit_sequences(image_id, png_base64, columns, rows))
        self.sent.add(image_id)
        return image_id

    def delete(self, image_ids: set[int]) -> None:
        for image_id in image_ids & self.sent:
            self.write(delete_sequence(image_id))
            self.sent.discard(image_id)

    def close(self) -> None:
        """Free every image still in the terminal (the app is ending)."""
        self.delete(set(self.sent))


class _TerminalPicture(Picture):
    """A picture drawn by the terminal at its cell size, scaled to the cells it covers."""

    def __init__(self, image: Image, terminal: PictureTerminal) -> None:
        super().__init__(image)
        self.terminal = terminal

    @property
    def cell(self) -> tuple[int, int]:  # the terminal's, as it is now (a font zoom changes it)
        return self.terminal.cell

    def pixels(self, size: tuple[int, int]) -> Image:
        """The picture scaled to fill `size` (columns, rows) cells."""
        columns, rows = size
        cell_wide, cell_high = self.cell
        return self.image.resize((columns * cell_wide, rows * cell_high))


class KittyPicture(_TerminalPicture):
    """Kitty graphics: sent once a size, shown by placeholder cells."""

    def __init__(self, image: Image, terminal: PictureTerminal) -> None:
        super().__init__(image, terminal)
        self._png: dict[tuple[int, int], str] = {}
        self._ids: set[int] = set()

    def prepare(self, width: int) -> None:
        size = self.size(width)
        with self._lock:
            if size not in self._png:
                out = io.BytesIO()
                self.pixels(size).save(out, format="PNG", compress_level=1)  # 10 ms, not 60
                self._png[size] = base64.standard_b64encode(out.getvalue()).decode("ascii")

    def lines(self, width: int) -> list[Content]:
        """The placeholder lines (on the event loop: the first call for a size sends it)."""
        size = self.size(width)
        lines = self._lines.get(size)
        if lines is None:
            self.prepare(width)  # done on the picture's thread unless the text was resized
            image_id = self.terminal.transmit(self._png[size], *size)
            self._ids.add(image_id)
            lines = self._lines[size] = placeholder_lines(image_id, *size)
        return lines

    def release(self) -> None:
        self.terminal.delete(self._ids)
        self._ids.clear()
        self._lines.clear()


class SixelPicture(_TerminalPicture):
    """Sixel: blank lines in the document, each drawn over by its own band of the picture.

    The bands (one a row, cell-height pixels) are encoded once a size, on the terminal's
    encoder thread (or the decoding thread for the first size), and only the size on screen
    is kept; scrolling draws the rows on screen from them, never a new encode.
    """

    def __init__(self, image: Image, terminal: PictureTerminal) -> None:
        super().__init__(image, terminal)
        self._rows: dict[tuple[int, int], list[Content]] = {}
        self._bands: dict[_BandsKey, list[str]] = {}
        self._asked: _BandsKey | None = None  # waiting on the encoder

    def prepare(self, width: int) -> None:
        self._encode((self.size(width), self.cell))

    def lines(self, width: int) -> list[Content]:
        size = self.size(width)
        rows = self._rows.get(size)
        if rows is None:
            rows = self._rows[size] = [PictureRow(self, size, row) for row in range(size[1])]
        return rows

    def _encode(self, key: _BandsKey) -> list[str]:
        from newsreader.ui.textual_compat.images import sixel_bands

        with self._lock:
            bands = self._bands.get(key)
        if bands is None:
            (columns, rows), (cell_wide, cell_high) = key
            image = self.image.resize((columns * cell_wide, rows * cell_high))
            bands = sixel_bands(image, cell_high)
            with self._lock:
                self._bands[key] = bands
        return bands

    def bands(self, size: tuple[int, int], ready: Callable[[], object]) -> list[str] | None:
        """The sixel of each row at `size`; None while they are encoded (`ready` is called on
        the event loop once they are). Other sizes' bands are let go."""
        key = (size, self.cell)
        with self._lock:
            bands = self._bands.get(key)
            if bands is not None and len(self._bands) > 1:
                self._bands = {key: bands}
        if bands is None and self._asked != key:
            self._asked = key
            loop = asyncio.get_running_loop()

            def encode() -> None:
                self._encode(key)  # if it raises, this size stays asked: never asked again
                with contextlib.suppress(RuntimeError):  # the app has ended meanwhile
                    loop.call_soon_threadsafe(self._encoded, key, ready)

            self.terminal.encoder.submit(self, encode)
        return bands

    def _encoded(self, key: _BandsKey, ready: Callable[[], object]) -> None:
        if self._asked == key:
            self._asked = None
            ready()

    def release(self) -> None:
        self.terminal.encoder.cancel(self)
        self._asked = None
        with self._lock:
            self._bands.clear()
        self._rows.clear()
