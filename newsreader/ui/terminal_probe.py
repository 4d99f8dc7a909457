"""Which pictures the terminal can show (kitty, sixel, half blocks), asked before the app starts."""

# Asked once, before Textual owns the terminal: once its input thread reads stdin, a reply would
# reach the app as keys (textual-image's own probe cannot work then: lnqs/textual-image#55).
# Kitty's documented way: the graphics query, then the primary device attributes query (DA1),
# with XTVERSION between them. Every terminal answers DA1, so its reply ends the wait; one that
# answers nothing costs TIMEOUT. A 4 among DA1's parameters means sixel. A graphics "OK" alone
# does not do for kitty pictures: they are Unicode placeholder cells, which kitty has only
# since 0.28 (Debian 12's 0.26.5 answers OK and shows the cells as boxes), and WezTerm and
# Konsole answer OK without drawing them either; so kitty is taken when XTVERSION names kitty
# 0.28 or later, or Ghostty (placeholders since before its 1.0). Under tmux the replies are
# tmux's own: it swallows the graphics query (no passthrough unless allow-passthrough is set,
# and the placeholders would need it too) and answers DA1 itself, with a 4 only when it draws
# sixel itself; so tmux gets sixel or, most often, half blocks.
# The tty is held in Textual's own mode from before the probe until the app's driver takes it
# (`hold`): in the cooked mode a shell leaves, an Enter typed meanwhile became ctrl+j (ICRNL).
# Stdlib only: this runs on every start of the app.

from __future__ import annotations

import contextlib
import os
import re
import select
import struct
import time
from typing import Any, NamedTuple

KITTY_QUERY = b"\x1b_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\x1b\\"
XTVERSION_QUERY = b"\x1b[>0q"  # the terminal's name and version (xterm, kitty, foot, tmux...)
DA1_QUERY = b"\x1b[c"
TIMEOUT = 0.15  # seconds: a terminal that answers answers in a few ms, even over ssh nearby
DEFAULT_CELL = (10, 20)  # pixels (a VT340's), when the tty does not tell
PROTOCOLS = ("kitty", "sixel", "halfblock")

# Patterns, compiled on first use (re caches them): not at import, which every start does.
_KITTY_OK = rb"\x1b_Gi=31;OK\x1b\\"
_DA1 = rb"\x1b\[\?([0-9;]*)c"
_XTVERSION = rb"\x1bP>\|([^\x1b]*)\x1b\\"
_REPLY = rb"\x1b_G[^\x1b]*\x1b\\|\x1bP>\|[^\x1b]*\x1b\\|\x1b\[\?[0-9;]*c"  # not typed keys
_PLACEHOLDERS = rb"kitty\((\d+)\.(\d+)|ghostty"  # terminals known to draw placeholder cells


class Graphics(NamedTuple):  # not a dataclass: 0.1 ms to make, not 0.7, on every start
    """How pictures are drawn: `protocol` is "kitty", "sixel" or "halfblock"; a cell's size in
    pixels; `typed` is what the user typed while the terminal was asked (the app's first keys)."""

    protocol: str = "halfblock"
    cell_width: int = DEFAULT_CELL[0]
    cell_height: int = DEFAULT_CELL[1]
    typed: bytes = b""
    late: bool = False  # no answer within TIMEOUT: one may still come (drop_replies)


LATE_SECONDS = 5.0  # how long the app drops a late answer from its input (ssh far away)


def protocol_of(replies: bytes) -> str | None:
    """The protocol the replies tell, or None while the DA1 reply has not come."""
    da1 = re.search(_DA1, replies)
    if da1 is None:
        return None
    before = replies[:da1.start()]
    if re.search(_KITTY_OK, before):
        version = re.search(_XTVERSION, before)
        known = re.match(_PLACEHOLDERS, version.group(1), re.IGNORECASE) if version else None
        if known and (known.group(1) is None or (int(known[1]), int(known[2])) >= (0, 28)):
            return "kitty"
    return "sixel" if "4" in da1.group(1).decode().split(";") else "halfblock"


def app_mode(mode: list[Any]) -> list[Any]:
    """`mode` (termios.tcgetattr's list) as Textual's LinuxDriver sets it for the app (its
    `_patch_lflag`, `_patch_iflag`, VMIN 1): raw enough that Enter is read as "\r", not as the
    "\n" of ctrl+j (ICRNL), and Ctrl+C as a key, not a signal (ISIG, unless
    TEXTUAL_ALLOW_SIGNALS is set, as there)."""
    import termios

    changed = list(mode)
    signals = 0 if os.environ.get("TEXTUAL_ALLOW_SIGNALS") else termios.ISIG
    changed[3] &= ~(termios.ECHO | termios.ICANON | termios.IEXTEN | signals)  # lflag
    changed[0] &= ~(termios.IXON | termios.IXOFF | termios.ICRNL | termios.INLCR  # iflag
                    | termios.IGNCR)
    changed[6] = list(mode[6])
    changed[6][termios.VMIN], changed[6][termios.VTIME] = 1, 0
    return changed


class Held(NamedTuple):
    """The tty held in the app's mode (`hold`): the mode to put back at the end, and the keys
    typed before it was taken."""

    mode: list[Any]
    typed: bytes


def hold(fd: int = 0) -> Held | None:
    """Put the tty on `fd` in the app's mode now, until the app's driver takes it over (None
    when it is no tty or refuses): keys typed meanwhile wait in it as the app will read them.
    Keys typed before were cooked by the line discipline, their Enter made a "\n": they are
    read now and given back with it as the "\r" it was (a ctrl+j typed then is taken for an
    Enter too)."""
    if not os.isatty(fd):
        return None
    try:
        import termios

        saved = termios.tcgetattr(fd)
        termios.tcsetattr(fd, termios.TCSANOW, app_mode(saved))
    except (ImportError, OSError):  # no termios (Windows)
        return None
    except termios.error:  # a tty that refuses its modes
        return None
    typed = b""
    while select.select([fd], [], [], 0)[0]:
        chunk = os.read(fd, 1024)
        if not chunk:
            break
        typed += chunk
    return Held(saved, typed.replace(b"\n", b"\r"))


def release(mode: list[Any] | None, fd: int = 0) -> None:
    """Put back the `mode` `hold` found (again, if the app's driver already did)."""
    if mode is None:
        return
    import termios

    with contextlib.suppress(OSError, termios.error):  # the terminal has gone
        termios.tcsetattr(fd, termios.TCSANOW, mode)


def ask(fd_in: int, fd_out: int, timeout: float = TIMEOUT) -> tuple[str | None, bytes]:
    """(The protocol the terminal on `fd_in`/`fd_out` answers for, None if it did not answer
    within `timeout`; the bytes read that were no reply.) Asked in the app's mode (`app_mode`),
    so keys typed meanwhile are read as the app reads them; the tty's mode is put back whatever
    happens."""
    import termios

    saved = termios.tcgetattr(fd_in)
    replies = b""
    found: str | None = None
    try:
        termios.tcsetattr(fd_in, termios.TCSANOW, app_mode(saved))
        os.write(fd_out, KITTY_QUERY + XTVERSION_QUERY + DA1_QUERY)
        deadline = time.monotonic() + timeout
        while found is None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd_in], [], [], left)[0]:
                break
            chunk = os.read(fd_in, 1024)
            if not chunk:
                break
            replies += chunk
            found = protocol_of(replies)
    finally:
        termios.tcsetattr(fd_in, termios.TCSANOW, saved)
    return found, re.sub(_REPLY, b"", replies)


def cell_size(fd: int) -> tuple[int, int]:
    """A cell's (width, height) in pixels from the tty's window size (no reply needed)."""
    import fcntl
    import termios

    try:
        packed = fcntl.ioctl(fd, termios.TIOCGWINSZ, b"\0" * 8)
        rows, columns, width, height = struct.unpack("HHHH", packed)
    except OSError:
        return DEFAULT_CELL
    if not (rows and columns and width >= columns and height >= rows):
        return DEFAULT_CELL
    return width // columns, height // rows


def detect(images: str, fd_in: int = 0, fd_out: int = 1) -> Graphics:
    """The graphics for the config's `images` value: an explicit protocol is taken as it is;
    "auto" asks the terminal when both ends are ttys; "off" draws nothing (half blocks here)."""
    interactive = os.isatty(fd_in) and os.isatty(fd_out)
    cell = cell_size(fd_out) if os.isatty(fd_out) else DEFAULT_CELL
    if images in PROTOCOLS:
        return Graphics(images, *cell)
    if images != "auto" or not interactive:
        return Graphics("halfblock", *cell)
    try:
        import termios

        protocol, typed = ask(fd_in, fd_out)
    except (ImportError, OSError):  # no termios (Windows); a write that failed
        return Graphics("halfblock", *cell)
    except termios.error:  # a tty that refuses its modes
        return Graphics("halfblock", *cell)
    return Graphics(protocol or "halfblock", *cell, typed=typed, late=protocol is None)


def drop_replies(text: str) -> tuple[str, bool]:
    """(`text` read from the terminal without the answers to the probe, whether the last of
    them has gone by): a terminal slower than TIMEOUT answers while the app runs, and Textual
    would take "[?62;22c" for keys ("?" opens the help)."""
    kept = re.sub(_REPLY.decode("ascii"), "", text)
    return kept, re.search(_DA1.decode("ascii"), text) is not None
