"""The thread index: what each cached story recalls and what recalls it (derived from the cache)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

from newsreader.store.cache import Cache

INDEX_KEY = "thread-index"  # a cache JSON key: {"version": 1, "links": {url: [[kind, url]...]}}
INDEX_VERSION = 1
THREAD_KINDS = frozenset({"recall", "read_also"})  # the links a thread follows
Link = tuple[str, str]  # (kind, target URL)


class ThreadIndex:
    """Forward links per story URL, and the backlinks computed from them, in memory.

    It is derived data: loaded from one cache entry on first use, rebuilt from the cached
    stories when that entry is missing or damaged, and written back by `save` (the refresh's
    end, the reader's close). `add` runs on the cache-writer thread as stories are stored, the
    look-ups on the loop: one lock guards both.
    """

    def __init__(self, cache: Cache) -> None:
        self.cache = cache
        self._links: dict[str, tuple[Link, ...]] = {}
        self._back: dict[str, set[str]] = {}
        self._added: dict[str, tuple[Link, ...]] = {}  # since the last save: what save merges
        self._loaded = False
        self._lock = threading.RLock()

    @property
    def loaded(self) -> bool:
        return self._loaded

    def ensure_loaded(self) -> None:
        """Load (or rebuild) the index once; a cache read and a JSON parse, so not at start-up."""
        if not self._loaded:
            self.reload()

    def reload(self) -> None:
        """Read the stored index again (another process, the refresh child, wrote it), keeping
        what this process added since its last save."""
        stored = _decode(self.cache.get_json(INDEX_KEY))
        if stored is None:
            stored = self.rebuild()
        with self._lock:
            self._links = stored
            for url, links in self._added.items():
                self._links[url] = links
            self._back = _backlinks(self._links)
            self._loaded = True

    def rebuild(self) -> dict[str, tuple[Link, ...]]:
        """The links of every cached story, read from the stories themselves; those this
        process stored (the first refresh's thousands) are known already and not read again."""
        links: dict[str, tuple[Link, ...]] = {}
        with self._lock:
            known = set(self._added)
        for url in self.cache.story_urls():
            if url in known:
                continue
            wrapped = self.cache.get_story(url)
            story = wrapped.get("story") if isinstance(wrapped, dict) else None
            related = story.get("related") if isinstance(story, dict) else None
            found = _links_of(related if isinstance(related, list) else [], url)
            if found:
                links[url] = found
        with self._lock:
            self._added.update(links)  # the next save writes the rebuilt index
        return links

    def add(self, url: str, related: Iterable[Any], aliases: Iterable[str] = ()) -> None:
        """A story was stored: its thread links (RelatedLink objects) replace what it had."""
        skip = {url, *aliases}
        found = tuple(dict.fromkeys(
            (link.kind, link.url) for link in related
            if link.kind in THREAD_KINDS and link.url not in skip
        ))
        with self._lock:
            old = self._links.get(url, ())
            if old == found and url in self._links:
                return
            for _, target in old:
                self._back.get(target, set()).discard(url)
            self._links[url] = found
            self._added[url] = found
            for _, target in found:
                self._back.setdefault(target, set()).add(url)

    def links(self, url: str) -> tuple[Link, ...] | None:
        """What `url` links to, or None when the index does not know the story."""
        with self._lock:
            return self._links.get(url)

    def backlinks(self, url: str) -> list[str]:
        """The stories that recall (or "read also") `url`, in a stable order."""
        with self._lock:
            return sorted(self._back.get(url, ()))

    def size(self, url: str, limit: int = 200) -> int:
        """How many stories `url`'s thread holds (1 = alone): what it recalls, and what those
        recall; what recalls it, and what recalls those. As the thread view walks it: a
        story's other follow-ups (stories recalling the same old one) are not its thread."""
        with self._lock:
            seen = {url}
            for step in (self._forward, self._backward):
                frontier = [url]
                while frontier and len(seen) < limit:
                    following = [n for node in frontier for n in step(node) if n not in seen]
                    seen.update(following)
                    frontier = following
            return min(len(seen), limit)

    def _forward(self, url: str) -> list[str]:
        return [target for _, target in self._links.get(url, ())]

    def _backward(self, url: str) -> list[str]:
        return list(self._back.get(url, ()))

    def save(self, write: Callable[[str, Any], None] | None = None) -> None:
        """Write what was added since the last save, merged into the stored index (the
        refresh child and the app both add to it: neither may drop the other's entries).

        With no stored index to merge into, a loaded one is written whole; one never loaded
        writes nothing: a first load rebuilds it from the cache, these stories included.
        """
        with self._lock:
            if not self._added:
                return
            added, self._added = self._added, {}
            whole = dict(self._links) if self._loaded else None
        stored = _decode(self.cache.get_json(INDEX_KEY))
        if stored is None:
            if whole is None:
                return
            stored = whole
        stored.update(added)
        value = {"version": INDEX_VERSION,
                 "links": {url: [list(link) for link in links] for url, links in stored.items()}}
        try:
            (write or self.cache.put_json)(INDEX_KEY, value)
        except BaseException:
            with self._lock:  # not written: the next save tries again
                self._added = {**added, **self._added}
            raise


def _links_of(related: list[Any], url: str) -> tuple[Link, ...]:
    found: dict[Link, None] = {}
    for link in related:
        if not isinstance(link, dict):
            continue
        kind, target = link.get("kind"), link.get("url")
        if kind in THREAD_KINDS and isinstance(target, str) and target and target != url:
            found[(kind, target)] = None
    return tuple(found)


def _decode(value: Any) -> dict[str, tuple[Link, ...]] | None:
    """The stored index, or None when it is missing, of another version or damaged."""
    if not isinstance(value, dict) or value.get("version") != INDEX_VERSION:
        return None
    links = value.get("links")
    if not isinstance(links, dict):
        return None
    out: dict[str, tuple[Link, ...]] = {}
    try:
        for url, entries in links.items():
            out[url] = tuple(
                (str(kind), str(target)) for kind, target in entries
                if kind in THREAD_KINDS and isinstance(target, str)
            )
    except (TypeError, ValueError):
        return None
    return out


def _backlinks(links: dict[str, tuple[Link, ...]]) -> dict[str, set[str]]:
    back: dict[str, set[str]] = {}
    for url, targets in links.items():
        for _, target in targets:
            back.setdefault(target, set()).add(url)
    return back

