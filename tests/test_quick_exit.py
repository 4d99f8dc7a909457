"""Quitting without waits: the terminal driver's input thread and the command's exit."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from textual import events
from textual.app import App

from newsreader.ui.textual_compat import versions
from newsreader.ui.textual_compat.app import CrashReportingApp
from newsreader.ui.textual_compat.driver import QuickExitDriver


def _driver_on_pipe() -> tuple[QuickExitDriver, int, list[object]]:
    """A driver (made on a running loop, as Textual makes it) reading from a pipe."""
    driver = QuickExitDriver(App())
    read_end, write_end = os.pipe()
    driver.fileno = read_end  # the "terminal": a pipe the test types into
    seen: list[object] = []
    driver.process_message = seen.append  # type: ignore[method-assign]
    return driver, write_end, seen


async def test_the_input_thread_reads_keys_and_stops_as_soon_as_it_is_told() -> None:
    driver, terminal, seen = _driver_on_pipe()
    thread = threading.Thread(target=driver.run_input_thread)
    thread.start()
    try:
        os.write(terminal, b"q")
        deadline = time.monotonic() + 5
        while not any(isinstance(m, events.Key) for m in seen) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert [m.key for m in seen if isinstance(m, events.Key)] == ["q"]
        time.sleep(0.05)  # the thread is back in its 0.1 s select()
        started = time.perf_counter()
        driver.exit_event.set()
        thread.join(5)
        # Textual's own thread takes 0.1-0.2 s here (select timeout, then a 0.1 s sleep).
        assert not thread.is_alive()
        assert time.perf_counter() - started < 0.09
    finally:
        driver.exit_event.set()
        thread.join(5)
        os.close(terminal)
        os.close(driver.fileno)
        driver.close()


async def test_a_second_thread_after_a_stop_waits_for_input_again() -> None:
    """Suspend and resume: the wake left by the first stop does not end the next thread."""
    driver, terminal, _seen = _driver_on_pipe()
    try:
        for _ in range(2):
            driver.exit_event.clear()
            thread = threading.Thread(target=driver.run_input_thread)
            thread.start()
            time.sleep(0.15)
            assert thread.is_alive()
            driver.exit_event.set()
            thread.join(5)
            assert not thread.is_alive()
    finally:
        os.close(terminal)
        os.close(driver.fileno)
        driver.close()


def test_the_app_uses_it_only_where_textual_would_use_its_linux_driver() -> None:
    if sys.platform == "win32" or not versions.verified():
        return
    assert CrashReportingApp().driver_class is QuickExitDriver


def test_the_command_exits_with_main_s_code_and_its_output_flushed(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "c"),
           "XDG_DATA_HOME": str(tmp_path / "d"), "XDG_CACHE_HOME": str(tmp_path / "k")}
    done = subprocess.run([sys.executable, "-m", "newsreader", "paths"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    assert done.stdout.splitlines()[0].startswith("config  ")
    bad = subprocess.run([sys.executable, "-m", "newsreader", "read", "--offline", "ftp://x"],
                         env=env, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1
    assert "not an http(s) URL" in bad.stderr
