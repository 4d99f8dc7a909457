"""Catalogue A (N1–N4, N7–N9): network faults on loopback via Reader.refresh(); N5–N6: _limits."""

from __future__ import annotations

import socket
import ssl
import subprocess
import threading
import time
import warnings
from pathlib import Path

import pytest

from newsreader.models import Source
from newsreader.net.client import NetSettings
from newsreader.net.failures import RETRY_AFTER_CAP
from newsreader.ui.app import NewsreaderApp
from tests.hostile.helpers import (
    FAST,
    counts,
    items,
    open_reader,
    primed,
    raw_http,
    read_request,
    refresh_error,
    rss,
)
from tests.http_server import (
    RawServer,
    TestServer,
    free_port,
    reset_after,
    self_signed_cert,
    short_body,
    trickle,
)
from tests.ui_fakes import SIZE, main, settle, status_text

FEED = rss(items(4, "good"))


class Switchable:
    """A raw 127.0.0.1 server that answers with a feed, or accepts and then says nothing."""

    def __init__(self) -> None:
        self.stalling = False
        self.server = RawServer(self._serve)

    def _serve(self, conn: socket.socket) -> None:
        read_request(conn)
        if self.stalling:
            self.server.stopping.wait(30)
            return
        conn.sendall(raw_http(FEED))


# -- N1 -------------------------------------------------------------------------------------
async def test_n1_stalled_server_times_out_and_other_feeds_refresh(http_server: TestServer):
    """N1: a server that accepts and never answers → "timed out" in bounded time; others fine."""
    stalled = Switchable()
    try:
        http_server.route("/ok.xml", FEED, content_type="application/rss+xml")
        reader = open_reader(http_server, ["/ok.xml"])
        reader.sources.append(Source("Stalled", stalled.server.url("/feed")))
        await reader.refresh()
        before = counts(reader)
        stalled.stalling = True
        started = time.monotonic()
        progress = await reader.refresh()
        elapsed = time.monotonic() - started
        assert progress.errors == {"Stalled": "timed out"}
        assert elapsed < FAST.deadline + 1.5
        assert counts(reader) == before  # the stalled feed's headlines are still there
        assert not progress.offline  # one feed answered: the network is up
        await reader.aclose()
    finally:
        stalled.server.close()


async def test_n1_closed_port_is_offline_with_backoff_and_no_retry_storm(http_server: TestServer):
    """N1: a closed port → "unreachable"; all feeds failing → offline; backoff doubles."""
    now = [1_000_000.0]
    reader = open_reader(http_server, [], clock=lambda: now[0])
    source = Source("Closed", f"http://127.0.0.1:{free_port()}/feed.xml")
    reader.sources.append(source)
    progress = await reader.refresh(force=False)
    assert progress.errors["Closed"] == "unreachable (connection refused)"
    assert progress.offline
    schedule = reader.refresher.schedule
    assert not schedule.is_due(source, now[0] + 59)  # first failure: wait a minute
    assert schedule.is_due(source, now[0] + 60)
    now[0] += 60
    await reader.refresh(force=False)
    assert not schedule.is_due(source, now[0] + 119)  # second failure: two minutes
    now[0] += 30
    await reader.refresh(force=False)  # not due: nothing is fetched, no failure counted
    assert reader.cache.get_json(f"feedmeta:{source.url}")["failures"] == 2
    await reader.aclose()


async def test_n1_dns_failure_is_named(http_server: TestServer, monkeypatch: pytest.MonkeyPatch):
    """N1: DNS failure (simulated: no query leaves the machine) → "DNS lookup failed"."""

    def no_dns(*args: object, **kwargs: object) -> None:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    reader = open_reader(http_server, [])
    reader.sources.append(Source("Nowhere", "http://nonexistent.invalid/feed.xml"))
    progress = await reader.refresh()
    assert progress.errors == {"Nowhere": "DNS lookup failed"}
    assert progress.offline
    await reader.aclose()


async def test_n1_app_starts_offline_and_shows_the_cache():
    """N1: the feed host went away → the app starts, shows cached headlines, says "offline"."""
    server = TestServer()
    try:
        server.route("/feed.xml", FEED, content_type="application/rss+xml")
        reader = open_reader(server, ["/feed.xml"])
        await reader.refresh()
        cached = counts(reader).headlines
        assert cached == 4
        await reader.aclose()
    finally:
        server.close()  # the port is now closed: connection refused
    # the app started two hours later
    reader = open_reader(server, ["/feed.xml"], clock=lambda: time.time() + 7200)
    app = NewsreaderApp(reader, refresh_on_start=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        assert screen.headlines.option_count == cached
        assert "offline" in status_text(screen)
        assert "unreachable" in status_text(screen)


# -- N2 -------------------------------------------------------------------------------------
@pytest.mark.parametrize("fault", [reset_after, short_body], ids=["reset", "short"])
async def test_n2_broken_body_is_never_committed(http_server: TestServer, fault):
    """N2: reset mid-body / short Content-Length → "connection broken"; old items and body kept."""
    reader, before = await primed(http_server)
    url = reader.sources[0].url
    old = reader.cache.get_body(url)
    http_server.handler("/feed.xml", lambda h: fault(h, b"<rss>", length=5000))
    assert await refresh_error(reader) == "connection broken mid-response"
    assert counts(reader) == before
    body = reader.cache.get_body(url)
    assert body is not None and body.content == old.content and body.etag == '"v1"'
    meta = reader.cache.get_json(f"feedmeta:{url}")
    assert meta["failures"] == 1 and meta["next_due"] > time.time()  # retried later, not now
    await reader.aclose()


# -- N3 -------------------------------------------------------------------------------------
@pytest.mark.parametrize("status", [500, 502, 503])
async def test_n3_server_errors_keep_items(http_server: TestServer, status: int):
    """N3: 5xx → "server error NNN"; no item deleted."""
    reader, before = await primed(http_server)
    http_server.route("/feed.xml", b"<h1>oops</h1>", status=status)
    assert await refresh_error(reader) == f"server error {status}"
    assert counts(reader) == before
    await reader.aclose()


@pytest.mark.parametrize(("header", "expected"), [("120", 120.0), ("999999", RETRY_AFTER_CAP)])
async def test_n3_429_retry_after_is_honoured_and_capped(
    http_server: TestServer, header: str, expected: float
):
    """N3: 429 with Retry-After → shown, next attempt not before it, capped at one hour."""
    reader, before = await primed(http_server)
    http_server.route("/feed.xml", b"slow down", status=429, headers={"Retry-After": header})
    start = time.time()
    error = await refresh_error(reader)
    assert error == f"HTTP 429 Too Many Requests (retry after {expected:.0f}s)"
    meta = reader.cache.get_json(f"feedmeta:{reader.sources[0].url}")
    assert start + expected - 1 <= meta["next_due"] <= time.time() + expected + 1
    assert counts(reader) == before
    await reader.aclose()


async def test_n3_304_keeps_items_and_etag(http_server: TestServer):
    """N3: a conditional GET answered 304 keeps items and validators."""
    reader, before = await primed(http_server)
    progress = await reader.refresh()
    assert not progress.errors
    assert http_server.requests[-1][2].get("if-none-match") == '"v1"'
    assert counts(reader) == before
    assert reader.cache.get_body(reader.sources[0].url).etag == '"v1"'
    await reader.aclose()


async def test_n3_empty_200_is_an_error_not_zero_items(http_server: TestServer):
    """N3: 200 with an empty body → "empty response", not an emptied feed."""
    reader, before = await primed(http_server)
    http_server.route("/feed.xml", b"", content_type="application/rss+xml")
    assert await refresh_error(reader) == "empty response"
    assert counts(reader) == before
    await reader.aclose()


# -- N4 -------------------------------------------------------------------------------------
def test_n4_default_deadline_is_bounded():
    """N4: the product default total deadline is at most 30 s (httpx alone has none)."""
    assert NetSettings().deadline <= 30


@pytest.mark.parametrize("where", ["body", "headers"])
async def test_n4_slow_loris_hits_the_total_deadline(http_server: TestServer, where: str):
    """N4: 1 byte every 0.2 s (read timeout never fires) → "server too slow" at the deadline."""
    reader, before = await primed(http_server)
    if where == "body":
        http_server.handler("/feed.xml", lambda h: trickle(h, b"x" * 200, delay=0.2))
    else:
        def slow_headers(h) -> None:  # type: ignore[no-untyped-def]
            for byte in b"HTTP/1.1 200 OK\r\nX-Padding: " + b"a" * 200:
                h.wfile.write(bytes([byte]))
                h.wfile.flush()
                if h.server._newsreader_stop.wait(0.2):
                    return
        http_server.handler("/feed.xml", slow_headers)
    started = time.monotonic()
    error = await refresh_error(reader)
    assert error == f"server too slow (deadline {FAST.deadline:g}s)"
    assert time.monotonic() - started < FAST.deadline + 1.0
    assert counts(reader) == before
    await reader.aclose()


# -- N7 -------------------------------------------------------------------------------------
async def test_n7_redirect_loop_and_long_chain(http_server: TestServer):
    """N7: /a → /a and a 25-hop chain → "too many redirects" naming the last URL."""
    reader, before = await primed(http_server)
    http_server.redirect("/feed.xml", "/feed.xml")
    error = await refresh_error(reader)
    assert error == f"too many redirects (last: {http_server.url('/feed.xml')})"
    for i in range(25):
        http_server.redirect(f"/hop{i}", f"/hop{i + 1}")
    http_server.redirect("/feed.xml", "/hop0")
    error = await refresh_error(reader)
    assert error.startswith("too many redirects (last: ") and "/hop" in error
    assert NetSettings().max_redirects <= 10
    assert counts(reader) == before
    await reader.aclose()


@pytest.mark.parametrize("target", ["file:///etc/passwd", "ftp://127.0.0.1/x",
                                    "javascript:alert(1)"])
async def test_n7_redirect_to_other_schemes_is_refused(http_server: TestServer, target: str):
    """N7: a redirect to file:, ftp: or javascript: is refused and named."""
    reader, before = await primed(http_server)
    http_server.redirect("/feed.xml", target)
    scheme = target.split(":", 1)[0]
    assert await refresh_error(reader) == f"redirect to {scheme}: URL refused"
    assert counts(reader) == before
    await reader.aclose()


# -- N8 -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (b"<!DOCTYPE html><html><body><form>Log in</form></body></html>", "text/html",
         "not a feed (got HTML)"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "title": "x", "items": []}',
         "application/feed+json", "unsupported format (JSON Feed)"),
        (bytes(range(256)) * 8, "application/octet-stream", "not a feed"),
    ],
    ids=["html-login", "json-feed", "binary"],
)
async def test_n8_non_feeds_are_named_and_keep_items(
    http_server: TestServer, body: bytes, content_type: str, expected: str
):
    """N8: an HTML page, a JSON Feed or binary at a feed URL → named error; 0 items ≠ emptied."""
    reader, before = await primed(http_server)
    http_server.route("/feed.xml", body, content_type=content_type)
    assert await refresh_error(reader) == expected
    assert counts(reader) == before
    await reader.aclose()


async def test_n8_feed_with_wrong_type_parses_and_empty_feed_keeps_items(
    http_server: TestServer,
):
    """N8: a real feed as application/octet-stream parses; a feed with 0 items deletes nothing."""
    reader, before = await primed(http_server)
    http_server.route("/feed.xml", rss(items(2, "new")), content_type="application/octet-stream")
    progress = await reader.refresh()
    assert not progress.errors and progress.new_headlines == 2
    assert counts(reader).headlines == before.headlines + 2
    http_server.route("/feed.xml", rss([]), content_type="application/rss+xml")
    progress = await reader.refresh()
    assert not progress.errors
    assert counts(reader).headlines == before.headlines + 2
    await reader.aclose()


# -- N9 -------------------------------------------------------------------------------------
def _ca_signed(tmp: Path, *, expired: bool, san: str) -> tuple[str, str]:
    """A self-signed cert with chosen validity/SAN, via `openssl ca` (for expired dates)."""
    key, csr, cert = tmp / "k.pem", tmp / "r.csr", tmp / "c.pem"
    (tmp / "newcerts").mkdir()
    (tmp / "index.txt").write_text("")
    (tmp / "serial").write_text("01\n")
    (tmp / "ext.cnf").write_text(f"subjectAltName={san}\n")
    (tmp / "ca.cnf").write_text(
        f"[ca]\ndefault_ca=d\n[d]\ndir={tmp}\ndatabase=$dir/index.txt\n"
        "new_certs_dir=$dir/newcerts\nserial=$dir/serial\ndefault_md=sha256\npolicy=p\n"
        "[p]\ncommonName=supplied\n"
    )
    run = {"check": True, "capture_output": True}
    subprocess.run(["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=test",
                    "-keyout", str(key), "-out", str(csr)], **run)
    dates = (["-startdate", "20200101000000Z", "-enddate", "20200102000000Z"] if expired
             else ["-days", "2"])
    subprocess.run(["openssl", "ca", "-batch", "-config", str(tmp / "ca.cnf"), "-selfsign",
                    "-keyfile", str(key), "-in", str(csr), "-out", str(cert),
                    "-extfile", str(tmp / "ext.cnf"), *dates], **run)
    return str(cert), str(key)


@pytest.mark.parametrize("case", ["self-signed", "expired", "wrong-host", "tls1.0"])
async def test_n9_bad_tls_is_refused_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
):
    """N9: bad certificates and TLS 1.0 → "TLS error: <reason>"; no verify=False, no http retry."""
    if case == "self-signed":
        cert, key = self_signed_cert(tmp_path)
    else:
        cert, key = _ca_signed(tmp_path, expired=case == "expired",
                               san="DNS:elsewhere.example" if case == "wrong-host"
                               else "IP:127.0.0.1")
        monkeypatch.setenv("SSL_CERT_FILE", cert)  # trusted: only the named flaw remains
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    if case == "tls1.0":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # the point of the case
            context.minimum_version = context.maximum_version = ssl.TLSVersion.TLSv1
        context.set_ciphers("ALL:@SECLEVEL=0")
    plain = TestServer()
    raw = socket.create_server(("127.0.0.1", 0))
    port = raw.getsockname()[1]

    def serve() -> None:
        try:
            conn, _ = raw.accept()
            with conn, context.wrap_socket(conn, server_side=True) as tls:
                read_request(tls)
                tls.sendall(raw_http(FEED))
        except (OSError, ssl.SSLError):
            pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        reader = open_reader(plain, [])
        reader.sources.append(Source("TLS", f"https://127.0.0.1:{port}/feed.xml"))
        error = await refresh_error(reader)
        expected = {
            "self-signed": "self-signed certificate",
            "expired": "certificate has expired",
            "wrong-host": "IP address mismatch",
            "tls1.0": "TLS error: ",
        }[case]
        assert error.startswith("TLS error: ") and expected in error, error
        assert counts(reader).headlines == 0
        assert plain.requests == []  # nothing fell back to plain http
        await reader.aclose()
    finally:
        raw.close()
        plain.close()
        thread.join(5)


def test_n9_no_verify_false_anywhere():
    """N9: the product never turns certificate verification off."""
    root = Path(__file__).resolve().parents[2] / "newsreader"
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "verify=False" not in text and "CERT_NONE" not in text, path
