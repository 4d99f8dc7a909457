"""Sources: finding a site's feeds, and adding, importing and removing sources (CLI and app)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from newsreader.config import Config
from newsreader.config_write import add_sources
from newsreader.config_write import remove_source as remove_from_file
from newsreader.errors import ConfigError, FetchError, ParseError
from newsreader.models import Source
from newsreader.services.library import Library
from newsreader.services.network import Network
from newsreader.services.parsing import StoryParser
from newsreader.services.refresh import FEED_ACCEPT, NETWORK_KINDS

OFFLINE_REASON = "offline"


@dataclass(slots=True)
class FoundFeeds:
    """What adding a URL can offer: the (title, feed URL) pairs found there — or, when the
    network could not be asked, the URL itself as given, `unchecked` saying why."""

    feeds: list[tuple[str, str]]
    unchecked: str | None = None

    def note(self) -> str:
        """'not checked: <why> — it will be checked at the next refresh'; "" when checked."""
        return unchecked_note(self.unchecked) if self.unchecked else ""


def unchecked_note(reason: str) -> str:
    return f"not checked: {reason} — it will be checked at the next refresh"


def host_name(url: str) -> str:
    """A source's name when nothing better is known: the URL's host ("www." kept)."""
    return urlsplit(url).hostname or url


async def find_feeds(
    network: Network, parser: StoryParser, url: str, *, offline: bool
) -> FoundFeeds:
    """The feeds to offer when adding `url` (CLI and app alike).

    A source can be added without the network: offline, or when the network is down or the
    host unreachable, `url` itself comes back unchecked (named after its host) and its first
    refresh checks it. A site that answers is asked, as `discover_feeds` does: its errors
    (an HTTP error, TLS, not a feed) raise, and a page without feeds gives none.
    """
    if offline:
        return FoundFeeds([(host_name(url), url)], OFFLINE_REASON)
    try:
        return FoundFeeds(await discover_feeds(network, parser, url))
    except FetchError as exc:
        if exc.kind not in NETWORK_KINDS:
            raise
        return FoundFeeds([(host_name(url), url)], exc.reason)


async def discover_feeds(network: Network, parser: StoryParser, url: str) -> list[tuple[str, str]]:
    """(title, feed URL) for `url`: itself if it is a feed, else the feeds its page advertises."""
    # Here, not at the top: httpx, lxml and charset_normalizer are for the few who add a source.
    from newsreader.net.client import fetch
    from newsreader.parse.discover import find_feed_links

    result = await fetch(network.client, url, settings=network.settings, accept=FEED_ACCEPT)
    try:
        feed = await parser.parse_feed(
            result.content, result.final_url, source_name="", headers=result.headers
        )
        return [(feed.title or result.final_url, result.final_url)]
    except ParseError as exc:
        if "HTML" not in exc.reason:
            raise
    return find_feed_links(result.content, result.final_url, result.headers)


def import_sources(
    config: Config, sources: list[Source], library: Library | None = None
) -> tuple[list[Source], list[Source]]:
    """Add sources (by URL, skipping known ones) to the config file and the running library.

    Returns (added, duplicates). As in the config file, the first sources added replace the
    built-in defaults, so the running library lists what the file will list after a restart.
    """
    had_file, added, duplicates = _write_added(_config_path(config, "added"), sources)
    if library is not None:
        _adopt_added(library, added, had_file)
    return added, duplicates


def remove_source(config: Config, name_or_url: str, library: Library | None = None) -> Source:
    """Remove a source (by name or URL) from the config file and the running library.

    Its cached headlines and stories stay until the cache drops them.
    """
    removed = remove_from_file(_config_path(config, "removed"), name_or_url)
    if library is not None:
        library.set_sources([s for s in library.sources if s.url != removed.url])
    return removed


# The app's versions: the config file is written in a thread (it is fsynced), while the
# library's own list changes on the event loop, never under a refresh that is reading it.


async def import_sources_async(
    config: Config, sources: list[Source], library: Library
) -> tuple[list[Source], list[Source]]:
    path = _config_path(config, "added")
    had_file, added, duplicates = await asyncio.to_thread(_write_added, path, sources)
    _adopt_added(library, added, had_file)
    return added, duplicates


async def remove_source_async(config: Config, source: Source, library: Library) -> None:
    path = _config_path(config, "removed")
    await asyncio.to_thread(remove_from_file, path, source.url)
    library.set_sources([s for s in library.sources if s.url != source.url])


def _config_path(config: Config, verb: str) -> Path:
    if config.path is None:
        raise ConfigError("config.toml", f"the demo edition's sources are fixed; nothing {verb}")
    return config.path


def _write_added(path: Path, sources: list[Source]) -> tuple[bool, list[Source], list[Source]]:
    had_file = path.exists()
    added, duplicates = add_sources(path, sources)
    return had_file, added, duplicates


def _adopt_added(library: Library, added: list[Source], had_file: bool) -> None:
    if not added:
        return
    current = list(library.sources) if had_file else []
    known = {s.url for s in current}
    current += [s for s in added if s.url not in known]
    library.set_sources(current)
