"""Keys typed before the app has taken the terminal (the real console script on a pty)."""

from __future__ import annotations

import os
import pty
import select
import shutil
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="no pty")


def _console_script() -> str:
    beside = Path(sys.executable).parent / "newsreader"
    found = str(beside) if beside.exists() else shutil.which("newsreader")
    assert found, "the newsreader console script is not installed"
    return found


def test_search_and_enter_typed_at_launch_open_the_story() -> None:
    script = _console_script()
    # The demo's stories cached first: the search finds "grain" before the Enter is read.
    subprocess.run([script, "--demo", "fetch"], check=True, capture_output=True, timeout=60)
    pid, master = pty.fork()
    if pid == 0:  # the child: the app on the pty, in the cooked mode a shell leaves
        os.environ.update(TERM="xterm-256color", LANG="C.UTF-8", LC_ALL="C.UTF-8")
        os.execv(script, [script, "--demo"])
    import fcntl

    fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    # Typed before the app has even started: the Enter reaches the tty's cooked queue as "\n".
    os.write(master, b"Sgrain\r")
    shown = b""
    deadline = time.monotonic() + 10
    try:
        while b"Maize accounted" not in shown and time.monotonic() < deadline:
            if select.select([master], [], [], 0.1)[0]:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the app has gone
                    break
                shown += chunk
                if b"\x1b[c" in chunk:
                    os.write(master, b"\x1b[?62;22c")  # DA1 as tmux answers: half blocks
        assert b"Maize accounted" in shown  # the story's body: Enter opened it
    finally:
        try:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(master)
