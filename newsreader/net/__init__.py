"""The one HTTP client: limits, deadlines, body caps, redirects, conditional GET.

Every failure of fetch() is a newsreader.errors.FetchError whose `kind` is one of:
scheme, invalid_url, redirects, timeout, dns, unreachable, tls, broken, http, too_large,
undecodable, empty. HTTP errors also carry `status`; 429/503 carry `retry_after` (seconds).
"""

from newsreader.net.client import (
    ACCEPT_ENCODING,
    USER_AGENT,
    FetchResult,
    NetSettings,
    build_client,
    fetch,
)
from newsreader.net.failures import parse_retry_after

__all__ = [
    "ACCEPT_ENCODING",
    "USER_AGENT",
    "FetchResult",
    "NetSettings",
    "build_client",
    "fetch",
    "parse_retry_after",
]
