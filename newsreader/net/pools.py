"""One httpcore connection pool per origin, behind the app's one httpx client.

httpcore 1.0's pool re-checks every connection it holds each time a request starts or ends
(`_assign_requests_to_connections`: is each one expired, readable, idle; that last check is
O(connections²)). With 20 connections over 50 hosts that was 38% of the refresh's CPU
(cProfile, bench/refresh_bench.py: 9,129 passes, 2.9 million is_idle calls). A pool per origin
holds at most `max_per_host` connections, so each pass looks at 4, not 20. fetch() still
enforces the client-wide and per-host limits itself.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx

Origin = tuple[str, str, int | None]


class PerOriginTransport(httpx.AsyncBaseTransport):
    """Routes each request to its origin's own transport, made on first use by `make`.

    A pool whose connections have all expired is a few hundred bytes, so pools are kept for the
    client's life (a reader talks to tens or hundreds of hosts, not millions).
    """

    def __init__(self, make: Callable[[], httpx.AsyncBaseTransport]) -> None:
        self._make = make
        self._pools: dict[Origin, httpx.AsyncBaseTransport] = {}

    @property
    def origins(self) -> list[Origin]:
        return list(self._pools)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        origin = (url.scheme, url.host, url.port)
        pool = self._pools.get(origin)
        if pool is None:
            pool = self._pools[origin] = self._make()
        return await pool.handle_async_request(request)

    async def aclose(self) -> None:
        pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            await pool.aclose()
