"""Esc followed at once by a plain key is read as Esc and then that key, not as Alt+key."""

# Textual 8.2.8's XTermParser waits ESCAPE_DELAY (0.1 s) after an ESC for the rest of an escape
# sequence and reads every character that arrives in that time as part of it: "Esc /" typed
# fast (or sent in one burst: tmux send-keys, a paste of keys) became "alt+j" for a letter and,
# for "/", a plain "/" with the Esc dropped, so "/a Esc /b" left the filter reading "a/b" and
# "? Esc j" left the help open. newsreader binds no Alt+printable key (alt+right is a CSI
# sequence), so here an ESC followed by a printable character that cannot start a sequence
# terminals send ("[" CSI, "O" SS3, "P" DCS, "]" OSC, "_" APC, "^" PM, "X" SOS, "\\" ST, or
# another ESC) is an Esc of its own: the parser, holding that lone ESC, is told its wait is
# over (it then sends Key("escape") itself) and the character is read as a key. This holds
# inside one read and for an ESC that ended the previous read. Left as Textual reads them:
# pairs in Textual's own table (iTerm's Alt+f / Alt+b word moves, macOS Option characters) and
# anything inside a bracketed paste. Uses the Parser's private `_timeout_time`: it runs only
# with the verified Textual (versions.py); otherwise this is Textual's parser unchanged.

from __future__ import annotations

from collections.abc import Iterable

from textual._ansi_sequences import ANSI_SEQUENCES_KEYS
from textual._xterm_parser import BRACKETED_PASTE_END, BRACKETED_PASTE_START, XTermParser
from textual.message import Message

from newsreader.ui.textual_compat.versions import verified

ESC = "\x1b"
SEQUENCE_STARTS = frozenset("[OP]_^X\\" + ESC)
MARKER_LENGTH = len(BRACKETED_PASTE_START)


def lone_escape_before(character: str) -> bool:
    """True when an ESC followed by `character` is an Esc key and then `character`."""
    return (character.isprintable() and character not in SEQUENCE_STARTS
            and ESC + character not in ANSI_SEQUENCES_KEYS)


class EscapeSplittingParser(XTermParser):
    """XTermParser that ends a lone ESC's wait when a plain key follows it."""

    def __init__(self, debug: bool = False) -> None:
        super().__init__(debug)
        self._split = verified()
        self._in_paste = False
        self._ended_with_escape = False  # the last read's last character was an ESC
        self._marker_start = ""  # a paste marker cut by the end of the last read

    def feed(self, data: str) -> Iterable[Message]:
        if not data or not self._split:
            yield from super().feed(data)
            return
        start = 0
        for cut in self._cuts(data):
            if cut > start:
                yield from super().feed(data[start:cut])
            start = cut
            yield from self._escape_now()
        yield from super().feed(data[start:])

    def _escape_now(self) -> Iterable[Message]:
        """The parser holds a lone ESC: end its wait now (it sends Key("escape"))."""
        if self._timeout_time is None:  # it has ended already (tick): the Esc was sent
            return ()
        self._timeout_time = 0.0
        return list(self.tick())

    def _cuts(self, data: str) -> list[int]:
        """Where in `data` a character follows a lone ESC (and the paste state after it)."""
        cuts: list[int] = []
        if self._ended_with_escape and not self._in_paste and lone_escape_before(data[0]):
            cuts.append(0)
        if self._marker_start:  # "\x1b[20" ended the last read: its end starts this one
            marker = self._marker_start + data[:MARKER_LENGTH - len(self._marker_start)]
            self._note_marker(marker)
            self._marker_start = ""
        index = data.find(ESC)
        while index != -1:
            marker = data[index:index + MARKER_LENGTH]
            if len(marker) < MARKER_LENGTH and (BRACKETED_PASTE_START.startswith(marker)
                                                or BRACKETED_PASTE_END.startswith(marker)):
                self._marker_start = marker
            self._note_marker(marker)
            after = index + 1
            if after < len(data) and not self._in_paste and lone_escape_before(data[after]):
                cuts.append(after)
            index = data.find(ESC, after)
        self._ended_with_escape = data[-1] == ESC
        return cuts

    def _note_marker(self, marker: str) -> None:
        if marker == BRACKETED_PASTE_START:
            self._in_paste = True
        elif marker == BRACKETED_PASTE_END:
            self._in_paste = False
