"""A real HTTP server on 127.0.0.1 for tests: routes, redirects, 304s, custom misbehaviour.

Usage (the `http_server` fixture is imported by tests/conftest.py):

    def test_x(http_server):
        http_server.route("/feed.xml", b"<rss/>", content_type="application/rss+xml", etag='"1"')
        http_server.redirect("/old", "/feed.xml")
        http_server.handler("/slow", lambda h: trickle(h, b"abc", delay=0.5))
        url = http_server.url("/old")
        ...
        assert http_server.requests[-1][1] == "/feed.xml"

Custom handlers get the BaseHTTPRequestHandler; the helpers below (send_head, trickle, stall,
reset_after, endless, short_body) cover the usual faults. `raw_server(fn)` gives a bare socket
server for behaviour http.server cannot produce.
"""

from __future__ import annotations

import email.utils
import gzip as gzip_module
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

Handler = Callable[[BaseHTTPRequestHandler], None]


class _Quiet(ThreadingHTTPServer):
    daemon_threads = True  # never join handler threads stuck in a stall at shutdown

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients hanging up on purpose (caps, deadlines) are the point of these tests.
        pass


class TestServer:
    """Routes requests by path (with query first, then without) to handlers."""

    __test__ = False  # not a pytest test class

    def __init__(self, *, certfile: str | None = None, keyfile: str | None = None) -> None:
        self.routes: dict[str, Handler] = {}
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.stopping = threading.Event()  # set at shutdown: stalled handlers should return
        self._lock = threading.Lock()
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                server._dispatch(self)

            def do_HEAD(self) -> None:
                server._dispatch(self)

        self._httpd = _Quiet(("127.0.0.1", 0), _Handler)
        self._httpd._newsreader_stop = self.stopping  # type: ignore[attr-defined]
        self.port: int = self._httpd.server_address[1]
        scheme = "http"
        if certfile:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(certfile, keyfile)
            self._httpd.socket = context.wrap_socket(self._httpd.socket, server_side=True)
            scheme = "https"
        self.base_url = f"{scheme}://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    # -- API -------------------------------------------------------------------------------
    def url(self, path: str = "/") -> str:
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def route(
        self,
        path: str,
        body: bytes | str,
        *,
        status: int = 200,
        content_type: str | None = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        gzip: bool = False,
    ) -> None:
        """Serve a fixed body; honours If-None-Match / If-Modified-Since with a 304."""
        data = body.encode("utf-8") if isinstance(body, str) else bytes(body)
        if gzip:
            data = gzip_module.compress(data)

        def serve(h: BaseHTTPRequestHandler) -> None:
            extra = dict(headers or {})
            if etag:
                extra["ETag"] = etag
            if last_modified:
                extra["Last-Modified"] = last_modified
            if _not_modified(h, etag, last_modified):
                send_head(h, 304, extra)
                return
            if content_type:
                extra["Content-Type"] = content_type
            if gzip:
                extra["Content-Encoding"] = "gzip"
            extra["Content-Length"] = str(len(data))
            send_head(h, status, extra)
            if h.command != "HEAD":
                h.wfile.write(data)

        self.handler(path, serve)

    def redirect(self, path: str, location: str, status: int = 302) -> None:
        def serve(h: BaseHTTPRequestHandler) -> None:
            send_head(h, status, {"Location": location, "Content-Length": "0"})

        self.handler(path, serve)

    def handler(self, path: str, fn: Handler) -> None:
        with self._lock:
            self.routes[path] = fn

    def serve_site(self, pages: dict[str, Any]) -> None:
        """Route every page of a fixture site: values need `.body` and `.content_type`."""
        for key, page in pages.items():
            path = key
            if "://" in key:  # tolerate absolute URLs as keys
                parts = urlsplit(key)
                path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            path = path if path.startswith("/") else "/" + path
            self.route(path, page.body, content_type=getattr(page, "content_type", None))

    def paths(self) -> list[str]:
        """The paths requested so far, in order."""
        return [path for _, path, _ in self.requests]

    def close(self) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    # -- internals -------------------------------------------------------------------------
    def _dispatch(self, h: BaseHTTPRequestHandler) -> None:
        with self._lock:
            self.requests.append((h.command, h.path, {k.lower(): v for k, v in h.headers.items()}))
            fn = self.routes.get(h.path) or self.routes.get(urlsplit(h.path).path)
        try:
            if fn is None:
                body = b"not found"
                send_head(h, 404, {"Content-Type": "text/plain", "Content-Length": "9"})
                h.wfile.write(body)
            else:
                fn(h)
            h.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            h.close_connection = True


def _not_modified(h: BaseHTTPRequestHandler, etag: str | None, last_modified: str | None) -> bool:
    inm = h.headers.get("If-None-Match")
    if inm is not None:
        # If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2).
        tags = [t.strip() for t in inm.split(",")]
        return etag is not None and ("*" in tags or etag in tags or f"W/{etag}" in tags)
    ims = h.headers.get("If-Modified-Since")
    if ims and last_modified:
        try:
            since = email.utils.parsedate_to_datetime(ims)
            modified = email.utils.parsedate_to_datetime(last_modified)
        except (TypeError, ValueError):
            return ims == last_modified
        return modified <= since
    return False


# -- helpers for custom handlers --------------------------------------------------------------
def send_head(
    h: BaseHTTPRequestHandler, status: int, headers: dict[str, str] | None = None
) -> None:
    """Status line + headers (no body). Add Content-Length or Transfer-Encoding yourself."""
    h.send_response(status)
    for name, value in (headers or {}).items():
        h.send_header(name, value)
    h.end_headers()
    h.wfile.flush()


def trickle(h: BaseHTTPRequestHandler, body: bytes, *, delay: float = 0.2,
            headers: dict[str, str] | None = None) -> None:
    """Send `body` one byte every `delay` seconds (slow-loris)."""
    send_head(h, 200, {"Content-Type": "text/plain", "Content-Length": str(len(body)),
                       **(headers or {})})
    for i in range(len(body)):
        h.wfile.write(body[i : i + 1])
        h.wfile.flush()
        if _stopping(h).wait(delay):
            return


def stall(h: BaseHTTPRequestHandler, *, seconds: float = 60.0) -> None:
    """Read the request, then answer nothing (until the server stops)."""
    _stopping(h).wait(seconds)
    h.close_connection = True


def reset_after(h: BaseHTTPRequestHandler, data: bytes = b"hello", *, length: int = 1000) -> None:
    """Promise `length` bytes, send `data`, then shut the socket down (connection reset)."""
    send_head(h, 200, {"Content-Type": "text/plain", "Content-Length": str(length)})
    h.wfile.write(data)
    h.wfile.flush()
    h.connection.shutdown(socket.SHUT_RDWR)
    h.close_connection = True


def short_body(h: BaseHTTPRequestHandler, data: bytes = b"hello", *, length: int = 1000) -> None:
    """Content-Length larger than the body, then a clean close."""
    send_head(h, 200, {"Content-Type": "text/plain", "Content-Length": str(length),
                       "Connection": "close"})
    h.wfile.write(data)
    h.close_connection = True


def endless(h: BaseHTTPRequestHandler, *, chunk: bytes = b"x" * 65536,
            headers: dict[str, str] | None = None) -> None:
    """A chunked body that never ends (until the client hangs up or the server stops)."""
    send_head(h, 200, {"Content-Type": "text/plain", "Transfer-Encoding": "chunked",
                       **(headers or {})})
    frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    while not _stopping(h).is_set():
        h.wfile.write(frame)
    h.close_connection = True


def chunked(h: BaseHTTPRequestHandler, pieces: list[bytes], *,
            headers: dict[str, str] | None = None) -> None:
    """Send `pieces` as a chunked body."""
    send_head(h, 200, {"Transfer-Encoding": "chunked", **(headers or {})})
    for piece in pieces:
        if piece:
            h.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
    h.wfile.write(b"0\r\n\r\n")


def http_date(ts: float | None = None) -> str:
    """An IMF-fixdate for Last-Modified / Retry-After headers."""
    return email.utils.formatdate(time.time() if ts is None else ts, usegmt=True)


def _stopping(h: BaseHTTPRequestHandler) -> threading.Event:
    stop = getattr(h.server, "_newsreader_stop", None)
    return stop if stop is not None else threading.Event()


# -- raw sockets --------------------------------------------------------------------------------
class RawServer:
    """A bare TCP server on 127.0.0.1: each connection is handed to `fn(conn)` in a thread."""

    __test__ = False

    def __init__(self, fn: Callable[[socket.socket], None]) -> None:
        self._fn = fn
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._sock.getsockname()[1]
        self.stopping = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._run, args=(conn,), daemon=True).start()

    def _run(self, conn: socket.socket) -> None:
        try:
            self._fn(conn)
        except OSError:
            pass
        finally:
            conn.close()

    def close(self) -> None:
        self.stopping.set()
        self._sock.close()


def self_signed_cert(directory: Path) -> tuple[str, str]:
    """A throwaway certificate for 127.0.0.1 made with the openssl CLI (skips if absent)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl CLI not available")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    return str(cert), str(key)


def free_port() -> int:
    """A 127.0.0.1 port that nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def http_server() -> Iterator[TestServer]:
    """A fresh loopback server per test, shut down afterwards."""
    server = TestServer()
    try:
        yield server
    finally:
        server.close()
