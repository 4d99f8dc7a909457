"""Decoding fetched bytes (HOSTILE.md B: E1-E5)."""

from __future__ import annotations

import codecs

from newsreader.parse.encoding import decode_bytes, normalize_encoding
from newsreader.parse.story import parse_story

UK = ("<html><body><h1>Уряд спростив оформлення допомоги для переселенців</h1>"
      "<p>Кабінет Міністрів ухвалив постанову, яка дозволяє внутрішньо переміщеним особам "
      "подавати заяву на допомогу онлайн без візиту до соцзахисту. Нагадаємо, що раніше уряд "
      "продовжив виплати для переселенців до кінця року.</p></body></html>")


def _meta(enc: str) -> str:
    return UK.replace("<html>", f'<html><head><meta charset="{enc}"></head>')


def test_cp1251_meta_only() -> None:
    assert decode_bytes(_meta("windows-1251").encode("cp1251")) == (_meta("windows-1251"),
                                                                     "windows-1251")


def test_cp1251_header_only() -> None:
    text, enc = decode_bytes(UK.encode("cp1251"), "text/html; charset=windows-1251")
    assert (text, enc) == (UK, "windows-1251")


def test_http_equiv_meta() -> None:
    html = UK.replace("<html>", '<html><head><meta http-equiv="Content-Type" '
                      'content="text/html; charset=windows-1251"></head>')
    assert decode_bytes(html.encode("cp1251"))[1] == "windows-1251"


def test_koi8u() -> None:
    text, enc = decode_bytes(_meta("koi8-u").encode("koi8_u"))
    assert enc == "koi8-u" and "переселенців" in text


def test_lying_utf8_header_redetects() -> None:
    text, enc = decode_bytes(UK.encode("cp1251"), "text/html; charset=utf-8")
    assert enc == "windows-1251" and text == UK and "\ufffd" not in text


def test_lying_cp1251_header_on_utf8() -> None:
    text, enc = decode_bytes(UK.encode("utf-8"), "text/html; charset=windows-1251")
    assert (text, enc) == (UK, "utf-8")


def test_bom_beats_declaration() -> None:
    body = codecs.BOM_UTF8 + _meta("windows-1251").encode("utf-8")
    text, enc = decode_bytes(body, "text/html; charset=windows-1251")
    assert enc == "utf-8" and text == _meta("windows-1251")
    text, enc = decode_bytes(codecs.BOM_UTF16_LE + "<p>Привіт</p>".encode("utf-16-le"))
    assert (text, enc) == ("<p>Привіт</p>", "utf-16")


def test_unknown_label_falls_back() -> None:
    text, enc = decode_bytes(UK.encode("cp1251"), "text/html; charset=x-bogus")
    assert enc == "windows-1251" and text == UK
    assert decode_bytes(b"<p>plain</p>", "text/html; charset=x-bogus") == ("<p>plain</p>", "utf-8")


def test_invalid_utf8_replaced() -> None:
    body = ("<p>" + "Нормальний текст. " * 40 + "</p>").encode() + b"\xff\xc0\xaf"
    text, enc = decode_bytes(body)
    assert enc == "utf-8" and text.endswith("</p>\ufffd\ufffd\ufffd")
    assert decode_bytes(b"") == ("", "utf-8")


def test_normalize_names() -> None:
    assert normalize_encoding("CP1251") == "windows-1251"
    assert normalize_encoding("KOI8-U") == "koi8-u"
    assert normalize_encoding("utf8") == "utf-8"
    assert normalize_encoding("latin1") == "windows-1252"
    assert normalize_encoding("x-bogus") is None


def test_numeric_refs_in_story_are_sanitised() -> None:
    html = ("<html><head><title>T</title></head><body><article><h1>Title &#x1b;]0;PWN&#x7;x</h1>"
            "<p>Esc &#x1b;[2Jhere, nul &#0;there, surrogate &#xD800;gone, c1 &#x9b;31mend. "
            "Long enough paragraph to count as body text.</p></article></body></html>")
    story = parse_story(html.encode(), "https://example.com/a")
    text = story.title + "".join(b.text for b in story.blocks)
    assert not any(ch in text for ch in "\x1b\x00\x07\x9b")
    assert not any(0xD800 <= ord(c) <= 0xDFFF for c in text)
    assert "here" in text and "there" in text and story.title == "Title x"
