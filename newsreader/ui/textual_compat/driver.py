"""A terminal driver (Textual 8.2.8 LinuxDriver) whose input thread stops at once.

Textual's input thread waits for the terminal in select() with a 0.1 s timeout and looks at its
exit event between waits; once it is set, the thread waits 0.1 s more on a selector it has
just emptied (nothing can arrive: it is a sleep). Quitting (`disable_input`, which joins the
thread) took 0.1-0.2 s of the 0.35 s from `q` to the shell prompt, and so did each suspend.

Here the thread also waits on a pipe that the exit event's `set()` writes to, so it wakes as soon
as it is told to stop, and the empty last wait is gone (its parser tick is kept); and it first
feeds the app's `typed_ahead` bytes (keys read by the terminal probe) and, when the app's
`late_replies` says the terminal did not answer the probe in time, drops its answer from what
comes next; and its parser reads Esc followed at once by a plain key as both keys
(escape_keys). Everything else is Textual's `run_input_thread`, line for line. Its first start
keeps, to put back at exit, the mode the tty had before the app held it (`terminal_probe.hold`).
"""

from __future__ import annotations

import contextlib
import os
import selectors
import threading
import time
from codecs import getincrementaldecoder
from typing import Any

from textual._parser import ParseError
from textual.drivers.linux_driver import LinuxDriver

from newsreader.ui.terminal_probe import LATE_SECONDS, drop_replies
from newsreader.ui.textual_compat.escape_keys import EscapeSplittingParser


class _WakingEvent(threading.Event):
    """A threading.Event whose set() also makes the input thread's select() return."""

    def __init__(self, wake_fd: int) -> None:
        super().__init__()
        self._wake_fd = wake_fd

    def set(self) -> None:
        super().set()
        with contextlib.suppress(OSError):  # full (it is drained) or closed: a wait still ends
            os.write(self._wake_fd, b"\0")


class QuickExitDriver(LinuxDriver):
    """LinuxDriver with an input thread that ends as soon as input is disabled."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._wake_read, self._wake_write = os.pipe()
        os.set_blocking(self._wake_read, False)
        os.set_blocking(self._wake_write, False)
        self.exit_event = _WakingEvent(self._wake_write)

    def close(self) -> None:
        super().close()
        for fd in (self._wake_read, self._wake_write):
            with contextlib.suppress(OSError):
                os.close(fd)

    def start_application_mode(self) -> None:
        """Textual's, except that the mode to put back at exit (and on suspend) is the one the
        tty had before `terminal_probe.hold` put it in the app's mode (the app's `tty_mode`),
        on the first start; Textual would keep the held mode it finds."""
        super().start_application_mode()
        held: list[Any] | None = getattr(self._app, "tty_mode", None)
        if held is not None:
            self.attrs_before = held
            self._app.tty_mode = None  # type: ignore[attr-defined]  # once: a resume finds the shell's

    def _drain_wake(self) -> None:
        with contextlib.suppress(OSError):  # BlockingIOError: drained
            while os.read(self._wake_read, 512):
                pass

    def run_input_thread(self) -> None:
        """Wait for input and dispatch events (Textual's, plus the wake pipe)."""
        self._drain_wake()  # a wake left from a previous thread (suspend and resume)
        selector = selectors.SelectSelector()
        selector.register(self.fileno, selectors.EVENT_READ)
        selector.register(self._wake_read, selectors.EVENT_READ)

        fileno = self.fileno
        wake = self._wake_read
        EVENT_READ = selectors.EVENT_READ

        parser = EscapeSplittingParser(self._debug)  # Esc then a key fast: both (escape_keys)
        feed = parser.feed
        tick = parser.tick

        decode = getincrementaldecoder("utf-8")().decode
        read = os.read

        # Keys typed while the terminal was asked about pictures (ui/terminal_probe) were read
        # then: they come first, as if typed now.
        typed: bytes = getattr(self._app, "typed_ahead", b"")
        if typed:
            self._app.typed_ahead = b""  # type: ignore[attr-defined]  # once, not on resume
            text = decode(typed)  # "" for half a character: feed("") would end the input
            for event in feed(text) if text else ():
                self.process_message(event)
        # It did not answer in time: its answer, if it comes, is no keys.
        late: bool = getattr(self._app, "late_replies", False)
        late_until = time.monotonic() + LATE_SECONDS if late else 0.0
        if late:
            self._app.late_replies = False  # type: ignore[attr-defined]  # once, as above

        try:
            while not self.exit_event.is_set():
                for selector_key, mask in selector.select(0.1):
                    if selector_key.fd == wake:
                        self._drain_wake()
                    elif mask & EVENT_READ:
                        unicode_data = decode(read(fileno, 1024 * 4))
                        if not unicode_data:
                            # This can occur if the stdin is piped
                            break
                        if late:
                            unicode_data, answered = drop_replies(unicode_data)
                            late = not answered and time.monotonic() < late_until
                            if not unicode_data:
                                continue  # feed("") would tell the parser input has ended
                        for event in feed(unicode_data):
                            self.process_message(event)
                for event in tick():
                    self.process_message(event)
            # Textual selects once more here, for 0.1 s, on a selector without the terminal.
            for event in tick():
                self.process_message(event)
        finally:
            selector.close()
            try:
                for _event in feed(""):
                    pass
            except (EOFError, ParseError):
                pass
