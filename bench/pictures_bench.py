"""Bench: a story with a cached picture, keypress -> story frame and -> picture frame.

In-process, offline: `NewsreaderApp.run_test(size=(120, 40))` over a Reader whose cache holds
N parsed stories, each with one picture (a 640x360 JPEG, made here) in the cache. For each
story the list is moved to its row, the loop settles, then an Enter key event is posted; the
figures are from that instant to the first frame after StoryView.show_story (the story), and
to the first frame after its picture was added to the story (ui/pictures.show_picture).

Floors, measured in this run: the same opens with `images = "off"` (what the story frame costs
without pictures: the picture must not delay it), and `ui.pictures.decode` alone on the same
bytes (what reading, scaling and drawing a picture costs, without the app around it).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import COLS, ROWS, FrameClock, Row, emit, machine, median, open_bench_reader, pct
from bench.common import write_config as write_bench_config
from newsreader.models import Block, Headline, Story


def jpeg(rng: random.Random) -> bytes:
    """A 640x360 picture with some detail (blocks of colour, noise): ~40-60 KB as JPEG."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 360), tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(60):
        x, y = rng.randrange(640), rng.randrange(360)
        draw.rectangle([x, y, x + rng.randrange(20, 160), y + rng.randrange(10, 90)],
                       fill=tuple(rng.randrange(256) for _ in range(3)))
    noise = Image.frombytes("L", (640, 360), rng.randbytes(640 * 360)).convert("RGB")
    out = io.BytesIO()
    Image.blend(image, noise, 0.15).save(out, format="JPEG", quality=85)
    return out.getvalue()


def seed_cache(root: Path, n: int, images: str) -> tuple[list[Headline], list[bytes]]:
    """N parsed stories with one cached picture each, and the picture bytes."""
    from newsreader.services.stories import PARSER_VERSION

    write_bench_config(root, 8, 1, images=images)
    reader = open_bench_reader(root, offline=True)
    rng = random.Random(7)
    headlines: list[Headline] = []
    pictures: list[bytes] = []
    try:
        source = reader.sources[0]
        for i in range(n):
            url = f"http://127.0.0.1:8/s/0/pictured-{i}.html"
            src = f"http://127.0.0.1:8/img/{i}.jpg"
            picture = jpeg(rng)
            words = " ".join(rng.choice(("heating", "council", "budget", "winter", "port", "grain"))
                             for _ in range(60))
            story = Story(url=url, title=f"Pictured story {i}", lead="The lead.", blocks=[
                Block("paragraph", f"First paragraph {i}: {words}."),
                Block("image", src=src, alt="A picture", caption=f"Caption of picture {i}"),
                *(Block("paragraph", f"Paragraph {k}: {words}.") for k in range(6)),
            ])
            reader.cache.put_story(url, {"parser": PARSER_VERSION, "story": story.to_dict()})
            reader.cache.put_image(src, final_url=src, content=picture, content_type="image/jpeg")
            headlines.append(Headline(id=url, source_url=source.url, source_name=source.name,
                                      title=story.title, url=url))
            pictures.append(picture)
        reader.library.store_headlines(source, headlines)
    finally:
        reader.close()
    return headlines, pictures


async def open_all(root: Path, headlines: list[Headline]) -> tuple[list[float], list[float]]:
    """(key -> story frame, key -> picture frame) in ms for each story."""
    from textual import events

    from newsreader.ui import pictures
    from newsreader.ui.app import NewsreaderApp

    reader = open_bench_reader(root, offline=True)
    app = NewsreaderApp(reader, refresh_on_start=False)
    opened: list[float] = []
    drawn: list[float] = []
    async with app.run_test(size=(COLS, ROWS)) as pilot:
        clock = FrameClock(app)
        screen = app.screen
        view = screen.story_view  # type: ignore[attr-defined]
        shown: dict[str, float] = {}
        painted: dict[str, float] = {}
        show_story, show_picture = view.show_story, pictures.show_picture

        def timed_story(story: Story, *args: object, **kwargs: object) -> None:
            show_story(story, *args, **kwargs)
            shown[story.url] = time.perf_counter()

        def timed_picture(view: object, story: Story, *args: object) -> None:
            show_picture(view, story, *args)  # type: ignore[arg-type]
            painted[story.url] = time.perf_counter()

        view.show_story = timed_story
        pictures.show_picture = timed_picture  # type: ignore[assignment]
        try:
            for headline in headlines:
                screen.headlines.focus()  # type: ignore[attr-defined]
                screen.headlines.move_to(screen.headlines.index_of(headline.id))  # type: ignore[attr-defined]
                await pilot.pause()
                start = time.perf_counter()
                app.post_message(events.Key("enter", "\r"))
                story_frame = picture_frame = None
                for _ in range(2000):
                    await asyncio.sleep(0.002)
                    if story_frame is None and headline.url in shown:
                        story_frame = clock.first_after(shown[headline.url])
                    if picture_frame is None and headline.url in painted:
                        picture_frame = clock.first_after(painted[headline.url])
                    if story_frame is not None and (
                        picture_frame is not None or reader.config.images == "off"
                    ):
                        break
                opened.append((story_frame - start) * 1000 if story_frame else float("nan"))
                if picture_frame is not None:
                    drawn.append((picture_frame - start) * 1000)
                await app.workers.wait_for_complete()
        finally:
            pictures.show_picture = show_picture
    return opened, drawn


def decode_alone(pictures: list[bytes]) -> list[float]:
    from newsreader.ui.pictures import decode

    out = []
    for data in pictures:
        start = time.perf_counter()
        assert decode(data, 62) is not None
        out.append((time.perf_counter() - start) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=30, help="stories (default 30)")
    parser.add_argument("--json", action="store_true", help="one JSON line for run_all.py")
    args = parser.parse_args()
    print(f"machine: {machine()}", file=sys.stderr)
    runs: dict[str, tuple[list[float], list[float]]] = {}
    for images in ("off", "auto"):
        root = Path(tempfile.mkdtemp(prefix="nrbench-pictures-"))
        try:
            headlines, pictures = seed_cache(root, args.n, images)
            runs[images] = asyncio.run(open_all(root, headlines))
        finally:
            shutil.rmtree(root, ignore_errors=True)
    alone = decode_alone(pictures)
    (off, _), (auto, drawn) = runs["off"], runs["auto"]
    n = args.n
    rows = [
        Row(f"key -> story frame, pictures on, p50, n={n}", median(auto), "ms", median(off), "-",
            None, 'floor = the same opens with images = "off" (p50)'),
        Row("key -> story frame, pictures on, p95", pct(auto, 0.95), "ms", pct(off, 0.95), "-",
            None, 'floor = images = "off" (p95)'),
        Row(f"key -> picture frame p50, drawn {len(drawn)}/{n}", median(drawn), "ms",
            median(alone), "-", None, "floor = decode() alone on the same bytes (p50)"),
        Row("key -> picture frame p95", pct(drawn, 0.95), "ms", pct(alone, 0.95), "-", None,
            "floor = decode() alone (p95)"),
    ]
    emit(rows, args.json)


if __name__ == "__main__":
    main()
