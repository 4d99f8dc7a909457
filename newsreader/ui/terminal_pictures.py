"""Pictures the terminal draws itself: kitty graphics (placeholder cells) and sixel (overlaid).

Both keep the story one Line-API document, as the half-cell pictures do:

- kitty: each size of a picture is sent once as a PNG (`a=t`) with a virtual placement (`a=p,
  U=1`); the document's lines for it are U+10EEEE placeholder cells whose diacritics number
  the row and column and whose foreground colour is the image id. They scroll, clip and wrap
  like text; the terminal puts the picture's pixels in them. The escape sequences go through
  the Textual driver's writer, in order with its frames (write_to_terminal).
- sixel: the document holds blank lines for the picture (PictureRow); StoryText asks for the
  sixel of the rows on screen (`overlay`) when it paints them and appends it to the last of
  them, moved to the first. Each crop is encoded once, on a thread (~80 ms for 800x450),
  and kept; until it is ready the rows stay blank.

Pillow is imported here only through the pictures it is given (this module loads with the
first picture, never at start-up).
"""

from __future__ import annotations

import asyncio
import base64
import io
import threading
from collections.abc import Callable
from itertools import count
from random import randint
from typing import TYPE_CHECKING

from textual.content import Content

from newsreader.ui.pictures import Picture, fit
from newsreader.ui.terminal_probe import Graphics
from newsreader.ui.widgets.story_images import PictureRow

if TYPE_CHECKING:
    from PIL.Image import Image

PLACEHOLDER = "\U0010eeee"
_CHUNK = 4096  # base64 bytes an escape sequence carries (kitty's limit)
_KEPT_CROPS = 8  # sixel crops kept a picture (scrolling past it makes one a line)


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


class PictureTerminal:
    """What the app's terminal draws pictures with, and the kitty images sent to it."""

    def __init__(self, graphics: Graphics, write: Callable[[str], object]) -> None:
        self.graphics = graphics
        self.write = write
        # Ids another program's images in the same terminal are unlikely to have; below 2**24
        # so the colour alone carries them.
        self._ids = count(randint(1, 2**23))
        self.sent: set[int] = set()

    @property
    def cell(self) -> tuple[int, int]:
        return self.graphics.cell_width, self.graphics.cell_height

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
        self.cell = terminal.cell

    def size(self, width: int) -> tuple[int, int]:
        return fit(self.image.size, width, self.cell)

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
    """Sixel: blank lines in the document, the picture's visible rows drawn over them."""

    def __init__(self, image: Image, terminal: PictureTerminal) -> None:
        super().__init__(image, terminal)
        self._rows: dict[tuple[int, int], list[Content]] = {}
        self._sixels: dict[tuple[tuple[int, int], int, int], str] = {}
        self._encoding: set[tuple[tuple[int, int], int, int]] = set()
        self._sixel_lock = threading.Lock()

    def prepare(self, width: int) -> None:
        size = self.size(width)
        self._encode(size, 0, size[1])

    def lines(self, width: int) -> list[Content]:
        size = self.size(width)
        rows = self._rows.get(size)
        if rows is None:
            rows = self._rows[size] = [PictureRow(self, size, row) for row in range(size[1])]
        return rows

    def _encode(self, size: tuple[int, int], first: int, end: int) -> str:
        from newsreader.ui.textual_compat.images import sixel_text

        key = (size, first, end)
        with self._sixel_lock:
            if key in self._sixels:
                return self._sixels[key]
        cell_high = self.cell[1]
        image = self.pixels(size)
        text = sixel_text(image.crop((0, first * cell_high, image.width, end * cell_high)))
        with self._sixel_lock:
            while len(self._sixels) >= _KEPT_CROPS:
                self._sixels.pop(next(iter(self._sixels)))
            self._sixels[key] = text
        return text

    def overlay(self, size: tuple[int, int], first: int, end: int,
                ready: Callable[[], object]) -> str | None:
        """The sixel of rows first..end-1 at `size`; None while it is encoded on a thread
        (`ready` is called on the event loop once it is)."""
        key = (size, first, end)
        with self._sixel_lock:
            text = self._sixels.get(key)
        if text is not None or key in self._encoding:
            return text
        self._encoding.add(key)
        future = asyncio.get_running_loop().run_in_executor(None, self._encode, *key)

        def done(_: object) -> None:
            self._encoding.discard(key)
            ready()

        future.add_done_callback(done)
        return None
