"""Esc followed at once by a plain key is two keys; real escape sequences are read as before."""

from __future__ import annotations

import pytest
from textual import events
from textual._xterm_parser import XTermParser

from newsreader.ui.textual_compat.escape_keys import EscapeSplittingParser


def read(*reads: str, parser_class: type[XTermParser] = EscapeSplittingParser) -> list[str]:
    """The keys (and other events, by class name) the parser makes of these reads."""
    parser = parser_class()
    made = [message for data in reads for message in parser.feed(data)]
    return [m.key if isinstance(m, events.Key) else type(m).__name__ for m in made]


@pytest.mark.parametrize(("reads", "keys"), [
    # The newcomer's trial: Textual read these as "/" (Esc dropped), alt+shift+s, alt+j.
    (["/cy\x1b/gr"], ["slash", "c", "y", "escape", "slash", "g", "r"]),
    (["Sgr\x1bScy"], ["S", "g", "r", "escape", "S", "c", "y"]),
    (["?\x1bjj"], ["question_mark", "escape", "j", "j"]),
    (["\x1b\x1bj"], ["escape", "escape", "j"]),
    (["\x1b q"], ["escape", "space", "q"]),
    # A lone ESC ends one read, the key starts the next (50 ms apart, under ESCAPE_DELAY).
    (["/cy\x1b", "/gr"], ["slash", "c", "y", "escape", "slash", "g", "r"]),
    (["?\x1b", "j"], ["question_mark", "escape", "j"]),
])
def test_escape_then_a_plain_key_is_both_keys(reads: list[str], keys: list[str]) -> None:
    assert read(*reads) == keys


@pytest.mark.parametrize(("reads", "keys"), [
    (["\x1b[Aj\x1b[1;3Cj"], ["up", "j", "alt+right", "j"]),  # CSI: arrows, alt+right
    (["\x1bOAj"], ["up", "j"]),  # SS3 arrow (application cursor keys)
    (["\x1b", "[B"], ["down"]),  # a sequence cut by the end of a read
    (["\x1b[<0;10;5M\x1b[<0;10;5mq"], ["MouseDown", "MouseUp", "q"]),
    (["\x1b[Ij\x1b[O"], ["AppFocus", "j", "AppBlur"]),
    (["\x1bb\x1bf"], ["ctrl+left", "ctrl+right"]),  # in Textual's table: iTerm's word moves
])
def test_escape_sequences_are_read_as_textual_reads_them(reads: list[str], keys: list[str]) -> None:
    assert read(*reads) == keys


@pytest.mark.parametrize("reads", [
    ["\x1b[200~a\x1bjb\x1b[201~"],
    ["\x1b[20", "0~a\x1b", "jb\x1b[2", "01~"],  # the paste markers cut by the reads
])
def test_a_bracketed_paste_is_read_as_textual_reads_it(reads: list[str]) -> None:
    """Inside a paste nothing is split: the text (ESC j included) is Textual's business."""
    assert read(*reads) == read(*reads, parser_class=XTermParser)
    assert read(*reads, "\x1bj")[-2:] == ["escape", "j"]  # after the paste: split again
