"""Deterministic real-world-sized story pages (10-200 KB, several structures) and RSS feeds."""

from __future__ import annotations

import dataclasses
import json
import math
import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape

from tests.fixture_site import _render_story, _stories, _titles

_WORDS_TEXT = (
    "the of and to in a is that for on with as was by at from government minister city "
    "said people region energy war talks budget council mayor heating plan agency report "
    "week officials local new support infrastructure power grid repairs schools hospital "
    "winter network attack drone shelter rebuild funding approved parliament vote law "
    "court price market bank rate inflation export grain port ship road bridge rail "
    "station train metro water supply gas oil company workers union strike protest "
    "election campaign party leader president prime foreign defence security border "
    "crossing refugees aid humanitarian volunteers children families students teachers "
    "doctors nurses police emergency service fire damage residents district village town "
    "capital north south east west central million thousand percent year month day "
    "morning evening night according also however after before during while since until "
    "because although would could should will may must announced confirmed reported noted "
    "added stressed explained warned expected"
)
WORDS = tuple(_WORDS_TEXT.split())
_UK_WORDS_TEXT = (
    "уряд міністр місто заявив люди область енергетика бюджет рада мер опалення план "
    "агентство звіт тиждень посадовці нова підтримка інфраструктура ремонт школи лікарня "
    "зима мережа укриття фінансування парламент закон суд ціна ринок банк ставка експорт "
    "зерно порт міст станція метро вода газ компанія працівники вибори президент безпека "
    "кордон допомога діти родини вчителі лікарі поліція пожежа мешканці село столиця "
    "також однак після під час"
)
UK_WORDS = tuple(_UK_WORDS_TEXT.split())
STRUCTURES = ("agency", "wordpress", "divsoup", "medium", "amp")
BASE_TIME = datetime(2026, 2, 23, 12, 0, tzinfo=UTC)


def sentence(rng: random.Random, words: tuple[str, ...] | list[str] = WORDS) -> str:
    n = rng.randint(8, 24)
    text = " ".join(rng.choice(words) for _ in range(n))
    return text[0].upper() + text[1:] + "."


def paragraph(rng: random.Random, words: tuple[str, ...] | list[str] = WORDS) -> str:
    return " ".join(sentence(rng, words) for _ in range(rng.randint(2, 6)))


def title(rng: random.Random, words: tuple[str, ...] | list[str] = WORDS) -> str:
    text = " ".join(rng.choice(words) for _ in range(rng.randint(6, 13)))
    return text[0].upper() + text[1:]


def _padding(rng: random.Random, size: int, base: str) -> tuple[str, str]:
    """Head and body chrome (state JSON, CSS, mega menu, link farms) of about `size` bytes."""
    head: list[str] = []
    body: list[str] = []
    total = 0
    while total < size:
        kind = rng.randrange(4)
        if kind == 0:
            state = {"articles": [{"id": rng.randrange(10**9), "title": title(rng),
                                   "url": f"{base}/n/{rng.randrange(10**6)}"}
                                  for _ in range(rng.randint(20, 80))]}
            piece = f"<script>window.__STATE__={json.dumps(state)};</script>"
            head.append(piece)
        elif kind == 1:
            rules = "".join(f".c{rng.randrange(10**5)}{{margin:{rng.randint(0, 40)}px;"
                            f"color:#{rng.randrange(16**6):06x}}}" for _ in range(200))
            piece = f"<style>{rules}</style>"
            head.append(piece)
        elif kind == 2:
            links = "".join(f'<li><a href="{base}/section/{i}">{escape(title(rng)[:30])}</a></li>'
                            for i in range(rng.randint(40, 150)))
            piece = f'<nav class="mega-menu"><ul>{links}</ul></nav>'
            body.append(piece)
        else:
            items = "".join(
                f'<div class="card"><a href="{base}/n/{rng.randrange(10**6)}"><img src="'
                f'{base}/i/{rng.randrange(10**6)}.jpg" alt=""><span>{escape(title(rng))}</span>'
                f"</a><time>{rng.randint(1, 59)} min ago</time></div>"
                for _ in range(rng.randint(10, 40)))
            piece = f'<aside class="related-cards">{items}</aside>'
            body.append(piece)
        total += len(piece)
    return "".join(head), "".join(body)


def _generic(rng: random.Random, structure: str, url: str, base: str, n_paras: int) -> str:
    words = UK_WORDS if rng.random() < 0.2 else WORDS
    headline = title(rng, words)
    lead = sentence(rng, words)
    published = (BASE_TIME - timedelta(minutes=rng.randrange(60 * 24 * 7))).isoformat()
    paras = [paragraph(rng, words) for _ in range(n_paras)]
    ps = []
    for i, text in enumerate(paras):
        if i and i % 7 == 0:
            ps.append(f"<h2>{escape(title(rng, words)[:50])}</h2>")
        if i and i % 11 == 0:
            ps.append(f"<blockquote><p>{escape(sentence(rng, words))}</p></blockquote>")
        ps.append(f"<p>{escape(text)}</p>")
    body = "".join(ps)
    also = f'<p><strong>Read also:</strong> <a href="{base}/n/{rng.randrange(10**6)}">' \
           f"{escape(title(rng, words))}</a></p>"
    meta = (f'<meta property="og:title" content="{escape(headline)}">'
            f'<meta property="article:published_time" content="{published}">'
            f'<link rel="canonical" href="{escape(url)}">')
    if structure == "wordpress":
        main = (f'<div id="primary"><article class="post type-post"><header class="entry-header">'
                f'<h1 class="entry-title">{escape(headline)}</h1><div class="entry-meta">'
                f'<span class="byline">By {escape(title(rng)[:20])}</span></div></header>'
                f'<div class="entry-content"><p><em>{escape(lead)}</em></p>{body}{also}</div>'
                f'<footer class="entry-footer">Tags: energy, city</footer></article>'
                f'<div id="comments"><p>{escape(sentence(rng))}</p></div></div>')
    elif structure == "divsoup":
        main = (f'<div id="content"><div class="hdr"><div class="ttl">{escape(headline)}</div>'
                f'</div><div class="txt"><div class="ld">{escape(lead)}</div>'
                + body.replace("<p>", '<div class="p">').replace("</p>", "</div>")
                + f"{also}</div></div>")
    elif structure == "medium":
        nested = "".join(f'<div class="x{rng.randrange(99)}"><div><section>{p}</section></div>'
                         "</div>" for p in ps)
        main = (f'<main><article><div><div><h1 data-testid="storyTitle">{escape(headline)}</h1>'
                f"<p>{escape(lead)}</p></div>{nested}{also}</div></article></main>")
    else:  # amp-like
        main = (f'<main id="content" role="main"><article class="amp-wp-article">'
                f'<header><h1 class="amp-wp-title">{escape(headline)}</h1></header>'
                f'<div class="amp-wp-article-content"><p>{escape(lead)}</p>{body}{also}</div>'
                f"</article></main>")
    return (f'<!DOCTYPE html><html lang="{"uk" if words is UK_WORDS else "en"}"><head>'
            f'<meta charset="utf-8"><title>{escape(headline)}</title>{meta}<!--HEAD--></head>'
            f'<body><header class="site-header"><div class="logo">Site</div></header>'
            f"{main}<!--BODY--><footer>© 2026 Site. All rights reserved.</footer></body></html>")


def _agency(rng: random.Random, index: int, path: str, base: str, n_paras: int) -> tuple[str, str]:
    """A fixture_site agency page (its real shapes) with a longer body; returns (html, charset)."""
    stories = _stories()
    story = stories[index % len(stories)]
    words = UK_WORDS if story.lang != "en" else WORDS
    extra = [("p", paragraph(rng, words)) for _ in range(n_paras)]
    body = list(story.body)
    cut = max(1, len(body) // 2)
    story = dataclasses.replace(story, path=path, body=body[:cut] + extra + body[cut:],
                                # Legacy-charset pages keep their own layout (its bullets encode).
                                variant=rng.randrange(4) if story.encoding == "utf-8"
                                else story.variant)
    titles = _titles(stories) | {path: story.title}
    page = _render_story(story, base, titles)
    return page.body.decode(story.encoding), story.encoding


@dataclasses.dataclass
class Page:
    """A generated story page: path, bytes, Content-Type and its structure name."""

    path: str
    body: bytes
    content_type: str
    structure: str


def story_page(seed: int, path: str, base: str, target_kb: float | None = None) -> Page:
    """One page; its size is drawn log-uniformly from 10-200 KB unless `target_kb` is given."""
    rng = random.Random(seed)
    size = int((target_kb or math.exp(rng.uniform(math.log(10), math.log(200)))) * 1024)
    structure = STRUCTURES[seed % len(STRUCTURES)]
    n_paras = max(3, min(40, int(size / 1024 * rng.uniform(0.15, 0.4))))
    charset = "utf-8"
    if structure == "agency":
        html, charset = _agency(rng, seed, path, base, n_paras)
    else:
        html = _generic(rng, structure, base + path, base, n_paras)
    head, tail = _padding(rng, max(0, size - len(html.encode(charset, "replace"))), base)
    if structure == "agency":
        html = html.replace("</head>", head + "</head>", 1).replace("</main>", tail + "</main>", 1)
    else:
        html = html.replace("<!--HEAD-->", head, 1).replace("<!--BODY-->", tail, 1)
    data = html.encode(charset, "replace")
    ctype = "text/html" if charset != "utf-8" or seed % 3 else "text/html; charset=utf-8"
    return Page(path, data, ctype, structure)


def rss_feed(name: str, base: str, items: list[tuple[str, str, datetime, str]]) -> bytes:
    """An RSS 2.0 feed of (title, link, published, summary) items."""
    entries = "".join(
        f"<item><title>{escape(t)}</title><link>{escape(link)}</link>"
        f'<guid isPermaLink="true">{escape(link)}</guid>'
        f"<description>{escape(summary)}</description>"
        f"<pubDate>{format_datetime(when)}</pubDate></item>"
        for t, link, when, summary in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{escape(name)}</title><link>{base}/</link>"
            f"<description>Bench feed</description>{entries}</channel></rss>").encode()
