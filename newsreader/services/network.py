"""The one HTTP client of a running newsreader, made on first use and closed once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from newsreader.net.settings import NetSettings

if TYPE_CHECKING:
    import httpx


class Network:
    """Lazily builds the shared httpx client (a start-up that never fetches never pays for it,
    nor for importing httpx)."""

    def __init__(
        self, settings: NetSettings, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.settings = settings
        self.transport = transport  # injected by tests and the demo edition
        self._client: httpx.AsyncClient | None = None

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            from newsreader.net.client import build_client

            self._client = build_client(self.settings, transport=self.transport)
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
