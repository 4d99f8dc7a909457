"""The net layer against a real loopback server: redirects, caps, deadlines, faults."""

from __future__ import annotations

import asyncio
import gzip
import socket
import time
import tracemalloc
import zlib
from collections.abc import AsyncIterator

import httpx
import pytest

from newsreader import __version__
from newsreader.errors import FetchError
from newsreader.net import NetSettings, build_client, fetch, parse_retry_after
from newsreader.net.client import _check_url
from newsreader.net.decode import BodyDecoder, DecodeError
from tests.http_server import (
    RawServer,
    TestServer,
    chunked,
    endless,
    free_port,
    http_date,
    reset_after,
    self_signed_cert,
    send_head,
    short_body,
    stall,
    trickle,
)

FAST = NetSettings(connect_timeout=2.0, read_timeout=2.0, deadline=5.0)


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with build_client(FAST) as c:
        yield c


async def failure(client: httpx.AsyncClient, url: str, **kw: object) -> FetchError:
    with pytest.raises(FetchError) as info:
        await fetch(client, url, **kw)  # type: ignore[arg-type]
    err = info.value
    assert "\n" not in str(err)
    return err


# -- basics -----------------------------------------------------------------------------------
async def test_fetch_ok_sends_our_headers(http_server: TestServer, client: httpx.AsyncClient):
    http_server.route("/a", b"<p>hi</p>", headers={"X-Thing": "1"})
    result = await fetch(client, http_server.url("/a"), accept="text/html")
    assert result.status == 200
    assert result.content == b"<p>hi</p>"
    assert result.final_url == result.url == http_server.url("/a")
    assert result.content_type == "text/html"
    assert result.charset == "utf-8"
    assert result.headers["x-thing"] == "1"
    assert not result.not_modified
    _, _, headers = http_server.requests[-1]
    assert headers["user-agent"] == f"newsreader/{__version__} (+https://github.com/newsreader/newsreader)"
    assert headers["accept-encoding"] == "gzip, deflate"
    assert headers["accept"] == "text/html"


async def test_gzip_body_is_decoded(http_server: TestServer, client: httpx.AsyncClient):
    body = "Київ • УНН ".encode() * 1000
    http_server.route("/g", body, gzip=True)
    result = await fetch(client, http_server.url("/g"))
    assert result.content == body
    assert result.headers["content-encoding"] == "gzip"


async def test_nested_gzip_and_raw_deflate(http_server: TestServer, client: httpx.AsyncClient):
    body = b"nested " * 500
    http_server.route("/gg", gzip.compress(gzip.compress(body)),
                      headers={"Content-Encoding": "gzip, gzip"})
    raw = zlib.compressobj(wbits=-15)
    http_server.route("/d", raw.compress(body) + raw.flush(),
                      headers={"Content-Encoding": "deflate"})
    http_server.route("/z", zlib.compress(body), headers={"Content-Encoding": "deflate"})
    for path in ("/gg", "/d", "/z"):
        assert (await fetch(client, http_server.url(path))).content == body


async def test_unknown_encoding_refused(http_server: TestServer, client: httpx.AsyncClient):
    http_server.route("/br", b"\x1b\x00\x00", headers={"Content-Encoding": "br"})
    err = await failure(client, http_server.url("/br"))
    assert err.kind == "undecodable"
    assert "unsupported content encoding" in err.reason


async def test_truncated_gzip_is_an_error(http_server: TestServer, client: httpx.AsyncClient):
    http_server.route("/t", gzip.compress(b"x" * 10000)[:-20], headers={"Content-Encoding": "gzip"})
    err = await failure(client, http_server.url("/t"))
    assert err.kind == "undecodable"


# -- conditional GET ---------------------------------------------------------------------------
async def test_304_with_etag(http_server: TestServer, client: httpx.AsyncClient):
    http_server.route("/e", b"body", etag='"v1"')
    first = await fetch(client, http_server.url("/e"))
    assert first.etag == '"v1"'
    second = await fetch(client, http_server.url("/e"), etag=first.etag)
    assert second.not_modified and second.status == 304
    assert second.content == b""
    assert second.etag == '"v1"'
    assert http_server.requests[-1][2]["if-none-match"] == '"v1"'


async def test_304_with_last_modified(http_server: TestServer, client: httpx.AsyncClient):
    stamp = http_date(time.time() - 3600)
    http_server.route("/m", b"body", last_modified=stamp)
    first = await fetch(client, http_server.url("/m"))
    assert first.last_modified == stamp
    second = await fetch(client, http_server.url("/m"), last_modified=stamp)
    assert second.not_modified
    assert second.last_modified == stamp
    assert http_server.requests[-1][2]["if-modified-since"] == stamp


# -- redirects ---------------------------------------------------------------------------------
async def test_redirect_chain_of_three(http_server: TestServer, client: httpx.AsyncClient):
    http_server.redirect("/r1", "/r2", 301)
    http_server.redirect("/r2", http_server.url("/r3"), 307)
    http_server.redirect("/r3", "final", 308)  # relative to /r3
    http_server.route("/final", b"done")
    result = await fetch(client, http_server.url("/r1"))
    assert result.content == b"done"
    assert result.final_url == http_server.url("/final")
    assert result.url == http_server.url("/r1")
    assert len(result.redirects) == 3


async def test_redirect_loop(http_server: TestServer):
    http_server.redirect("/loop", "/loop")
    async with build_client(NetSettings(max_redirects=5)) as c:
        err = await failure(c, http_server.url("/loop"))
    assert err.kind == "redirects"
    assert "too many redirects" in err.reason
    assert http_server.url("/loop") in err.reason  # names the last URL
    assert len(http_server.requests) == 6  # the first request + 5 redirects, then stop


@pytest.mark.parametrize(
    "target", ["file:///etc/passwd", "ftp://127.0.0.1/x", "javascript:alert(1)", "mailto:x@y"]
)
async def test_redirect_to_other_scheme_refused(
    http_server: TestServer, client: httpx.AsyncClient, target: str
):
    http_server.redirect("/bad", target)
    err = await failure(client, http_server.url("/bad"))
    assert err.kind == "scheme"
    assert len(http_server.requests) == 1


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/", "javascript:x", "x"])
async def test_only_http_urls(client: httpx.AsyncClient, url: str):
    err = await failure(client, url)
    assert err.kind in ("scheme", "invalid_url")


def test_https_to_http_downgrade_refused():
    with pytest.raises(FetchError) as info:
        _check_url("https://a.example/", httpx.URL("http://a.example/x"),
                   redirect_from=httpx.URL("https://a.example/"))
    assert info.value.kind == "scheme"
    assert info.value.reason == "redirect downgrades https to http"
    # http -> https is fine
    _check_url("http://a.example/", httpx.URL("https://a.example/"),
               redirect_from=httpx.URL("http://a.example/"))


# -- HTTP errors -------------------------------------------------------------------------------
async def test_404_and_500(http_server: TestServer, client: httpx.AsyncClient):
    err = await failure(client, http_server.url("/missing"))
    assert (err.kind, err.reason, err.status) == ("http", "HTTP 404 Not Found", 404)
    http_server.route("/boom", b"oops", status=500)
    err = await failure(client, http_server.url("/boom"))
    assert err.reason == "server error 500"


async def test_503_and_429_retry_after(http_server: TestServer, client: httpx.AsyncClient):
    http_server.route("/busy", b"", status=503, headers={"Retry-After": "120"})
    err = await failure(client, http_server.url("/busy"))
    assert err.reason.startswith("server error 503")
    assert err.retry_after == 120
    http_server.route("/slow", b"", status=429, headers={"Retry-After": "999999"})
    err = await failure(client, http_server.url("/slow"))
    assert err.retry_after == 3600  # capped
    assert err.reason.startswith("HTTP 429 Too Many Requests")
    http_server.route("/date", b"", status=503,
                      headers={"Retry-After": http_date(time.time() + 60)})
    err = await failure(client, http_server.url("/date"))
    assert 55 <= err.retry_after <= 61


def test_parse_retry_after():
    assert parse_retry_after("0") == 0
    assert parse_retry_after("garbage") is None
    assert parse_retry_after(None) is None
    assert parse_retry_after(http_date(0)) == 0  # in the past


async def test_empty_200(http_server: TestServer, client: httpx.AsyncClient):
    http_server.route("/empty", b"")
    err = await failure(client, http_server.url("/empty"))
    assert (err.kind, err.reason) == ("empty", "empty response")


# -- caps --------------------------------------------------------------------------------------
async def test_content_length_too_large_rejected_before_reading(http_server: TestServer):
    sent = []

    def huge(h):
        send_head(h, 200, {"Content-Length": str(10 * 1024**3)})
        try:
            for _ in range(200):
                h.wfile.write(b"x" * 65536)
                sent.append(1)
        except OSError:
            pass

    http_server.handler("/huge", huge)
    async with build_client(NetSettings(max_bytes=1024 * 1024)) as c:
        err = await failure(c, http_server.url("/huge"))
    assert err.kind == "too_large"
    assert err.reason == "response too large (10240.0 MiB > 1 MiB cap)"


async def test_endless_chunked_stream_aborted_at_cap(http_server: TestServer):
    http_server.handler("/endless", endless)
    start = time.monotonic()
    async with build_client(NetSettings(max_bytes=2 * 1024 * 1024)) as c:
        err = await failure(c, http_server.url("/endless"))
    assert err.kind == "too_large"
    assert time.monotonic() - start < 5


async def test_per_call_cap(http_server: TestServer, client: httpx.AsyncClient):
    http_server.route("/k", b"y" * 5000)
    err = await failure(client, http_server.url("/k"), max_bytes=4096)
    assert err.kind == "too_large"
    assert (await fetch(client, http_server.url("/k"), max_bytes=5000)).content == b"y" * 5000


def _gzip_bomb(size: int) -> bytes:
    comp = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b"\0" * (1024 * 1024)
    parts = [comp.compress(block) for _ in range(size // len(block))]
    return b"".join(parts) + comp.flush()


async def test_gzip_bomb_aborted_with_bounded_memory(http_server: TestServer):
    bomb = _gzip_bomb(200 * 1024 * 1024)  # ~200 KB on the wire, 200 MB decoded
    assert len(bomb) < 300_000
    http_server.route("/bomb", bomb, headers={"Content-Encoding": "gzip"})
    nested = gzip.compress(_gzip_bomb(50 * 1024 * 1024))
    http_server.route("/bomb2", nested, headers={"Content-Encoding": "gzip, gzip"})
    cap = 1024 * 1024
    async with build_client(NetSettings(max_bytes=cap)) as c:
        for path in ("/bomb", "/bomb2"):
            tracemalloc.start()
            try:
                err = await failure(c, http_server.url(path))
                _, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
            assert err.kind == "too_large"
            assert peak < cap * 3 + 2 * 1024 * 1024, f"{path}: peak {peak} bytes"


def test_decoder_pieces_are_bounded():
    decoder = BodyDecoder("gzip")
    sizes = [len(p) for p in decoder.feed(_gzip_bomb(8 * 1024 * 1024))]
    assert max(sizes) <= 64 * 1024
    assert sum(sizes) + sum(len(p) for p in decoder.finish()) == 8 * 1024 * 1024
    with pytest.raises(DecodeError):
        BodyDecoder("zstd")


# -- slow and broken servers -------------------------------------------------------------------
async def test_slow_trickle_hits_the_total_deadline(http_server: TestServer):
    http_server.handler("/trickle", lambda h: trickle(h, b"x" * 100, delay=0.2))
    settings = NetSettings(read_timeout=5.0, deadline=1.0)
    start = time.monotonic()
    async with build_client(settings) as c:
        err = await failure(c, http_server.url("/trickle"))
    elapsed = time.monotonic() - start
    assert (err.kind, err.reason) == ("timeout", "server too slow (deadline 1s)")
    assert 0.9 < elapsed < 2.0


async def test_stall_times_out(http_server: TestServer):
    http_server.handler("/stall", stall)
    start = time.monotonic()
    async with build_client(NetSettings(read_timeout=0.5, deadline=5.0)) as c:
        err = await failure(c, http_server.url("/stall"))
    assert (err.kind, err.reason) == ("timeout", "timed out")
    assert time.monotonic() - start < 2.0


async def test_raw_socket_accept_and_stall():
    def accept_and_stall(conn: socket.socket) -> None:
        time.sleep(3)

    raw = RawServer(accept_and_stall)
    try:
        async with build_client(NetSettings(read_timeout=5.0, deadline=0.5)) as c:
            err = await failure(c, raw.url())
        assert err.kind == "timeout"
    finally:
        raw.close()


@pytest.mark.parametrize("misbehave", [reset_after, short_body])
async def test_broken_mid_body(http_server: TestServer, client: httpx.AsyncClient, misbehave):
    http_server.handler("/broken", misbehave)
    err = await failure(client, http_server.url("/broken"))
    assert (err.kind, err.reason) == ("broken", "connection broken mid-response")


async def test_raw_headers_then_shutdown(client: httpx.AsyncClient):
    def five_bytes_then_shutdown(conn: socket.socket) -> None:
        conn.recv(65536)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhello")
        conn.shutdown(socket.SHUT_RDWR)

    raw = RawServer(five_bytes_then_shutdown)
    try:
        err = await failure(client, raw.url())
        assert err.kind == "broken"
    finally:
        raw.close()


async def test_closed_port_is_unreachable(client: httpx.AsyncClient):
    err = await failure(client, f"http://127.0.0.1:{free_port()}/")
    assert (err.kind, err.reason) == ("unreachable", "unreachable (connection refused)")


async def test_dns_failure(client: httpx.AsyncClient):
    try:
        async with asyncio.timeout(3):
            await asyncio.to_thread(socket.getaddrinfo, "nonexistent.invalid", 80)
    except (OSError, TimeoutError):
        pass
    else:
        pytest.skip("nonexistent.invalid resolves here")
    err = await failure(client, "http://nonexistent.invalid/feed")
    assert (err.kind, err.reason) == ("dns", "DNS lookup failed")


async def test_chunked_body_ok(http_server: TestServer, client: httpx.AsyncClient):
    http_server.handler("/c", lambda h: chunked(h, [b"ab", b"cd", b"ef"]))
    assert (await fetch(client, http_server.url("/c"))).content == b"abcdef"


async def test_per_host_limit(http_server: TestServer):
    active = 0
    peak = 0

    def slow(h):
        nonlocal active, peak
        active += 1
        peak = max(peak, active)
        time.sleep(0.1)
        active -= 1
        send_head(h, 200, {"Content-Length": "2"})
        h.wfile.write(b"ok")

    http_server.handler("/p", slow)
    async with build_client(NetSettings(max_per_host=2)) as c:
        results = await asyncio.gather(*(fetch(c, http_server.url("/p")) for _ in range(6)))
    assert all(r.content == b"ok" for r in results)
    assert peak <= 2


async def test_works_with_a_plain_client_and_mock_transport():
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"mocked")

    async with build_client(transport=httpx.MockTransport(handler)) as c:
        result = await fetch(c, "https://example.org/")
    assert result.content == b"mocked"


async def test_tls_failure_reported(client: httpx.AsyncClient):
    # A plain-HTTP loopback server spoken to over https: the handshake fails.
    def plain(conn: socket.socket) -> None:
        conn.recv(65536)
        conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")

    raw = RawServer(plain)
    try:
        err = await failure(client, f"https://127.0.0.1:{raw.port}/")
        assert err.kind == "tls"
        assert err.reason.startswith("TLS error: ")
    finally:
        raw.close()


async def test_plain_client_redirect_to_javascript(http_server: TestServer):
    http_server.redirect("/js", "javascript:alert(1)")
    async with httpx.AsyncClient() as c:
        err = await failure(c, http_server.url("/js"))
    assert err.kind == "scheme"


@pytest.fixture
def https_server(tmp_path):
    cert, key = self_signed_cert(tmp_path)
    server = TestServer(certfile=cert, keyfile=key)
    yield server, cert
    server.close()


async def test_self_signed_certificate_refused(https_server, client: httpx.AsyncClient):
    server, _ = https_server
    server.route("/", b"secret")
    err = await failure(client, server.url("/"))
    assert err.kind == "tls"
    assert "self-signed" in err.reason or "certificate" in err.reason


async def test_real_https_to_http_downgrade_refused(https_server, http_server: TestServer):
    server, cert = https_server
    http_server.route("/plain", b"plain")
    server.redirect("/go", http_server.url("/plain"))
    server.redirect("/up", server.url("/ok"))
    server.route("/ok", b"fine")
    import ssl

    trusting = httpx.AsyncHTTPTransport(verify=ssl.create_default_context(cafile=cert))
    async with build_client(FAST, transport=trusting) as c:
        err = await failure(c, server.url("/go"))
        assert (err.kind, err.reason) == ("scheme", "redirect downgrades https to http")
        assert http_server.requests == []  # never contacted over plain http
        assert (await fetch(c, server.url("/up"))).content == b"fine"
