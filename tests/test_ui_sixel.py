"""Sixel pictures in the frames the app writes: scrolling, a toast, a modal, a font zoom."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from textual.drivers.headless_driver import HeadlessDriver

from newsreader.ui import terminal_pictures
from newsreader.ui.terminal_probe import Graphics
from newsreader.ui.textual_compat import images
from newsreader.ui.widgets.story_images import PictureRow
from tests.test_ui_graphics import BAND, CELL, SIXEL, picture_reader
from tests.test_ui_pictures import open_first
from tests.ui_fakes import SIZE, make_app, settle


@pytest.fixture
def frames(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each frame the app writes (the headless driver is made to take them, as a tty's does)."""
    out: list[str] = []
    monkeypatch.setattr(HeadlessDriver, "write", lambda self, data: out.append(data))
    monkeypatch.setattr(HeadlessDriver, "is_headless", property(lambda self: False))
    return out


@pytest.fixture
def encodes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The band heights of each picture encoded."""
    done: list[int] = []
    real = images.sixel_bands

    def counted(image: Any, height: int) -> list[str]:
        done.append(height)
        return real(image, height)

    monkeypatch.setattr(images, "sixel_bands", counted)
    return done


def bands_drawn(written: str) -> dict[int, str]:
    """The band drawn on each screen row (0-based) in `written`, at the text's column."""
    return {int(y) - 1: sixel for y, _, sixel in BAND.findall(written)}


async def open_picture(app: Any, pilot: Any) -> tuple[Any, int, list[str]]:
    """The story view with the focus, the index of the picture's first line, its bands."""
    view = await open_first(app, pilot)
    await pilot.press("tab")  # the story: j / k scroll it
    await settle(pilot)
    lines = view.text.lines(view.text_width)
    first = next(i for i, line in enumerate(lines) if isinstance(line, PictureRow))
    bands = lines[first].picture.bands(lines[first].size, lambda: None)
    assert bands is not None and len(bands) == 10
    return view, first, bands


def top_row(view: Any) -> int:
    """The screen row of the story's first line on screen."""
    return int(view.scroller.content_region.y)


async def until(pilot: Any, done: Callable[[], bool]) -> None:
    for _ in range(50):
        if done():
            return
        await pilot.pause(0.05)
    assert done()


async def test_scrolling_past_the_top_draws_the_rows_in_the_next_frame_without_encoding(
        frames: list[str], encodes: list[int]) -> None:
    app = make_app(picture_reader(400, 200), graphics=Graphics("sixel", *CELL))
    async with app.run_test(size=SIZE) as pilot:
        view, first, bands = await open_picture(app, pilot)
        for _ in range(first):  # the picture's top at the pane's top
            await pilot.press("j")
        await settle(pilot)
        assert view.scroller.scroll_y == first
        encoded = len(encodes)
        for scrolled in range(1, 6):
            frames.clear()
            await pilot.press("j")
            await pilot.pause()
            assert view.scroller.scroll_y == first + scrolled
            # The first frame after the key: the rows still on screen, each its own band.
            assert bands_drawn(frames[0]) == {top_row(view) + i: band
                                             for i, band in enumerate(bands[scrolled:])}
        assert len(encodes) == encoded  # scrolling encoded nothing


async def test_holding_j_through_the_picture_never_leaves_its_rows_blank(
        frames: list[str], encodes: list[int]) -> None:
    app = make_app(picture_reader(400, 200), graphics=Graphics("sixel", *CELL))
    async with app.run_test(size=SIZE) as pilot:
        _, first, bands = await open_picture(app, pilot)
        encoded = len(encodes)
        frames.clear()
        await pilot.press(*["j"] * (first + 10))  # through it and past, at once
        await settle(pilot)
        for frame in frames:
            drawn = bands_drawn(frame)
            if drawn:  # a frame that draws the picture draws every row of it on screen
                assert set(drawn.values()) == set(bands[-len(drawn):])
        assert len(encodes) == encoded


async def test_a_toast_over_some_rows_keeps_the_others_and_the_picture_is_whole_after(
        frames: list[str]) -> None:
    app = make_app(picture_reader(400, 200), graphics=Graphics("sixel", *CELL))
    # Toasts drawn; a short screen, so the picture can be scrolled to the toast's rows.
    async with app.run_test(size=(120, 24), notifications=True) as pilot:
        view, first, bands = await open_picture(app, pilot)
        app.notify("Saved\nin your list\nfor later", timeout=30)  # a toast 5 rows tall
        await settle(pilot)
        toast = app.screen.query_one("Toast").region
        text, bottom = view.text.content_region, view.scroller.content_region.bottom
        assert toast.x < text.x + 40 < toast.right  # it covers the picture's last column
        top = bottom - 10  # the screen row of the picture's first row: its last at the bottom
        view.scroller.scroll_to(y=first - (top - top_row(view)), animate=False)
        await settle(pilot)
        assert top_row(view) + first - view.scroller.scroll_y == top
        frames.clear()
        view.text.refresh()  # a repaint of the whole text while the toast is shown
        await settle(pilot)
        clear = {top + i: band for i, band in enumerate(bands) if top + i < toast.y}
        covered = {top + i: band for i, band in enumerate(bands) if top + i >= toast.y}
        assert clear and covered  # some rows of each
        assert bands_drawn("".join(frames)) == clear  # the rows under the toast have none
        frames.clear()
        app.clear_notifications()  # Textual repaints nothing of the story for that
        await until(pilot, lambda: covered.items() <= bands_drawn("".join(frames)).items())


async def test_no_sixel_while_a_modal_is_in_front_and_all_of_it_after(
        frames: list[str]) -> None:
    app = make_app(picture_reader(400, 200), graphics=Graphics("sixel", *CELL))
    async with app.run_test(size=SIZE) as pilot:
        view, _, bands = await open_picture(app, pilot)
        frames.clear()
        await pilot.press("question_mark")
        await settle(pilot)
        assert not view.screen.is_active
        assert frames and "\x1bP" not in "".join(frames)
        frames.clear()
        await pilot.press("escape")
        await settle(pilot)
        assert sorted(bands_drawn("".join(frames)).values()) == sorted(bands)


async def test_a_new_cell_size_draws_the_picture_again_at_it(
        frames: list[str], encodes: list[int]) -> None:
    app = make_app(picture_reader(400, 200), graphics=Graphics("sixel", *CELL))
    async with app.run_test(size=SIZE) as pilot:
        await open_picture(app, pilot)
        terminal = app.picture_terminal()
        assert isinstance(terminal, terminal_pictures.PictureTerminal)
        terminal.measure = lambda: (10, 25)  # a bigger font, the same rows and columns
        frames.clear()
        await pilot.resize_terminal(*SIZE)
        await until(pilot, lambda: len(bands_drawn("".join(frames))) == 8)
        drawn = bands_drawn("".join(frames))
        assert {SIXEL.match(band).groups() for band in drawn.values()} == {("400", "25")}
        assert encodes[-1] == 25
        assert terminal.cell == (10, 25)


def test_bands_number_the_colours_alike_and_select_each_right_after_defining_it() -> None:
    from PIL import Image

    image = Image.new("RGB", (60, 50), (200, 210, 220))  # snow, then a red and a blue stripe
    image.paste((200, 0, 0), (0, 20, 60, 30))
    image.paste((0, 0, 200), (0, 30, 30, 50))
    bands = images.sixel_bands(image, 20)
    assert [SIXEL.match(band).groups() for band in bands] == [("60", "20")] * 2 + [("60", "10")]
    defined: dict[str, str] = {}
    for band in bands:
        for number, colour, selected in re.findall(r"#(\d+)(;2;[\d;]+)(#\d+)?", band):
            assert selected == f"#{number}"  # xterm draws with the old colour otherwise
            assert defined.setdefault(number, colour) == colour  # one palette for all bands
    assert len(defined) == 3
