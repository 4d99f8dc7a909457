"""Turn fetched bytes into text: HTTP charset, BOM, <meta>/XML declaration, then detection."""

from __future__ import annotations

import codecs
import re

import charset_normalizer

__all__ = ["charset_from_content_type", "decode_bytes", "normalize_encoding", "sniff_bom"]

_BOMS = (  # longest first: the UTF-32 LE BOM starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_CHARSET_PARAM = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9._:\-]+)""", re.I)
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:\-]+)""", re.I)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:\-]+)""", re.I)
# Python codec name -> the label people (and the WHATWG Encoding Standard) use.
_NAMES = {
    "utf_8": "utf-8", "utf_8_sig": "utf-8", "utf_16": "utf-16", "utf_16_le": "utf-16-le",
    "utf_16_be": "utf-16-be", "utf_32": "utf-32", "utf_32_le": "utf-32-le",
    "utf_32_be": "utf-32-be", "koi8_r": "koi8-r", "koi8_u": "koi8-u",
    "mac_cyrillic": "x-mac-cyrillic", "cp866": "ibm866", "gb2312": "gb2312", "gbk": "gbk",
    "gb18030": "gb18030",
    "big5": "big5", "shift_jis": "shift_jis", "euc_jp": "euc-jp", "euc_kr": "euc-kr",
    "iso2022_jp": "iso-2022-jp",
}
# Labels that browsers decode as windows-1252 (a superset), so we do too.
_AS_1252 = frozenset({"ascii", "latin_1", "iso8859_1", "cp1252"})
_MAX_REPLACEMENT_RATIO = 0.01


def normalize_encoding(label: str | None) -> str | None:
    """Map any known label ("cp1251", "KOI8-U", "latin1") to a canonical name, else None."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except (LookupError, ValueError):
        return None
    name = name.replace("-", "_")
    if name in _AS_1252:
        return "windows-1252"
    if name.startswith("cp125"):
        return "windows-" + name[2:]
    if name.startswith("iso8859_"):
        return "iso-8859-" + name.split("_", 1)[1]
    return _NAMES.get(name, name.replace("_", "-"))


def charset_from_content_type(content_type: str | None) -> str | None:
    """The `charset=` parameter of a Content-Type header, normalised (None if absent/unknown)."""
    if not content_type:
        return None
    m = _CHARSET_PARAM.search(content_type)
    return normalize_encoding(m.group(1)) if m else None


def sniff_bom(content: bytes) -> str | None:
    """The codec named by a leading byte-order mark (UTF-8/16/32), or None."""
    for bom, name in _BOMS:
        if content.startswith(bom):
            return name
    return None


def _declared_in_document(content: bytes, is_html: bool) -> str | None:
    head = content[:4096]
    m = _XML_DECL.search(head) or (_META_CHARSET.search(head) if is_html else None)
    name = normalize_encoding(m.group(1).decode("ascii", "replace")) if m else None
    if name and name.startswith(("utf-16", "utf-32")):
        # A document that can declare itself in ASCII is not UTF-16 (WHATWG: treat as UTF-8).
        return "utf-8"
    return name


def _try(content: bytes, encoding: str) -> str | None:
    """Decode, or None when the result is not plausible (too many U+FFFD)."""
    try:
        text = content.decode(encoding, errors="replace")
    except LookupError:
        return None
    if text:
        bad = text.count("\ufffd")
        if bad > max(1, len(text) * _MAX_REPLACEMENT_RATIO):
            return None
    if encoding.startswith(("windows-", "koi8", "iso-8859", "ibm", "x-mac")) and _is_real_utf8(
        content
    ):
        return None  # a single-byte label on a page that is really multi-byte UTF-8: mojibake
    return text


def _is_real_utf8(content: bytes) -> bool:
    """Valid UTF-8 containing multi-byte sequences: practically never an accident."""
    if content.isascii():
        return False
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _detect(content: bytes) -> tuple[str, str] | None:
    sample = content[: 256 * 1024]  # detection cost grows with size; 256 KiB is plenty
    best = charset_normalizer.from_bytes(sample).best()
    if best is None or not best.encoding:
        return None
    name = normalize_encoding(best.encoding)
    if not name:
        return None
    text = _try(content, name)
    return (text, name) if text is not None else None


def decode_bytes(
    content: bytes, content_type: str | None = None, *, is_html: bool = True
) -> tuple[str, str]:
    """Decode fetched bytes; returns (text, encoding name such as "utf-8" or "windows-1251").

    Order: a BOM (it cannot lie) → charset from the HTTP Content-Type → <meta charset> /
    <meta http-equiv> / XML declaration in the first 4 KiB → charset-normalizer → UTF-8 with
    replacement. A declared charset that yields > 1 % U+FFFD, or a single-byte charset on
    valid multi-byte UTF-8, is treated as a lie and the next step is tried.
    """
    if not content:
        return "", "utf-8"
    bom = sniff_bom(content)
    if bom:
        text = content.decode(bom, errors="replace").lstrip("\ufeff")
        return text, "utf-8" if bom == "utf-8" else bom.rsplit("-", 1)[0]
    tried: set[str] = set()
    for name in (charset_from_content_type(content_type), _declared_in_document(content, is_html)):
        if not name or name in tried:
            continue
        tried.add(name)
        decoded = _try(content, name)
        if decoded is not None:
            return decoded, name
    if content.isascii():
        return content.decode("ascii"), "utf-8"
    mostly_utf8 = _try(content, "utf-8")  # a few broken bytes in a UTF-8 page: keep UTF-8
    if mostly_utf8 is not None:
        return mostly_utf8, "utf-8"
    detected = _detect(content)
    if detected:
        return detected
    return content.decode("utf-8", errors="replace"), "utf-8"
