"""The link allow-list (HOSTILE.md L1, F10, H2)."""

from __future__ import annotations

import pytest

from newsreader.parse.urls import is_openable_url, safe_url


@pytest.mark.parametrize(
    "url",
    [
        "--remote-debugging-port=9222",
        "-new-window file:///",
        "%action--incognito",
        "file:///C:/Windows/System32/calc.exe",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "java\tscript:alert(1)",
        "\x01javascript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "ssh://host/x",
        "smb://host/share",
        "app://open",
        "ftp://example.com/x",
        "https://example.com/a\nb",
        'https://example.com/"onmouseover',
        "https://example.com/a b",
        "https://example.com/\u202eexe.txt",
        "https://bank.com@evil.example/",
        "https://user:pass@example.com/",
        "https://example.com/\x1b]8;;x\x07",
        "https://example.com:99999/",
        "http://",
        "",
        None,
    ],
)
def test_rejected(url: str | None) -> None:
    assert safe_url(url) is None
    assert not is_openable_url(url)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/a?b=1&c=2", "https://example.com/a?b=1&c=2"),
        ("  https://example.com/x  ", "https://example.com/x"),
        ("HTTPS://Example.COM:8443/x#frag", "https://example.com:8443/x#frag"),
        ("https://пример.рф/путь", "https://xn--e1afmkfd.xn--p1ai/%D0%BF%D1%83%D1%82%D1%8C"),
        ("http://[::1]:8080/x", "http://[::1]:8080/x"),
    ],
)
def test_accepted_and_normalised(url: str, expected: str) -> None:
    assert safe_url(url) == expected
    assert is_openable_url(url)


def test_relative_resolution() -> None:
    base = "https://unn.ua/en/news/story"
    assert safe_url("/img/a.jpg", base) == "https://unn.ua/img/a.jpg"
    assert safe_url("other", base) == "https://unn.ua/en/news/other"
    assert safe_url("//cdn.example/x.jpg", base) == "https://cdn.example/x.jpg"
    assert safe_url("/x", None) is None
    assert safe_url("/x", "javascript:alert(1)") is None  # <base href="javascript:">
    assert safe_url("javascript:alert(1)", base) is None
    assert not is_openable_url("/relative/path")
