"""A story's image block as lines: the picture when it is loaded, and its caption always."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol

from textual.content import Content

from newsreader.models import Block
from newsreader.ui.format import MUTED


class PictureLines(Protocol):
    """A picture that can draw itself as lines of a given width (ui/pictures.Picture)."""

    def lines(self, width: int) -> list[Content]: ...

    def release(self) -> None: ...


class Overlaid(Protocol):
    """A picture the terminal draws over blank rows, a band a row (sixel: ui/terminal_pictures)."""

    def bands(self, size: tuple[int, int], ready: Callable[[], object]) -> list[str] | None: ...


class PictureRow(Content):
    """A blank line of the document that row `row` of `picture` (drawn `size` cells) covers."""

    __slots__ = ("picture", "row", "size")

    def __init__(self, picture: Overlaid, size: tuple[int, int], row: int) -> None:
        super().__init__(" " * size[0])
        self.picture, self.size, self.row = picture, size, row


def image_lines(block: Block, width: int, pictures: Mapping[str, PictureLines]) -> list[Content]:
    """The picture (if loaded) then its caption; without the picture "[image] caption"."""
    picture = pictures.get(block.src) if block.src else None
    if picture is None:
        label = block.caption or block.alt or block.src or ""
        return Content.assemble(("[image] ", f"bold {MUTED}"), (label, MUTED)).wrap(width)
    caption = block.caption or block.alt
    return [*picture.lines(width), *(Content.styled(caption, MUTED).wrap(width) if caption else [])]

