"""News fields recognised by meaning: one written case per form (issue 16), no corpus needed."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsreader.parse.fields import (
    is_chrome_line,
    match_attribution,
    match_views,
    quote_tail_attribution,
    recall_prefix,
    split_dateline,
)
from newsreader.parse.story import parse_story

DEMO_NEWS = Path(__file__).resolve().parent.parent / "newsreader" / "demo" / "site" / "news"
PARA = ("<p>The council approved the plan on Tuesday after a long debate about the cost of the "
        "work and the time it will take to finish it before winter.</p>")


@pytest.mark.parametrize(("text", "place", "agency", "rest"), [
    ("МОСКВА, 18 ноя — РИА Новости. Фестиваль пройдет", "МОСКВА", "РИА Новости", "Фестиваль"),
    ("МОСКВА, 15 ноя - РИА Новости. Текст", "МОСКВА", "РИА Новости", "Текст"),
    ("КИЇВ. 19 березня. УНН. Президент заявив", "КИЇВ", "УНН", "Президент"),
    ("Kyiv, Dec 7 (Reuters) - Ukraine said", "Kyiv", "Reuters", "Ukraine"),
    ("Москва. 1 ноября. INTERFAX.RU - Госдума", "Москва", "INTERFAX.RU", "Госдума"),
    ("США, 15 ноября. /ТАСС/. Президент", "США", "ТАСС", "Президент"),
])
def test_dateline_prefixes(text: str, place: str, agency: str, rest: str) -> None:
    found = split_dateline(text)
    assert found is not None
    dateline, remainder = found
    assert (dateline.place, dateline.agency) == (place, agency)
    assert remainder.startswith(rest)


@pytest.mark.parametrize("text", ["Москва, 15 ноября — это город", "In May 2019 the council said",
                                  "Kyiv, the capital, said today - nothing"])
def test_sentences_are_not_datelines(text: str) -> None:
    assert split_dateline(text) is None


@pytest.mark.parametrize(("text", "named", "views"), [
    ("1558 views", False, 1558), ("19110 переглядів", False, 19110),
    ("Переглядів: 1 558", False, 1558), ("4 210 просмотров", False, 4210),
    ("3.8k views", False, 3800), ("1,2 тыс. просмотров", False, 1200),
    ("9", True, 9), ("9", False, None), ("Kyiv • UNN", True, None),
])
def test_view_counters(text: str, named: bool, views: int | None) -> None:
    assert match_views(text, named_for_views=named) == views


def test_attributions_after_and_inside_a_quote() -> None:
    assert match_attribution("- Zelenskyy noted.") == "Zelenskyy noted"
    assert match_attribution("— сказал Мединский.") == "сказал Мединский"
    assert match_attribution(", - зазначила співдоповідач.") == "зазначила співдоповідач"
    assert match_attribution("The council met again on Friday.") is None
    assert quote_tail_attribution("«Мы работаем», — говорит Елена Иванова. — «И будем»") \
        == "говорит Елена Иванова"
    assert quote_tail_attribution("…трафика, — говорится в сообщении.") == "говорится в сообщении"
    assert quote_tail_attribution("We will rebuild the bridge by spring.") is None


@pytest.mark.parametrize("text", [
    "Нагадаємо, раніше уряд", "Нагадуємо: у Києві", "Напомним, что", "Recall that the mayor",
    "Як повідомлялося, у місті", "Раніше повідомлялося, що", "Как сообщалось, в Одессе",
    "Как сообщали СМИ,", "Ранее сообщалось, что", "As reported earlier, the council",
])
def test_recall_openings(text: str) -> None:
    assert recall_prefix(text)


@pytest.mark.parametrize("text", [
    "Уважаемые читатели, просим соблюдать Правила комментирования", "Share this article",
    "Другие новости региона читайте здесь", "Подписывайтесь на наш Telegram",
    "Теги: политика, выборы", "Наш WhatsApp +7 (914) 544 55 32", "Источник — Коммерсантъ",
])
def test_chrome_lines(text: str) -> None:
    assert is_chrome_line(text)


@pytest.mark.parametrize("text", ["Shares of the company rose 4% on Monday.",
                                  "Follow-up talks will be held next week."])
def test_story_sentences_are_not_chrome(text: str) -> None:
    assert not is_chrome_line(text)


def _page(body: str, *, encoding: str = "utf-8", article: bool = True) -> bytes:
    wrap = ("<article>{}</article>" if article else "{}").format(body)
    return (f'<!DOCTYPE html><html><head><meta charset="{encoding}"><title>Т</title></head>'
            f"<body><header><nav><a href='/'>Головна</a></nav></header>{wrap}"
            "<footer>© 2026 Агенція</footer></body></html>").encode(encoding)


def test_recall_in_every_form_keeps_its_text_and_link() -> None:
    body = ("<h1>Міська рада ухвалила бюджет</h1>" + PARA
            + "<p>Нагадаємо, раніше <a href='/a'>рада ухвалила програму опалення</a>, яка "
              "передбачає ремонт котелень.</p>"
            + "<p>Як повідомлялося, <a href='/b'>мер анонсував ремонт мостів</a>.</p>"
            + "<p>Напомним, что решение принимали без обсуждения с жителями района.</p>")
    story = parse_story(_page(body), "https://agency.example/news/1")
    recalls = [(r.url, r.summary) for r in story.related if r.kind == "recall"]
    assert recalls == [
        ("https://agency.example/a", "Нагадаємо, раніше рада ухвалила програму опалення, яка "
                                     "передбачає ремонт котелень."),
        ("https://agency.example/b", "Як повідомлялося, мер анонсував ремонт мостів."),
    ]
    # Without a link it stays a paragraph where it stood.
    assert story.blocks[-1].text.startswith("Напомним, что решение")


def test_read_also_lines_and_boxes_but_not_share_buttons_or_credits() -> None:
    body = ("<h1>Заголовок новини про місто</h1>" + PARA
            + "<p>Читайте також: <a href='/c'>У Львові відкрили пункт незламності</a></p>"
            + "<div class='b-inject'><a href='/d'><img src='/i.jpg'></a>"
              "<a href='https://photo.example/credit'>© Фото: Агенція</a>"
              "<a href='/d'>Уряд спростив допомогу</a></div>"
            + "<div class='share'><a href='https://facebook.com/sharer'>Facebook</a></div>" + PARA)
    story = parse_story(_page(body), "https://agency.example/news/2")
    assert [(r.kind, r.title, r.url) for r in story.related] == [
        ("read_also", "У Львові відкрили пункт незламності", "https://agency.example/c"),
        ("related", "Уряд спростив допомогу", "https://agency.example/d"),
    ]
    assert "Facebook" not in " ".join(b.text for b in story.blocks)


def test_div_post_template_in_windows_1251() -> None:
    """An agency template with no <article>: div.post > div.post-content, windows-1251."""
    body = ("<div class='post'><h1>На Харківщині відновили газопостачання</h1>"
            "<div class='post-meta'><span>Харків • RNA</span> "
            "<span class='post-views'>2 037 переглядів</span></div>"
            "<figure><img src='/img/gas.jpg' alt='Газ'><figcaption>Ремонт газопроводу. "
            "Фото: RNA</figcaption></figure><div class='post-content'>"
            "<p>Бригади замінили понад 11 кілометрів газопроводів і відремонтували дві "
            "газорозподільні станції, передає RNA. Роботи тривали майже два місяці.</p>"
            "<div class='read-also'><b>Читайте також</b> <a href='/uk/1'>Перший заголовок</a> "
            "<a href='/uk/2'>Другий заголовок</a></div>"
            "<p>Перед пуском газу фахівці перевірили кожен будинок і замінили пошкоджені "
            "лічильники, повідомили в обласній адміністрації.</p></div></div>"
            "<div class='sidebar'><a href='/x'>Найпопулярніше</a></div>")
    story = parse_story(_page(body, encoding="windows-1251", article=False),
                        "https://rna.example/uk/news/gas")
    assert story.encoding == "windows-1251"
    assert (story.dateline.place, story.dateline.agency) == ("Харків", "RNA")  # type: ignore[union-attr]
    assert story.views == 2037
    image = next(b for b in story.blocks if b.type == "image")
    assert image.caption == "Ремонт газопроводу. Фото: RNA"
    assert [r.title for r in story.related] == ["Перший заголовок", "Другий заголовок"]
    texts = " ".join(b.text for b in story.blocks)
    assert "Перший заголовок" not in texts and "Бригади замінили" in texts


def test_demo_recall_paragraph_is_kept_whole() -> None:
    page = (DEMO_NEWS / "central-bank-holds-key-rate.html").read_bytes()
    story = parse_story(page, "https://demo.newsreader.invalid/news/central-bank-holds-key-rate")
    recall = next(r for r in story.related if r.kind == "recall")
    assert recall.summary == ("Grain shipments through the Odesa ports rose for the third month "
                              "in a row in November, supporting export earnings.")


def test_a_page_without_article_text_has_no_blocks_but_a_title() -> None:
    page = (b"<html><head><title>Gallery: winter in Kyiv</title></head><body>"
            b"<h1>Gallery: winter in Kyiv</h1><img src='/1.jpg'><img src='/2.jpg'></body></html>")
    story = parse_story(page, "https://agency.example/gallery/1")
    assert story.title == "Gallery: winter in Kyiv"
    assert not [b for b in story.blocks if b.type != "image"] and not story.lead


def test_quote_boxes_name_their_speaker_in_every_place() -> None:
    body = ("<h1>Зустріч у міській раді щодо бюджету</h1>" + PARA
            + "<blockquote><p>Ми працюємо цілодобово</p><footer>— Мер міста</footer></blockquote>"
            + PARA
            + "<blockquote><p>Жодних черг більше не буде</p><p>— сказала міністерка.</p>"
              "</blockquote>" + PARA
            + "<blockquote>«Ремонт завершимо до зими», — розповів начальник управління Іван "
              "Петренко.</blockquote>" + PARA
            + "<blockquote class='twitter-tweet'><p>We are ready for winter</p>— City Hall "
              "(@cityhall) <a href='https://x.example/s/1'>14 December 2025</a></blockquote>"
            + PARA)
    story = parse_story(_page(body), "https://agency.example/news/3")
    quotes = [(b.text, b.attribution) for b in story.blocks if b.type == "quote"]
    assert quotes == [
        ("Ми працюємо цілодобово", "Мер міста"),
        ("Жодних черг більше не буде", "сказала міністерка"),
        ("«Ремонт завершимо до зими», — розповів начальник управління Іван Петренко.",
         "розповів начальник управління Іван Петренко"),
        ("We are ready for winter", "City Hall (@cityhall)"),
    ]


def test_a_recall_whose_only_link_is_a_video_stays_in_the_text() -> None:
    body = ("<h1>Фильм о митрополите покажут в Киеве</h1>" + PARA
            + "<p>Как сообщалось, фильм о митрополите можно <a href='https://www.youtube.com/"
              "watch?v=x'>посмотреть здесь</a>.</p>")
    story = parse_story(_page(body), "https://agency.example/news/4")
    assert not story.related
    assert story.blocks[-1].text == "Как сообщалось, фильм о митрополите можно посмотреть здесь."


_LEAD = ("The city will open four new bridges across the river by the end of next year, the "
         "mayor said on Monday.")


@pytest.mark.parametrize(("lead_html", "description"), [
    (f"<div class='article__standfirst'>{_LEAD}</div>", ""),  # a standfirst element
    (f"<p><strong>{_LEAD}</strong></p>", ""),  # a wholly bold first paragraph
    (f"<p><em>{_LEAD}</em></p>", ""),  # a wholly italic one (an interview's introduction)
    (f"<h2>{_LEAD}</h2>", ""),  # a sentence set as a subheading under the headline
    (f"<p>{_LEAD}</p>", _LEAD),  # the page's description is its first paragraph
    # … or was cut from it (a longread's description is its first paragraph's last sentence)
    (f"<p>{_LEAD} Work starts in March and ends when the last of the four bridges opens.</p>",
     "Work starts in March and ends when the last of the four bridges opens."),
])
def test_leads_by_meaning(lead_html: str, description: str) -> None:
    meta = f"<meta property='og:description' content='{description}'>" if description else ""
    page = (f"<html><head>{meta}<title>Bridges</title></head><body><article>"
            f"<h1>Four new bridges for the city</h1>{lead_html}{PARA}{PARA}</article>"
            "</body></html>").encode()
    story = parse_story(page, "https://agency.example/news/bridges")
    assert (story.lead or "").startswith(_LEAD)
    assert not any(b.text.startswith(_LEAD) for b in story.blocks)  # shown once


def test_a_plain_first_paragraph_is_body_text_not_a_lead() -> None:
    page = (f"<html><head><meta property='og:description' content='Agency: news'></head><body>"
            f"<article><h1>Four new bridges for the city</h1><p>{_LEAD}</p>{PARA}</article>"
            "</body></html>").encode()
    story = parse_story(page, "https://agency.example/news/bridges")
    assert story.lead is None
    assert story.blocks[0].text == _LEAD


def test_a_description_that_is_only_the_site_name_is_no_summary() -> None:
    page = ("<html><head><meta property='og:site_name' content='Agency'>"
            "<meta property='og:description' content='Agency'>"
            f"<meta name='description' content='{_LEAD}'></head><body><article>"
            f"<h1>Four new bridges for the city</h1><p>{_LEAD}</p>{PARA}</article>"
            "</body></html>").encode()
    assert parse_story(page, "https://agency.example/news/bridges").lead == _LEAD


def test_a_date_only_the_text_shows_is_found_on_the_cleaned_page() -> None:
    page = ("<html><head><title>Bridges</title><script>var cfg = {built: '2011-05-04'};</script>"
            "</head><body><article><h1>Four new bridges for the city</h1>"
            f"<p class='date'>Published 12 March 2024</p>{PARA}{PARA}</article></body></html>")
    story = parse_story(page.encode(), "https://agency.example/news/bridges")
    assert (story.published or "").startswith("2024-03-12")
