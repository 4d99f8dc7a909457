"""Write the README screenshots: the real app on the demo edition, driven by Textual's Pilot.

    python screenshots/generate.py [OUTDIR]

Writes SVGs (and PNGs when cairosvg is installed: `pip install cairosvg`) of the headline list
with a story, a Recall story reached by following a related link, the help screen and the narrow
layout. Uses throw-away XDG dirs, so the user's own cache and history are never touched.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # the demo edition's "today"
START = "kyiv-extends-heating-point-hours"


def _isolate() -> None:
    """Point every XDG dir at a temporary tree before newsreader computes its paths."""
    root = Path(tempfile.mkdtemp(prefix="newsreader-shots-"))
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        os.environ[name] = str(root / name.lower())
    os.environ["TZ"] = "UTC"
    time.tzset()


async def _shot(
    out: Path, name: str, steps: Callable[..., Awaitable[None]], size: tuple[int, int]
) -> Path:
    from newsreader.config import Config
    from newsreader.demo import DEMO_SOURCES, demo_transport
    from newsreader.services.wiring import open_reader
    from newsreader.ui.app import NewsreaderApp

    # The demo dated for NOW (its calendar's WRITTEN_FOR): the site exactly as written.
    reader = open_reader(Config(sources=list(DEMO_SOURCES)), demo=True,
                         transport=demo_transport(now=NOW))
    app = NewsreaderApp(reader, clock=lambda: NOW)
    async with app.run_test(size=size) as pilot:
        await _settle(pilot)
        await steps(pilot)
        await _settle(pilot)
        path = out / f"{name}.svg"
        app.save_screenshot(filename=path.name, path=str(out))
    return path


async def _settle(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def _open_start(pilot) -> None:  # type: ignore[no-untyped-def]
    screen = pilot.app.screen
    index = next(i for i, h in enumerate(screen.headlines.shown) if h.url.endswith(START))
    screen.headlines.move_to(index)
    await pilot.press("enter")
    await _settle(pilot)


async def _recall(pilot) -> None:  # type: ignore[no-untyped-def]
    await _open_start(pilot)
    story = pilot.app.screen.story_view.story
    number = next(i for i, link in enumerate(story.related, 1) if link.kind == "recall")
    await pilot.press(str(number))
    await _settle(pilot)
    await pilot.press("tab", "tab")  # focus the numbered related links at the end
    await pilot.wait_for_scheduled_animations()


async def _help(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("question_mark")


SHOTS: list[tuple[str, Callable[..., Awaitable[None]], tuple[int, int]]] = [
    ("list-and-story", _open_start, (120, 40)),
    ("recall-story", _recall, (120, 40)),
    ("help", _help, (120, 40)),
    ("narrow", _open_start, (80, 40)),
]


def _to_png(svg: Path) -> Path | None:
    try:
        import cairosvg  # type: ignore[import-not-found]
    except ImportError:
        return None
    png = svg.with_suffix(".png")
    cairosvg.svg2png(url=str(svg), write_to=str(png))
    return png


def main(argv: list[str]) -> int:
    _isolate()
    out = Path(argv[1]) if len(argv) > 1 else HERE
    out.mkdir(parents=True, exist_ok=True)
    for name, steps, size in SHOTS:
        svg = asyncio.run(_shot(out, name, steps, size))
        png = _to_png(svg)
        print(svg, png or "(no PNG: pip install cairosvg)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
