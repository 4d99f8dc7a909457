"""The installed `newsreader` console script (on the demo edition, or on the fixture site), driven
in tmux like a person would."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def _console_script() -> str:
    beside = Path(sys.executable).parent / "newsreader"
    found = str(beside) if beside.exists() else shutil.which("newsreader")
    assert found, "the newsreader console script is not installed"
    return found


class Tmux:
    """One tmux server on a private socket, so a user's own tmux is never touched."""

    def __init__(self, env: dict[str, str]) -> None:
        self.socket = f"newsreader-test-{uuid.uuid4().hex[:8]}"
        self.env = env

    def run(self, *args: str) -> str:
        result = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True,
                                text=True, timeout=10, env=self.env)
        return result.stdout

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "main")

    def wait_for(self, text: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared; the screen was:\n{screen}")

    def wait_gone(self, text: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text not in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never went; the screen was:\n{screen}")

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", "main", *keys)


@pytest.fixture
def tmux(isolated_dirs: dict[str, Path]) -> Iterator[Tmux]:
    import os

    env = dict(os.environ, TERM="xterm-256color", LANG="C.UTF-8", LC_ALL="C.UTF-8")
    session = Tmux(env)
    session.run("new-session", "-d", "-s", "main", "-x", "120", "-y", "40",
                f"{_console_script()} --demo; sleep 30")
    try:
        yield session
    finally:
        session.run("kill-server")


def test_read_a_story_then_its_recall_story_and_come_back(tmux: Tmux) -> None:
    tmux.wait_for("Central bank keeps")
    tmux.wait_for("3/3 sources")  # the background refresh through the real fetch path
    tmux.keys("g", "Enter")
    screen = tmux.wait_for("Kyiv • RNA")
    assert "Central bank keeps key rate unchanged, hryvnia steady" in screen
    assert "1,958 views" in screen
    tmux.keys("1")  # [1] is the story's Recall link
    screen = tmux.wait_for("Grain shipments through Odesa ports rise")
    assert "Odesa • RNA" in screen
    tmux.keys("BSpace")
    screen = tmux.wait_for("Central bank keeps key rate unchanged, hryvnia steady")
    assert "Kyiv • RNA" in screen
    tmux.keys("q")
    # The pane runs "newsreader --demo; sleep 30": once `sleep` is in front, the app has quit.
    deadline = time.monotonic() + 10
    command = ""
    while time.monotonic() < deadline:
        command = tmux.run("list-panes", "-t", "main", "-F", "#{pane_current_command}").strip()
        if command == "sleep":
            break
        time.sleep(0.1)
    assert command == "sleep", f"newsreader did not quit on q (pane runs {command!r})"
    assert "Traceback" not in tmux.screen()


def test_filter_typed_at_full_speed_lands_in_the_filter(tmux: Tmux) -> None:
    tmux.wait_for("3/3 sources")
    # All six characters arrive in one burst, as from a fast typist or a paste: none may
    # reach the list's bindings ("y" copies a link, "r" refreshes, "b" pages up).
    tmux.keys("-l", "/cyber")
    screen = tmux.wait_for("2 of 14 · /cyber")
    assert "Cybersecurity agency warn" in screen and "Central bank" not in screen
    tmux.keys("Escape")
    tmux.wait_for("Central bank keeps")


def story_rows(screen: str) -> list[str]:
    """The story pane's rows (the right-hand pane at 120 columns), border and scrollbar off."""
    rows = []
    for line in screen.splitlines():
        if "▎▊" not in line or "▔" in line or "▁▁▁" in line:
            continue  # not a pane row, or the panes' top or bottom border
        rows.append(line.rsplit("▊", 1)[1].rstrip(" ▎▁▂▃▄▅▆▇█"))
    return rows


def settled(tmux: Tmux, changed_from: str, timeout: float = 10.0) -> str:
    """The screen once it differs from `changed_from` and has stopped changing."""
    deadline = time.monotonic() + timeout
    last = changed_from
    while time.monotonic() < deadline:
        time.sleep(0.3)
        screen = tmux.screen()
        if screen == last and screen != changed_from:
            return screen
        last = screen
    raise AssertionError(f"the screen did not settle; it was:\n{last}")


def test_twenty_j_in_one_burst_scroll_the_story_twenty_lines(tmux: Tmux) -> None:
    tmux.wait_for("3/3 sources")
    tmux.keys("g", "j", "Enter")  # the second story: 24 lines longer than its pane at 120x40
    tmux.wait_for("Kyiv extends opening hours of heating points")
    tmux.keys("Tab")  # focus the story: j and k scroll it
    time.sleep(0.5)
    before = tmux.screen()
    rows = story_rows(before)
    assert len(rows) == 35 and rows[1].strip().startswith("Kyiv extends opening hours"), before
    tmux.keys(*["j"] * 20)  # one send-keys: the twenty arrive together
    after = settled(tmux, before)
    scrolled = story_rows(after)
    assert scrolled[0] == rows[20] and scrolled[:15] == rows[20:], after
    tmux.keys(*["k"] * 16)
    back = story_rows(settled(tmux, after))
    assert back[:31] == rows[4:], "sixteen k: back sixteen lines"


def test_t_shows_the_thread_enter_opens_an_entry_and_backspace_comes_back(tmux: Tmux) -> None:
    tmux.wait_for("Central bank keeps")
    tmux.wait_for("3/3 sources")  # the refresh prefetched along the Recall chains
    tmux.keys("g", "Enter")
    tmux.wait_for("Kyiv • RNA")
    tmux.keys("t")
    screen = tmux.wait_for("stories in this thread")
    assert "▶" in screen and "Grain shipments through Odesa ports rise" in screen
    assert "recalled" in screen
    tmux.keys("k", "Enter")  # the entry just before it: the story it recalls
    screen = tmux.wait_for("Odesa • RNA")
    assert "Grain shipments through Odesa ports rise" in screen
    assert "stories in this thread" not in screen
    tmux.keys("BSpace")
    screen = tmux.wait_for("Central bank keeps key rate unchanged, hryvnia steady")
    assert "Kyiv • RNA" in screen


@pytest.fixture
def tmux_site(isolated_dirs: dict[str, Path], http_server: Any) -> Iterator[tuple[Tmux, Any]]:
    """`newsreader` (not the demo) on the fixture news site served from 127.0.0.1."""
    import os

    from newsreader.paths import default_paths
    from tests.site_helpers import serve_fixture_site

    serve_fixture_site(http_server)
    config = default_paths().config_file  # one feed: each story listed once
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'[[sources]]\nname = "Fixture News"\n'
                      f'url = "{http_server.url("/feeds/politics.rss")}"\n', encoding="utf-8")
    env = dict(os.environ, TERM="xterm-256color", LANG="C.UTF-8", LC_ALL="C.UTF-8")
    session = Tmux(env)
    session.run("new-session", "-d", "-s", "main", "-x", "120", "-y", "40",
                f"{_console_script()}; sleep 30")
    try:
        yield session, http_server
    finally:
        session.run("kill-server")


def test_daily_reading_main_path(tmux_site: tuple[Tmux, Any]) -> None:
    """Issue 21's main path as a person types it: mark all read and undo; a link in the story
    text followed and Backspace back; the links view; O with a URL; z, G, g and n in a story;
    notices that replace each other."""
    from tests.fixture_site import BLOG_PATH

    tmux, server = tmux_site
    tmux.wait_for("1/1 sources")
    screen = tmux.wait_for("7 unread")
    assert "Fixture News" not in screen.split("▎")[0]  # one source: no source column
    tmux.keys("A")
    tmux.wait_for("Marked 7 read (U undoes).")
    tmux.wait_for("0 unread")
    tmux.keys("U")
    screen = tmux.wait_for("Marked 7 unread again.")
    assert "Marked 7 read" not in screen  # the new notice replaced the other
    tmux.wait_for("7 unread")

    tmux.keys("g", "j", "j", "j", "Enter")  # the fourth headline, in one burst
    screen = tmux.wait_for("people[3]")  # the link in its text, after Read also [1], Recall [2]
    assert "Kyiv metro extends night service" in screen
    tmux.keys("3")
    tmux.wait_for("Уряд спростив оформлення")
    tmux.keys("BSpace")
    tmux.wait_for("people[3]")

    tmux.keys("u")  # the links view: every link, numbered as in the story
    screen = tmux.wait_for("Links of this story")
    assert "[3] Link: the government simplified aid" in screen
    tmux.keys("Escape")
    # Before the next key: an ESC with a key right behind it reads as one Alt+key sequence.
    tmux.wait_gone("Links of this story")

    tmux.keys("O")
    tmux.wait_for("Open a story by its URL")
    tmux.keys("-l", server.url(BLOG_PATH))
    tmux.keys("Enter")
    tmux.wait_for("Why I moved my garden indoors")
    tmux.keys("BSpace")
    tmux.wait_for("people[3]")

    tmux.keys("z")  # the story alone: the list and its title are gone
    tmux.wait_gone("7 headlines")
    before = tmux.screen()
    tmux.run("resize-window", "-t", "main", "-y", "20")  # a story longer than its pane
    screen = settled(tmux, before)  # laid out again for the new size before the next key
    assert "Kyiv • Ukrinform" in screen
    assert "Related stories" not in screen
    tmux.keys("G")
    screen = tmux.wait_for("Related stories")
    assert "Kyiv • Ukrinform" not in screen
    tmux.keys("g")
    screen = tmux.wait_for("Kyiv • Ukrinform")
    assert "Related stories" not in screen
    tmux.keys("n")  # the next story of the list, counted from the story on screen
    tmux.wait_for("Уряд спростив оформлення")
    tmux.keys("z")
    tmux.wait_for("7 headlines")
    tmux.keys("q")
    assert "Traceback" not in tmux.screen()


def test_keys_sent_with_the_key_that_opens_a_prompt_reach_the_prompt(tmux: Tmux) -> None:
    tmux.wait_for("3/3 sources")
    # S and the query in one send-keys: one read. None of the letters may fire a key of the
    # list underneath (t: thread, u: links, g: first), and all of them land in the box.
    tmux.keys("-l", "Sbudget")
    screen = tmux.wait_for("Construction was funded from the state budget")
    assert "▊  budget " in screen
    tmux.keys("Escape")
    tmux.wait_gone("Search the cached stories")
    # The query, then ↓ ↓ Enter, with S: the second result opens.
    tmux.keys("S", "g", "r", "a", "i", "n", "Down", "Down", "Enter")
    screen = tmux.wait_for("Odesa • RNA")
    assert "Search the cached stories" not in screen
    assert "New grain terminal opens at the port of Odesa" in story_rows(screen)[1]
    # / and O take what is sent with them too (O: the URL and its Enter).
    tmux.keys("-l", "/cyber")
    tmux.wait_for("2 of 14 · /cyber")
    tmux.keys("Escape")
    tmux.wait_for("Central bank keeps")
    tmux.keys("-l", "Onot a url\r")
    tmux.wait_for("Not an http(s) URL.")
    assert "not a url" in tmux.screen()


def test_escape_then_a_key_sent_at_once_is_both_keys(tmux: Tmux) -> None:
    """ESC and the next key in one read (or the next read, well within Textual's 0.1 s escape
    delay) were read as Alt+key: the filter read "cyber/grain", the help stayed open."""
    tmux.wait_for("3/3 sources")
    tmux.keys("/cyber", "Escape", "/grain")
    tmux.wait_for("/grain ")
    assert "cyber" not in tmux.screen().splitlines()[4]  # the list's border: "2 of 14 · /grain"
    tmux.keys("Escape")
    tmux.wait_for("14 headlines")
    tmux.keys("/cyber", "Escape")
    tmux.keys("/grain")  # a second send-keys: the next read
    tmux.wait_for("of 14 · /grain ")
    tmux.keys("Escape")
    tmux.wait_for("14 headlines")
    # The help closes on Esc (not "alt+j"), so the "/" after j j opens the filter under it.
    tmux.keys("?", "Escape", "j", "j", "/grain")
    tmux.wait_for("of 14 · /grain ")
    assert "Keys — Esc closes" not in tmux.screen()
    tmux.keys("Escape")
    tmux.wait_for("14 headlines")
    tmux.keys("S", "grain", "Escape", "S", "cyber")
    screen = tmux.wait_for("▊  cyber ")
    assert "grain" not in screen


def test_keys_after_enter_in_the_filter_and_after_down_in_search_act_where_they_lead(
    tmux: Tmux,
) -> None:
    tmux.wait_for("3/3 sources")
    tmux.keys("/Dnipro", "Enter", "Enter")  # the second Enter is the list's: it opens the story
    tmux.wait_for("Dnipro • RNA")
    tmux.keys("Escape")
    tmux.wait_for("14 headlines")
    tmux.keys("Skyiv", "Down")
    tmux.keys(*["j"] * 30)  # a moment later: the results', not the box's
    screen = tmux.wait_for("stories; Enter opens the highlighted one.")
    assert "▊  kyiv " in screen and "kyivj" not in screen
    tmux.keys("Escape")
    tmux.wait_gone("Search the cached stories")
    tmux.keys("-l", "aexample.org/feed")  # the demo refuses a: the rest fires no list key
    screen = tmux.wait_for("sources are fixed")
    assert "13 unread" in screen  # m (mark read) did not fire; / opened no filter:
    assert "▊▔ 14 headlines ▔" in screen  # the list's border would say "… of 14 · /…"
