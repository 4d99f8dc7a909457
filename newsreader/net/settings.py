"""The client's limits: plain data, importable without loading httpx."""

from __future__ import annotations

from dataclasses import dataclass

_MIB = 1024 * 1024


@dataclass(frozen=True)
class NetSettings:
    """Limits for every request; one instance is shared by the whole app."""

    connect_timeout: float = 10.0
    read_timeout: float = 20.0  # per read: resets on every chunk, hence `deadline`
    deadline: float = 30.0  # total per request, redirects and body included
    max_bytes: int = 10 * _MIB  # decoded body cap
    max_image_bytes: int = 4 * _MIB  # a story picture's cap (most are well under 1 MiB)
    max_redirects: int = 10
    max_connections: int = 20
    max_per_host: int = 4  # httpx has no per-host limit; fetch() enforces it
    http2: bool = True
    # Honour HTTP(S)_PROXY / SSL_CERT_FILE from the environment so proxied users can fetch;
    # httpx 0.28 reads no .netrc, so no credentials leak from it.
    trust_env: bool = True
