"""Word-wrapping plain story text: `Content.wrap`'s result, faster for one-cell-per-char text.

Wrapping is part of the frame that shows a story (its height must be known to lay it out):
for the longest pages it was ~12 ms of that frame. `Content.wrap` measures every word's cells
through rich's `divide_line`; for text made only of characters one cell wide (Latin, Greek,
Cyrillic, common punctuation: most news) a character is a cell, so the same greedy algorithm
can count with `len`. Anything else (CJK, emoji, combining marks, tabs, newlines) goes to
`Content.wrap`. tests/test_ui_format.py checks both give the same lines.
"""

from __future__ import annotations

import re

from textual.content import Content

# One cell each, never combining: ASCII printable, Latin-1 to Latin Extended-B and IPA,
# Greek, Cyrillic (+ supplement), and the general punctuation block's dashes, quotes, bullets
# and ellipsis (U+2010-U+2027, U+2030-U+205E).
_ONE_CELL = re.compile(
    "[\x20-\x7e\u00a0-\u02ff\u0370-\u0377\u037a-\u037f\u0384-\u03ff\u0400-\u0482"
    "\u048a-\u052f\u2010-\u2027\u2030-\u205e]*"
)
_WORD = re.compile(r"\s*\S+\s*")
# Where _space_breaks' one-rfind-a-line rule would differ from rich's word walk: other
# whitespace (rich splits words on any), spaces in a row or at either end (rich counts them
# into a line's width).
_ODD_SPACING = re.compile(r"[^\S ]|  |^ | $")


def wrap_plain(text: str, width: int) -> list[Content]:
    """`Content(text).wrap(width)`, the same lines, without per-word cell measuring."""
    if width < 1 or not _ONE_CELL.fullmatch(text):
        return Content(text).wrap(width)
    breaks = _space_breaks(text, width)
    if breaks is None:
        breaks = _break_offsets(text, width)
    starts, ends = [0, *breaks], [*breaks, len(text)]
    lines = [text[start:end].rstrip() for start, end in zip(starts[:-1], ends[:-1], strict=True)]
    lines.append(text[starts[-1] :])
    # _ONE_CELL has no control character and one cell per character: Content need not strip
    # (a str.translate per line, 40% of wrapping) nor measure.
    return [
        Content(cut, cell_length=len(cut), strip_control_codes=False)
        for cut in (line[:width] if len(line) > width else line for line in lines)
    ]


def _space_breaks(text: str, width: int) -> list[int] | None:
    """The same breaks for words joined by single spaces (most paragraphs), one rfind a line.

    _break_offsets looks at every word from Python (~25 µs a line: 8-11 ms of the frame for a
    400-line story); here the last space that still fits ends each line. None (so
    _break_offsets decides) for other spacing or a word longer than a line, which is folded.
    """
    if _ODD_SPACING.search(text):
        return None
    breaks: list[int] = []
    start, end = 0, len(text)
    while end - start > width:
        space = text.rfind(" ", start, start + width + 1)
        if space < 0:
            return None
        start = space + 1
        breaks.append(start)
    return breaks


def _break_offsets(text: str, width: int) -> list[int]:
    """rich's divide_line (fold=True) where every character is one cell."""
    breaks: list[int] = []
    offset = 0  # cells used on the current line
    for match in _WORD.finditer(text):
        start, word = match.start(), match.group(0)
        length = len(word.rstrip())
        if width - offset >= length:
            offset += len(word)
        elif length > width:  # longer than a line: fold it into line-sized pieces
            pieces = [word[i : i + width] for i in range(0, len(word), width)]
            for index, piece in enumerate(pieces):
                if start:
                    breaks.append(start)
                if index == len(pieces) - 1:
                    offset = len(piece)
                else:
                    start += len(piece)
        elif offset and start:
            breaks.append(start)
            offset = len(word)
    return breaks
