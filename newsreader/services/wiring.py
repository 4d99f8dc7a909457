"""The one place services are built: from config, paths and flags to a ready Reader."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from newsreader.config import Config
from newsreader.net.settings import NetSettings
from newsreader.paths import Paths, default_paths, ensure_private_dir
from newsreader.services.images import Images
from newsreader.services.library import Library
from newsreader.services.network import Network
from newsreader.services.parsing import StoryParser
from newsreader.services.reader import Reader
from newsreader.services.reading import ReadingState
from newsreader.services.refresh import Refresher
from newsreader.services.refresh_process import ChildRefresh
from newsreader.services.schedule import Schedule
from newsreader.services.stories import Stories
from newsreader.services.threads import Threads
from newsreader.store.cache import open_cache
from newsreader.store.state import UserState
from newsreader.store.threads import ThreadIndex
from newsreader.store.writer import CacheWriter

if TYPE_CHECKING:
    import httpx


def open_reader(
    config: Config,
    *,
    offline: bool = False,
    demo: bool = False,
    paths: Paths | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    net_settings: NetSettings | None = None,
    refresh_in_child: bool = False,
    clock: Callable[[], float] = time.time,
) -> Reader:
    """Open the cache and the state store and build every service over them.

    A broken cache is moved aside, never fatal (its warning is in `reader.warnings`). The CLI,
    the app, the refresh child, the benches and the tests all start here.
    """
    paths = paths or default_paths(demo=demo)
    ensure_private_dir(paths.data_dir)
    ensure_private_dir(paths.cache_dir.parent)
    warnings: list[str] = []
    cache, cache_warning = open_cache(
        paths.cache_dir, size_limit=config.cache_size_mb * 1024 * 1024
    )
    if cache_warning:
        warnings.append(cache_warning)
    state = UserState.open(paths.state_db)
    if state.warning:
        warnings.append(state.warning)
    # A child cannot be handed an injected transport (tests'): those refresh here.
    in_child = refresh_in_child and transport is None
    if demo and transport is None:
        from newsreader.demo import demo_transport  # the demo site: only the demo pays for it

        # Its stories are dated relative to the clock: the newest is a few hours old.
        transport = demo_transport(now=datetime.fromtimestamp(clock(), UTC))
    settings = net_settings or NetSettings()
    network = Network(settings, transport)
    cache_writer = CacheWriter()
    parser = StoryParser()
    reading = ReadingState(state)
    thread_index = ThreadIndex(cache)
    library = Library(config.sources, filters=config.filters, cache=cache,
                      cache_writer=cache_writer, reading=reading)
    stories = Stories(
        cache=cache, cache_writer=cache_writer, parser=parser, network=network,
        offline=offline, saved_story=reading.saved_story, thread_index=thread_index,
    )
    images = Images(cache=cache, cache_writer=cache_writer, network=network, offline=offline,
                    enabled=config.images != "off")
    child = (
        ChildRefresh(config, paths=paths, demo=demo, net_settings=settings, library=library)
        if in_child else None
    )
    refresher = Refresher(
        config,
        library=library,
        stories=stories,
        reading=reading,
        schedule=Schedule(config, cache=cache, cache_writer=cache_writer, clock=clock),
        network=network,
        parser=parser,
        cache=cache,
        cache_writer=cache_writer,
        thread_index=thread_index,
        clock=clock,
        offline=offline,
        child=child,
        images=images,
    )
    return Reader(
        config=config, paths=paths, offline=offline, demo=demo, cache=cache,
        cache_writer=cache_writer, parser=parser, network=network, reading=reading,
        library=library, stories=stories, images=images, refresher=refresher, warnings=warnings,
        threads=Threads(index=thread_index, stories=stories, depth=config.thread_depth,
                        offline=offline),
    )
