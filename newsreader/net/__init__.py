"""The one HTTP client: limits, deadlines, body caps, redirects, conditional GET.

Every failure of fetch() is a newsreader.errors.FetchError whose `kind` is one of:
scheme, invalid_url, redirects, timeout, dns, unreachable, tls, broken, http, too_large,
undecodable, empty. HTTP errors also carry `status`; 429/503 carry `retry_after` (seconds).

The names below load on first use (PEP 562): importing `newsreader.net.settings` must not load
httpx, which a start-up that never fetches does not need (~50 ms of imports).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newsreader.net.client import (
        ACCEPT_ENCODING,
        USER_AGENT,
        FetchResult,
        build_client,
        fetch,
    )
    from newsreader.net.failures import parse_retry_after
    from newsreader.net.settings import NetSettings

__all__ = [
    "ACCEPT_ENCODING",
    "USER_AGENT",
    "FetchResult",
    "NetSettings",
    "build_client",
    "fetch",
    "parse_retry_after",
]
_WHERE = {name: "newsreader.net.client" for name in __all__} | {
    "parse_retry_after": "newsreader.net.failures",
    "NetSettings": "newsreader.net.settings",
}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_WHERE[name]), name)
