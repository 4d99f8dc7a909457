"""One connection pool per origin (net/pools): routing, closing, and proxies left to httpx."""

from __future__ import annotations

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


@pytest.mark.parametrize("name", ["HTTPS_PROXY", "http_proxy", "ALL_PROXY"])
async def test_a_proxy_in_the_environment_is_left_to_httpx(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(name, "http://127.0.0.1:9")
    async with build_client(FAST) as client:
        assert not isinstance(client._transport, PerOriginTransport)
        assert client._mounts  # httpx made its proxy routes from the environment


async def test_without_trusting_the_environment_a_proxy_variable_changes_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    async with build_client(NetSettings(trust_env=False)) as client:
        assert isinstance(client._transport, PerOriginTransport)


@pytest.mark.parametrize("name", ["NO_PROXY", "no_proxy", "FTP_PROXY"])
async def test_variables_httpx_does_not_route_keep_the_pools(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(name, "localhost")
    async with build_client(FAST) as client:
        assert isinstance(client._transport, PerOriginTransport)
