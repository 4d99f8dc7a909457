"""Turn transport exceptions and HTTP statuses into one-line FetchErrors."""

from __future__ import annotations

import email.utils
import socket
import ssl
import time
from http import HTTPStatus

import httpx

from newsreader.errors import FetchError

RETRY_AFTER_CAP = 3600.0  # a server cannot park us for more than an hour


def fetch_error(
    url: str,
    reason: str,
    kind: str,
    *,
    status: int | None = None,
    retry_after: float | None = None,
) -> FetchError:
    """A FetchError carrying the extra attributes callers may use (status, retry_after)."""
    err = FetchError(url, reason, kind)
    # Set after construction so FetchError keeps its signature.
    err.status = status
    err.retry_after = retry_after
    return err


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Retry-After as seconds from now (delta-seconds or HTTP date), capped; None if absent/bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None or when.tzinfo is None:
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    return max(0.0, min(seconds, RETRY_AFTER_CAP))


def status_error(url: str, status: int, headers: httpx.Headers) -> FetchError:
    """A 4xx/5xx response as a FetchError (never echoes the server's own reason phrase)."""
    retry_after = parse_retry_after(headers.get("retry-after")) if status in (429, 503) else None
    if status >= 500:
        reason = f"server error {status}"
    else:
        try:
            reason = f"HTTP {status} {HTTPStatus(status).phrase}"
        except ValueError:
            reason = f"HTTP {status}"
    if retry_after is not None:
        reason += f" (retry after {retry_after:.0f}s)"
    return fetch_error(url, reason, "http", status=status, retry_after=retry_after)


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _tls_reason(exc: ssl.SSLError) -> str:
    if isinstance(exc, ssl.SSLCertVerificationError) and exc.verify_message:
        return exc.verify_message
    return exc.reason or str(exc)


def transport_error(url: str, exc: Exception) -> FetchError:
    """Classify an httpx/OS exception by walking its cause chain."""
    chain = _chain(exc)
    for item in chain:
        if isinstance(item, ssl.SSLError):
            return fetch_error(url, f"TLS error: {_tls_reason(item)}", "tls")
    for item in chain:
        if isinstance(item, socket.gaierror):
            return fetch_error(url, "DNS lookup failed", "dns")
    if isinstance(exc, httpx.TimeoutException):
        return fetch_error(url, "timed out", "timeout")
    if isinstance(exc, httpx.ConnectError):
        for item in chain:
            if isinstance(item, ConnectionRefusedError):
                return fetch_error(url, "unreachable (connection refused)", "unreachable")
        for item in chain:
            if isinstance(item, OSError) and item.strerror:
                return fetch_error(url, f"unreachable ({item.strerror.lower()})", "unreachable")
        return fetch_error(url, "unreachable", "unreachable")
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)):
        return fetch_error(url, "connection broken mid-response", "broken")
    if isinstance(exc, httpx.UnsupportedProtocol):
        return fetch_error(url, "only http and https URLs can be fetched", "scheme")
    if isinstance(exc, (httpx.InvalidURL, httpx.LocalProtocolError)):
        return fetch_error(url, "invalid URL", "invalid_url")
    if isinstance(exc, httpx.ProxyError):
        return fetch_error(url, "proxy error", "unreachable")
    if isinstance(exc, OSError):
        return fetch_error(url, f"network error ({(exc.strerror or type(exc).__name__)})",
                           "unreachable")
    return fetch_error(url, f"network error ({type(exc).__name__})", "unreachable")
