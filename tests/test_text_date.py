"""The numeric date in a page's text, tried between htmldate's quick and extensive searches."""

from __future__ import annotations

import pytest

from newsreader.parse.html_meta import text_date
from newsreader.parse.story import parse_story


@pytest.mark.parametrize(("text", "want"), [
    ("Posted 2017-12-06 by the editor", "2017-12-06"),
    ("Stand: 06.12.2017, 14:00 Uhr", "2017-12-06"),
    ("Updated 12/6/2017", "2017-12-06"),
    ("Kyiv, 6.3.2019. Text", "2019-03-06"),
])
def test_text_date_reads_numeric_dates(text: str, want: str) -> None:
    assert text_date(text) == want


@pytest.mark.parametrize("text", [
    "no date here, only 12 apples",
    "31.02.2017 is no day",  # not a real date
    "founded 12.05.1990",  # before any news page
    "due 01.01.2999",  # in the future
    "version 1.2.2017b",  # no word boundary after the year
])
def test_text_date_gives_nothing_for_no_plausible_date(text: str) -> None:
    assert text_date(text) is None


def test_a_page_without_date_markup_takes_its_printed_date() -> None:
    page = ("<html><head><title>Notice</title></head><body><h1>Notice</h1>"
            "<p>Stand: 06.12.2017</p><p>" + "The office is closed for the holidays. " * 20
            + "</p></body></html>").encode()
    story = parse_story(page, "https://example.org/notice")
    assert (story.published or "")[:10] == "2017-12-06"
