"""A newcomer's trial of the headless commands: search, cache info, bare URLs, config messages."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from importlib.resources import files
from pathlib import Path

import pytest

from newsreader.demo import DEMO_HOST
from newsreader.errors import ConfigError

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


# -- stories cached in no feed (the thread prefetch, Recall links) ---------------------------

# The demo's thread prefetch caches this Recall target; no demo feed lists it.
THREAD_ONLY_TITLE = "Kyiv council adopts city budget for 2027"
THREAD_ONLY_SLUG = "kyiv-council-adopts-2027-budget"


def test_search_finds_a_story_cached_along_a_thread_with_its_source_and_date() -> None:
    assert run("--demo", "fetch").returncode == 0
    feeds = files("newsreader.demo") / "site" / "feeds"
    assert not any(THREAD_ONLY_SLUG.encode() in f.read_bytes() for f in feeds.iterdir())
    found = run("--demo", "search", "budget")
    assert found.returncode == 0, found.stderr
    line = next(line for line in found.stdout.splitlines() if THREAD_ONLY_TITLE in line)
    assert line.endswith("]") and "[RNA, 20" in line, line  # its source and its date
    url = found.stdout.splitlines()[found.stdout.splitlines().index(line) + 1].strip()
    assert url.endswith(THREAD_ONLY_SLUG)
    read = run("--demo", "--offline", "read", url)
    assert read.returncode == 0 and THREAD_ONLY_TITLE in read.stdout


def test_cache_info_counts_the_stories_in_no_feed_and_their_dates() -> None:
    assert run("--demo", "fetch").returncode == 0
    lines = run("--demo", "cache", "info").stdout.splitlines()
    stories = next(line for line in lines if line.startswith("stories"))
    assert stories.endswith(" in no feed") and ", plus " in stories, stories
    oldest = next(line for line in lines if line.startswith("oldest")).split()[1]
    per_source = [line.rsplit("oldest ", 1)[1] for line in lines if line.startswith("  ")]
    assert oldest < min(per_source), "a story along a thread is older than every headline"


# -- config messages quote the value as TOML spells it ----------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ('images = "maybe"\n',
     ':1: [images] expected "auto", "kitty", "sixel", "halfblock" or "off", got "maybe"'),
    ("images = true\n",
     ':1: [images] expected "auto", "kitty", "sixel", "halfblock" or "off", got true'),
    ('mark_read = "never"\n', ':1: [mark_read] expected "open" or "leave", got "never"'),
    ('refresh_minutes = "soon"\n',
     ':1: [refresh_minutes] expected an integer (minutes), got "soon"'),
    ("refresh_minutes = true\n", ":1: [refresh_minutes] expected an integer (minutes), got true"),
    ("refresh_minutes = 0\n",
     ":1: [refresh_minutes] expected an integer (minutes) from 1 to 10080, got 0"),
    ("max_width = [false, 1.5]\n", "got [false, 1.5]"),
    ("[keys]\nquit = 5\n", ':2: [keys.quit] expected a key string such as "j,down", got 5'),
    ('[[sources]]\nname = "a"\nurl = "ftp://a.b/"\n',
     ':3: [sources[0].url] expected an http(s) URL, got "ftp://a.b/"'),
    ('[[sources]]\nname = 5\nurl = "https://a.b/"\n',
     ":2: [sources[0].name] expected a non-empty string, got 5"),
    ("sources = [1]\n", ": [sources[0]] expected a [[sources]] table, got 1"),
    ('[[filters]]\nregex = "(x"\n',
     ':2: [filters[0].regex] expected a regular expression, got "(x" (missing ), '
     'unterminated subpattern at position 0)'),
    ('refresh_minutes = "two\\nlines"\n', 'got "two\\nlines"'),
    (f'refresh_minutes = "{"x" * 100}"\n', f'got "{"x" * 38}…'),
])
def test_config_messages_show_the_value_in_toml_spelling(
    tmp_path: Path, text: str, expected: str
) -> None:
    from newsreader.config import load_config

    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert message.endswith(expected), message
    assert "\n" not in message and "True" not in message and "'" not in message


def test_an_unknown_theme_is_quoted_as_toml_spells_it(tmp_path: Path) -> None:
    from newsreader.config import load_config

    path = tmp_path / "config.toml"
    path.write_text('theme = "nrod"\n', encoding="utf-8")
    assert load_config(path).warnings == [f'{path}:1: [theme] unknown theme "nrod" ignored']


def test_the_example_config_says_what_an_unknown_key_does(tmp_path: Path) -> None:
    example = run("config", "--example").stdout
    assert "A bad key or value stops" not in example
    assert "an unknown key" in " ".join(example.split())
    path = tmp_path / "config.toml"
    path.write_text("refesh_minutes = 5\n", encoding="utf-8")
    result = run("--config", str(path), "--offline", "cache", "info")
    assert result.returncode == 0, "an unknown key does not stop newsreader"
    assert f"{path}:1: [refesh_minutes] unknown key ignored" in result.stderr


# -- the README's demo section is true --------------------------------------------------------


def test_the_readme_demo_commands_work_in_order() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    commands = [line.split("#")[0].split()[1:] for line in readme.splitlines()
                if line.startswith("newsreader --demo ")]
    commands = [c for c in commands if len(c) > 1]  # `newsreader --demo` alone is the app
    assert any("read" in c for c in commands) and any("thread" in c for c in commands)
    for command in commands:
        result = run(*command)
        assert result.returncode == 0, (command, result.stderr)
        assert result.stdout.strip(), command


def test_the_readme_says_how_old_the_demo_newest_story_is() -> None:
    from newsreader.demo.calendar import YOUNGEST

    readme = " ".join((Path(__file__).resolve().parent.parent / "README.md").read_text(
        encoding="utf-8").split())
    hours = YOUNGEST // timedelta(hours=1)
    assert f"the newest story is between {hours} and {hours + 24} hours old" in readme


def test_a_search_row_in_the_app_shows_the_source_and_the_date() -> None:
    from newsreader.present import local_time
    from newsreader.services.search import SearchHit
    from newsreader.ui.search import hit_row

    when = "2026-11-11T14:45:00+02:00"
    row = hit_row(SearchHit("https://e.x/1", "Kyiv budget", "RNA", "…budget…", when), "budget")
    assert row.plain.splitlines()[0] == f"Kyiv budget  RNA  {local_time(when)}"
    undated = hit_row(SearchHit("https://e.x/2", "Kyiv budget", "RNA", "…budget…"), "budget")
    assert undated.plain.splitlines()[0] == "Kyiv budget  RNA"
