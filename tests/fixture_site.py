"""A generated fixture news site: feeds, agency story pages and a blog post, with truths."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

__all__ = ["FEED_PATHS", "SEED_PATH", "STORY_PATHS", "FixturePage", "build_site"]

SEED_PATH = "/en/news/about-7000-ukrainians-are-in-russian-prisons-zelenskyy"
_SEED_TEXT = Path("/work/shared/seeds/000_891768e42fafbc1f.txt")
_PIXEL = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"


@dataclass
class FixturePage:
    """One page of the site: its bytes, the Content-Type to serve, and the expected story."""

    body: bytes
    content_type: str
    truth: dict[str, Any] | None = None


@dataclass
class _Story:
    path: str
    lang: str
    title: str
    lead: str
    place: str
    agency: str
    site: str
    views_text: str
    views: int
    published: str
    body: list[tuple]  # ("p", text) | ("quote", text, attribution line) | ("details", label)
    # | ("read_also", label, target path) | ("h", text)
    # | ("p_link", before, link text, after, target path): a link in the body text
    recall: tuple[str, str, str, str, str]  # label, before, link text, after, target path
    author: str | None = None
    tags: list[str] = field(default_factory=list)
    image: str | None = "/img/a.jpg"
    caption: str | None = None
    encoding: str = "utf-8"
    charset_in: str = "meta"  # "meta", "header" or "both"
    variant: int = 0
    sep: str = "•"
    recall_inline: bool = False


def _e(s: str) -> str:
    return escape(s, quote=False)


def _a(s: str) -> str:
    return escape(s, quote=True)


def _titles(stories: list[_Story]) -> dict[str, str]:
    return {s.path: s.title for s in stories}


def _trim(text: str) -> str:
    text = text.strip()
    while text.endswith(".") or text.endswith('."'):
        text = text[:-1] if text.endswith(".") else text[:-2] + '"'
    return text


def _render_story(s: _Story, base: str, titles: dict[str, str]) -> FixturePage:
    v = s.variant
    body_cls = ["article-body", "article__text", "post__text", "news-text"][v]
    head_meta = (
        f'<meta charset="{s.encoding}">' if s.charset_in in ("meta", "both") else ""
    )
    jsonld: dict[str, Any] = {
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": s.title,
        "datePublished": s.published, "publisher": {"@type": "Organization", "name": s.site},
        "inLanguage": s.lang,
    }
    if s.author:
        jsonld["author"] = {"@type": "Person", "name": s.author}
    if s.tags:
        jsonld["keywords"] = s.tags
    if v == 1:  # some sites wrap it in a @graph
        jsonld = {"@context": "https://schema.org", "@graph": [
            {"@type": "WebSite", "name": s.site},
            {k: x for k, x in jsonld.items() if k != "@context"}]}
    url = base + s.path
    og_desc = s.lead
    html = [
        f'<!DOCTYPE html><html lang="{s.lang}"><head>{head_meta}',
        f"<title>{_e(s.title)} | {_e(s.site)}</title>",
        f'<link rel="canonical" href="{_a(url)}">',
        f'<meta property="og:title" content="{_a(s.title)}">',
        f'<meta property="og:site_name" content="{_a(s.site)}">',
        f'<meta property="og:description" content="{_a(og_desc)}">',
        f'<meta property="article:published_time" content="{s.published}">',
        '<script type="application/ld+json">'
        + json.dumps(jsonld, ensure_ascii=False).replace("</", "<\\/") + "</script>",
        '<style>.cookie-consent{position:fixed}</style><script>var tracker = "SECRET-JS";</script>',
        "</head><body>",
        '<div class="cookie-consent">We use cookies to improve your experience. '
        "<button>Accept</button></div>",
        '<header><div class="currency-ticker"><span>$43.27</span><span>0.01</span></div>',
        '<nav class="main-menu"><a href="/en/politics">Politics</a> '
        '<a href="/en/economy">Economy</a> <a href="/en/world">World</a></nav></header>',
        "<main><article>",
        f"<h1>{_e(s.title)}</h1>",
    ]
    dateline = f"{s.place} {s.sep} {s.agency}"
    if v == 0:
        html.append(f'<div class="article-meta"><span class="dateline">{_e(dateline)}</span>'
                    f'<time datetime="{s.published}">23 February 14:05</time>'
                    f'<span class="views"> • {_e(s.views_text)}</span></div>')
    elif v == 1:
        html.append(f'<div class="newsHeading__info"><div>{_e(dateline)}</div>'
                    f'<div class="counter">{_e(s.views_text)}</div></div>')
    else:
        html.append(f'<div class="post__info"><span class="post__place">{_e(dateline)}</span> '
                    f'<span class="post__time">{s.published[11:16]}</span> '
                    f'<span class="post__views">{_e(s.views_text)}</span></div>')
    lead_html = {
        0: f'<p class="lead"><strong>{_e(s.lead)}</strong></p>',
        1: f'<div class="article__standfirst">{_e(s.lead)}</div>',
        2: f"<p><b>{_e(s.lead)}</b></p>",
        3: f"<p>{_e(s.lead)}</p>",  # only og:description says this is the lead
    }[v]
    image_html = ""
    if s.image is not None:
        src = s.image if s.image.startswith("data:") else base + s.image
        cap = f"<figcaption>{_e(s.caption)}</figcaption>" if s.caption else ""
        image_html = f'<figure><img src="{_a(src)}" alt="{_a(s.title)}">{cap}</figure>'
    if v == 3:
        html.append(f'<div class="{body_cls}">{lead_html}{image_html}')
    else:
        html.append(lead_html + image_html + f'<div class="{body_cls}">')

    blocks: list[dict[str, Any]] = []
    related: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []
    if s.image is not None:
        blocks.append({"type": "image", "text": "",
                       "src": None if s.image.startswith("data:") else base + s.image,
                       "alt": s.title, "caption": s.caption})
    for entry in s.body:
        kind = entry[0]
        if kind == "p":
            html.append(f'<p onclick="alert(1)">{_e(entry[1])}</p>')
            blocks.append({"type": "paragraph", "text": entry[1]})
        elif kind == "p_link":
            _, before, words, after, target = entry
            html.append(f'<p>{_e(before)}<a href="{_a(base + target)}">{_e(words)}</a>'
                        f"{_e(after)}</p>")
            links.append({"text": words, "url": base + target, "block": len(blocks)})
            blocks.append({"type": "paragraph", "text": before + words + after})
        elif kind == "h":
            html.append(f"<h2>{_e(entry[1])}</h2>")
            blocks.append({"type": "heading", "text": entry[1]})
        elif kind == "details":
            html.append(f"<h2>{_e(entry[1])}</h2>" if v != 2 else
                        f"<p><strong>{_e(entry[1])}</strong></p>")
            blocks.append({"type": "heading", "text": entry[1]})
        elif kind == "quote":
            html.append(f"<blockquote><p>{_e(entry[1])}</p></blockquote><p>{_e(entry[2])}</p>")
            attribution = entry[2].lstrip("-–— ").rstrip(".")
            blocks.append({"type": "quote", "text": entry[1], "attribution": attribution})
        elif kind == "read_also":
            label, target = entry[1], entry[2]
            link = f'<a href="{_a(base + target)}">{_e(titles[target])}</a>'
            if v == 2:
                html.append(f"<p><strong>{_e(label)}:</strong> {link}</p>")
            else:
                cls = ["read-also", "also-read", "", "read-more-block"][v]
                html.append(f'<div class="{cls}"><span>{_e(label)}</span> {link}</div>')
            related.append({"kind": "read_also", "title": titles[target],
                            "url": base + target, "summary": None})
        elif kind == "chrome":
            html.append('<div class="share-buttons"><a href="https://facebook.com/sharer">'
                        'Facebook</a> <a href="https://t.me/share">Telegram</a></div>'
                        '<div class="subscribe-box">Subscribe to our Telegram channel!</div>'
                        '<script>document.write("INJECTED")</script><iframe src="https://ads.example/x">'
                        "</iframe>")
    label, before, link_text, after, target = s.recall
    link = f'<a href="{_a(base + target)}">{_e(link_text)}</a>'
    if s.recall_inline:
        html.append(f"<p>{_e(label)}, {_e(before)}{link}{_e(after)}</p>")
    else:
        html.append(f"<p><strong>{_e(label)}</strong></p><p>{_e(before)}{link}{_e(after)}</p>")
    summary = before + link_text + after
    related.append({"kind": "recall", "title": _trim(link_text), "url": base + target,
                    # An inline Recall keeps its label: the paragraph as the reader sees it.
                    "summary": f"{label}, {summary}" if s.recall_inline else summary})
    html.append("</div></article>")
    others = [p for p in titles if p != s.path][:3]
    html.append('<aside class="most-read"><h3>Most read</h3><ul>' + "".join(
        f'<li><a href="{_a(base + p)}">{_e(titles[p])}</a></li>' for p in others) + "</ul></aside>")
    html.append('<section class="comments"><h3>Comments</h3><p>Great article, thanks! '
                "Totally agree with everything written here.</p></section></main>")
    html.append(f"<footer><p>© 2026 {_e(s.site)}. All rights reserved.</p></footer></body></html>")
    body = "".join(html).encode(s.encoding)
    ctype = "text/html"
    if s.charset_in in ("header", "both"):
        ctype += f"; charset={s.encoding}"
    truth = {
        "url": url, "canonical_url": url, "title": s.title, "published": s.published,
        "updated": None, "authors": [s.author] if s.author else [], "source": s.site,
        "dateline": {"place": s.place, "agency": s.agency}, "views": s.views, "lead": s.lead,
        "blocks": blocks, "related": related, "tags": list(s.tags), "language": s.lang,
        "encoding": s.encoding, "warnings": [], "links": links,
    }
    return FixturePage(body, ctype, truth)


def _seed_story() -> _Story:
    lines = [ln.strip() for ln in _SEED_TEXT.read_text(encoding="utf-8").splitlines()]
    lines = [ln for ln in lines if ln]
    # 0 ticker/date chrome, 1 headline, 2 dateline, 3 views, 4 lead, 5 image alt, 6 paragraph,
    # 7 pull quote, 8 attribution, 9 "Details", 10-14 paragraphs, 15 "Recall", 16 recall text.
    recall = lines[16]
    link = 'Zelenskyy reacted to Donald Trump\'s words about a "dictator."'
    start = recall.index(link)
    return _Story(
        path=SEED_PATH, lang="en", title=lines[1], lead=lines[4], place="Kyiv", agency="UNN",
        site="UNN", views_text=lines[3].lstrip("• "), views=1558,
        published="2026-02-23T13:47:00+02:00",
        body=[("p", lines[6]), ("quote", lines[7], lines[8]), ("details", lines[9]),
              *[("p", ln) for ln in lines[10:15]]],
        recall=(lines[15], recall[:start], link, recall[start + len(link):], _STORY2),
        image=_PIXEL,  # a lazy-load placeholder: dropped, so src is None as in seed-story.json
    )


_STORY2 = "/en/news/zelenskyy-responds-to-dictator-remark"
_STORY3 = "/en/news/kyiv-metro-extends-night-service"
_UK1 = "/uk/news/uriad-sproshchuie-dopomohu-pereselentsiam"
_UK2 = "/uk/news/u-lvovi-vidkryly-punkt-nezlamnosti"
_RU1 = "/ru/news/v-odesse-vosstanovili-elektrosnabzhenie"
_KOI = "/uk/news/kharkivski-naukovtsi-dron-rozminuvannia"
BLOG_PATH = "/blog/why-i-moved-my-garden-indoors"


def _stories() -> list[_Story]:
    return [
        _seed_story(),
        _Story(
            path=_STORY2, lang="en", title='Zelenskyy responds to Trump\'s "dictator" remark',
            lead="Volodymyr Zelenskyy rejected the accusation that he is a dictator and said that "
                 "Ukraine did not start the war, speaking at a press conference in Kyiv.",
            place="Kyiv", agency="UNN", site="UNN", views_text="2,314 views", views=2314,
            published="2026-02-19T18:20:00+02:00", author="Olena Marchenko",
            tags=["Zelenskyy", "USA"], caption="Volodymyr Zelenskyy at the press conference. "
                                               "Photo: Office of the President",
            body=[
                ("p", "The President of Ukraine answered questions from journalists a day after "
                      "his American counterpart called him a dictator without elections."),
                ("quote", "I am not a dictator, and Ukraine did not start this war",
                 "- the Head of State emphasized."),
                ("details", "Details"),
                ("p", "Zelenskyy said that elections cannot be held under martial law, which is "
                      "provided for by the Constitution of Ukraine."),
                ("read_also", "Read also", _STORY3),
                ("p", "He added that Ukraine remains grateful to the American people for their "
                      "support and is ready to work with the new administration."),
                ("chrome",),
                ("p", "According to him, the negotiating team will travel to Washington next "
                      "week."),
            ],
            recall=("Recall", "Earlier, ", "About 7,000 Ukrainians are held in Russian prisons, "
                    "Zelenskyy said.", " He spoke about it in an interview.", SEED_PATH),
        ),
        _Story(
            path=_STORY3, lang="en",
            title="Kyiv metro extends night service during air-raid alerts",
            lead="The Kyiv metro will keep its stations open as shelters through the night and run "
                 "additional trains after alerts end, the city administration said.",
            place="Kyiv", agency="Ukrinform", site="Ukrinform", sep="·", views_text="Views: 987",
            views=987, published="2026-02-21T09:10:00+02:00", variant=1, author="Ivan Hrytsenko",
            caption="A train at Khreshchatyk station.",
            body=[
                ("p", "Stations of all three lines will stay open to passengers during alerts, "
                      "and trains will run every ten minutes once the alert is over."),
                ("quote", "Our priority is that people can get home safely",
                 "— the head of the city administration said."),
                ("details", "Details"),
                ("p_link", "The new schedule starts on Monday, after ", "the government "
                 "simplified aid for displaced people", ", and will be reviewed in a month.",
                 _UK1),
                ("read_also", "See also", _STORY2),
                ("p", "Passengers are asked to follow announcements at the stations."),
            ],
            recall=("Recall", "In January, ", "the city opened two new heating points in the "
                    "metro.", " They operate around the clock.", SEED_PATH),
        ),
        _Story(
            path=_UK1, lang="uk", title="Уряд спростив оформлення допомоги для переселенців",
            lead="Кабінет Міністрів ухвалив постанову, яка дозволяє внутрішньо переміщеним особам "
                 "подавати заяву на допомогу онлайн без візиту до соцзахисту.",
            place="Київ", agency="УП", site="Українська правда", sep="|",
            views_text="1 558 переглядів", views=1558, published="2026-02-20T11:30:00+02:00",
            variant=2, encoding="windows-1251", charset_in="meta", tags=["ВПО", "уряд"],
            caption="Засідання уряду. Фото: Кабмін",
            body=[
                ("p", "Відповідне рішення уряд ухвалив на засіданні в п'ятницю, повідомили в "
                      "Міністерстві соціальної політики."),
                ("quote", "Жодних черг і паперових довідок більше не потрібно",
                 "- зазначила міністерка."),
                ("details", "Деталі"),
                ("p", "Заяву можна подати через застосунок «Дія» або на порталі Пенсійного фонду."),
                ("read_also", "Читайте також", _UK2),
                ("p", "Виплати надходитимуть на рахунок протягом десяти робочих днів."),
            ],
            recall=("Нагадаємо", "Раніше ", "уряд продовжив виплати для переселенців до кінця "
                    "року.", " Рішення стосується понад мільйона людей.", _UK2),
        ),
        _Story(
            path=_UK2, lang="uk", title="У Львові відкрили новий пункт незламності",
            lead="У Львові на площі Ринок запрацював новий пункт незламності, де можна зігрітися, "
                 "зарядити телефон і отримати гарячий чай.",
            place="Львів", agency="УНН", site="УНН", views_text="Переглядів: 3120", views=3120,
            published="2026-02-22T08:00:00+02:00", encoding="windows-1251", charset_in="header",
            caption="Пункт незламності у Львові.",
            body=[
                ("p", "Пункт працюватиме цілодобово, повідомили в міській раді."),
                ("quote", "Кожен може прийти сюди в будь-який час", "- сказав міський голова."),
                ("details", "Деталі"),
                ("p", "У пункті є генератор, інтернет від Starlink та запас питної води."),
                ("read_also", "Читайте також", _UK1),
                ("chrome",),
                ("p", "Наразі у місті діє понад сто таких пунктів."),
            ],
            recall=("Нагадаємо", "Минулого тижня ", "у Києві розширили мережу пунктів "
                    "незламності.", " Їх стало вдвічі більше.", _KOI),
        ),
        _Story(
            path=_RU1, lang="ru", title="В Одессе восстановили электроснабжение после атаки",
            lead="Энергетики полностью восстановили электроснабжение в Одессе после ночной атаки "
                 "дронов, сообщили в областной администрации.",
            place="Одесса", agency="РБК-Украина", site="РБК-Украина", sep="—",
            views_text="4 210 просмотров", views=4210, published="2026-02-22T15:45:00+02:00",
            variant=3, recall_inline=True, caption="Ремонтные работы в Одессе.",
            body=[
                ("p", "Ремонтные бригады работали всю ночь, чтобы вернуть свет в дома жителей."),
                ("quote", "Все потребители снова подключены", "- отметили в ДТЭК."),
                ("details", "Детали"),
                ("p", "Во время атаки были повреждены две подстанции в Приморском районе."),
                ("read_also", "Читайте также", _STORY3),
                ("p", "Жителей просят экономно использовать электроэнергию в вечерние часы."),
            ],
            recall=("Напомним", "ранее ", "в Одессе открыли дополнительные пункты обогрева.",
                    " Они работают круглосуточно.", _UK2),
        ),
        _Story(
            path=_KOI, lang="uk", title="Харківські науковці створили дрон для розмінування полів",
            lead="Науковці Харківського політехнічного інституту представили дрон, який знаходить "
                 "міни на полях за допомогою тепловізора.",
            place="Харків", agency="Укрінформ", site="Укрінформ", sep="·",
            views_text="Переглядів: 742", views=742, published="2026-02-18T12:00:00+02:00",
            variant=1, encoding="koi8-u", charset_in="meta",
            caption="Дрон для розмінування. Фото: ХПІ",
            body=[
                ("p", "Розробка вже пройшла польові випробування на Харківщині."),
                ("quote", "Дрон перевіряє гектар поля за двадцять хвилин", "- пояснив розробник."),
                ("details", "Деталі"),
                ("p", "Наступного року інститут планує передати перші дрони аграріям."),
                ("read_also", "Читайте також", _UK1),
                ("p", "Проєкт фінансують коштом міжнародного гранту."),
            ],
            recall=("Нагадаємо", "Раніше ", "у Харкові відкрили центр підготовки саперів.",
                    " Там навчаються цивільні фахівці.", _UK2),
        ),
    ]


_BLOG_PARAS = {
    "p1": "Last winter was the coldest in a decade, and my balcony tomatoes did not survive the "
          "first frost in October. This year I decided to try something different.",
    "p2": "Indoor gardening is less about space than about light. Here is what I bought for the "
          "first season:",
    "p3": "The basil bolted within three weeks because the lamps were too close. Moving them up "
          "by twenty centimetres fixed it.",
    "q": "Light is the one thing you cannot fake indoors.",
    "p4": "Next month I will write about watering schedules and the mistakes I made with drainage.",
}
_BLOG_LIST = ["Two full-spectrum LED panels", "Six deep plastic pots with saucers",
              "A bag of peat-free compost"]


def _blog(base: str) -> FixturePage:
    p = _BLOG_PARAS
    title = "Why I moved my garden indoors"
    html = f"""<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">
<title>{title} | Green Notes</title><meta name="author" content="Maria Kowalenko">
<meta property="og:site_name" content="Green Notes">
<meta name="keywords" content="gardening, indoor plants">
<meta property="og:description" content="A year of growing vegetables under lamps.">
<meta property="article:published_time" content="2026-03-12T09:30:00+01:00">
</head><body><header><nav><a href="/">Home</a> <a href="/about">About</a></nav></header>
<div class="post"><h1>{title}</h1>
<p class="post-meta">Posted on 12 March 2026 by Maria Kowalenko</p>
<p>{p["p1"]}</p><h2>What you need</h2><p>{p["p2"]}</p>
<ul>{"".join(f"<li>{x}</li>" for x in _BLOG_LIST)}</ul>
<h2>What went wrong</h2><p>{p["p3"]}</p><blockquote><p>{p["q"]}</p></blockquote>
<p>{p["p4"]}</p><img src="/img/basil.jpg" alt="Basil seedlings under a lamp"></div>
<div class="sidebar"><h3>Archive</h3><ul><li><a href="/2026/02">February 2026</a></li></ul></div>
<footer>© 2026 Green Notes</footer></body></html>"""
    blocks = [
        {"type": "paragraph", "text": p["p1"]}, {"type": "heading", "text": "What you need"},
        {"type": "paragraph", "text": p["p2"]}, {"type": "list", "text": "", "items": _BLOG_LIST},
        {"type": "heading", "text": "What went wrong"}, {"type": "paragraph", "text": p["p3"]},
        {"type": "quote", "text": p["q"], "attribution": None},
        {"type": "paragraph", "text": p["p4"]},
        {"type": "image", "text": "", "src": base + "/img/basil.jpg",
         "alt": "Basil seedlings under a lamp", "caption": None},
    ]
    truth = {
        "url": base + BLOG_PATH, "canonical_url": None, "title": title,
        "published": "2026-03-12T09:30:00+01:00", "updated": None, "authors": ["Maria Kowalenko"],
        "source": "Green Notes", "dateline": None, "views": None, "lead": None, "blocks": blocks,
        "related": [], "tags": ["gardening", "indoor plants"], "language": "en",
        "encoding": "utf-8", "warnings": [], "links": [],
    }
    return FixturePage(html.encode("utf-8"), "text/html; charset=utf-8", truth)


def _rss(base: str, stories: list[_Story]) -> FixturePage:
    items = "".join(
        f"<item><title>{_e(s.title)}</title><link>{_e(base + s.path)}</link>"
        f"<guid isPermaLink=\"true\">{_e(base + s.path)}</guid>"
        f"<description>{_e('<p>' + _e(s.lead) + '</p>')}</description>"
        f"<pubDate>{_rfc822(s.published)}</pubDate></item>" for s in stories)
    xml = (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
           f"<title>Fixture News: Politics</title><link>{base}/</link><ttl>30</ttl>"
           f"<description>Invented stories for tests</description>{items}</channel></rss>")
    truth = {"title": "Fixture News: Politics", "items": [
        {"title": s.title, "url": base + s.path, "published": s.published, "summary": s.lead}
        for s in stories]}
    return FixturePage(xml.encode("utf-8"), "application/rss+xml; charset=utf-8", truth)


def _atom(base: str, stories: list[_Story]) -> FixturePage:
    entries = "".join(
        f'<entry><title type="text">{_e(s.title)}</title><link rel="alternate" '
        f'href="{_a(base + s.path)}"/><id>tag:fixture,2026:{s.path}</id>'
        f"<published>{s.published}</published><updated>{s.published}</updated>"
        f'<summary type="text">{_e(s.lead)}</summary></entry>' for s in stories)
    xml = ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
           f'<title>Fixture News: All</title><link rel="alternate" href="{base}/"/>'
           f"<id>tag:fixture,2026:all</id><updated>2026-02-23T14:00:00+02:00</updated>"
           f"{entries}</feed>")
    truth = {"title": "Fixture News: All", "items": [
        {"title": s.title, "url": base + s.path, "published": s.published, "summary": s.lead,
         "id": f"tag:fixture,2026:{s.path}"} for s in stories]}
    return FixturePage(xml.encode("utf-8"), "application/atom+xml; charset=utf-8", truth)


def _rfc822(iso: str) -> str:
    from datetime import datetime
    from email.utils import format_datetime

    return format_datetime(datetime.fromisoformat(iso))


def _cp1251_feed(base: str, stories: list[_Story]) -> FixturePage:
    uk = [s for s in stories if s.lang == "uk"]
    items = "".join(f"<item><title>{_e(s.title)}</title><link>{base + s.path}</link>"
                    f"<pubDate>{_rfc822(s.published)}</pubDate></item>" for s in uk)
    xml = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Новини України</title>'
           f"<link>{base}/uk/</link>{items}</channel></rss>")
    truth = {"title": "Новини України", "items": [
        {"title": s.title, "url": base + s.path, "published": s.published} for s in uk]}
    # Charset only in the HTTP header, as many old CMSs serve it.
    return FixturePage(xml.encode("cp1251"), "application/rss+xml; charset=windows-1251", truth)


STORY_PATHS = (SEED_PATH, _STORY2, _STORY3, _UK1, _UK2, _RU1, _KOI, BLOG_PATH)
FEED_PATHS = ("/feeds/politics.rss", "/feeds/all.atom", "/feeds/ukraine.rss")


def build_site(base_url: str) -> dict[str, FixturePage]:
    """Every page of the fixture site, keyed by path; absolute links use `base_url`."""
    base = base_url.rstrip("/")
    stories = _stories()
    titles = _titles(stories)
    site = {s.path: _render_story(s, base, titles) for s in stories}
    site[BLOG_PATH] = _blog(base)
    site["/feeds/politics.rss"] = _rss(base, stories)
    site["/feeds/all.atom"] = _atom(base, stories)
    site["/feeds/ukraine.rss"] = _cp1251_feed(base, stories)
    return site
