"""Story pictures: fetched with the story, cached, drawn in the story; captions always stay."""

from __future__ import annotations

import io
import random
from typing import Any

import pytest
from PIL import Image

from newsreader.config import Config
from newsreader.models import Block, Source, Story
from newsreader.net.settings import NetSettings
from newsreader.services.images import forget_story, looks_like_picture, picture_urls
from newsreader.services.wiring import open_reader
from newsreader.store.cache import memory_cache
from newsreader.ui.app import NewsreaderApp
from newsreader.ui.pictures import decode
from newsreader.ui.widgets.story import story_lines
from tests.http_server import TestServer, stall
from tests.ui_fakes import (
    SIZE,
    FakeReader,
    demo_app,
    fixed_clock,
    main,
    make_app,
    settle,
    shown_text,
)

HALF = "▀"
CAPTION = "A boiler arrives at the hospital"
_P = [
    "Kyiv city council approved the heating plan for the coming winter on Monday, officials "
    "said after a session that lasted well into the evening.",
    "Dnipro hospitals received modular boilers that will keep their wards warm through "
    "power cuts, the regional administration said.",
    "Engineers will connect the boilers to the hospitals' own networks this week, and the "
    "last of them should be running before the first frost.",
]


def png(width: int = 64, height: int = 40, *, noise: bool = False) -> bytes:
    """A small picture made here (a gradient, or random pixels that compress badly)."""
    image = Image.new("RGB", (width, height))
    if noise:
        image = Image.frombytes("RGB", (width, height),
                                random.Random(1).randbytes(width * height * 3))
    else:
        image.putdata([(x * 5 % 256, y * 9 % 256, 128) for y in range(height)
                       for x in range(width)])
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def jpeg(width: int = 64, height: int = 48) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 60, 20)).save(out, format="JPEG")
    return out.getvalue()


def serve_story(server: TestServer, picture: bytes | None, *,
                content_type: str = "image/png") -> None:
    """A feed with one story whose body holds a picture with a caption at /img/photo.png."""
    story = server.url("/news/boilers.html")
    server.route("/feed.xml", (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Pics</title>'
        f"<item><title>Boilers arrive in Dnipro</title><link>{story}</link><guid>{story}</guid>"
        "<pubDate>Mon, 23 Nov 2026 09:00:00 +0000</pubDate></item></channel></rss>"
    ), content_type="application/rss+xml")
    body = "".join(f"<p>{p}</p>" for p in _P[:1])
    body += ('<figure><img src="/img/photo.png" alt="A boiler on a truck">'
             f"<figcaption>{CAPTION}</figcaption></figure>")
    body += "".join(f"<p>{p}</p>" for p in _P[1:])
    body += "".join(f"<p>Update {n}: the {n}th boiler was connected at hospital number {n}, "
                    "its engineers said in a statement on Monday evening.</p>"
                    for n in range(4, 30))  # long enough to scroll
    server.route("/news/boilers.html", (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Boilers</title>'
        f"</head><body><main><article><h1>Boilers arrive in Dnipro</h1>{body}</article></main>"
        "</body></html>"
    ))
    if picture is not None:
        server.route("/img/photo.png", picture, content_type=content_type)


def picture_requests(server: TestServer) -> int:
    return sum(1 for request in server.requests if request[1] == "/img/photo.png")


def reader_for(server: TestServer, *, offline: bool = False, **config: Any) -> Any:
    sources = [Source("Pics", server.url("/feed.xml"))]
    return open_reader(Config(sources=sources, **config), offline=offline,
                       net_settings=NetSettings(max_image_bytes=64 * 1024))


async def open_first(app: NewsreaderApp, pilot: Any) -> Any:
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    return main(app).story_view


def picture_rows(view: Any) -> int:
    return sum(1 for line in view.shown_text.splitlines() if line.startswith(HALF * 4))


# -- the services side -------------------------------------------------------------------------

def test_only_http_pictures_are_asked_for_each_once() -> None:
    blocks = [Block("image", src=src) for src in (
        "https://a.test/1.png", "javascript:alert(1)", "data:image/png;base64,AAAA",
        "https://a.test/1.png", "http://a.test/2.jpg", "file:///etc/passwd")]
    story = Story("https://a.test/s", blocks=[Block("paragraph", "x"), *blocks])
    assert picture_urls(story) == ["https://a.test/1.png", "http://a.test/2.jpg"]
    assert len(picture_urls(Story("u", blocks=[Block("image", src=f"https://a.test/{i}.png")
                                               for i in range(10)]))) == 4


def test_forgetting_a_story_forgets_its_pictures() -> None:
    cache = memory_cache()
    story = Story("https://a.test/s", blocks=[Block("image", src="https://a.test/p.png")])
    cache.put_story(story.url, {"parser": 1, "story": story.to_dict()})
    for src in ("https://a.test/p.png", "https://a.test/other.png"):
        cache.put_image(src, final_url=src, content=png(), content_type="image/png")
    assert forget_story(cache, story.url) == 2  # the parsed story and its picture
    assert not cache.has_story(story.url) and not cache.has_image("https://a.test/p.png")
    assert cache.has_image("https://a.test/other.png")
    assert forget_story(cache, "https://a.test/never-cached") == 0


def test_picture_signatures() -> None:
    assert looks_like_picture(png()) and looks_like_picture(jpeg())
    assert looks_like_picture(b"RIFF\0\0\0\0WEBPVP8 ")
    assert not looks_like_picture(b"<!doctype html><html>Not found</html>")


def test_decoding_fails_quietly_and_bounds_the_drawing() -> None:
    assert decode(b"\x89PNG\r\n\x1a\n broken", 60) is None
    assert decode(b"<html></html>", 60) is None
    assert decode(png(1, 1), 60) is None  # a tracking pixel
    assert decode(png(24, 24), 60) is None  # an icon
    picture = decode(png(400, 40), 60)
    assert picture is not None
    lines = picture.lines(60)
    assert len(lines) == 3 and {line.cell_length for line in lines} == {60}
    assert len(picture.lines(75)) == 4  # drawn 70 wide: the widths go in steps of 10
    assert {line.cell_length for line in picture.lines(75)} == {70}
    tall = decode(png(40, 400), 60)
    assert tall is not None and len(tall.lines(60)) == 20  # MAX_ROWS


def test_a_decompression_bomb_is_not_decoded() -> None:
    out = io.BytesIO()
    Image.new("1", (5000, 5000)).save(out, format="PNG")  # 25 megapixels in a few KB
    assert len(out.getvalue()) < 64 * 1024
    assert decode(out.getvalue(), 60) is None
    out = io.BytesIO()
    Image.new("RGB", (4800, 3600), (90, 120, 150)).save(out, format="JPEG")
    assert decode(out.getvalue(), 60) is not None  # a big photo: JPEG decodes it at 1/8


# -- the app, on a real reader and a fixture site ----------------------------------------------

@pytest.mark.parametrize("picture", [png(), jpeg()], ids=["png", "jpeg"])
async def test_a_prefetched_picture_is_drawn_from_the_cache(
    http_server: TestServer, picture: bytes
) -> None:
    serve_story(http_server, picture, content_type="image/png")
    reader = reader_for(http_server)
    await reader.refresh()
    assert picture_requests(http_server) == 1  # fetched with the story
    app = NewsreaderApp(reader, clock=fixed_clock, refresh_on_start=False)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_first(app, pilot)
        assert picture_rows(view) > 0
        lines = view.shown_text.splitlines()
        last_row = max(i for i, line in enumerate(lines) if line.startswith(HALF))
        assert lines[last_row + 1] == CAPTION  # the caption right under the picture
    assert picture_requests(http_server) == 1  # drawn from the cache


async def test_a_story_opened_uncached_fetches_its_picture_on_open(
    http_server: TestServer
) -> None:
    serve_story(http_server, png())
    reader = reader_for(http_server, prefetch=False)
    await reader.refresh()
    assert picture_requests(http_server) == 0
    app = NewsreaderApp(reader, clock=fixed_clock, refresh_on_start=False)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_first(app, pilot)
        assert picture_rows(view) > 0 and CAPTION in view.shown_text
    assert picture_requests(http_server) == 1


async def test_images_off_shows_only_the_caption(http_server: TestServer) -> None:
    serve_story(http_server, png())
    reader = reader_for(http_server, images="off")
    await reader.refresh()
    app = NewsreaderApp(reader, clock=fixed_clock, refresh_on_start=False)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_first(app, pilot)
        assert f"[image] {CAPTION}" in view.shown_text and picture_rows(view) == 0
    assert picture_requests(http_server) == 0


@pytest.mark.parametrize(("body", "content_type"), [
    (png(200, 200, noise=True), "image/png"),  # past the 64 KiB cap of these tests
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 200, "image/png"),  # a broken picture
    (b"<!doctype html><p>Not here</p>", "image/png"),  # not a picture at all
    (None, None),  # 404
], ids=["too-big", "broken", "not-an-image", "missing"])
async def test_a_bad_picture_leaves_its_caption(
    http_server: TestServer, body: bytes | None, content_type: str | None
) -> None:
    assert body is None or len(body) < 1024 or len(body) > 64 * 1024
    serve_story(http_server, body, content_type=content_type or "image/png")
    reader = reader_for(http_server)
    await reader.refresh()
    app = NewsreaderApp(reader, clock=fixed_clock, refresh_on_start=False)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_first(app, pilot)
        assert f"[image] {CAPTION}" in view.shown_text and picture_rows(view) == 0
        assert _P[2][:30] in shown_text(main(app))  # the rest of the story is there
    # A URL that failed is not asked again (refresh's prefetch once, the open not at all).
    assert picture_requests(http_server) == 1


async def test_offline_never_fetches_a_picture(http_server: TestServer) -> None:
    serve_story(http_server, png())
    online = reader_for(http_server, images="off")  # the story cached, not its picture
    await online.refresh()
    await online.aclose()
    reader = reader_for(http_server, offline=True)
    app = NewsreaderApp(reader, clock=fixed_clock, refresh_on_start=False)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_first(app, pilot)
        assert f"[image] {CAPTION}" in view.shown_text and picture_rows(view) == 0
    assert picture_requests(http_server) == 0


async def test_keys_work_while_a_picture_loads(http_server: TestServer) -> None:
    serve_story(http_server, None)
    http_server.handler("/img/photo.png", lambda h: stall(h, seconds=30))
    reader = reader_for(http_server, prefetch=False)
    await reader.refresh()
    app = NewsreaderApp(reader, clock=fixed_clock, refresh_on_start=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        for _ in range(50):  # until the picture's request has reached the server
            await pilot.pause(0.02)
            if picture_requests(http_server):
                break
        assert picture_requests(http_server) == 1
        view = main(app).story_view
        assert CAPTION in view.shown_text  # the story is shown before its picture
        await pilot.press("tab", *"jjj")
        await pilot.pause()
        assert view.scroller.position == 3
        assert any(w.group == "pictures" and w.is_running for w in app.workers)
        await pilot.press("q")


# -- the story pane, on the fake reader --------------------------------------------------------

async def test_a_picture_above_the_top_line_keeps_the_text_where_it_was() -> None:
    reader = FakeReader()
    app = make_app(reader)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        view = main(app).story_view
        story = view.story
        assert story is not None and picture_rows(view) == 0  # the fake has no picture bytes
        src = next(b.src for b in story.blocks if b.type == "image")
        await pilot.press("tab", *"j" * 30)
        await pilot.pause()
        before = view.scroller.position
        plain = [line.plain for line in view.text.lines(view.text_width)]
        assert plain.index("[image] Workers at the plant") < before  # read past it
        top_line = view.text.lines(view.text_width)[int(before)].plain
        reader.images[src] = png()
        main(app).navigator._load_pictures(story)
        await settle(pilot)
        assert picture_rows(view) > 0
        assert view.scroller.position == before + picture_rows(view)
        assert view.text.lines(view.text_width)[int(view.scroller.position)].plain == top_line


def test_without_pictures_the_lines_are_as_before() -> None:
    story = Story("https://a.test/s", title="T", blocks=[
        Block("image", src="https://a.test/p.png", caption="Cap"), Block("paragraph", "Text.")])
    assert [line.plain for line in story_lines(story, 40)][-4:] == ["[image] Cap", "", "Text.", ""]


# -- the demo edition --------------------------------------------------------------------------

async def test_the_demo_serves_its_picture_and_the_app_draws_it() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)  # the refresh at start prefetched the stories and their pictures
        screen = main(app)
        index = next(i for i, h in enumerate(screen.headlines.shown)
                     if h.url.endswith("/dnipro-hospitals-get-modular-boilers"))
        screen.headlines.move_to(index)
        await pilot.press("enter")
        await settle(pilot)
        view = screen.story_view
        assert picture_rows(view) > 0
        assert "A modular boiler house at a Dnipro hospital. Photo: RNA" in view.shown_text
        reader = app.reader
        picture = next(b.src for b in view.story.blocks if b.type == "image")
        assert reader.cache.get_image(picture).content_type == "image/jpeg"


async def test_a_bug_while_loading_a_picture_leaves_the_caption_and_the_app_running() -> None:
    class Broken(FakeReader):
        async def load_image(self, url: str) -> bytes | None:
            raise RuntimeError("a bug")

    app = make_app(Broken())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.is_running and "[image] Workers at the plant" in main(app).story_view.shown_text


# -- where the reader was, in a story with a picture -------------------------------------------

_PICTURE = png(400, 300)  # tall enough in cells of 10 x 20 pixels too


def _pictured_reader(data: Any = None) -> FakeReader:
    reader = FakeReader(data_dir=data)
    for story in reader._cache.values():
        reader.images.update((b.src, _PICTURE) for b in story.blocks if b.src)
    return reader


def _app(reader: FakeReader, protocol: str) -> NewsreaderApp:
    from newsreader.ui.terminal_probe import Graphics

    return make_app(reader, graphics=Graphics(protocol, 10, 20))


def _pictured(view: Any) -> int:
    """The lines the shown picture adds (0: none shown), however it is drawn."""
    return sum(added for _, added in view.picture_spans(view.text_width))


def _place(view: Any) -> tuple[float, list[str]]:
    """The top line and the text of the lines shown from it."""
    top = view.scroller.position
    lines = view.text.lines(view.text_width)
    return top, [line.plain for line in lines[int(top):int(top) + 12]]


async def _read_past_the_picture(pilot: Any, app: NewsreaderApp, where: str) -> Any:
    """Open story a with its picture; scroll so the top line is `where` of OFFSETS."""
    view = await open_first(app, pilot)
    (first, rows), = view.picture_spans(view.text_width)  # its caption is one line either way
    assert first > 0 and rows > 3
    offset = {"above": -1, "inside": 3, "caption": rows, "below": rows + 6}[where]
    await pilot.press("tab", "j")
    view.scroller.scroll_lines(first + offset - 1)  # as many j
    await pilot.pause()
    assert view.scroller.position == first + offset
    return view


# The top line: above the picture, on one of its rows, on its caption (just below it), past it.
OFFSETS = ["above", "inside", "caption", "below"]
PROTOCOLS = ["halfblock", "sixel", "kitty"]
# Every place in half blocks; sixel and kitty (lines of their own kinds) where it was wrong.
CASES = [(offset, "halfblock") for offset in OFFSETS] + [
    (offset, protocol) for protocol in PROTOCOLS[1:] for offset in ("inside", "below")]


@pytest.mark.parametrize(("offset", "protocol"), CASES)
async def test_back_to_a_story_with_a_picture_shows_the_same_lines(offset: str,
                                                                   protocol: str) -> None:
    reader = _pictured_reader()
    app = _app(reader, protocol)
    async with app.run_test(size=SIZE) as pilot:
        view = await _read_past_the_picture(pilot, app, offset)
        before = _place(view)
        await pilot.press("1")  # a Recall link: story c
        await settle(pilot)
        assert view.url is not None and view.url.endswith("/c")
        await pilot.press("backspace")
        await settle(pilot)
        assert view.url is not None and view.url.endswith("/a") and _pictured(view) > 0
        assert _place(view) == before


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("offset", ["below"])
async def test_back_to_a_story_whose_picture_no_longer_loads(offset: str, protocol: str) -> None:
    # Offline, broken, evicted: the story comes back without it, at the same line of text.
    reader = _pictured_reader()
    app = _app(reader, protocol)
    async with app.run_test(size=SIZE) as pilot:
        view = await _read_past_the_picture(pilot, app, offset)
        top_line = _place(view)[1][0]
        await pilot.press("1")
        await settle(pilot)
        reader.images.clear()
        await pilot.press("backspace")
        await settle(pilot)
        assert _pictured(view) == 0
        assert _place(view)[1][0] == top_line


@pytest.mark.parametrize(("offset", "protocol"), CASES)
async def test_the_story_reopened_at_start_shows_the_same_lines(offset: str, protocol: str,
                                                                tmp_path: Any) -> None:
    app = _app(_pictured_reader(tmp_path), protocol)
    async with app.run_test(size=SIZE) as pilot:
        view = await _read_past_the_picture(pilot, app, offset)
        before = _place(view)
        await pilot.press("1", "backspace")  # leaving it records where the reader was
        await settle(pilot)
        await pilot.press("q")
    app = _app(_pictured_reader(tmp_path), protocol)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = main(app).story_view
        assert view.url is not None and view.url.endswith("/a") and _pictured(view) > 0
        assert _place(view) == before
