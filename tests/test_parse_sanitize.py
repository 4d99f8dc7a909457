"""The sanitiser: escape sequences, controls, bidi and zalgo never survive; idempotent."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsreader.parse.sanitize import clean_line, sanitize_text

_BAD = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a\x1b[31mred\x1b[0m", "ared"),
        ("\x1b]0;PWNED\x07title", "title"),  # OSC 0 window title, BEL-terminated
        ("x\x1b]8;;file:///etc/passwd\x1b\\link\x1b]8;;\x1b\\y", "xlinky"),  # OSC 8, ST-terminated
        ("\x1b]52;c;ZXZpbA==\x07clip", "clip"),  # OSC 52 clipboard write
        ("\x1b]52;c;ZXZpbA==", ""),  # unterminated: payload to end of string goes too
        ("\x9b2Jcls", "cls"),  # 8-bit CSI
        ("\x9d0;t\x9cok", "ok"),  # 8-bit OSC with 8-bit ST
        ("\x1bPdcs payload\x1b\\after", "after"),  # DCS
        ("\x1b_apc\x07\x1b^pm\x07\x1bXsos\x07z", "z"),
        ("nul\x00byte", "nulbyte"),
        ("del\x7f c1\x85", "del c1"),
        ("\u202eevil\u202c \u2066iso\u2069 \u200emark\u200f \u061c", "evil iso mark "),
        ("a\tb\r\nc\rd", "a b\nc\nd"),
        ("\ud800lone", "lone"),
        ("\x1bcreset", "reset"),
        ("\x1b\x00[2J", "[2J"),
    ],
)
def test_sanitize_cases(raw: str, expected: str) -> None:
    assert sanitize_text(raw) == expected


def test_rebuilt_sequence_is_removed_by_repeating() -> None:
    # Removing the inner CSI joins "\x1b" and "]0;x\x07": one pass is not enough.
    assert sanitize_text("\x1b\x1b[0m]0;PWNED\x07ok") == "ok"


def test_combining_runs_capped() -> None:
    zalgo = "Z" + "\u0301" * 500 + "a" + "\u0300\u0301" + "lgo"
    out = sanitize_text(zalgo)
    assert out == "Z" + "\u0301" * 4 + "a\u0300\u0301lgo"


def test_keeps_ordinary_text() -> None:
    text = "Київ • УНН — «цитата» 👩‍👩‍👧 Việt Nam\nnext"
    assert sanitize_text(text) == text


def test_clean_line() -> None:
    assert clean_line("  Breaking:\n\n  news\t\x1b[1mnow\x1b[0m  ") == "Breaking: news now"
    long = clean_line("word " * 1000, max_len=50)
    assert len(long) == 50 and long.endswith("…")
    assert clean_line(None) == ""
    assert len(clean_line("x" * 10_000_000, 100)) == 100  # 10 MB title, fast


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=200)
       | st.lists(st.sampled_from(["\x1b", "[", "]", "\x07", "\\", "\x9b", "\x9c", "0", ";",
                                   "\x00", "\r", "\n", "\u202e", "\u0301", "a", "P", "\x90"]),
                  max_size=60).map("".join))
def test_sanitize_properties(s: str) -> None:
    out = sanitize_text(s)
    assert sanitize_text(out) == out  # idempotent
    assert len(out) <= len(s)  # never grows
    assert "\x1b" not in out and not _BAD.search(out)
    assert not any(0xD800 <= ord(c) <= 0xDFFF for c in out)


def _every_pass(s: str) -> str:
    """The sanitiser without its shortcuts: a full pass until nothing changes."""
    from newsreader.parse.sanitize import _one_pass

    while (out := _one_pass(s)) != s:
        s = out
    return s


# Cyrillic, typographic punctuation, BMP and astral combining marks (U+1D167), an emoji and
# the controls the shortcuts must never wave through.
_MIXED = st.text(alphabet="aЖ«—\u0301\u0300\U0001d167\U0001f600\x1b[]\x9b\t\r\u202e\u2028 ")


@given(_MIXED)
@settings(max_examples=400)
def test_the_shortcuts_give_what_full_passes_give(s: str) -> None:
    assert sanitize_text(s) == _every_pass(s)


def test_astral_marks_are_capped_too() -> None:
    assert sanitize_text("x" + "\U0001d167" * 9) == "x" + "\U0001d167" * 4
