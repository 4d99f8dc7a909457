"""One httpcore connection pool per origin, behind the app's one httpx client.

httpcore 1.0's pool re-checks every connection it holds each time a request starts or ends
(`_assign_requests_to_connections`: is each one expired, readable, idle; that last check is
O(connections²)). With 20 connections over 50 hosts that was 38% of the refresh's CPU
(cProfile, bench/refresh_bench.py: 9,129 passes, 2.9 million is_idle calls). A pool per origin
holds at most `max_per_host` connections, so each pass looks at 4, not 20. fetch() still
enforces the client-wide and per-host limits itself.

httpcore closes a pool's idle connections only when that pool is used again, so pools are
bounded here: one left idle for `idle_close` seconds is closed, and beyond `max_pools` the
least recently used idle pool is. A pool with a response still open is never closed.
"""

from __future__ import annotations

import contextlib
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import httpx

Origin = tuple[str, str, int | None]


@dataclass
class _Pool:
    transport: httpx.AsyncBaseTransport
    in_flight: int = 0
    last_used: float = 0.0


class _ReleasedOnClose(httpx.AsyncByteStream):
    """A response body that tells its pool when it is closed (read to the end or abandoned)."""

    def __init__(self, stream: httpx.AsyncByteStream, release: Callable[[], None]) -> None:
        self._stream = stream
        self._release: Callable[[], None] | None = release

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._stream.aclose()
        finally:
            release, self._release = self._release, None
            if release is not None:
                release()


class PerOriginTransport(httpx.AsyncBaseTransport):
    """Routes each request to its origin's own transport, made on first use by `make`."""

    def __init__(
        self,
        make: Callable[[], httpx.AsyncBaseTransport],
        *,
        max_pools: int,
        idle_close: float = 5.0,  # httpx's own keep-alive expiry
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._make = make
        self._max_pools = max(1, max_pools)
        self._idle_close = idle_close
        self._clock = clock
        self._pools: OrderedDict[Origin, _Pool] = OrderedDict()  # least recently used first

    @property
    def origins(self) -> list[Origin]:
        return list(self._pools)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        origin = (url.scheme, url.host, url.port)
        pool = self._pools.get(origin)
        if pool is None:
            pool = self._pools[origin] = _Pool(self._make())
        self._pools.move_to_end(origin)
        pool.in_flight += 1
        pool.last_used = self._clock()

        def release() -> None:
            pool.in_flight -= 1
            pool.last_used = self._clock()

        try:
            await self._close_idle()
            response = await pool.transport.handle_async_request(request)
        except BaseException:
            release()
            raise
        assert isinstance(response.stream, httpx.AsyncByteStream)
        response.stream = _ReleasedOnClose(response.stream, release)
        return response

    async def _close_idle(self) -> None:
        now = self._clock()
        idle = [origin for origin, pool in self._pools.items() if pool.in_flight == 0]
        expired = [o for o in idle if now - self._pools[o].last_used > self._idle_close]
        excess = len(self._pools) - len(expired) - self._max_pools
        doomed = expired + [o for o in idle if o not in expired][: max(0, excess)]
        for origin in doomed:
            await self._close(self._pools.pop(origin))

    @staticmethod
    async def _close(pool: _Pool) -> None:
        with contextlib.suppress(Exception):  # a socket that fails to close is gone anyway
            await pool.transport.aclose()

    async def aclose(self) -> None:
        pools, self._pools = list(self._pools.values()), OrderedDict()
        for pool in pools:
            await self._close(pool)
