"""textual-image's pictures (half cells, kitty's diacritics, sixel), imported without its probe;
and the way the app's own escape sequences reach the terminal."""

# textual_image.renderable asks the terminal for sixel and kitty support when it is imported:
# it writes a query to stdout and reads the reply from stdin, 0.1 s at most each
# (textual_image/renderable/__init__.py, 0.12.0). Its own docs say this cannot work once a
# Textual app runs: Textual's input thread reads stdin, so the probe times out (0.2 s) and the
# terminal's reply reaches Textual as keys. Pictures are first needed long after start-up (and
# textual-image and Pillow must not be imported at start: ~40 ms), so the probe is skipped:
# while the package is imported its terminal read fails at once, as on a terminal that does
# not answer. The cell size is fixed too (get_cell_size asks the terminal the same way when
# the tty reports no pixel size, as tmux does); a half cell is 1 x 2 pixels whatever the font.
# Both names are textual-image internals, read on 0.12.0; pyproject pins the minor version.

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import groupby
from typing import TYPE_CHECKING, Any, cast

from rich.console import Console
from rich.text import Text
from textual.content import Content

if TYPE_CHECKING:
    from PIL.Image import Image
    from textual.app import App

_lock = threading.Lock()  # two pictures decoded at once import the package once


def _halfcell() -> Any:
    """textual_image's HalfcellImage renderable class, imported without probing the terminal."""
    return _renderables().halfcell.Image


def _renderables() -> Any:
    """The textual_image.renderable package, imported without probing the terminal."""
    with _lock:
        from textual_image import _terminal

        if not hasattr(_terminal.get_cell_size, "_result"):
            _terminal.get_cell_size._result = _terminal.CellSize(10, 20)  # type: ignore[attr-defined]  # its cache
        real = _terminal.capture_terminal_response
        _terminal.capture_terminal_response = _no_reply  # type: ignore[assignment]  # the probe
        try:
            import textual_image.renderable as renderables
        finally:
            _terminal.capture_terminal_response = real  # type: ignore[assignment]  # put back
    return renderables


@contextmanager
def _no_reply(start_marker: str, end_marker: str, timeout: float | None = None) -> Iterator[Any]:
    from textual_image._terminal import TerminalError

    raise TerminalError("not asked: a Textual app is reading the terminal")
    yield  # a generator, as the context manager it stands in for


def halfcell_lines(image: Image, columns: int, rows: int) -> list[Content]:
    """`image` drawn in `columns` x `rows` cells of "▀" (two pixels a cell), as Content lines."""
    renderable = _halfcell()(image, width=columns, height=rows)
    console = Console(width=columns, color_system="truecolor", force_terminal=True,
                      file=io.StringIO(), legacy_windows=False)
    options = console.options.update(width=columns, height=rows)
    lines: list[Content] = []
    for segments in console.render_lines(renderable, options, pad=False, new_lines=False):
        # One span a run of cells of the same colours, not one a cell.
        text = Text.assemble(*(("".join(s.text for s in run), style)
                               for style, run in groupby(segments, key=lambda s: s.style)))
        lines.append(Content.from_rich_text(text))
    return lines


def kitty_diacritics() -> list[int]:
    """The combining marks that number a kitty placeholder's row and column (0, 1, ...)."""
    return cast(list[int], _renderables().tgp._NUMBER_TO_DIACRITIC)


# The encoder's header asks for unset pixels in the background colour (P2=0): the last band of
# six rows is padded past a picture whose height is no multiple of six, which xterm then paints
# as a bar over the next line. P2=1 leaves them as they were.
_SIXEL_START = b"\x1bP0;1;0q"


def sixel_bands(image: Image, height: int) -> list[str]:
    """`image` (RGB) cut into bands `height` pixels tall, each its own sixel string (~80 ms in
    all for 800x400, as one image), with textual-image's encoder steps (read on 0.12.0).

    The colours are chosen once for the whole picture and every band numbers them alike, so
    the bands match. Each colour is selected again right after it is defined: xterm (379)
    draws with a register's old colour until it is selected anew (a one-colour band of snow
    came out green), though the standard says defining selects it.
    """
    from PIL.Image import Quantize
    from textual_image import _sixel

    paletted = image.quantize(colors=_sixel.MAX_COLORS, method=Quantize.FASTOCTREE)
    data, registers = _sixel._compact_palette(paletted, paletted.tobytes())
    registers = tuple(define + _sixel._COLOR_SELECT[number]
                      for number, define in enumerate(registers))
    width, bands = image.width, []
    for top in range(0, image.height, height):
        rows = min(height, image.height - top)
        chunks = _sixel._iter_bands(data[top * width:(top + rows) * width], width, rows,
                                    registers)
        header = _sixel._make_header(width, rows).replace(b"\x1bP0;0;0q", _SIXEL_START, 1)
        bands.append((header + b"".join(chunks) + _sixel._ST).decode("ascii"))
    return bands


def write_to_terminal(app: App[Any], text: str) -> bool:
    """Queue `text` on the app driver's writer, in order with the frames (a frame written from
    another thread could land inside one); False when no driver is running."""
    driver = app._driver
    if driver is None:
        return False
    driver.write(text)
    return True
