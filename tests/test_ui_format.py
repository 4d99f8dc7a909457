"""Unit tests of the UI's pure helpers: ages, rows, meta line, status line, browser argv."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsreader.models import Dateline, RelatedLink, Story
from newsreader.ui.bindings import clash_message, keymap_clashes, keymap_from_config
from newsreader.ui.format import age, headline_row, meta_line, related_row
from newsreader.ui.links import BrowserError, browser_command, open_in_browser
from newsreader.ui.widgets.status import status_content
from tests.ui_fakes import NOW, FakeProgress, FakeReader, headline


@pytest.mark.parametrize(
    ("delta", "expected"),
    [
        (timedelta(seconds=30), "now"),
        (timedelta(minutes=5), "5m"),
        (timedelta(hours=3, minutes=59), "3h"),
        (timedelta(days=2), "2d"),
        (timedelta(days=15), "2w"),
        (timedelta(hours=-2), "now"),  # a feed dated in the future
    ],
)
def test_age(delta: timedelta, expected: str) -> None:
    assert age((NOW - delta).isoformat(), NOW) == expected


def test_age_of_unknown_or_bad_dates_is_blank() -> None:
    assert age(None, NOW) == ""
    assert age("yesterday-ish", NOW) == ""
    assert age("2025-03-01T10:00:00", NOW) == "2h"  # naive is taken as UTC


def test_headline_row_is_literal_and_marks_state() -> None:
    item = headline("x", "[b]Bold?[/b] \x1b]0;title\x07", 3)
    unread = headline_row(item, read=False, saved=True, now=NOW).plain
    assert unread.startswith("● ★   3h Example News")
    assert "[b]Bold?[/b]" in unread
    read = headline_row(item, read=True, saved=False, now=NOW).plain
    assert read.startswith("      3h")


def test_meta_line_and_related_row() -> None:
    story = Story(
        url="https://x.test/a",
        published=datetime(2025, 3, 1, 9, 0, tzinfo=UTC).isoformat(),
        dateline=Dateline("Kyiv", "UNN"),
        views=1558,
        authors=["A", "B"],
    )
    line = meta_line(story).plain
    assert line.startswith("Kyiv • UNN  ·  ")
    assert "1,558 views" in line and line.endswith("by A, B")
    link = RelatedLink("recall", "", "https://x.test/b", summary="What happened before")
    assert related_row(2, link, cached=True).plain == ("[2] Recall: What happened before  ✓ cached")
    assert "not cached" in related_row(1, link, cached=False).plain


def test_status_line_shows_progress_errors_and_unread() -> None:
    running = FakeProgress(
        sources_total=8,
        sources_done=3,
        stories_total=40,
        stories_done=12,
        running=True,
        errors={"BBC": "timeout"},
    )
    text = status_content(offline=False, forced_offline=False, progress=running, unread=7).plain
    assert "online" in text and "3/8 sources, 12/40 stories" in text
    assert "7 unread" in text and "BBC: timeout" in text
    assert "threads" not in text  # no pages along threads yet
    running.threads_total, running.threads_done = 300, 120
    text = status_content(offline=False, forced_offline=False, progress=running, unread=7).plain
    assert "12/40 stories, threads 120/300" in text
    down = FakeProgress(sources_total=2, sources_done=2, offline=True)
    assert (
        "● offline"
        in status_content(offline=True, forced_offline=False, progress=down, unread=0).plain
    )


def test_status_line_notes_feeds_that_worked_with_a_caveat() -> None:
    from newsreader.services.refresh import RefreshProgress

    done = RefreshProgress(sources_total=2, sources_done=2, succeeded=2,
                           warnings={"Регіони": "encoding guessed"})
    text = status_content(offline=False, forced_offline=False, progress=done, unread=1).plain
    assert "updated 2/2 sources" in text and "ⓘ Регіони: encoding guessed" in text
    done.errors = {"BBC": "timed out"}
    text = status_content(offline=False, forced_offline=False, progress=done, unread=1).plain
    assert "BBC: timed out" in text and "encoding guessed" not in text  # errors come first


def test_browser_command_never_splices_the_url() -> None:
    url = "https://x.test/a?b=1&c=$(rm -rf ~)"
    assert browser_command("firefox --new-tab", url) == ["firefox", "--new-tab", url]
    assert browser_command("open -a 'My Browser' %s --bg", url) == [
        "open",
        "-a",
        "My Browser",
        url,
        "--bg",
    ]
    with pytest.raises(BrowserError):
        browser_command("  ", url)


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "file:///etc/passwd", "-oProxyCommand=x", "https://a b.test/"]
)
def test_open_in_browser_refuses_what_is_not_plain_http(url: str) -> None:
    with pytest.raises(BrowserError):
        open_in_browser(url, "true")


def test_keymap_from_config() -> None:
    keymap, unknown = keymap_from_config({"next_story": " n , ctrl+n ", "fly": "x"})
    assert keymap == {"next_story": "n,ctrl+n"}
    assert unknown == ["fly"]


def test_the_plain_action_and_theme_tables_match_textual() -> None:
    """The config checks [keys] and theme against newsreader/actions.py, without Textual."""
    from textual.theme import BUILTIN_THEMES

    from newsreader.actions import ACTION_IDS, THEME_NAMES
    from newsreader.ui.app import NewsreaderApp
    from newsreader.ui.bindings import APP_BINDINGS, MAIN_BINDINGS

    assert set(BUILTIN_THEMES) == THEME_NAMES
    assert set(NewsreaderApp(FakeReader()).available_themes) == THEME_NAMES
    assert {b.id for b in (*MAIN_BINDINGS, *APP_BINDINGS)} == ACTION_IDS
    assert {"next_story", "follow_3", "quit", "change_theme"} <= ACTION_IDS


def test_keymap_clashes_name_every_action_sharing_a_key() -> None:
    assert keymap_clashes({}) == []  # the defaults never clash
    assert keymap_clashes({"next_story": "x", "quit": "n"}) == []  # n was freed first
    assert keymap_clashes({"quit": "n"}) == [("n", ["quit", "next_story"])]
    # "?" is Textual's "question_mark"; one action may take a key from another on a screen.
    assert keymap_clashes({"refresh": "?", "back": "p"}) == [
        ("p", ["back", "previous_story"]),
        ("question_mark", ["refresh", "help"]),
    ]


def test_clash_message() -> None:
    assert clash_message("n", ["quit", "next_story"]) == (
        '[keys] "n" is bound to both quit and next_story'
    )
    assert clash_message("x", ["a", "b", "c"]) == '[keys] "x" is bound to a, b and c'


# -- wrap_plain: the fast path must give exactly Content.wrap's lines ------------------------

_ONE_CELL_ALPHABET = (
    "abcdefghij KLMNOP,.;—–-'\"«»…  "  # Latin, punctuation, doubled spaces
    "Київ Львів ґєї αβγ é"  # Cyrillic, Greek, Latin-1
)
_OTHER_CHARS = "日本\u0301\t\n😀"  # wide, combining, tab, newline, emoji: Content.wrap's


@pytest.mark.parametrize("alphabet", [_ONE_CELL_ALPHABET, _ONE_CELL_ALPHABET + _OTHER_CHARS])
@given(data=st.data())
@settings(max_examples=300, deadline=None)
def test_wrap_plain_gives_content_wraps_lines(alphabet: str, data: st.DataObject) -> None:
    from textual.content import Content

    from newsreader.ui.widgets.wrap import wrap_plain

    text = data.draw(st.text(alphabet=alphabet, max_size=300))
    width = data.draw(st.integers(min_value=1, max_value=90))
    expected = Content(text).wrap(width)
    got = wrap_plain(text, width)
    assert [line.plain for line in got] == [line.plain for line in expected]
    assert [line.cell_length for line in got] == [line.cell_length for line in expected]


@given(
    words=st.lists(st.text(alphabet="abcdefКиївαβ,.—«»…'", min_size=1, max_size=14), max_size=60),
    width=st.integers(min_value=1, max_value=90),
)
@settings(max_examples=400, deadline=None)
def test_wrap_plain_single_spaced_words_give_content_wraps_lines(
    words: list[str], width: int
) -> None:
    """Most paragraphs: words joined by one space, the path that breaks a line per rfind."""
    from textual.content import Content

    from newsreader.ui.widgets.wrap import wrap_plain

    text = " ".join(words)
    expected, got = Content(text).wrap(width), wrap_plain(text, width)
    assert [x.plain for x in got] == [x.plain for x in expected]
    assert [x.cell_length for x in got] == [x.cell_length for x in expected]


def test_wrap_plain_on_real_stories_at_every_width() -> None:
    from textual.content import Content

    from newsreader.parse.story import parse_story
    from newsreader.ui.widgets.wrap import wrap_plain
    from tests.fixture_site import STORY_PATHS, build_site

    pages = build_site("http://127.0.0.1:8")
    texts = []
    for path in STORY_PATHS:
        story = parse_story(pages[path].body, "http://127.0.0.1:8" + path,
                            headers={"content-type": pages[path].content_type})
        texts += [block.text for block in story.blocks if block.text] + [story.lead or ""]
    assert len(texts) > 20
    for width in (8, 20, 41, 62, 100):
        for text in texts:
            assert [x.plain for x in wrap_plain(text, width)] == [
                x.plain for x in Content(text).wrap(width)
            ]


def test_status_line_says_why_stories_were_not_prefetched() -> None:
    from newsreader.services.refresh import RefreshProgress

    done = RefreshProgress(
        sources_total=2, sources_done=2, succeeded=2, stories_total=11, stories_done=11,
        story_errors=11, story_failures={"news.example: HTTP 403": 9, "cdn.example: timeout": 2},
    )
    text = status_content(offline=False, forced_offline=False, progress=done, unread=1).plain
    assert "⚠ 11 stories not prefetched: news.example: HTTP 403 (9); cdn.example: timeout (2)" in (
        text
    )
    running = RefreshProgress(sources_total=2, running=True, story_errors=3)
    shown = status_content(offline=False, forced_offline=False, progress=running, unread=1).plain
    assert "not prefetched" not in shown, "said once the refresh is done"


QUOTES = [
    ("We stay.", "“We stay.”"),
    ("“We stay.”", "“We stay.”"),
    ('"We stay."', "“We stay.”"),
    ("“We stay,” he said — Peter Novak", "“We stay,” he said — Peter Novak"),
    ("“We stay — Peter Novak", "“We stay — Peter Novak”"),
    ("«Ми залишаємось»", "«Ми залишаємось»"),
    ("„Wir bleiben“", "„Wir bleiben“"),
]


@pytest.mark.parametrize(("text", "shown"), QUOTES)
def test_a_pull_quote_is_in_quotation_marks_once(text: str, shown: str) -> None:
    """In the CLI's `read` and in the app alike (present.quoted is shared)."""
    from rich.console import Console

    from newsreader.cli_render import story_renderable
    from newsreader.models import Block, Story
    from newsreader.ui.widgets.story import block_lines

    block = Block(type="quote", text=text, attribution="Olena Hrytsenko")
    app_lines = [line.plain[4:].rstrip() for line in block_lines(block, 200)]  # after the bar
    assert app_lines == [shown, "— Olena Hrytsenko"]
    console = Console(width=200, no_color=True, highlight=False)
    with console.capture() as capture:
        console.print(story_renderable(Story(url="https://e.example/1", title="T",
                                             blocks=[block])))
    cli_lines = [line.strip() for line in capture.get().splitlines() if line.strip()]
    assert cli_lines == ["T", shown, "— Olena Hrytsenko"]
