"""Garbage-collection pacing: full collections run between keypresses, not in the middle of one.

Textual builds many short-lived Strips whose caches refer back to themselves, so they die as
cyclic garbage. Left to itself, CPython's oldest-generation collection then lands at random
moments and takes 50-170 ms (measured in bench/open_bench.py: 8 such pauses per 60 opens), far
over a frame. Here the start-up heap is frozen once (it lives as long as the app), automatic
oldest-generation collections are switched off, and the app collects itself when the user has
paused, or after FORCE_AFTER seconds at the latest so memory stays bounded.
"""

from __future__ import annotations

import gc
import time

IDLE_AFTER = 1.0  # seconds without input before a collection may run
COLLECT_EVERY = 5.0  # seconds between collections while the user is idle
FORCE_AFTER = 30.0  # seconds: collect even while keys keep arriving
# The oldest generation is collected automatically after this many younger collections; a
# count the app never reaches leaves those collections to `tick`.
NEVER = 1_000_000_000


class GcPacer:
    """Owns the collector's thresholds while the app runs; `tick` is called from a timer."""

    def __init__(self) -> None:
        self._saved_threshold: tuple[int, int, int] | None = None
        self._last_input = time.monotonic()
        self._last_collect = time.monotonic()
        self.collections = 0

    def start(self) -> None:
        """After the first paint: freeze the start-up heap, take over full collections."""
        if self._saved_threshold is not None:
            return
        gc.collect()
        gc.freeze()
        self._saved_threshold = gc.get_threshold()
        young, middle, _ = self._saved_threshold
        gc.set_threshold(young, middle, NEVER)
        self._last_collect = time.monotonic()

    def stop(self) -> None:
        """Give the collector back its own schedule (the app is closing)."""
        if self._saved_threshold is None:
            return
        gc.set_threshold(*self._saved_threshold)
        self._saved_threshold = None
        gc.unfreeze()

    def note_input(self) -> None:
        self._last_input = time.monotonic()

    def tick(self) -> bool:
        """Collect if the user is idle and it is time, or if it is long overdue; True if it ran."""
        if self._saved_threshold is None:
            return False
        now = time.monotonic()
        since_collect = now - self._last_collect
        idle = now - self._last_input >= IDLE_AFTER
        if (idle and since_collect >= COLLECT_EVERY) or since_collect >= FORCE_AFTER:
            gc.collect()
            self._last_collect = time.monotonic()
            self.collections += 1
            return True
        return False
