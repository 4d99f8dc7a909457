"""The terminal probe against a pty that answers as kitty, xterm -ti vt340, a VT220 or nothing."""

from __future__ import annotations

import os
import pty
import struct
import termios
import threading
import time
from collections.abc import Iterator

import pytest

from newsreader.ui.terminal_probe import (
    DA1_QUERY,
    DEFAULT_CELL,
    KITTY_QUERY,
    TIMEOUT,
    XTVERSION_QUERY,
    Graphics,
    ask,
    cell_size,
    detect,
    drop_replies,
    protocol_of,
)

KITTY_OK = b"\x1b_Gi=31;OK\x1b\\"
# What each answers to the three queries (xterm's and kitty 0.26.5's as measured in them).
REPLIES = {
    "kitty": KITTY_OK + b"\x1bP>|kitty(0.35.2)\x1b\\\x1b[?62;c",
    "kitty-0.26": KITTY_OK + b"\x1bP>|kitty(0.26.5)\x1b\\\x1b[?62;c",  # no placeholders yet
    "ghostty": KITTY_OK + b"\x1bP>|ghostty 1.1.3\x1b\\\x1b[?62;22c",
    "wezterm": KITTY_OK + b"\x1bP>|WezTerm 20240203\x1b\\\x1b[?65;4;6;18;22c",
    "konsole": KITTY_OK + b"\x1b[?62;1;4c",  # no XTVERSION; draws no placeholders
    "xterm-vt340": b"\x1bP>|XTerm(379)\x1b\\\x1b[?63;1;2;4;6;9;15;16;22;28c",
    "vt220": b"\x1b[?62;1;2;6;9;15;22c",
    "kitty-refuses": b"\x1b_Gi=31;ENOTSUPPORTED:no\x1b\\\x1bP>|kitty(0.35.2)\x1b\\\x1b[?62;c",
}


@pytest.fixture
def terminal() -> Iterator[tuple[int, int]]:
    """(master, slave) of a fresh pty, slave in the cooked mode a shell leaves."""
    master, slave = pty.openpty()
    yield master, slave
    os.close(master)
    os.close(slave)


def answer(master: int, reply: bytes, before: bytes = b"") -> threading.Thread:
    """The terminal side: wait for both queries, then send `before` and `reply`."""
    def run() -> None:
        asked = b""
        while not asked.endswith(DA1_QUERY):
            asked += os.read(master, 1024)
        assert asked == KITTY_QUERY + XTVERSION_QUERY + DA1_QUERY
        os.write(master, before + reply)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize(("name", "expected"), [
    ("kitty", "kitty"), ("kitty-0.26", "halfblock"), ("ghostty", "kitty"), ("wezterm", "sixel"),
    ("konsole", "sixel"), ("xterm-vt340", "sixel"), ("vt220", "halfblock"),
    ("kitty-refuses", "halfblock"),
])
def test_replies_name_the_protocol_and_the_mode_is_put_back(
        terminal: tuple[int, int], name: str, expected: str) -> None:
    master, slave = terminal
    mode = termios.tcgetattr(slave)
    thread = answer(master, REPLIES[name])
    started = time.monotonic()
    assert ask(slave, slave) == (expected, b"")
    assert time.monotonic() - started < TIMEOUT  # the DA1 reply ended the wait
    thread.join(1)
    assert termios.tcgetattr(slave) == mode


def test_a_silent_terminal_costs_the_bound_only(terminal: tuple[int, int]) -> None:
    master, slave = terminal
    mode = termios.tcgetattr(slave)
    started = time.monotonic()
    assert ask(slave, slave) == (None, b"")
    assert TIMEOUT <= time.monotonic() - started < TIMEOUT + 0.1
    assert termios.tcgetattr(slave) == mode
    assert os.read(master, 1024) == KITTY_QUERY + XTVERSION_QUERY + DA1_QUERY  # nothing echoed


def test_keys_typed_meanwhile_are_kept(terminal: tuple[int, int]) -> None:
    master, slave = terminal
    answer(master, REPLIES["vt220"], before=b"jj")
    assert ask(slave, slave) == ("halfblock", b"jj")


def test_an_interrupt_puts_the_mode_back(terminal: tuple[int, int],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    _, slave = terminal
    mode = termios.tcgetattr(slave)

    def interrupted(*args: object) -> object:
        raise KeyboardInterrupt

    monkeypatch.setattr("select.select", interrupted)
    with pytest.raises(KeyboardInterrupt):
        ask(slave, slave)
    assert termios.tcgetattr(slave) == mode


def test_replies_split_anywhere_still_read() -> None:
    whole = REPLIES["kitty"]
    assert all(protocol_of(whole[:cut]) is None for cut in range(len(whole)))
    assert protocol_of(whole) == "kitty"


def test_cell_size_from_the_window_size(terminal: tuple[int, int]) -> None:
    _, slave = terminal
    assert cell_size(slave) == DEFAULT_CELL  # a pty that says no pixels
    import fcntl

    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 1080, 720))
    assert cell_size(slave) == (9, 18)


def test_explicit_values_and_no_tty_skip_the_question(terminal: tuple[int, int]) -> None:
    master, slave = terminal
    assert detect("sixel", slave, slave) == Graphics("sixel")
    assert detect("halfblock", slave, slave) == Graphics("halfblock")
    read_end, write_end = os.pipe()
    try:
        assert detect("auto", read_end, write_end) == Graphics("halfblock")
    finally:
        os.close(read_end)
        os.close(write_end)
    os.set_blocking(master, False)
    with pytest.raises(BlockingIOError):
        os.read(master, 1024)  # nothing was asked


def test_a_tty_that_refuses_its_modes_gets_half_blocks(terminal: tuple[int, int],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    _, slave = terminal

    def refuse(*args: object) -> object:
        raise termios.error(25, "Inappropriate ioctl for device")

    monkeypatch.setattr(termios, "tcgetattr", refuse)
    assert detect("auto", slave, slave) == Graphics("halfblock")


def test_a_late_answer_is_taken_out_of_the_input() -> None:
    assert drop_replies("j\x1b_Gi=31;OK\x1b\\k") == ("jk", False)
    assert drop_replies("\x1bP>|XTerm(379)\x1b\\\x1b[?63;1;4c/") == ("/", True)
    assert drop_replies("?\x1b[A") == ("?\x1b[A", False)  # keys stay keys


def test_a_silent_terminal_is_marked_late(terminal: tuple[int, int]) -> None:
    _, slave = terminal
    assert detect("auto", slave, slave).late
    assert not detect("sixel", slave, slave).late


def test_keys_typed_during_the_probe_are_the_keys_the_app_reads(
        terminal: tuple[int, int], monkeypatch: pytest.MonkeyPatch) -> None:
    # Enter stays "\r" (ICRNL made it the "\n" of ctrl+j) and Ctrl+C a key (ISIG would have
    # thrown the queue away), as in Textual's own mode.
    monkeypatch.delenv("TEXTUAL_ALLOW_SIGNALS", raising=False)
    master, slave = terminal
    answer(master, REPLIES["vt220"], before=b"S\r\x03\n")
    assert ask(slave, slave) == ("halfblock", b"S\r\x03\n")


def test_the_app_mode_is_textuals(terminal: tuple[int, int],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from textual.drivers.linux_driver import LinuxDriver

    from newsreader.ui.terminal_probe import app_mode

    monkeypatch.delenv("TEXTUAL_ALLOW_SIGNALS", raising=False)
    _, slave = terminal
    mode = termios.tcgetattr(slave)
    changed = app_mode(mode)
    assert changed[0] == LinuxDriver._patch_iflag(mode[0])
    assert changed[3] == LinuxDriver._patch_lflag(mode[3])
    assert changed[1:3] == mode[1:3] and changed[4:6] == mode[4:6]
    assert changed[6][termios.VMIN] == 1


def test_the_held_tty_reads_keys_as_the_app_does_and_is_put_back(
        terminal: tuple[int, int], monkeypatch: pytest.MonkeyPatch) -> None:
    from newsreader.ui.terminal_probe import hold, release

    monkeypatch.delenv("TEXTUAL_ALLOW_SIGNALS", raising=False)
    master, slave = terminal
    mode = termios.tcgetattr(slave)
    os.write(master, b"Sgrain\rj")  # typed before: cooked, "Sgrain\nj" in the queue
    time.sleep(0.05)  # the line discipline takes it in on its own work queue
    held = hold(slave)
    assert held is not None
    assert held.typed == b"Sgrain\rj"
    assert held.mode == mode
    os.write(master, b"k\r\x03")  # typed while held: read later by the app, as typed
    time.sleep(0.05)
    assert os.read(slave, 1024) == b"k\r\x03"
    assert os.read(master, 1024) == b"Sgrain\r\nj"  # the echo of the cooked keys only
    release(held.mode, slave)
    assert termios.tcgetattr(slave) == mode


def test_no_tty_is_held() -> None:
    from newsreader.ui.terminal_probe import hold

    read_end, write_end = os.pipe()
    try:
        assert hold(read_end) is None
    finally:
        os.close(read_end)
        os.close(write_end)
