"""Recognise news fields by what they say: datelines, view counts, labels, attributions, chrome.

Every pattern here was checked against real pages of ../shared/corpus (English, Ukrainian and
Russian newsrooms), not only against pages this project wrote.
"""

from __future__ import annotations

import re

from newsreader.models import Dateline
from newsreader.parse.sanitize import clean_line

__all__ = [
    "DETAILS_LABELS", "READ_ALSO_LABELS", "RECALL_LABELS", "RELATED_LABELS", "attribution_for",
    "is_chrome_line", "is_credit", "match_attribution", "match_dateline", "match_views", "norm",
    "norm_if_near", "quote_tail_attribution",
    "read_also_prefix", "recall_prefix", "split_dateline", "views_number",
]


def norm(s: str | None) -> str:
    """Comparable form of a label or a title: case-folded, one space, no trailing colon."""
    return " ".join((s or "").casefold().split()).rstrip(" :.").strip()


def norm_if_near(s: str, target: str) -> str | None:
    """norm(s) when `s` could equal the normed `target` at all; None for a text far longer.

    Comparing every paragraph of a long page with the title and the lead normalised each
    one in full; whitespace and case do not make a text twice as long.
    """
    return norm(s) if len(s) <= 2 * len(target) + 40 else None


# Labels are compared after norm().
RECALL_LABELS = frozenset({"recall", "нагадаємо", "нагадуємо", "напомним", "напоминаем",
                           "reminder", "as a reminder"})
READ_ALSO_LABELS = frozenset({"read also", "see also", "also read", "read more", "читайте також",
                              "також читайте", "читайте ще", "дивіться також", "читайте также",
                              "также читайте", "смотрите также", "читайте", "читайте більше",
                              "more news", "по теме", "по темі"})
RELATED_LABELS = frozenset({"related", "related news", "related stories", "related articles",
                            "more on this topic", "on this topic", "схожі новини", "до теми",
                            "новини на тему", "похожие новости", "новости по теме"})
DETAILS_LABELS = frozenset({"details", "деталі", "детали", "подробиці", "подробности"})

# "Нагадаємо, ...", "Напомним: ...", "Recall that ...", and the "as reported" family, whose
# paragraph points back at an earlier story (often with a link).
_RECALL_START = re.compile(
    r"^\s*(?:нагадаємо|нагадуємо|напомним|напоминаем|recall(?:\s+that)?|as\s+a\s+reminder|"
    r"як\s+(?:раніше\s+)?повідомлял[оа]ся|раніше\s+(?:\S+\s+){0,2}?повідомлял[аио]?(?:ся)?|"
    r"як\s+(?:раніше\s+)?писал[аио]?|"
    r"как\s+(?:ранее\s+)?сообщал(?:ось|и|а|о)?|ранее\s+(?:\S+\s+){0,2}?сообщал(?:ось|и|а|о)?|"
    r"как\s+(?:ранее\s+)?писал[аио]?|"
    r"as\s+(?:previously\s+|earlier\s+)?reported(?:\s+earlier)?|(?:it\s+was\s+)?earlier\s+reported)"
    r"(?=[\s,:.—–-])", re.I)
# "Читайте також: <link>", "Читайте: <link>", "Дивіться також:", "Read also:" lines.
_READ_ALSO_START = re.compile(
    r"^\s*(?:читайте(?:\s+(?:також|также|ще|більше|еще))?|також\s+читайте|также\s+читайте|"
    r"дивіться\s+також|смотрите\s+также|read\s+(?:also|more)|also\s+read|see\s+also|"
    r"по\s+теме|по\s+темі)\s*[:.—–-]", re.I)

# --- datelines ----------------------------------------------------------------------------
_SEP = r"\s*[•·|—–]\s*"
_LINE_DATELINE = re.compile(
    rf"^\s*([^\W\d_][\w'’.\- ]{{0,38}}?){_SEP}([^\W\d_][\w'’.\- ]{{0,28}}?)\s*$", re.U)
_PLACE = r"(?P<place>[^\W\d_][\w'’\-]*(?:\s[^\W\d_][\w'’\-]*){0,2})"
_DATE = (r"(?P<date>\d{1,2}\s+[^\W\d_]{3,12}\.?(?:\s+\d{4})?"
         r"|[^\W\d_]{3,9}\.?\s+\d{1,2}(?:,\s*\d{4})?)")
_AGENCY = r"(?P<agency>[^\W\d_][\w.'’\-]*(?:\s[\w.'’\-]+){0,3}?)"
# "МОСКВА, 18 ноя — РИА Новости.", "КИЇВ. 19 березня. УНН.", "Kyiv, Dec 7 (Reuters) -",
# "Москва. 1 ноября. INTERFAX.RU -", "США, 15 ноября. /ТАСС/.": place, date, agency, then text.
_PREFIX_DATELINE = re.compile(
    rf"^\s*{_PLACE}\s*[,.]\s*{_DATE}\s*(?:[.,]\s*|\s[—–-]\s*|\s+)"
    rf"(?:\({_AGENCY}\)|/{_AGENCY.replace('agency', 'agency2')}/"
    rf"|{_AGENCY.replace('agency', 'agency3')})"
    r"\s*(?:\.\s*[—–-]?|\s[—–-]|:)\s+(?=\S)", re.U)

# --- view counters -------------------------------------------------------------------------
_VIEW_WORDS = r"(?:views?|переглядів|перегляди|перегляд|просмотров|просмотра|просмотры|просмотр)"
_NUMBER = r"\d[\d\s.,\u00a0\u202f]*?(?:\s*(?:k|m|тис|тыс|млн)\.?)?"
_VIEWS = re.compile(
    rf"^[\s•·|👁]*(?:(?P<n1>{_NUMBER})\s*{_VIEW_WORDS}|{_VIEW_WORDS}\s*:?\s*(?P<n2>{_NUMBER}))"
    r"\s*$", re.I)
_BARE_NUMBER = re.compile(rf"^[\s•·|👁]*(?P<n>{_NUMBER})\s*$", re.I)

# --- attributions and chrome -----------------------------------------------------------------
# "- Zelenskyy noted.", "— сказал Мединский.", ", - зазначила співдоповідач."
_ATTRIBUTION = re.compile(r"^\s*,?\s*[-–—―]\s*(.{2,150}?)[\s.!]*$", re.S)
# A quote box that names its speaker after a dash, in the lower-case clause Ukrainian and
# Russian typography uses: "«…», — говорит Иванов. — «…»", "…, - розповів начальник поліції.",
# "…, — говорится в сообщении."
_QUOTE_SPEAKER = re.compile(
    r"[,.!?…»”\"]\s*[-–—]\s+(?P<who>[a-zа-яёіїєґ][^—–]{2,250}?)(?:\.\s*[-–—]\s|[.!]?\s*$)")
_TICKER = re.compile(r"^[\s$€£₴¥]*\d+[.,]\d+(?:\s*[-+−]?\s*\d+[.,]\d+)*\s*%?$")
_CHROME_LINE = re.compile(
    r"^(?:©|\(c\)|copyright\b|all rights reserved|share(?:\s+(?:this|on|via)\b|\s*:|$)|"
    r"subscribe\s+(?:to|for|now)\b|follow us\b|"
    r"we use cookies|підписуйтесь|подписывайтесь|поділитися|поделиться|поширити|"
    r"sign up for|join our|get our newsletter|"
    # comment rules and "other news" pointers
    r"уважаемые читатели|шановні читачі|dear readers|"
    r"(?:другие|все|більше|інші|всі|остальные|последние|more|other|all)\s+"
    r"(?:новости|новини|news|stories)\b.{0,60}(?:здесь|тут|here|читайте|на\s)|"
    r"читайте\s+(?:нас|нас\s+в|наш)\s|читайте\s+(?:\S+\s+)?(?:в|у)\s+(?:telegram|телеграм|"
    r"viber|facebook|instagram|google)|"
    r"(?:подпишитесь|підпишіться)\b|"
    r"(?:теги|метки|tags|категории|категорії|рубрики|рубрика|topics)\s*:|"
    # sources, messenger numbers, "tip us off", partner-news and cover-photo notes
    r"(?:источник|джерело|source)\s*[—:–-]\s*\S|наш\s+(?:whatsapp|telegram|viber)|"
    r"хотите получать|хочете отримувати|стал(?:и)? свидетел\w* происшеств|"
    r"фото (?:на )?обкладин\w*|текст (?:та|и|і) фото\b|"
    r"(?:источник|джерело|source)\s+\S+\.[a-z]{2,}$|"
    # a reporter's sign-off: "Евгений Попов, новости Хабаровска на DVhab.ru"
    r"[^\W\d_]+ [^\W\d_]+, (?:новости|новини|news)\b.{0,60}$|"
    r"новини партнерів|новости партнеров|partner news|"
    r"(?:подробнее|детальніше|докладніше) (?:о|про|дивіться|смотрите|читайте)\b)", re.I)
_COMMENT_RULES = re.compile(r"правил[аом]?\w*\s+(?:комментирования|коментування)|"
                            # "more about it by phone / on our pages": contacts, not story
                            r"^(?:подробнее|детальніше|докладніше)\b.{0,200}"
                            r"(?:по телефону|за телефоном|на сайте|на сайті|в социальных|"
                            r"у соціальних)|"
                            r"пользователь обязуется|користувач зобов.язується|"
                            r"comment(?:ing)? (?:policy|rules|guidelines)", re.I)


def match_dateline(text: str) -> Dateline | None:
    """ "Kyiv • UNN" → Dateline("Kyiv", "UNN"); None for anything else."""
    m = _LINE_DATELINE.match(text)
    if not m:
        return None
    place, agency = clean_line(m.group(1), 60), clean_line(m.group(2), 40)
    words = (place + " " + agency).replace("-", " ").split()
    # Place names and agency names are capitalised ("Kyiv • UNN", "Одеса — РБК-Україна");
    # "We will rebuild — Mayor of Kharkiv" is a quote, not a dateline.
    if len(place.split()) > 3 or len(agency.split()) > 3 or not all(w[0].isupper() for w in words):
        return None
    return Dateline(place or None, agency or None)


def split_dateline(text: str) -> tuple[Dateline, str] | None:
    """A paragraph that opens with "МОСКВА, 18 ноя — РИА Новости." → (dateline, the rest)."""
    m = _PREFIX_DATELINE.match(text)
    if not m:
        return None
    place = m.group("place")
    agency = m.group("agency") or m.group("agency2") or m.group("agency3")
    if not place[0].isupper() or not agency or not agency[0].isupper():
        return None
    if not any(c.isdigit() for c in m.group("date")):
        return None
    agency = agency.strip(" ./-")
    if len(agency) < 2:
        return None
    return Dateline(clean_line(place, 60), clean_line(agency, 40)), text[m.end():]


def views_number(raw: str) -> int | None:
    """ "19110", "1 558", "3.8k", "1,2 тыс." → an int; None when it is not a count."""
    raw = raw.strip().casefold()
    m = re.match(r"^(\d+(?:[.,]\d+)?)\s*(k|m|тис|тыс|млн)\.?$", raw)
    if m:
        scale = 1_000 if m.group(2) in ("k", "тис", "тыс") else 1_000_000
        return round(float(m.group(1).replace(",", ".")) * scale)
    digits = re.sub(r"\D", "", raw)
    return int(digits) if digits and len(digits) <= 12 else None


def match_views(text: str, *, named_for_views: bool = False) -> int | None:
    """ "1558 views", "1 558 переглядів", "Переглядів: 1558", "3.8k views" → the count.

    A bare number counts only when its element is named for views (class "views", "m-views").
    """
    m = _VIEWS.match(text)
    if m:
        return views_number(m.group("n1") or m.group("n2") or "")
    if named_for_views:
        m = _BARE_NUMBER.match(text)
        if m:
            return views_number(m.group("n"))
    return None


def attribution_for(quote_text: str, cites: list[tuple[str, str]]) -> str | None:
    """The attribution lifted from the quote box whose text this is."""
    key = norm(quote_text)[:40]
    return next((who for start, who in cites if start and start == key), None)


def match_attribution(text: str) -> str | None:
    """The speaker of a short line after a quote ("- Zelenskyy noted." → "Zelenskyy noted")."""
    if len(text) > 160:
        return None
    m = _ATTRIBUTION.match(text)
    return clean_line(m.group(1), 150) if m else None


def quote_tail_attribution(text: str) -> str | None:
    """The speaker named inside a quote box ("«…», — говорит Иванов. — «…»"), if any."""
    m = _QUOTE_SPEAKER.search(text)
    return clean_line(m.group("who"), 250) if m else None


def recall_prefix(text: str) -> bool:
    """Does the paragraph open as a Recall ("Нагадаємо, …", "Как сообщалось, …", "Recall …")?"""
    return bool(_RECALL_START.match(text))


def read_also_prefix(text: str) -> bool:
    """Does the line open with a Read-also label and a colon ("Читайте також: …")?"""
    return bool(_READ_ALSO_START.match(text))


_CREDIT = re.compile(
    r"^\s*[(\[]?\s*(?:©|\(c\)|(?:fotos?|bild|photos?|quelle|source|credits?|źródło|фото|"
    r"джерело|источник)\s*[:/])\s*.{1,100}$", re.I)


def is_credit(caption: str) -> bool:
    """A caption that only names who took the picture ("Foto: Sascha Klahn", "© Reuters")."""
    return bool(_CREDIT.match(caption))


def is_chrome_line(text: str) -> bool:
    """Site furniture that lands inside story text: tickers, share/subscribe lines, rules."""
    if _TICKER.match(text):
        return True
    if len(text) < 160 and (_CHROME_LINE.match(text) or (len(text) < 120 and is_credit(text))):
        return True
    return len(text) < 400 and bool(_COMMENT_RULES.search(text))
