"""Two fixture news sites whose stories form threads: a Recall chain of 6 across both sites, a
cycle with a self-link, a broken link and a Read-also fan-out (issue 20's acceptance)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from tests.http_server import TestServer

# Chain, oldest first: each recalls the one before; only the newest (chain-6) is in a feed.
CHAIN = [f"/news/chain-{n}" for n in range(1, 7)]
CYCLE = ["/news/cycle-a", "/news/cycle-b"]  # a recalls b, b recalls a (and itself)
BROKEN = "/news/broken"  # recalls a page that answers 404
GONE = "/news/gone"
FAN = "/news/fan"  # "Read also" three stories
FAN_OUT = ["/news/fan-1", "/news/fan-2", "/news/fan-3"]
FEED = "/feed.rss"


@dataclass
class ThreadStory:
    path: str
    site: str  # "a" or "b": which server serves it
    title: str
    published: str | None
    recall: list[tuple[str, str]] = field(default_factory=list)  # (site, path)
    read_also: list[tuple[str, str]] = field(default_factory=list)


def thread_stories() -> list[ThreadStory]:
    chain = [
        ThreadStory(path, "b" if n % 2 == 0 else "a", f"Dam talks, day {n + 1}",
                    f"2026-03-0{n + 1}T10:00:00+02:00",
                    recall=[("b" if n % 2 == 1 else "a", CHAIN[n - 1])] if n else [])
        for n, path in enumerate(CHAIN)
    ]
    return [
        *chain,
        ThreadStory(CYCLE[0], "a", "Ferry strike begins", "2026-03-10T08:00:00+02:00",
                    recall=[("a", CYCLE[1])]),
        ThreadStory(CYCLE[1], "a", "Ferry strike called", "2026-03-09T08:00:00+02:00",
                    recall=[("a", CYCLE[0])], read_also=[("a", CYCLE[1])]),
        ThreadStory(BROKEN, "a", "Bridge reopens", "2026-03-11T08:00:00+02:00",
                    recall=[("a", GONE)]),
        ThreadStory(FAN, "a", "Budget passes", "2026-03-12T08:00:00+02:00",
                    read_also=[("b", path) for path in FAN_OUT]),
        *(ThreadStory(path, "b", f"Budget detail {n}", None) for n, path in
          enumerate(FAN_OUT, 1)),
    ]


def in_feed() -> list[str]:
    """The paths the feed lists (on site a): the newest of each thread."""
    return [CHAIN[-1], CYCLE[0], BROKEN, FAN]


def _page(story: ThreadStory, bases: dict[str, str], titles: dict[str, str]) -> bytes:
    url = bases[story.site] + story.path
    meta = (f'<meta property="article:published_time" content="{story.published}">'
            if story.published else "")
    lead = f"The lead of {story.title.lower()}: what happened and why it matters today."
    body = [
        f"<p>{escape(story.title)} was the subject of long talks on {story.path}. " * 3 + "</p>",
        "<p>Officials said more would follow in the coming days, and gave no date.</p>",
    ]
    for site, path in story.read_also:
        body.append(f'<div class="read-also"><span>Read also</span> <a href="'
                    f'{escape(bases[site] + path)}">{escape(titles.get(path, "Gone"))}</a></div>')
    for site, path in story.recall:
        body.append("<p><strong>Recall</strong></p><p>Earlier, "
                    f'<a href="{escape(bases[site] + path)}">'
                    f"{escape(titles.get(path, 'a story that is gone'))}</a> was reported.</p>")
    html = (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(story.title)} | Site {story.site.upper()}</title>"
        f'<link rel="canonical" href="{escape(url)}">'
        f'<meta property="og:title" content="{escape(story.title)}">'
        f'<meta property="og:site_name" content="Site {story.site.upper()}">'
        f'<meta property="og:description" content="{escape(lead)}">{meta}'
        f"</head><body><main><article><h1>{escape(story.title)}</h1>"
        f'<p class="lead"><strong>{escape(lead)}</strong></p>'
        f'<div class="article-body">{"".join(body)}</div></article></main></body></html>'
    )
    return html.encode("utf-8")


def serve_threads(a: TestServer, b: TestServer) -> dict[str, str]:
    """Serve both sites; returns each story path's absolute URL."""
    bases = {"a": a.base_url, "b": b.base_url}
    stories = thread_stories()
    titles = {s.path: s.title for s in stories}
    urls: dict[str, str] = {}
    for story in stories:
        server = a if story.site == "a" else b
        server.route(story.path, _page(story, bases, titles))
        urls[story.path] = bases[story.site] + story.path
    a.route(GONE, "<html><body>Not found</body></html>", status=404)
    urls[GONE] = a.base_url + GONE
    by_path = {s.path: s for s in stories}
    items = "".join(
        f"<item><title>{escape(by_path[p].title)}</title><link>{escape(urls[p])}</link>"
        f"<guid>{escape(urls[p])}</guid></item>" for p in in_feed()
    )
    a.route(FEED, f'<?xml version="1.0"?><rss version="2.0"><channel><title>Threads</title>'
                  f"<link>{a.base_url}/</link>{items}</channel></rss>",
            content_type="application/rss+xml")
    return urls
