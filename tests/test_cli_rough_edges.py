"""Issue 18, the CLI's rough edges: every bad input gets one clear line, and nothing is lost.

Real processes as a user runs them: a pipe whose reader has gone, paths that cannot be written,
a prompt answered with Ctrl+D or Ctrl+C on a real terminal (a pty), a network that is down.
"""

from __future__ import annotations

import os
import pty
import resource
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newsreader.config import load_config
from newsreader.demo import DEMO_BASE
from newsreader.paths import default_paths
from tests.http_server import TestServer

NEWSREADER = [sys.executable, "-m", "newsreader"]
DEMO_STORIES = [f"{DEMO_BASE}/news/central-bank-holds-key-rate",
                f"{DEMO_BASE}/news/odesa-grain-shipments-rise"]


def run(*args: str, **kwargs) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    kwargs.setdefault("stdin", subprocess.DEVNULL)
    return subprocess.run([*NEWSREADER, *args], capture_output=True, text=True, timeout=60,
                          **kwargs)


def config_file() -> Path:
    return default_paths().config_file


def write_config(text: str) -> Path:
    path = config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


FEED = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>Extra feed</title>'
        b"<item><title>x</title><link>https://e.example/1</link></item></channel></rss>")


def two_feed_site(server: TestServer) -> str:
    """A home page advertising two feeds; returns its URL."""
    for path in ("/a.rss", "/b.rss"):
        server.route(path, FEED, content_type="application/rss+xml")
    server.route("/two", b'<html><head><link rel="alternate" type="application/rss+xml" '
                 b'title="Feed A" href="/a.rss"><link rel="alternate" '
                 b'type="application/rss+xml" title="Feed B" href="/b.rss"></head></html>')
    return server.url("/two")


# -- 1. a closed pipe (`| head -1`) ends every command quietly -------------------------------


def run_into_closed_pipe(*args: str) -> tuple[int, str]:
    """Run with stdout a pipe whose reader has already gone, as after `| head -1` has read its
    line; returns (exit status, stderr)."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # every write now fails with EPIPE (Python ignores SIGPIPE)
    try:
        process = subprocess.run([*NEWSREADER, *args], stdout=write_end, stderr=subprocess.PIPE,
                                 stdin=subprocess.DEVNULL, text=True, timeout=60)
    finally:
        os.close(write_end)
    return process.returncode, process.stderr


@pytest.mark.parametrize("command", [
    ["read", *DEMO_STORIES],
    ["read", "--format", "json", *DEMO_STORIES],
    ["search", "heating"],
    ["cache", "info"],
    ["sources", "list"],
    ["export-opml"],
])
def test_a_closed_pipe_ends_the_command_quietly(command: list[str]) -> None:
    assert run("--demo", "fetch").returncode == 0  # search and cache info have something
    status, stderr = run_into_closed_pipe("--demo", *command)
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr, stderr
    assert "Exception ignored" not in stderr, stderr
    assert stderr == "", "nothing to say: the reader of the output has gone"
    assert status == 141, "128 + SIGPIPE, what `seq 1 100000 | head -1` reports"


def test_head_reading_one_line_ends_the_command_quietly() -> None:
    """The real thing: `newsreader read URL URL | head -1` through a shell."""
    urls = " ".join(DEMO_STORIES)
    result = subprocess.run(
        ["sh", "-c", f"{sys.executable} -m newsreader --demo read {urls} | head -1"],
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
    )
    assert result.stdout.strip() == "Central bank keeps key rate unchanged, hryvnia steady"
    assert result.stderr == "", result.stderr


# -- 2. export-opml to a path that cannot be written ------------------------------------------


@pytest.mark.parametrize("where", ["missing folder", "a directory", "under a file"])
def test_export_opml_to_an_unwritable_path_is_one_line(tmp_path: Path, where: str) -> None:
    (tmp_path / "afile").write_text("keep me")
    target = {"missing folder": tmp_path / "nowhere" / "out.opml",
              "a directory": tmp_path,
              "under a file": tmp_path / "afile" / "out.opml"}[where]
    before = sorted(p.name for p in tmp_path.iterdir())
    result = run("export-opml", str(target))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"newsreader: {target}: cannot write: "), \
        result.stderr
    assert "Error" not in lines[0]  # the reason in words, not an exception's name
    assert sorted(p.name for p in tmp_path.iterdir()) == before, "no file left behind"
    assert (tmp_path / "afile").read_text() == "keep me"


def _small_files() -> None:
    """In the child: files may not grow past 200 bytes, and a write beyond fails (EFBIG)
    instead of killing the process, as on a full disk."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (200, 200))


def test_export_opml_that_fails_midway_keeps_the_old_file(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    target = folder / "subscriptions.opml"
    target.write_text("the previous export\n")
    result = subprocess.run([*NEWSREADER, "export-opml", str(target)], capture_output=True,
                            text=True, timeout=60, stdin=subprocess.DEVNULL,
                            preexec_fn=_small_files)
    assert result.returncode == 1
    assert result.stderr == f"newsreader: {target}: cannot write: File too large\n"
    assert target.read_text() == "the previous export\n", "never half-written"
    assert [p.name for p in folder.iterdir()] == [target.name], "no temporary file left"


def test_export_opml_writes_the_file(tmp_path: Path) -> None:
    target = tmp_path / "out.opml"
    result = run("export-opml", str(target))
    assert result.returncode == 0, result.stderr
    assert target.read_text().startswith("<?xml")
    assert oct(target.stat().st_mode & 0o777) == oct(0o666 & ~_umask()), "a normal file"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# -- 3. the "Which feed?" prompt: Ctrl+D cancels, Ctrl+C stops ---------------------------------


class Terminal:
    """newsreader running on a pseudo-terminal of its own, as typed at."""

    def __init__(self, *args: str) -> None:
        pid, fd = pty.fork()
        if pid == 0:  # the child: the pty is its controlling terminal
            # As a shell starts a foreground job: Ctrl+C interrupts. Inherited, an ignored
            # SIGINT survives exec and Python keeps ignoring it: a test run started in the
            # background by a non-interactive shell (`sh -c 'pytest &'`) ignores SIGINT.
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
            os.execv(sys.executable, [*NEWSREADER, *args])
        self.pid, self.fd, self.output = pid, fd, b""

    def read_until(self, text: bytes, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output:
            left = deadline - time.monotonic()
            assert left > 0, f"no {text!r} in {self.output!r}"
            if select.select([self.fd], [], [], left)[0]:
                try:
                    chunk = os.read(self.fd, 4096)
                except OSError:  # EIO: the child has gone
                    chunk = b""
                assert chunk, f"ended before {text!r}: {self.output!r}"
                self.output += chunk

    def type(self, keys: bytes) -> None:
        os.write(self.fd, keys)

    def wait(self, timeout: float = 30) -> int:
        """Collect the rest of the output and the exit status."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if select.select([self.fd], [], [], 0.1)[0]:
                try:
                    chunk = os.read(self.fd, 4096)
                except OSError:
                    chunk = b""
                self.output += chunk
                if chunk:
                    continue
            done, status = os.waitpid(self.pid, os.WNOHANG)
            if done:
                os.close(self.fd)
                return os.waitstatus_to_exitcode(status)
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        os.close(self.fd)
        raise AssertionError(f"still running: {self.output!r}")

    @property
    def text(self) -> str:
        return self.output.decode("utf-8", "replace").replace("\r\n", "\n")


@pytest.fixture
def prompt(http_server: TestServer) -> tuple[Terminal, Path, bytes]:
    config = write_config("# mine\n")
    before = config.read_bytes()
    terminal = Terminal("sources", "add", two_feed_site(http_server))
    terminal.read_until(b"Which feed (1-2)? ")
    return terminal, config, before


def test_ctrl_d_at_the_feed_prompt_cancels(prompt: tuple[Terminal, Path, bytes]) -> None:
    terminal, config, before = prompt
    terminal.type(b"\x04")
    status = terminal.wait()
    assert "Traceback" not in terminal.text and "EOFError" not in terminal.text
    assert terminal.text.rstrip().endswith("newsreader: cancelled: nothing added")
    assert status == 1
    assert config.read_bytes() == before


def test_ctrl_c_at_the_feed_prompt_stops_at_once(prompt: tuple[Terminal, Path, bytes]) -> None:
    terminal, config, before = prompt
    terminal.type(b"\x03")
    status = terminal.wait()  # ends by itself: nothing is asking any more
    assert status == 130, terminal.text
    assert "Traceback" not in terminal.text and "KeyboardInterrupt" not in terminal.text
    assert terminal.text.count("Which feed") == 1, terminal.text
    assert config.read_bytes() == before


def test_the_feed_prompt_adds_the_feed_chosen(prompt: tuple[Terminal, Path, bytes],
                                              http_server: TestServer) -> None:
    terminal, config, _ = prompt
    terminal.type(b"2\n")
    assert terminal.wait() == 0, terminal.text
    assert "added Feed B" in terminal.text
    assert [s.url for s in load_config(config).sources] == [http_server.url("/b.rss")]


# -- 4. adding a source without the network ----------------------------------------------------


def test_offline_sources_add_never_touches_the_network(http_server: TestServer) -> None:
    http_server.route("/extra.rss", FEED, content_type="application/rss+xml")
    config = write_config("# mine\n")
    feed = http_server.url("/extra.rss")
    result = run("--offline", "sources", "add", feed, "--folder", "News")
    assert http_server.requests == [], "--offline never touches the network"
    assert result.returncode == 0, result.stderr
    assert result.stdout == (f"added 127.0.0.1 ({feed}) in News; not checked: offline — it will "
                             "be checked at the next refresh\n")
    [source] = load_config(config).sources
    assert (source.name, source.url, source.folder) == ("127.0.0.1", feed, "News")


def test_sources_add_with_the_host_unreachable_adds_it_unchecked() -> None:
    from tests.http_server import free_port

    config = write_config("# mine\n")
    dead = f"http://127.0.0.1:{free_port()}/feed.xml"
    result = run("sources", "add", dead, "--name", "Later")
    assert result.returncode == 0, result.stderr
    assert result.stdout == (f"added Later ({dead}); not checked: unreachable (connection "
                             "refused) — it will be checked at the next refresh\n")
    assert [(s.name, s.url) for s in load_config(config).sources] == [("Later", dead)]
    again = run("sources", "add", dead)
    assert again.returncode == 1 and again.stderr == f"newsreader: already a source: {dead}\n"


def test_sources_add_of_a_site_without_a_feed_is_still_refused(http_server: TestServer) -> None:
    config = write_config("# mine\n")
    http_server.route("/plain", "<!DOCTYPE html><html><body>No feeds here</body></html>")
    http_server.route("/gone", "<h1>Not found</h1>", status=404)
    plain, gone = http_server.url("/plain"), http_server.url("/gone")
    result = run("sources", "add", plain)
    assert result.returncode == 1
    assert result.stderr == f"newsreader: {plain}: no feed found on that page\n"
    result = run("sources", "add", gone)
    assert result.returncode == 1
    assert result.stderr == f"newsreader: {gone}: HTTP 404 Not Found\n"
    assert config.read_text() == "# mine\n"


def test_sources_add_assumes_https_like_a_browser() -> None:
    config = write_config("# mine\n")
    result = run("--offline", "sources", "add", "example.com/feed")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("added example.com (https://example.com/feed); not checked")
    assert [s.url for s in load_config(config).sources] == ["https://example.com/feed"]
    refused = run("--offline", "sources", "add", "javascript:alert(1)")
    assert refused.returncode == 2 and "not an http(s) URL" in refused.stderr


# -- 5. smaller items ---------------------------------------------------------------------------


def test_headless_commands_warn_about_unknown_actions_and_themes() -> None:
    config = write_config('theme = "nordic"\n[keys]\nnxt_story = "x"\n')
    result = run("sources", "list")
    assert result.returncode == 0
    assert result.stderr.splitlines() == [
        f"newsreader: warning: {config}:3: [keys.nxt_story] unknown action ignored "
        "(help, ?, names them all)",
        f"newsreader: warning: {config}:1: [theme] unknown theme \"nordic\" ignored",
    ]


EMPTY_OPML = b'<?xml version="1.0"?><opml version="2.0"><head/><body></body></opml>'


def test_import_of_an_opml_file_without_feeds_says_so(tmp_path: Path) -> None:
    config = write_config("# mine\n")
    empty = tmp_path / "empty.opml"
    empty.write_bytes(EMPTY_OPML)
    result = run("import-opml", str(empty))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == f"newsreader: {empty}: the file holds no feeds; nothing added\n"
    assert config.read_text() == "# mine\n"


def test_import_opml_counts_in_words(tmp_path: Path) -> None:
    write_config("# mine\n")
    one = tmp_path / "one.opml"
    one.write_bytes(b'<?xml version="1.0"?><opml version="2.0"><body><outline type="rss" '
                    b'text="A" xmlUrl="https://a.example/feed"/></body></opml>')
    assert run("import-opml", str(one)).stdout.endswith("1 added, 0 duplicates, 0 refused\n")
    again = run("import-opml", str(one))
    assert again.returncode == 0
    assert again.stdout == "0 added, 1 duplicate, 0 refused\n"
