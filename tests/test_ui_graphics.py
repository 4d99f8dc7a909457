"""Kitty and sixel pictures: what the app sends the terminal, and the lines that show them."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import fcntl
import io
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from textual.drivers.headless_driver import HeadlessDriver
from textual.geometry import Region

from newsreader.ui.terminal_pictures import PLACEHOLDER
from newsreader.ui.terminal_probe import Graphics
from newsreader.ui.widgets.story_images import PictureRow
from tests.test_ui_pictures import open_first, png
from tests.ui_fakes import SIZE, FakeReader, make_app, settle

CELL = (10, 20)
APC = re.compile(r"\x1b_G([^;\x1b]*)(?:;([^\x1b]*))?\x1b\\")
SIXEL = re.compile(r'\x1bP0;1;0q"1;1;(\d+);(\d+)')


@pytest.fixture
def written(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What the app writes through its driver (the headless driver drops it otherwise)."""
    out: list[str] = []
    monkeypatch.setattr(HeadlessDriver, "write", lambda self, data: out.append(data))
    return out


def commands(written: list[str]) -> list[tuple[dict[str, str], str]]:
    """The kitty graphics commands written: (keys, payload)."""
    found = []
    for control, payload in APC.findall("".join(written)):
        found.append((dict(kv.split("=", 1) for kv in control.split(",")), payload))
    return found


def picture_reader(width: int = 400, height: int = 200) -> FakeReader:
    reader = FakeReader()
    for story in reader._cache.values():
        for block in story.blocks:
            if block.type == "image" and block.src:
                reader.images[block.src] = png(width, height)
    return reader


def visible_crop(view: Any) -> Region:
    """The part of the story's text on screen, in the text's own lines."""
    text, scroller = view.text, view.scroller.content_region
    shown = text.region.intersection(scroller)
    return Region(0, shown.y - text.region.y, text.size.width, shown.height)


BAND = re.compile(r"\x1b7\x1b\[(\d+);(\d+)H(\x1bP.*?\x1b\\)\x1b8", re.DOTALL)


def sixels(view: Any) -> list[tuple[str, str]]:
    """(The cursor move before it, the sixel) for each band the text's visible lines carry."""
    strips = view.text.render_lines(visible_crop(view))
    return [(f"\x1b[{y};{x}H", sixel) for strip in strips for segment in strip
            for y, x, sixel in BAND.findall(segment.text)]


# -- kitty ---------------------------------------------------------------------------------------

async def test_kitty_sends_the_picture_once_and_shows_it_in_placeholder_cells(
        written: list[str]) -> None:
    app = make_app(picture_reader(), graphics=Graphics("kitty", *CELL))
    async with app.run_test(size=SIZE) as pilot:
        view = await open_first(app, pilot)
        sent = commands(written)
        first = [(keys, payload) for keys, payload in sent if keys.get("a") == "t"]
        assert len(first) == 1  # one size drawn, sent once
        keys, _ = first[0]
        image_id = int(keys["i"])
        assert keys["f"] == "100" and keys["q"] == "2"
        start = sent.index(first[0])
        chunks = [sent[start]]
        while chunks[-1][0]["m"] == "1":
            chunks.append(sent[start + len(chunks)])
        assert all(len(payload) <= 4096 for _, payload in chunks)
        data = base64.standard_b64decode("".join(payload for _, payload in chunks))
        placement = sent[start + len(chunks)][0]
        assert placement == {"a": "p", "U": "1", "i": str(image_id),
                             "c": placement["c"], "r": placement["r"], "q": "2"}
        columns, rows = int(placement["c"]), int(placement["r"])
        assert Image.open(io.BytesIO(data)).size == (columns * CELL[0], rows * CELL[1])
        assert (columns, rows) == (40, 10)  # 400 x 200 pixels in 10 x 20 cells: true size
        lines = [line for line in view.text.lines(view.text_width)
                 if line.plain.startswith(PLACEHOLDER)]
        assert len(lines) == rows
        assert all(line.cell_length == columns for line in lines)
        assert lines[0].plain[:3] == PLACEHOLDER + "\u0305\u0305"  # row 0, column 0
        assert lines[1].plain[3:6] == PLACEHOLDER + "\u030d\u030d"  # row 1, column 1
        strip = view.text.render_line(view.text.lines(view.text_width).index(lines[0]))
        colours = {segment.style.color.triplet.hex for segment in strip
                   if PLACEHOLDER in segment.text}
        assert colours == {f"#{image_id:06x}"}  # the id, as the foreground colour
        written.clear()
        await pilot.press("n")  # another story: the picture is freed in the terminal
        await settle(pilot)
        assert {"a": "d", "d": "I", "i": str(image_id), "q": "2"} in [k for k, _ in
                                                                       commands(written)]


async def test_kitty_images_are_freed_at_exit(written: list[str]) -> None:
    app = make_app(picture_reader(), graphics=Graphics("kitty", *CELL))
    async with app.run_test(size=SIZE) as pilot:
        await open_first(app, pilot)
        sent = [keys["i"] for keys, _ in commands(written) if keys.get("a") == "t"]
        assert sent
        written.clear()
    assert [keys for keys, _ in commands(written)] == [
        {"a": "d", "d": "I", "i": image_id, "q": "2"} for image_id in sent]


async def test_half_blocks_send_nothing(written: list[str]) -> None:
    app = make_app(picture_reader())
    async with app.run_test(size=SIZE) as pilot:
        view = await open_first(app, pilot)
        assert any(line.plain.startswith("▀") for line in view.text.lines(view.text_width))
    assert commands(written) == [] and "\x1bP" not in "".join(written)


# -- sixel ---------------------------------------------------------------------------------------

async def test_sixel_draws_each_visible_row_from_its_own_band_and_never_under_a_modal() -> None:
    app = make_app(picture_reader(400, 200), graphics=Graphics("sixel", *CELL))
    async with app.run_test(size=SIZE) as pilot:
        view = await open_first(app, pilot)
        lines = view.text.lines(view.text_width)
        rows = [i for i, line in enumerate(lines) if isinstance(line, PictureRow)]
        assert len(rows) == 10 and rows == list(range(rows[0], rows[0] + 10))
        assert all(lines[i].plain == " " * 40 for i in rows)  # blank: the sixel covers them
        assert visible_crop(view).y == 0 and rows[-1] < visible_crop(view).bottom
        region = view.text.content_region
        drawn = sixels(view)  # encoded on the decoding thread already
        assert [move for move, _ in drawn] == [
            f"\x1b[{region.y + row + 1};{region.x + 1}H" for row in rows]
        assert {SIXEL.match(sixel).groups() for _, sixel in drawn} == {("400", "20")}
        assert len({sixel for _, sixel in drawn}) == 10  # a band a row

        view.scroller.scroll_to(y=rows[0] + 4, animate=False)  # 4 rows off the top
        await pilot.pause()
        assert visible_crop(view).y == rows[0] + 4
        shown = sixels(view)  # at once: the same bands, no new encode
        assert shown == [(f"\x1b[{region.y + 1 + i};{region.x + 1}H", sixel)
                         for i, (_, sixel) in enumerate(drawn[4:])]

        await pilot.press("question_mark")  # the help, a screen over the story
        await pilot.pause()
        assert not view.screen.is_active
        assert sixels(view) == []


async def test_sixel_sends_nothing_through_the_driver(written: list[str]) -> None:
    app = make_app(picture_reader(), graphics=Graphics("sixel", *CELL))
    async with app.run_test(size=SIZE) as pilot:
        await open_first(app, pilot)
    assert commands(written) == []


# -- the real app on a pty that answers the probe ------------------------------------------------

class PtyApp:
    """`newsreader --demo` on a 120x40 pty of 10x20-pixel cells; `out` is all it wrote."""

    def __init__(self) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 1200, 800))
        script = Path(sys.executable).parent / "newsreader"
        env = dict(os.environ, TERM="xterm-256color", LANG="C.UTF-8", LC_ALL="C.UTF-8")
        self.process = subprocess.Popen([str(script), "--demo"], stdin=slave, stdout=slave,
                                        stderr=slave, env=env, start_new_session=True)
        os.close(slave)
        self.out = b""

    def read_until(self, needle: bytes, timeout: float = 20.0, count: int = 1) -> None:
        """Read until `needle` has come `count` times."""
        deadline = time.monotonic() + timeout
        while self.out.count(needle) < count:
            assert time.monotonic() < deadline, f"{needle!r} never came: {self.out[-300:]!r}"
            if select.select([self.master], [], [], 0.1)[0]:
                with contextlib.suppress(OSError):  # EIO: the app has exited
                    self.out += os.read(self.master, 1 << 16)

    def write(self, data: bytes) -> None:
        os.write(self.master, data)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(5)
        os.close(self.master)


@pytest.fixture
def pty_app(isolated_dirs: dict[str, Path]) -> Iterator[PtyApp]:
    app = PtyApp()
    yield app
    app.close()


def test_the_app_asks_the_terminal_and_draws_with_kitty(pty_app: PtyApp) -> None:
    """Answered as kitty answers, the demo's picture (320 x 180) is sent at its true size in
    10 x 20 cells, then freed at exit."""
    pty_app.read_until(b"\x1b[c")
    pty_app.write(b"\x1b_Gi=31;OK\x1b\\\x1bP>|kitty(0.35.2)\x1b\\\x1b[?62;c")  # kitty's
    pty_app.read_until(b"Dnipro")
    pty_app.write(b"/")
    pty_app.read_until(b"Filter headlines")  # the prompt (keys in a burst with "/": elsewhere)
    pty_app.write(b"Dnipro\r")
    pty_app.read_until(b"1 of ")
    pty_app.write(b"\r")
    pty_app.read_until(b"\x1b_Ga=p,")
    pty_app.read_until(PLACEHOLDER.encode(), count=32 * 9)  # the frame that shows it
    pty_app.write(b"q")
    pty_app.read_until(b"\x1b_Ga=d,")
    assert pty_app.process.wait(10) == 0
    out = pty_app.out
    sent = commands([out.decode("utf-8", "replace")])
    first = next(i for i, (keys, _) in enumerate(sent) if keys.get("a") == "t")
    image_id = sent[first][0]["i"]
    payload = ""
    for keys, chunk in sent[first:]:
        payload += chunk
        if keys["m"] == "0":
            break
    assert Image.open(io.BytesIO(base64.standard_b64decode(payload))).size == (320, 180)
    assert {"a": "p", "U": "1", "i": image_id, "c": "32", "r": "9", "q": "2"} in [
        keys for keys, _ in sent]
    assert out.count(PLACEHOLDER.encode()) >= 32 * 9  # the cells, in at least one frame
    assert sent[-1][0] == {"a": "d", "d": "I", "i": image_id, "q": "2"}


def test_keys_typed_while_the_terminal_is_asked_reach_the_app(pty_app: PtyApp) -> None:
    pty_app.read_until(b"\x1b[c")
    pty_app.write(b"?\x1b[?62;1;2;6;9;15;22c")  # "?" typed before a VT220's reply came
    pty_app.read_until("Keys — Esc closes".encode())  # the help, opened by that "?"
    pty_app.write(b"\x1b")
    pty_app.read_until(b"Dnipro")
    assert b"\x1b_G" not in pty_app.out.split(b"\x1b[c", 1)[1]  # half blocks: nothing sent


async def test_a_new_sixel_size_is_encoded_on_the_encoder_thread_then_repainted() -> None:
    from newsreader.ui.terminal_pictures import PictureTerminal

    terminal = PictureTerminal(Graphics("sixel", *CELL), lambda text: None)
    picture = terminal.picture(Image.open(io.BytesIO(png(400, 200))).convert("RGB"))
    size = picture.size(80)
    assert size == (40, 10)
    picture.prepare(80)  # on the decoding thread
    assert len(picture.bands(size, lambda: None)) == 10  # type: ignore[attr-defined]
    ready = asyncio.Event()
    smaller = picture.size(30)
    assert smaller == (30, 8)
    assert picture.bands(smaller, ready.set) is None  # type: ignore[attr-defined]
    await asyncio.wait_for(ready.wait(), 5)
    bands = picture.bands(smaller, ready.set)  # type: ignore[attr-defined]
    assert [SIXEL.match(band).groups() for band in bands] == [("300", "20")] * 8
    assert picture._bands.keys() == {(smaller, CELL)}  # type: ignore[attr-defined]  # kept: one size


def test_an_answer_after_the_bound_is_not_taken_for_keys(pty_app: PtyApp) -> None:
    pty_app.read_until(b"\x1b[c")
    pty_app.read_until(b"Dnipro")  # the probe gave up: half blocks
    pty_app.write(b"\x1b[?62;1;2;6;9;15;22c")  # a far terminal's answer, late ("?" is help)
    time.sleep(0.3)
    pty_app.write(b"/")
    pty_app.read_until(b"Filter headlines")
    assert "Keys — Esc closes".encode() not in pty_app.out
