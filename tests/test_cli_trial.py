"""A newcomer's trial of the headless commands: search, cache info, bare URLs, config messages."""

from __future__ import annotations

import subprocess
import sys

import pytest

from newsreader.demo import DEMO_HOST

NEWSREADER = [sys.executable, "-m", "newsreader"]
BARE_STORY = f"{DEMO_HOST}/news/central-bank-holds-key-rate"  # no scheme, as a person types it


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*NEWSREADER, *args], capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL)


# -- a URL without its scheme is https, as `O` and `sources add` take it ---------------------


@pytest.mark.parametrize("command", [["read"], ["read", "--format", "json"], ["thread"]])
def test_read_and_thread_take_a_url_without_its_scheme(command: list[str]) -> None:
    result = run("--demo", *command, BARE_STORY)
    assert result.returncode == 0, result.stderr
    assert "not an http(s) URL" not in result.stderr
    assert "Central bank keeps key rate unchanged" in result.stdout


@pytest.mark.parametrize("command", ["read", "thread"])
def test_read_and_thread_still_refuse_what_is_no_web_address(command: str) -> None:
    result = run("--demo", command, "ftp://example.com/x")
    assert result.returncode == 1
    assert result.stderr.strip() == "newsreader: 'ftp://example.com/x': not an http(s) URL"
