"""A tiny loopback site for the source/search UI tests: three feeds, a home page, story pages.

The real Reader is opened on a real config file in the isolated XDG dir, so config.path is set
and adding or removing a source writes that file.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from newsreader.config import load_config
from newsreader.paths import default_paths
from newsreader.services.wiring import open_reader
from newsreader.ui.app import NewsreaderApp
from tests.http_server import TestServer
from tests.ui_fakes import fixed_clock

HOSTILE_TITLE = "[@click=app.quit]Grid[/] [b]repair[/b] plan [/"
SECRET_WORD = "zanzibarite"  # in a story's body, never in a title or a feed summary


def rss(title: str, items: list[tuple[str, str]]) -> str:
    """An RSS 2.0 feed of (title, link) items, published an hour apart."""
    entries = "".join(
        f"<item><title>{escape(t)}</title><link>{escape(link)}</link><guid>{escape(link)}</guid>"
        f"<description>Short summary.</description>"
        f"<pubDate>Sat, 01 Mar 2025 {10 - i:02d}:00:00 GMT</pubDate></item>"
        for i, (t, link) in enumerate(items)
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{escape(title)}</title><link>http://example.invalid/</link>"
            f"<description>test</description>{entries}</channel></rss>")


def story_page(title: str, paragraphs: list[str]) -> str:
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f"<title>{escape(title)}</title></head><body><nav><a href='/'>Home</a></nav>"
            f"<article><h1>{escape(title)}</h1>{body}</article>"
            f"<footer>© Test site</footer></body></html>")


FILLER = ("The council met on Tuesday evening to discuss the winter heating plan for the city, "
          "and members of the public asked many questions about the schedule of the works. ")


def serve(server: TestServer) -> None:
    """/a.xml and /b.xml and /c.xml are feeds; / is a home page advertising /b.xml and /c.xml."""
    a_items = [("Harbour reopens after storm", server.url("/story/harbour")),
               (HOSTILE_TITLE, server.url("/story/hostile"))]
    server.route("/a.xml", rss("Feed A", a_items), content_type="application/rss+xml")
    server.route("/b.xml", rss("Feed B", [("Bridge works begin", server.url("/story/bridge"))]),
                 content_type="application/rss+xml")
    server.route("/c.xml", rss("Feed C", [("Council budget vote", server.url("/story/budget"))]),
                 content_type="application/rss+xml")
    server.route("/", (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Home</title>'
        '<link rel="alternate" type="application/rss+xml" title="Feed B news" href="/b.xml">'
        '<link rel="alternate" type="application/atom+xml" title="Feed C politics" href="/c.xml">'
        "</head><body><h1>Welcome</h1></body></html>"
    ))
    server.route("/plain", "<!DOCTYPE html><html><head><title>x</title></head><body>No feeds"
                           "</body></html>")
    server.route("/story/harbour", story_page("Harbour reopens after storm", [
        FILLER * 2,
        f"Divers found a rare mineral called {SECRET_WORD} under the old pier, the port said.",
        FILLER * 2,
    ]))
    server.route("/story/hostile", story_page(HOSTILE_TITLE, [
        FILLER * 2, f"Engineers will also survey the {SECRET_WORD} deposit.", FILLER,
    ]))
    for slug, title in (("bridge", "Bridge works begin"), ("budget", "Council budget vote")):
        server.route(f"/story/{slug}", story_page(title, [FILLER * 3, FILLER * 2]))


def write_config(server: TestServer, *feeds: tuple[str, str, str | None]) -> Path:
    """config.toml in the isolated XDG dir with (name, path, folder) sources on `server`."""
    path = default_paths().config_file
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["# my sources", "refresh_minutes = 30", ""]
    for name, feed_path, folder in feeds:
        lines += ["[[sources]]", f'name = "{name}"', f'url = "{server.url(feed_path)}"']
        if folder:
            lines.append(f'folder = "{folder}"')
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def open_app(config_file: Path, *, refresh_on_start: bool = False) -> NewsreaderApp:
    reader = open_reader(load_config(config_file))
    assert reader.config.path == config_file
    return NewsreaderApp(reader, clock=fixed_clock, refresh_on_start=refresh_on_start)
