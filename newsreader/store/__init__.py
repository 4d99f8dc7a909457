"""Storage: a disposable cache for re-fetchable data and a durable store for user state."""

from newsreader.store.cache import (
    Cache,
    CachedBody,
    CacheWriteError,
    memory_cache,
    open_cache,
)
from newsreader.store.state import StateError, UserState

__all__ = [
    "Cache",
    "CacheWriteError",
    "CachedBody",
    "StateError",
    "UserState",
    "memory_cache",
    "open_cache",
]
