"""Config loading: defaults, valid files, and one-line errors naming file, line and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsreader.config import DEFAULT_SOURCES, load_config
from newsreader.errors import ConfigError


def write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "config.toml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    config = load_config(tmp_path / "nope.toml")
    assert config.sources == list(DEFAULT_SOURCES)
    assert config.refresh_minutes == 30 and config.mark_read == "open"


def test_full_file(tmp_path: Path) -> None:
    path = write(tmp_path, """
refresh_minutes = 15
prefetch = false
prefetch_per_source = 5
cache_size_mb = 256
keep_days = 7
mark_read = "leave"
images = "off"
theme = "nord"
browser = "firefox --new-tab"

[keys]
next_story = "n,ctrl+n"

[[sources]]
name = "UNN — Politics"
url = "https://unn.ua/en/rss/politics_en.xml"
folder = "Ukraine"
refresh_minutes = 10

[[sources]]
name = "BBC"
url = "https://feeds.bbci.co.uk/news/world/rss.xml"
""")
    config = load_config(path)
    assert [s.name for s in config.sources] == ["UNN — Politics", "BBC"]
    assert config.sources[0].folder == "Ukraine" and config.sources[1].folder is None
    assert config.source_refresh_minutes == {"https://unn.ua/en/rss/politics_en.xml": 10}
    assert (config.refresh_minutes, config.prefetch, config.prefetch_per_source) == (15, False, 5)
    assert (config.cache_size_mb, config.keep_days, config.mark_read) == (256, 7, "leave")
    assert config.theme == "nord" and config.browser == "firefox --new-tab"
    assert config.images == "off" and load_config(tmp_path / "nope.toml").images == "auto"
    assert config.keys == {"next_story": "n,ctrl+n"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a = { a = 1, }\n", ":1: col 14: TOML syntax error"),
        ('refresh_minutes = 5\ntheme = "unclosed\n', ":2: col 18: TOML syntax error"),
        ('\n\nrefresh_minutes = "soon"\n', ":3: [refresh_minutes] expected an integer"),
        ("refresh_minutes = -5\n",
         ":1: [refresh_minutes] expected an integer (minutes) from 1 to 10080, got -5"),
        ("refresh_minutes = true\n", "[refresh_minutes] expected an integer"),
        ("cache_size_mb = 1e12\n", "[cache_size_mb] expected an integer"),
        ('mark_read = "never"\n', '[mark_read] expected "open" or "leave", got "never"'),
        ('\nimages = "iterm"\n',
         ':2: [images] expected "auto", "kitty", "sixel", "halfblock" or "off", got "iterm"'),
        ("images = false\n", '[images] expected "auto", "kitty", "sixel", "halfblock" or "off"'),
        ('[[sources]]\nname = "x"\n', ":1: [sources[0].url] is required"),
        ('[[sources]]\nname = "x"\nurl = "file:///etc/passwd"\n',
         ":3: [sources[0].url] expected an http(s) URL, got \"file:///etc/passwd\""),
        # The bad key's own line, in the right table (not its [[sources]] header).
        ('[[sources]]\nname = "a"\nurl = "https://a.b/"\nrefresh_minutes = 5\n\n'
         '[[sources]]\nname = "b"\nurl = "https://b.c/"\nfolder = 3\n',
         ":9: [sources[1].folder] expected a string"),
        ('[[sources]]\nname = "a"\nurl = "https://a.b/"\n\n[[sources]]\nname = "b"\n'
         'url = "https://b.c/"\nrefresh_minutes = 0\n',
         ":8: [sources[1].refresh_minutes] expected an integer"),
        ("[keys]\nquit = 5\n", ":2: [keys.quit] expected a key string"),
    ],
)
def test_bad_files_name_line_and_key(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert message.startswith(str(path))
    assert expected in message
    assert "\n" not in message


def test_non_utf8_and_directory(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r":2: is not valid UTF-8"):
        load_config(write(tmp_path, b'theme = "a"\ntheme2 = "\xff\xfe"\n'))
    folder = tmp_path / "dir.toml"
    folder.mkdir()
    with pytest.raises(ConfigError, match="is a directory"):
        load_config(folder)


def test_huge_file_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="larger than 1 MiB"):
        load_config(write(tmp_path, "# x\n" * 300_000))


def test_bad_file_is_never_rewritten(tmp_path: Path) -> None:
    path = write(tmp_path, "a = { a = 1, }\n")
    before = path.read_bytes()
    with pytest.raises(ConfigError):
        load_config(path)
    assert path.read_bytes() == before


def test_unknown_keys_are_warnings(tmp_path: Path) -> None:
    path = write(tmp_path, "colour = 'red'\n[[sources]]\nname = \"x\"\nurl = \"https://a.b/\"\n"
                 "filter = 1\n")
    config = load_config(path)
    assert config.warnings == [f"{path}:1: [colour] unknown key ignored",
                               f"{path}:5: [sources[0].filter] unknown key ignored"]
    assert [s.url for s in config.sources] == ["https://a.b/"]


def test_unknown_key_actions_and_themes_are_warnings(tmp_path: Path) -> None:
    """Checked by the config (no Textual needed), so every command can say it, not only the app."""
    path = write(tmp_path, 'theme = "nordic"\n[keys]\nnext_story = "n"\nnxt_story = "x"\n'
                 'follow_3 = "#"\n')
    config = load_config(path)
    assert config.warnings == [
        f"{path}:4: [keys.nxt_story] unknown action ignored (help, ?, names them all)",
        f"{path}:1: [theme] unknown theme \"nordic\" ignored",
    ]
    assert load_config(write(tmp_path, 'theme = "nord"\n')).warnings == []


def test_filters_hide_by_words_or_regex_globally_or_for_one_source(tmp_path: Path) -> None:
    path = write(tmp_path, (
        '[[filters]]\nwords = ["Horoscope", "sponsored"]\n\n'
        '[[filters]]\nregex = "^Live:"\nsource = "Wire"\n'
    ))
    words, live = load_config(path).filters
    assert words.hides("Your weekly HOROSCOPE", "Any", "https://any/feed", "https://any/1")
    assert words.hides("A story", "Any", "https://any/feed", "https://any/sponsored/1"), "URL"
    assert not words.hides("A story", "Any", "https://any/feed", "https://any/1")
    assert live.hides("live: the match", "Wire", "https://wire/feed", "https://wire/1")
    assert not live.hides("Live: the match", "Other", "https://other/feed", "https://o/1")


@pytest.mark.parametrize(("text", "expected"), [
    ('[[filters]]\nregex = "(unclosed"\n',
     ':2: [filters[0].regex] expected a regular expression, got "(unclosed" (missing )'),
    ('[[filters]]\nsource = "Wire"\n', ":1: [filters[0]] needs words or a regex"),
    ('[[filters]]\nwords = [1]\n', ":2: [filters[0].words] expected a list of words"),
])
def test_bad_filters_name_line_and_key(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text))
    assert expected in str(caught.value)
