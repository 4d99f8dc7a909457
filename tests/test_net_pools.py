"""One connection pool per origin (net/pools): routing, closing, and proxies left to httpx."""

from __future__ import annotations

import httpx
import pytest

from newsreader.net import NetSettings, build_client, fetch
from newsreader.net.pools import PerOriginTransport
from tests.http_server import TestServer

FAST = NetSettings(connect_timeout=2.0, read_timeout=2.0, deadline=5.0)


@pytest.fixture(autouse=True)
def no_proxy_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever proxy the machine running the tests has, these tests set their own."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy",
                 "https_proxy", "all_proxy", "no_proxy", "FTP_PROXY", "ftp_proxy"):
        monkeypatch.delenv(name, raising=False)


async def test_each_origin_gets_its_own_pool_and_closing_the_client_closes_them(
    http_server: TestServer,
) -> None:
    other = TestServer()
    try:
        for server in (http_server, other):
            server.route("/a", b"<p>hi</p>")
        client = build_client(FAST)
        transport = client._transport  # the httpx attribute: the pools live behind it
        assert isinstance(transport, PerOriginTransport)
        for _ in range(2):  # the second round reuses both pools
            for server in (http_server, other):
                assert (await fetch(client, server.url("/a"))).content == b"<p>hi</p>"
        assert sorted(port for _, _, port in transport.origins) == sorted(
            [http_server.port, other.port]
        )
        await client.aclose()
        assert transport.origins == []
    finally:
        other.close()


@pytest.mark.parametrize(
    ("name", "trust_env", "pools"),
    [
        # The variables httpx routes: its own pool, with the proxy routes it made.
        ("HTTPS_PROXY", True, False),
        ("http_proxy", True, False),
        ("ALL_PROXY", True, False),
        # Not trusted, or not a proxy httpx would use: the pools stay.
        ("HTTPS_PROXY", False, True),
        ("NO_PROXY", True, True),
        ("no_proxy", True, True),
        ("FTP_PROXY", True, True),
    ],
)
async def test_only_a_proxy_httpx_would_use_hands_the_client_back_to_httpx(
    name: str, trust_env: bool, pools: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(name, "http://127.0.0.1:9")
    async with build_client(NetSettings(trust_env=trust_env)) as client:
        assert isinstance(client._transport, PerOriginTransport) is pools
        assert bool(client._mounts) is not pools  # httpx made proxy routes only without pools


CLOSED: list[str] = []  # which inner transports were closed, in order


class _Body(httpx.AsyncByteStream):
    """A streamed body, as a real transport gives: closing the response closes it."""

    async def __aiter__(self):  # type: ignore[no-untyped-def]
        yield b"ok"


class _Recorder(httpx.MockTransport):
    """An inner transport that answers 200 and records that it was closed."""

    def __init__(self, name: str) -> None:
        super().__init__(lambda request: httpx.Response(200, stream=_Body()))
        self.name = name

    async def aclose(self) -> None:
        CLOSED.append(self.name)


def _recording_pools(max_pools: int, clock: list[float]) -> PerOriginTransport:
    CLOSED.clear()
    names = iter("ABCDEFGH")
    return PerOriginTransport(lambda: _Recorder(next(names)), max_pools=max_pools,
                              idle_close=5.0, clock=lambda: clock[0])


async def _get(transport: PerOriginTransport, host: str) -> httpx.Response:
    return await transport.handle_async_request(httpx.Request("GET", f"http://{host}/"))


async def test_beyond_max_pools_the_least_recently_used_idle_pool_is_closed() -> None:
    clock = [0.0]
    transport = _recording_pools(2, clock)
    a = await _get(transport, "a.example")  # left open: A has a response in flight
    for host in ("b.example", "c.example"):
        await (await _get(transport, host)).aclose()
    assert CLOSED == ["B"]  # not A, whose response is still open
    await a.aclose()
    await (await _get(transport, "d.example")).aclose()
    assert CLOSED == ["B", "A"]
    assert [host for _, host, _ in transport.origins] == ["c.example", "d.example"]


async def test_a_pool_idle_for_longer_than_keep_alive_is_closed_at_the_next_request() -> None:
    clock = [0.0]
    transport = _recording_pools(10, clock)
    await (await _get(transport, "a.example")).aclose()
    clock[0] = 4.0
    await (await _get(transport, "b.example")).aclose()
    assert CLOSED == []
    clock[0] = 9.5
    await (await _get(transport, "b.example")).aclose()
    assert CLOSED == ["A"]


async def test_a_failed_request_does_not_keep_its_pool_busy() -> None:
    clock = [0.0]

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    transport = PerOriginTransport(lambda: httpx.MockTransport(refuse), max_pools=1,
                                   clock=lambda: clock[0])
    with pytest.raises(httpx.ConnectError):
        await _get(transport, "a.example")
    with pytest.raises(httpx.ConnectError):
        await _get(transport, "b.example")
    assert [host for _, host, _ in transport.origins] == ["b.example"]  # A was idle: closed


async def test_many_hosts_leave_few_connections_open(http_server: TestServer) -> None:
    """Real sockets: 30 origins (ports) fetched once each leave at most max_pools pools."""
    servers = [TestServer() for _ in range(29)]
    try:
        for server in [http_server, *servers]:
            server.route("/a", b"<p>hi</p>")
        async with build_client(NetSettings(max_connections=5)) as client:
            for server in [http_server, *servers]:
                await fetch(client, server.url("/a"))
            assert len(client._transport.origins) <= 5  # type: ignore[attr-defined]
    finally:
        for server in servers:
            server.close()
