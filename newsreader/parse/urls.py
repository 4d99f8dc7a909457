"""The link allow-list: only clean, absolute http(s) URLs with punycode hosts get through."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import SplitResult, quote, urljoin, urlsplit, urlunsplit

__all__ = ["MAX_URL_LEN", "is_openable_url", "safe_url", "url_from_user"]

MAX_URL_LEN = 8192
_SCHEMES = frozenset({"http", "https"})
# Anything a browser would silently drop or reinterpret (tabs inside "java\tscript:"), anything
# that breaks out of a terminal hyperlink or a quoted argument, and bidi/zero-width tricks.
_FORBIDDEN = re.compile(
    "[\x00-\x20\x7f-\x9f\"<>\\\\`\u00a0\u1680\u2000-\u200f\u2028-\u202f\u205f-\u206f"
    "\u3000\ufeff\ud800-\udfff\u061c]"
)
_HOST_OK = re.compile(r"[a-z0-9.\-_]+")
# Characters that may stay as they are in a path/query/fragment (everything else is %-encoded).
_SAFE_PART = "/?#[]@!$&()*+,;=:%~-._"


def _host_to_ascii(host: str) -> str | None:
    """Lower-case the host and turn an internationalised name into punycode, or None if invalid."""
    host = host.rstrip(".").lower()
    if not host:
        return None
    if ":" in host:  # IPv6 literal (urlsplit already dropped the brackets)
        try:
            return f"[{ipaddress.IPv6Address(host).compressed}]"
        except ValueError:
            return None
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    if not _HOST_OK.fullmatch(host) or ".." in host or host.startswith(("-", ".")):
        return None
    return host


def _split(url: str) -> SplitResult | None:
    try:
        return urlsplit(url)
    except ValueError:  # "http://[" (an unclosed IPv6 literal) raises
        return None


def _is_http_base(base: str | None) -> bool:
    parts = _split(base.strip()) if base else None
    return parts is not None and parts.scheme.lower() in _SCHEMES


def safe_url(url: str | None, base: str | None = None) -> str | None:
    """Return `url` (resolved against an http(s) `base`) as an absolute, clean http(s) URL.

    None for anything else: other schemes (however obfuscated), control characters, whitespace
    or quotes inside, a leading "-" (option injection), userinfo ("https://bank.com@evil"),
    bad hosts or ports. The host comes back in punycode so what is shown is what is opened.
    """
    if not url or not isinstance(url, str):
        return None
    url = url.strip(" \t\r\n\f\v")
    if not url or len(url) > MAX_URL_LEN or url.startswith("-") or _FORBIDDEN.search(url):
        return None
    parts = _split(url)
    if parts is None:
        return None
    if not parts.scheme:
        # Relative: only resolvable against an http(s) base (never `<base href="javascript:">`).
        if not _is_http_base(base):
            return None
        base_url = safe_url(base)
        if base_url is None:
            return None
        try:
            url = urljoin(base_url, url)
        except ValueError:
            return None
        parts = _split(url)
        if parts is None:
            return None
    if parts.scheme.lower() not in _SCHEMES or not parts.netloc:
        return None
    if "@" in parts.netloc:
        return None  # userinfo: "https://bank.com@evil.example" goes to evil.example
    try:
        port = parts.port
        hostname = parts.hostname
    except ValueError:
        return None
    host = _host_to_ascii(hostname or "")
    if host is None:
        return None
    netloc = f"{host}:{port}" if port is not None else host
    path = quote(parts.path, safe=_SAFE_PART)
    query = quote(parts.query, safe=_SAFE_PART)
    fragment = quote(parts.fragment, safe=_SAFE_PART)
    return urlunsplit((parts.scheme.lower(), netloc, path, query, fragment))


def is_openable_url(url: str | None) -> bool:
    """True when `url` is already an absolute http(s) URL that passes every safe_url check."""
    return bool(url) and safe_url(url) is not None


def url_from_user(text: str) -> str | None:
    """An address as a person types it into a browser: "example.com/feed" means
    https://example.com/feed. Then safe_url's checks; None when it is not an http(s) URL."""
    text = text.strip()
    if text and "://" not in text:
        text = "https://" + text
    return safe_url(text)
