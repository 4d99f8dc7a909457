"""The one sanitiser: strip terminal escapes, control and bidi characters from fetched text."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["MAX_COMBINING", "clean_line", "sanitize_text"]

MAX_COMBINING = 4  # real scripts stack at most 2-3 marks; zalgo stacks hundreds

# Whole "string" controls (OSC, DCS, SOS, PM, APC), 7-bit and 8-bit introducers, with their
# payload up to BEL, ST (ESC \ or 8-bit 0x9c) or the end of the string: a payload such as an
# OSC 52 clipboard write must not survive as visible text either.
_STRING_SEQ = re.compile(r"(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f]).*?(?:\x07|\x1b\\|\x9c|\Z)", re.S)
# CSI: parameters, intermediates and (if present) the final byte.
_CSI_SEQ = re.compile(r"(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?")
# Any other ESC sequence (ESC c, ESC ( B, ...) or a lone ESC.
_ESC_SEQ = re.compile(r"\x1b[\x20-\x2f]*[\x30-\x7e]?")
# C0 (except \n), DEL, C1, lone surrogates, bidi embedding/override/isolate controls and marks.
_BAD_CLASS = (
    "\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c"
)
_BAD_CHARS = re.compile(f"[{_BAD_CLASS}]")
_WS = re.compile(r"\s+")
# Every character _one_pass removes or rewrites, except combining marks (_trim_mark_runs):
# escape sequences all start with ESC or a C1 introducer, both in this class.
_NEEDS_PASS = re.compile(f"[{_BAD_CLASS}\u2028\u2029]")  # + the line separators


@lru_cache(maxsize=1)
def _mark_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(a run of more than MAX_COMBINING marks, any BMP mark): built once, lazily (~50 ms)."""
    ranges: list[tuple[int, int]] = []
    scan = [*range(0x0300, 0x20000), *range(0xE0100, 0xE01F0)]  # marks live in these planes
    for cp in scan:
        if unicodedata.category(chr(cp)) in ("Mn", "Me"):
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1] = (ranges[-1][0], cp)
            else:
                ranges.append((cp, cp))

    def char_class(spans: list[tuple[int, int]]) -> str:
        return "".join(
            re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
            for a, b in spans
        )

    every = char_class(ranges)
    bmp = char_class([(a, min(b, 0xFFFF)) for a, b in ranges if a <= 0xFFFF])
    return re.compile(f"([{every}]{{{MAX_COMBINING}}})[{every}]+"), re.compile(f"[{bmp}]")


def _trim_mark_runs(s: str) -> str:
    """Cut every run of combining marks (zalgo) down to MAX_COMBINING."""
    if len(s) <= MAX_COMBINING or s.isascii():
        return s
    run, any_bmp_mark = _mark_patterns()
    # The run pattern's class mixes BMP and astral ranges, so `re` walks its ~300 ranges for
    # every character (~250 us for a 600-character paragraph); a BMP-only class is one table
    # lookup, so text with no mark at all (most text) skips the walk.
    if max(s) <= "\uffff" and any_bmp_mark.search(s) is None:
        return s
    return run.sub(r"\1", s)


def _one_pass(s: str) -> str:
    # Strings and CSI first, until none is left: removing a CSI can complete an OSC introducer
    # ("\x1b" + "\x1b[0m" + "]0;...") that the generic ESC-pair rule would only half remove.
    prev = None
    while prev != s:
        prev = s
        s = _CSI_SEQ.sub("", _STRING_SEQ.sub("", s))
    s = _ESC_SEQ.sub("", s)
    # Line ends become \n and tabs a space before the remaining controls are dropped.
    s = s.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    s = s.replace("\u2028", "\n").replace("\u2029", "\n")
    return _trim_mark_runs(_BAD_CHARS.sub("", s))


def sanitize_text(s: str) -> str:
    """Return `s` without escape sequences, controls (but \\n), bidi controls or zalgo runs.

    Idempotent and never longer than its input. Repeats until stable because removing one
    character can join the halves of a new sequence (``"\\x1b\\x00[2J"``).
    """
    if not s:
        return ""
    if s.isascii() and s.isprintable():
        return s  # the common case: nothing to strip
    if _NEEDS_PASS.search(s) is None:
        return _trim_mark_runs(s)  # all a pass would do here, and the result is stable
    for _ in range(32):  # each pass shrinks the string, so this bound is never reached in practice
        out = _one_pass(s)
        if out == s:
            return out
        s = out
    return s


def clean_line(s: str | None, max_len: int = 500) -> str:
    """Sanitise, collapse whitespace to single spaces, strip and truncate with an ellipsis."""
    if not s:
        return ""
    # Cut giant inputs (a 10 MB title) before the regex work; the slack keeps short results
    # exact for all but pathological whitespace/escape-heavy strings.
    limit = max(4096, max_len * 8)
    if len(s) > limit:
        s = s[:limit]
    s = _WS.sub(" ", sanitize_text(s)).strip()
    if max_len > 0 and len(s) > max_len:
        s = s[: max_len - 1].rstrip() + "…"
    return s

