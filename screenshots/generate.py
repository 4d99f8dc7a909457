"""Write the README screenshots: the real app on the demo edition, driven by Textual's Pilot.

    python screenshots/generate.py [OUTDIR]

Writes, for the headline list with a story, a Recall story reached by following a related link,
the thread view (`t`), the help screen, the narrow layout, a story's links view and a story with
its picture, the app's own SVG export and a PNG of it drawn by headless Chromium at 2x; and
recall-walk.png, an animated PNG of a Recall walk (open a story, follow its Recall link,
Backspace back). Needs Debian's `chromium fonts-firacode fonts-symbola` (Fira Code is the SVG's
font; Symbola has the header's ⭘). Uses throw-away XDG dirs, so the user's own cache and history
are never touched, and each capture starts from a first run.
"""

from __future__ import annotations

import asyncio
import html
import math
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # the demo edition's "today"
START = "kyiv-extends-heating-point-hours"
PICTURED = "dnipro-hospitals-get-modular-boilers"  # the demo story with a picture
INSTALL = "apt-get install chromium fonts-firacode fonts-symbola"
SCALE = 2  # device pixels per SVG pixel in the stills
ANIMATION_SCALE = 1  # the animation's frames are full screens: 1x keeps the file small

Step = Callable[..., Awaitable[object]]  # what it returns fills the title's {}


def _isolate() -> None:
    """Point every XDG dir at a temporary tree before newsreader computes its paths."""
    root = Path(tempfile.mkdtemp(prefix="newsreader-shots-"))
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        os.environ[name] = str(root / name.lower())
    os.environ["TZ"] = "UTC"
    time.tzset()


# --- driving the app -------------------------------------------------------------------------


async def _capture(steps: list[tuple[Step, str | None]], size: tuple[int, int]) -> list[str]:
    """Run the app on a fresh demo edition; after each step, the screen as SVG (titled if given)."""
    _isolate()  # every capture starts from a first run: no history or read marks from the last
    from newsreader.config import Config
    from newsreader.demo import DEMO_SOURCES, demo_transport
    from newsreader.services.wiring import open_reader
    from newsreader.ui.app import NewsreaderApp

    # The demo dated for NOW (its calendar's WRITTEN_FOR): the site exactly as written.
    reader = open_reader(Config(sources=list(DEMO_SOURCES)), demo=True,
                         transport=demo_transport(now=NOW))
    app = NewsreaderApp(reader, clock=lambda: NOW)
    svgs = []
    async with app.run_test(size=size) as pilot:
        await _settle(pilot)
        for step, title in steps:
            result = await step(pilot)
            await _settle(pilot)
            svgs.append(app.export_screenshot(title=title and title.format(result)))
    return svgs


async def _settle(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def _nothing(pilot) -> None:  # type: ignore[no-untyped-def]
    pass


async def _open_start(pilot, slug: str = START) -> None:  # type: ignore[no-untyped-def]
    screen = pilot.app.screen
    index = next(i for i, h in enumerate(screen.headlines.shown) if h.url.endswith(slug))
    screen.headlines.move_to(index)
    await pilot.press("enter")
    await _settle(pilot)  # the story's picture is drawn once its worker is done


async def _open_pictured(pilot) -> None:  # type: ignore[no-untyped-def]
    await _open_start(pilot, PICTURED)


async def _follow_recall(pilot) -> int:  # type: ignore[no-untyped-def]
    story = pilot.app.screen.story_view.story
    number = next(i for i, link in enumerate(story.related, 1) if link.kind == "recall")
    await pilot.press(str(number))
    await _settle(pilot)
    return number


async def _recall(pilot) -> None:  # type: ignore[no-untyped-def]
    await _open_start(pilot)
    await _follow_recall(pilot)
    await pilot.press("tab", "tab")  # focus the numbered related links at the end
    await pilot.wait_for_scheduled_animations()


async def _help(pilot) -> None:  # type: ignore[no-untyped-def]
    await _open_start(pilot)
    await pilot.press("question_mark")


async def _thread(pilot) -> None:  # type: ignore[no-untyped-def]
    await _open_start(pilot)
    await pilot.press("t")  # the story's thread: its Recall chain, oldest first


async def _links(pilot) -> None:  # type: ignore[no-untyped-def]
    """The central bank story, its text's link marked [2], and the links view (u) over it."""
    screen = pilot.app.screen
    index = next(i for i, h in enumerate(screen.headlines.shown)
                 if h.url.endswith("central-bank-holds-key-rate"))
    screen.headlines.move_to(index)
    await pilot.press("enter")
    await _settle(pilot)
    await pilot.press("tab", *"jjjjjjjjjj")  # the marked paragraph above the links view
    await pilot.press("u", "j")
    await _settle(pilot)


async def _back(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("backspace")


SHOTS: list[tuple[str, Step, tuple[int, int]]] = [
    ("list-and-story", _open_start, (120, 40)),
    ("recall-story", _recall, (120, 40)),
    ("thread", _thread, (120, 40)),
    ("help", _help, (120, 40)),
    ("narrow", _open_start, (80, 40)),
    ("links", _links, (120, 40)),
    ("story-picture", _open_pictured, (120, 40)),
]

# The animation: (step, window title naming the key just pressed, seconds shown).
WALK: list[tuple[Step, str, float]] = [
    (_nothing, "newsreader", 1.5),
    (_open_start, "newsreader — Enter: open the story", 2.5),
    (_follow_recall, "newsreader — {}: follow its Recall link", 3.0),
    (_back, "newsreader — Backspace: back, as it was", 3.0),
]


# --- SVG to PNG ------------------------------------------------------------------------------

# Block elements as (left, top, right, bottom) fractions of the cell. Drawn as glyphs, adjacent
# cells meet at fractional pixels and leave hairline seams in borders and scrollbars; a terminal
# draws them as filled rectangles, and so does this.
_E = 1 / 8
BLOCKS: dict[str, tuple[tuple[float, float, float, float], ...]] = {
    "▀": ((0, 0, 1, 0.5),),
    **{chr(0x2581 + i): ((0, 1 - (i + 1) * _E, 1, 1),) for i in range(8)},  # ▁ … █
    **{chr(0x2589 + i): ((0, 0, 1 - (i + 1) * _E, 1),) for i in range(7)},  # ▉ … ▏
    "▐": ((0.5, 0, 1, 1),),
    "▔": ((0, 0, 1, _E),),
    "▕": ((1 - _E, 0, 1, 1),),
    "▖": ((0, 0.5, 0.5, 1),),
    "▗": ((0.5, 0.5, 1, 1),),
    "▘": ((0, 0, 0.5, 0.5),),
    "▙": ((0, 0, 0.5, 1), (0.5, 0.5, 1, 1)),
    "▚": ((0, 0, 0.5, 0.5), (0.5, 0.5, 1, 1)),
    "▛": ((0, 0, 1, 0.5), (0, 0.5, 0.5, 1)),
    "▜": ((0, 0, 1, 0.5), (0.5, 0.5, 1, 1)),
    "▝": ((0.5, 0, 1, 0.5),),
    "▞": ((0.5, 0, 1, 0.5), (0, 0.5, 0.5, 1)),
    "▟": ((0.5, 0, 1, 1), (0, 0.5, 0.5, 1)),
}
_TEXT = re.compile(r"<text ([^>]*)>([^<]*)</text>")
_ATTR = re.compile(r'([\w-]+)="([^"]*)"')
_CLIP = re.compile(r'<clipPath id="([^"]+)">\s*<rect x="[^"]*" y="([^"]*)"')
_REMOTE_FONT = re.compile(r',\s*url\("[^"]*"\)\s*format\("[^"]*"\)')


def _prepare(svg: str) -> str:
    """The SVG as Chromium should draw it: installed fonts only, block elements as rectangles."""
    from rich.cells import cell_len

    svg = _REMOTE_FONT.sub("", svg)  # local("FiraCode-…") only: no fetch, same on every machine
    found = re.search(r"line-height:\s*([\d.]+)px", svg)
    if found is None:
        return svg
    line_height = float(found.group(1))
    tops = {name: float(y) for name, y in _CLIP.findall(svg)}

    def cells(match: re.Match[str]) -> str:
        attrs = dict(_ATTR.findall(match.group(1)))
        text = html.unescape(match.group(2))
        clip = re.fullmatch(r"url\(#(.+)\)", attrs.get("clip-path", ""))
        if not any(c in BLOCKS for c in text) or clip is None or clip.group(1) not in tops:
            return match.group(0)
        top, left = tops[clip.group(1)], float(attrs["x"])
        width = float(attrs["textLength"]) / cell_len(text)
        rects, kept, offset = [], [], 0
        for char in text:
            for x0, y0, x1, y1 in BLOCKS.get(char, ()):
                rects.append(
                    f'<rect class="{attrs.get("class", "")}" '
                    f'x="{left + (offset + x0) * width:.3f}" y="{top + y0 * line_height:.3f}" '
                    f'width="{(x1 - x0) * width:.3f}" height="{(y1 - y0) * line_height:.3f}" '
                    'shape-rendering="crispEdges"/>'
                )
            kept.append("\xa0" if char in BLOCKS else char)
            offset += cell_len(char)
        rest = "".join(kept)
        if rest.strip("\xa0 "):
            rects.append(f"<text {match.group(1)}>{html.escape(rest, quote=False)}</text>")
        return "".join(rects)

    return _TEXT.sub(cells, svg)


def _chromium() -> str:
    for name in (os.environ.get("CHROMIUM", ""), "chromium", "chromium-browser", "google-chrome"):
        if name and (path := shutil.which(name)):
            return path
    raise SystemExit(f"screenshots/generate.py: Chromium not found; install it: {INSTALL}")


def _check_fonts(svgs: list[str]) -> None:
    """Say which of the SVGs' characters no installed font has (they would come out as boxes)."""
    if shutil.which("fc-list") is None:
        return
    if not _fc_list(":family=Fira Code"):
        print(f"warning: font Fira Code not installed ({INSTALL})", file=sys.stderr)
    chars = {c for svg in svgs for text in _TEXT.findall(svg) for c in html.unescape(text[1])}
    for char in sorted(c for c in chars if ord(c) >= 0x2000 and c not in BLOCKS):
        if not _fc_list(f":charset={ord(char):x}"):
            print(
                f"warning: no installed font has {char} U+{ord(char):04X} ({INSTALL})",
                file=sys.stderr,
            )


def _fc_list(pattern: str) -> str:
    return subprocess.run(["fc-list", pattern], capture_output=True, text=True).stdout.strip()


def _render(chromium: str, svg: str, png: Path, scale: int) -> None:
    """Draw one SVG with headless Chromium at its viewBox size, transparent outside the frame."""
    found = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg)
    if found is None:
        raise SystemExit(f"screenshots/generate.py: no viewBox in the SVG for {png.name}")
    width, height = (math.ceil(float(v)) for v in found.groups())
    with tempfile.TemporaryDirectory(prefix="newsreader-shots-") as tmp:
        page = Path(tmp) / "page.svg"
        page.write_text(_prepare(svg), encoding="utf-8")
        command = [
            chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            f"--user-data-dir={tmp}/profile", "--default-background-color=00000000",
            f"--force-device-scale-factor={scale}", f"--window-size={width},{height}",
            f"--screenshot={png}", page.as_uri(),
        ]  # fmt: skip
        png.unlink(missing_ok=True)
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if not png.exists():
            sys.stderr.write(done.stderr)
            raise SystemExit(f"screenshots/generate.py: Chromium wrote no {png.name}")


# --- animated PNG ----------------------------------------------------------------------------


def _chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    chunks, at = [], 8
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        chunks.append((png[at + 4 : at + 8], png[at + 8 : at + 8 + length]))
        at += 12 + length
    return chunks


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _apng(frames: list[tuple[bytes, float]], out: Path) -> None:
    """Join same-sized PNGs into one animated PNG (looping), each shown for its seconds."""
    head = dict(_chunks(frames[0][0]))[b"IHDR"]
    width, height = struct.unpack(">II", head[:8])
    parts = [
        b"\x89PNG\r\n\x1a\n",
        _chunk(b"IHDR", head),
        _chunk(b"acTL", struct.pack(">II", len(frames), 0)),
    ]
    sequence = 0
    for index, (png, seconds) in enumerate(frames):
        chunks = _chunks(png)
        if dict(chunks)[b"IHDR"] != head:
            raise SystemExit("screenshots/generate.py: the animation's frames differ in size")
        control = struct.pack(
            ">IIIIIHHBB", sequence, width, height, 0, 0, round(seconds * 100), 100, 0, 0
        )
        parts.append(_chunk(b"fcTL", control))
        sequence += 1
        for kind, data in chunks:
            if kind != b"IDAT":
                continue
            if index == 0:
                parts.append(_chunk(b"IDAT", data))
            else:
                parts.append(_chunk(b"fdAT", struct.pack(">I", sequence) + data))
                sequence += 1
    parts.append(_chunk(b"IEND", b""))
    out.write_bytes(b"".join(parts))


# --- main ------------------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    chromium = _chromium()
    out = Path(argv[1]) if len(argv) > 1 else HERE
    out.mkdir(parents=True, exist_ok=True)
    stills = [
        (name, asyncio.run(_capture([(steps, None)], size))[0]) for name, steps, size in SHOTS
    ]
    walk = asyncio.run(_capture([(step, title) for step, title, _ in WALK], (120, 40)))
    _check_fonts([svg for _, svg in stills] + walk)
    for name, svg in stills:
        (out / f"{name}.svg").write_text(svg, encoding="utf-8")
        _render(chromium, svg, out / f"{name}.png", SCALE)
        print(out / f"{name}.svg", out / f"{name}.png")
    with tempfile.TemporaryDirectory(prefix="newsreader-shots-") as tmp:
        frames = []
        for index, (svg, (_, _, seconds)) in enumerate(zip(walk, WALK, strict=True)):
            frame = Path(tmp) / f"frame-{index}.png"
            _render(chromium, svg, frame, ANIMATION_SCALE)
            frames.append((frame.read_bytes(), seconds))
        _apng(frames, out / "recall-walk.png")
    print(out / "recall-walk.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
