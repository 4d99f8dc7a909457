"""The title column is never starved: the source column shrinks with the list, and goes when
the list shows one source (issue 21.8)."""

from __future__ import annotations

import pytest

from newsreader.config import Config
from newsreader.models import Source
from newsreader.ui.format import ROW_FIXED, THREAD_MARK, shared_prefix
from tests.ui_fakes import BASE, FakeReader, headline, main, make_app, settle

LONG = "Parliament approves the winter heating programme for every region of the country"


def reader() -> FakeReader:
    headlines = [
        headline("a", LONG, 1, "Riverside News Agency"),
        headline("b", "Bravo story", 3, "Other Wire"),
        headline("c", "Charlie story", 5, "Riverside News Agency"),
    ]
    config = Config(sources=[Source("Riverside News Agency", f"{BASE}/rss"),
                             Source("Other Wire", f"{BASE}/other")])
    return FakeReader(headlines=headlines, config=config)


def first_row(app: object) -> tuple[str, int]:
    """The first row as painted, and the list's width."""
    headlines = main(app).headlines  # type: ignore[arg-type]
    return headlines.render_line(0).text, headlines.size.width


def title_start(row: str) -> int:
    """Where the title's part of the row starts: its thread mark ("↳4 ": the story "a" of
    the fake's sample stories has a thread), else the title ("Parliament...")."""
    return row.index(THREAD_MARK) if THREAD_MARK in row else row.index("Parliament")


def title_cells(row: str) -> int:
    """How many cells of the row the title has, its thread mark included."""
    return len(row.rstrip()) - title_start(row)


@pytest.mark.parametrize("columns", [100, 80])
async def test_titles_get_most_of_the_row_and_all_of_it_for_one_source(columns: int) -> None:
    app = make_app(reader())
    async with app.run_test(size=(columns, 40)) as pilot:
        await settle(pilot)
        row, width = first_row(app)
        assert "Riversi" in row  # two sources listed: the column is there, narrower
        assert title_cells(row) > width // 2, row
        # The title runs to the row's end, so it is cut there (with an ellipsis), not before.
        assert row.rstrip().endswith("…") and len(row.rstrip()) >= width - 1
        await pilot.press("f")  # all sources → the first source
        await settle(pilot)
        headlines = main(app).headlines
        assert headlines.scope == ("source", "Riverside News Agency")
        row, width = first_row(app)
        assert "Riversi" not in row and title_start(row) == ROW_FIXED
        assert headlines.source_width == 0


async def test_at_100_columns_the_title_has_more_than_the_18_cells_it_had() -> None:
    app = make_app(reader())
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        row, width = first_row(app)
        assert title_cells(row) >= 22 and width < 50, (row, width)  # it had 17


async def test_a_list_whose_headlines_all_come_from_one_source_has_no_source_column() -> None:
    app = make_app(FakeReader(headlines=[headline("a", LONG, 1), headline("c", "Charlie", 5)]))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        row, _ = first_row(app)
        assert "Example News" not in row and title_start(row) == ROW_FIXED


def test_the_words_every_source_name_starts_with_are_said_once() -> None:
    assert shared_prefix({"RNA — Economy", "RNA — Politics", "RNA — Регіони"}) == "RNA — "
    assert shared_prefix({"UNN Politics", "UNN Economy"}) == "UNN "
    assert shared_prefix({"BBC World", "BBC"}) == ""  # "BBC" would be left with nothing
    assert shared_prefix({"Example News", "Other Wire"}) == ""
    assert shared_prefix({"Example News"}) == ""


async def test_a_prefix_all_sources_share_is_left_out_of_the_source_column() -> None:
    headlines = [headline("a", LONG, 1, "RNA — Economy"),
                 headline("b", "Bravo", 3, "RNA — Politics")]
    app = make_app(FakeReader(headlines=headlines))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        row, _ = first_row(app)
        assert "RNA" not in row and "Economy" in row, row
