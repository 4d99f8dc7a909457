"""The one httpx client factory and fetch(): deadlines, caps, redirects, conditional GET."""

from __future__ import annotations

import asyncio
import importlib.util
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit
from urllib.request import getproxies

import httpx

from newsreader import __version__
from newsreader.errors import FetchError
from newsreader.net.decode import BodyDecoder, DecodeError
from newsreader.net.failures import fetch_error, parse_retry_after, status_error, transport_error
from newsreader.net.pools import PerOriginTransport
from newsreader.net.settings import _MIB, NetSettings

USER_AGENT = f"newsreader/{__version__} (+https://github.com/newsreader/newsreader)"
# Only encodings we can decode with a bounded decompressor: a 329-byte brotli body can inflate
# to 210 MB in one chunk before any streaming cap sees it.
ACCEPT_ENCODING = "gzip, deflate"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


@dataclass
class FetchResult:
    """A successful response: decoded body bytes (charset decoding is the parser's job)."""

    url: str  # what was asked
    final_url: str  # after redirects
    status: int
    headers: dict[str, str]  # lower-case names; repeated headers joined with ", "
    content: bytes  # Content-Encoding removed; NOT charset-decoded
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False  # 304: content is b"", keep what you had
    retry_after: float | None = None
    redirects: list[str] = field(default_factory=list)  # each hop's target, in order

    @property
    def content_type(self) -> str | None:
        """The media type, lower-case, without parameters ("text/html")."""
        value = self.headers.get("content-type")
        if not value:
            return None
        return value.split(";", 1)[0].strip().lower() or None

    @property
    def charset(self) -> str | None:
        """The charset parameter of Content-Type, if the server sent one."""
        value = self.headers.get("content-type") or ""
        for param in value.split(";")[1:]:
            name, _, val = param.partition("=")
            if name.strip().lower() == "charset":
                return val.strip().strip("\"'").lower() or None
        return None


# Per-client state kept outside the client so fetch() also works with a plain AsyncClient.
_client_settings: weakref.WeakKeyDictionary[httpx.AsyncClient, NetSettings] = (
    weakref.WeakKeyDictionary()
)
_host_slots: weakref.WeakKeyDictionary[httpx.AsyncClient, dict[str, asyncio.Semaphore]] = (
    weakref.WeakKeyDictionary()
)
# Requests beyond max_connections wait here, not in httpcore's pool: its queue is rescanned
# against every connection on each change (O(queued x connections)), ~3 ms of CPU per request
# with 200 feeds queued (profiled in bench/refresh_bench.py's refresh).
_client_slots: weakref.WeakKeyDictionary[httpx.AsyncClient, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


class _RefusedRedirect(Exception):
    """Raised from a response hook: httpx builds the next request (and may choke on
    `javascript:...`) even with follow_redirects=False, before fetch() can look at it."""


async def _redirect_guard(response: httpx.Response) -> None:
    if response.has_redirect_location:
        scheme = urlsplit(response.headers["location"].strip()).scheme.lower()
        if scheme and scheme not in ("http", "https"):
            raise _RefusedRedirect(scheme[:20])


def build_client(
    settings: NetSettings | None = None, *, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """The one AsyncClient factory: every request of the app goes through one of these."""
    settings = settings or NetSettings()
    http2 = settings.http2 and transport is None and importlib.util.find_spec("h2") is not None
    # A proxy from the environment (the variables httpx routes: http, https, all; NO_PROXY
    # alone is not one) is httpx's own business: it only reads them when it makes the
    # transport itself. Otherwise one pool per origin, see net/pools.
    env_proxy = settings.trust_env and any(getproxies().get(k) for k in ("http", "https", "all"))
    if transport is None and not env_proxy:
        per_host = httpx.Limits(
            max_connections=settings.max_per_host,
            max_keepalive_connections=settings.max_per_host,
        )
        # One TLS context for all of them: each costs ~45 ms to load the CA bundle.
        tls = httpx.create_ssl_context(trust_env=settings.trust_env)
        transport = PerOriginTransport(
            lambda: httpx.AsyncHTTPTransport(
                verify=tls, http2=http2, limits=per_host, trust_env=settings.trust_env
            ),
            max_pools=settings.max_connections,
        )
    client = httpx.AsyncClient(
        timeout=httpx.Timeout(
            settings.read_timeout,
            connect=settings.connect_timeout,
            pool=settings.deadline,
        ),
        limits=httpx.Limits(
            max_connections=settings.max_connections,
            max_keepalive_connections=settings.max_connections,
        ),
        headers={"User-Agent": USER_AGENT, "Accept-Encoding": ACCEPT_ENCODING},
        http2=http2,
        follow_redirects=False,  # fetch() follows itself, checking every hop
        trust_env=settings.trust_env,
        transport=transport,
        event_hooks={"response": [_redirect_guard]},
    )
    _client_settings[client] = settings
    return client


def _client_slot(client: httpx.AsyncClient, limit: int) -> asyncio.Semaphore:
    slot = _client_slots.get(client)
    if slot is None:
        slot = _client_slots[client] = asyncio.Semaphore(max(1, limit))
    return slot


def _host_slot(client: httpx.AsyncClient, host: str, limit: int) -> asyncio.Semaphore:
    slots = _host_slots.setdefault(client, {})
    if host not in slots:
        slots[host] = asyncio.Semaphore(max(1, limit))
    return slots[host]


def _check_url(asked: str, url: httpx.URL, *, redirect_from: httpx.URL | None) -> None:
    if url.scheme not in ("http", "https"):
        what = f"redirect to {url.scheme or 'a relative'}: URL refused" if redirect_from else None
        raise fetch_error(asked, what or "only http and https URLs can be fetched", "scheme")
    if not url.host:
        raise fetch_error(asked, "invalid URL (no host)", "invalid_url")
    if redirect_from is not None and redirect_from.scheme == "https" and url.scheme == "http":
        raise fetch_error(asked, "redirect downgrades https to http", "scheme")


def _redirect_target(asked: str, current: httpx.URL, location: str) -> httpx.URL:
    # Check the scheme before joining: httpx cannot even represent some (javascript:alert(1)).
    scheme = urlsplit(location.strip()).scheme.lower()
    if scheme and scheme not in ("http", "https"):
        raise fetch_error(asked, f"redirect to {scheme[:20]}: URL refused", "scheme")
    try:
        return current.join(location)
    except (httpx.InvalidURL, ValueError):
        raise fetch_error(asked, "redirect to an invalid URL", "invalid_url") from None


async def fetch(
    client: httpx.AsyncClient,
    url: str,
    *,
    settings: NetSettings | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    max_bytes: int | None = None,
    accept: str | None = None,
) -> FetchResult:
    """GET `url` within every limit; raises FetchError (never an httpx exception)."""
    settings = settings or _client_settings.get(client) or NetSettings()
    cap = max_bytes if max_bytes is not None else settings.max_bytes
    headers = {"Accept": accept or "*/*", "Accept-Encoding": ACCEPT_ENCODING}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        async with asyncio.timeout(settings.deadline):
            return await _fetch(client, url, headers, settings, cap, etag, last_modified)
    except TimeoutError:
        # asyncio.timeout() fired: the server kept the connection alive but too slowly.
        raise fetch_error(
            url, f"server too slow (deadline {settings.deadline:g}s)", "timeout"
        ) from None
    except FetchError:
        raise
    except (httpx.HTTPError, OSError) as exc:
        raise transport_error(url, exc) from None
    except (httpx.InvalidURL, ValueError) as exc:
        raise fetch_error(url, f"invalid URL ({str(exc)[:80]})", "invalid_url") from None


async def _fetch(
    client: httpx.AsyncClient,
    asked: str,
    headers: dict[str, str],
    settings: NetSettings,
    cap: int,
    etag: str | None,
    last_modified: str | None,
) -> FetchResult:
    current = httpx.URL(asked)
    _check_url(asked, current, redirect_from=None)
    hops: list[str] = []
    while True:
        # The host's slot first: a request waiting for its host holds no connection slot.
        host_slot = _host_slot(client, current.host, settings.max_per_host)
        async with host_slot, _client_slot(client, settings.max_connections):
            request = client.build_request("GET", current, headers=headers)
            try:
                response = await client.send(request, stream=True)
            except _RefusedRedirect as exc:
                raise fetch_error(asked, f"redirect to {exc}: URL refused", "scheme") from None
            except httpx.InvalidURL:
                # A client not made by build_client (no guard): httpx failed to build the
                # redirect request, which only happens for an unusable Location.
                raise fetch_error(asked, "redirect to an unusable URL refused", "scheme") from None
            try:
                if response.status_code in REDIRECT_STATUSES and "location" in response.headers:
                    target = _redirect_target(asked, current, response.headers["location"])
                else:
                    return await _finish(asked, current, response, cap, etag, last_modified, hops)
            finally:
                await response.aclose()
        if len(hops) >= settings.max_redirects:
            raise fetch_error(asked, f"too many redirects (last: {target})", "redirects")
        _check_url(asked, target, redirect_from=current)
        hops.append(str(target))
        current = target


async def _finish(
    asked: str,
    current: httpx.URL,
    response: httpx.Response,
    cap: int,
    etag: str | None,
    last_modified: str | None,
    hops: list[str],
) -> FetchResult:
    status = response.status_code
    headers = dict(response.headers.items())
    result = FetchResult(
        url=asked,
        final_url=str(current),
        status=status,
        headers=headers,
        content=b"",
        etag=headers.get("etag") or etag,
        last_modified=headers.get("last-modified") or last_modified,
        retry_after=parse_retry_after(headers.get("retry-after")),
        redirects=hops,
    )
    if status == 304:
        result.not_modified = True  # validators kept: the caller's copy is still current
        return result
    if status >= 400:
        raise status_error(asked, status, response.headers)
    if not 200 <= status < 300:
        raise fetch_error(asked, f"unexpected HTTP {status}", "http", status=status)
    length = headers.get("content-length", "").strip()
    if length.isdigit() and int(length) > cap:
        raise fetch_error(
            asked, f"response too large ({int(length) / _MIB:.1f} MiB > {_cap_text(cap)})",
            "too_large",
        )
    result.content = await _read_body(asked, response, cap)
    if not result.content:
        raise fetch_error(asked, "empty response", "empty", status=status)
    return result


def _cap_text(cap: int) -> str:
    return f"{cap / _MIB:g} MiB cap"


async def _read_body(asked: str, response: httpx.Response, cap: int) -> bytes:
    """Stream raw bytes and decode them ourselves, aborting as soon as the cap is passed."""
    try:
        decoder = BodyDecoder(response.headers.get("content-encoding"))
    except DecodeError as exc:
        raise fetch_error(asked, str(exc), "undecodable") from None
    if response.is_stream_consumed:
        # Only responses built already loaded (httpx.MockTransport in tests) land here.
        loaded = response.content
        if len(loaded) > cap:
            raise fetch_error(asked, f"response too large (> {_cap_text(cap)})", "too_large")
        return loaded
    body = bytearray()
    raw_total = 0
    # Compressed bytes decode to at least about as many bytes, so raw bytes well past the cap
    # mean the decoded body would be too (this also stops an endless stream of empty blocks).
    raw_cap = cap + cap // 64 + 4096

    def take(pieces: Iterable[bytes]) -> None:
        for piece in pieces:
            body.extend(piece)
            if len(body) > cap:
                raise fetch_error(asked, f"response too large (> {_cap_text(cap)})", "too_large")

    try:
        async for chunk in response.aiter_raw():
            raw_total += len(chunk)
            if raw_total > raw_cap:
                raise fetch_error(asked, f"response too large (> {_cap_text(cap)})", "too_large")
            take(decoder.feed(chunk))
        take(decoder.finish())
    except DecodeError as exc:
        raise fetch_error(asked, str(exc), "undecodable") from None
    return bytes(body)
