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
    ("Published 6 December 2017", "2017-12-06"),
    ("Stand: 6. Dezember 2017", "2017-12-06"),
    ("Posted on Dec. 6, 2017 by admin", "2017-12-06"),
    ("Опубліковано 19 березня 2019 року", "2019-03-19"),
    ("МОСКВА, 18 ноября 2017 — РИА Новости", "2017-11-18"),
    ("seen 2 May 2020, written 3 April 2019", "2020-05-02"),  # the first in the text
    ("updated 2020-05-02, first 3 April 2019", "2020-05-02"),  # a numeric one before names
])
def test_text_date_reads_numeric_dates(text: str, want: str) -> None:
    assert text_date(text) == want


@pytest.mark.parametrize("text", [
    "no date here, only 12 apples",
    "31.02.2017 is no day",  # not a real date
    "founded 12.05.1990",  # before any news page
    "due 01.01.2999",  # in the future
    "version 1.2.2017b",  # no word boundary after the year
    "born 21 August 1948",  # before any news page
    "32 December 2017",  # not a real day
])
def test_text_date_gives_nothing_for_no_plausible_date(text: str) -> None:
    assert text_date(text) is None


def test_a_page_without_date_markup_takes_its_printed_date() -> None:
    page = ("<html><head><title>Notice</title></head><body><h1>Notice</h1>"
            "<p>Stand: 06.12.2017</p><p>" + "The office is closed for the holidays. " * 20
            + "</p></body></html>").encode()
    story = parse_story(page, "https://example.org/notice")
    assert (story.published or "")[:10] == "2017-12-06"
