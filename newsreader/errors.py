"""The exceptions newsreader raises for expected failures (stdlib only).

    NewsreaderError
    ├── FetchError          a URL could not be fetched or used; `reason` is one short phrase
    │   └── NotInCache      offline and the story is not cached
    ├── ParseError          bytes that are not a feed / not a readable page
    └── ConfigError         a bad config file; names the file, line and key
"""

from __future__ import annotations


class NewsreaderError(Exception):
    """Base of every expected failure: its str() is a one-line message for the user."""


class FetchError(NewsreaderError):
    """A URL could not be fetched. `kind` is a stable machine-readable tag."""

    # Set by newsreader.net's fetch_error() for the failures that have them.
    status: int | None = None  # the HTTP status of an HTTP error
    retry_after: float | None = None  # seconds a 429/503 asked us to wait

    def __init__(self, url: str, reason: str, kind: str = "error") -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
        self.kind = kind  # timeout, unreachable, dns, http, too_large, not_html, not_feed,
        # undecodable, redirects, scheme, offline, not_in_cache


class NotInCache(FetchError):
    """Offline (or cache-only) and the story was never cached."""

    def __init__(self, url: str) -> None:
        super().__init__(url, "not in cache", kind="not_in_cache")


class ParseError(NewsreaderError):
    """The content is not something newsreader can read (not a feed, not HTML...)."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


class ConfigError(NewsreaderError):
    """A config file that cannot be used as it is."""

    def __init__(
        self, path: str, message: str, line: int | None = None, key: str | None = None
    ) -> None:
        where = f"{path}:{line}" if line else path
        key_part = f" [{key}]" if key else ""
        super().__init__(f"{where}:{key_part} {message}".replace(":  ", ": "))
        self.path = path
        self.line = line
        self.key = key
