"""The Strip fix (textual_compat/strips): painted lines leave no cyclic garbage, same results."""

from __future__ import annotations

import gc

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from newsreader.ui import textual_compat
from newsreader.ui.textual_compat.strips import originals

textual_compat.install()  # the fix, as the app installs it


def _strip(*texts: str) -> Strip:
    return Strip([Segment(text, Style(bold=i % 2 == 0)) for i, text in enumerate(texts)])


def _unreachable_after(use) -> int:
    """Cyclic garbage left by `use(strip)` once the strip is dropped."""
    gc.collect()
    gc.disable()
    try:
        strip = _strip("Kyiv • UNN ", "1558 views")
        use(strip)
        del strip
        return gc.collect()
    finally:
        gc.enable()


@pytest.mark.parametrize(
    "use",
    [
        pytest.param(lambda strip: strip.divide([strip.cell_length]), id="divide"),
        pytest.param(lambda strip: strip.crop_extend(0, strip.cell_length, None), id="crop_extend"),
    ],
)
def test_a_strip_asked_for_its_own_width_is_freed_without_the_collector(use) -> None:
    assert _unreachable_after(use) == 0


def test_the_unpatched_methods_do_leave_a_cycle() -> None:
    """The test above can fail: Textual's own methods make the strip hold itself."""
    divide, crop_extend = originals()["divide"], originals()["crop_extend"]
    assert _unreachable_after(lambda strip: divide(strip, [strip.cell_length])) > 0
    assert _unreachable_after(lambda strip: crop_extend(strip, 0, strip.cell_length, None)) > 0


texts = st.lists(st.text(alphabet="ab ёж界", min_size=1, max_size=6), min_size=1, max_size=4)


@given(texts, st.lists(st.integers(0, 30), max_size=4))
def test_divide_gives_textual_own_result(parts: list[str], cuts: list[int]) -> None:
    strip = _strip(*parts)
    cuts = [*sorted(set(cuts)), strip.cell_length]
    ours = strip.divide(cuts)
    theirs = originals()["divide"](_strip(*parts), cuts)
    assert [(s.text, s.cell_length) for s in ours] == [(s.text, s.cell_length) for s in theirs]


@given(texts, st.integers(-3, 30), st.integers(0, 30))
def test_crop_extend_gives_textual_own_result(parts: list[str], start: int, end: int) -> None:
    strip = _strip(*parts)
    ours = strip.crop_extend(start, end, None)
    theirs = originals()["crop_extend"](_strip(*parts), start, end, None)
    assert (ours.text, ours.cell_length) == (theirs.text, theirs.cell_length)
    assert list(ours) == list(theirs)
