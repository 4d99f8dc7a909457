"""Garbage-collection pacing: full collections run between keypresses, not in the middle of one.

Cyclic garbage builds up as the app runs (Textual's Strips used to be most of it, ~100k objects
per 5 s of opening stories, until ui/textual_compat/strips), and CPython's oldest-generation
collection then lands at random moments, over a frame. Here automatic oldest-generation
collections are switched off and the app collects itself, from a timer:

- when the user has paused: the whole heap is collected, then frozen (`gc.freeze`), so later
  collections skip what survived;
- while keys keep arriving, every FORCE_AFTER seconds: only what was allocated since the last
  freeze is collected (7-18 ms in bench/open_bench.py), then frozen too. Anything frozen that dies
  later is reclaimed by the next whole-heap collection, so memory stays bounded.

Start-up collects nothing before the first frame (`hold_until_first_paint`; the `newsreader`
command holds collections from its first line, `newsreader.__main__.run`): the collections
that imports, opening the cache and mounting the widgets set off took 35-80 ms of a 0.35-0.6 s
start (one of them a whole-heap one). After the first paint the heap is frozen as it is, and
its garbage goes in the first whole collection, at the first pause (about a second later).
"""

from __future__ import annotations

import gc
import time

IDLE_AFTER = 1.0  # seconds without input before the whole heap may be collected
COLLECT_EVERY = 30.0  # seconds between whole-heap collections while the user is idle
FORCE_AFTER = 5.0  # seconds: collect what is new even while keys keep arriving
WHOLE_AT_LATEST = 300.0  # seconds: the whole heap even if the user never pauses
# The oldest generation is collected automatically after this many younger collections; a
# count the app never reaches leaves those collections to `tick`.
NEVER = 1_000_000_000


def hold_until_first_paint() -> None:
    """No collections until `GcPacer.start` (the app's first paint) turns them back on."""
    gc.disable()


class GcPacer:
    """Owns the collector's thresholds while the app runs; `tick` is called from a timer."""

    def __init__(self) -> None:
        self._saved_threshold: tuple[int, int, int] | None = None
        self._last_input = time.monotonic()
        self._last_collect = self._last_whole = time.monotonic()
        self.collections = 0

    def start(self) -> None:
        """After the first paint: freeze the start-up heap, take over full collections.

        The heap is frozen without a collection (a whole one took 35-40 ms right after the
        first frame, holding the GIL the terminal writer needed): `tick` collects it whole at
        the first pause.
        """
        if self._saved_threshold is not None:
            return
        self._saved_threshold = gc.get_threshold()
        young, middle, _ = self._saved_threshold
        gc.set_threshold(young, middle, NEVER)
        gc.freeze()  # before enable: what start-up allocated is not a young collection's work
        gc.enable()  # hold_until_first_paint's hold ends here
        self._last_collect = time.monotonic()
        self._last_whole = self._last_collect - COLLECT_EVERY  # due at the first pause

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
        """Collect if the user is idle and it is time, or if it is overdue; True if it ran."""
        if self._saved_threshold is None:
            return False
        now = time.monotonic()
        idle = now - self._last_input >= IDLE_AFTER
        if (idle and now - self._last_whole >= COLLECT_EVERY) or (
            now - self._last_whole >= WHOLE_AT_LATEST
        ):
            self._collect(whole=True)
        elif now - self._last_collect >= FORCE_AFTER:
            self._collect(whole=False)
        else:
            return False
        return True

    def _collect(self, *, whole: bool) -> None:
        if whole:
            gc.unfreeze()  # what was frozen and has died since is reclaimed now
        gc.collect()
        gc.freeze()
        self._last_collect = time.monotonic()
        if whole:
            self._last_whole = self._last_collect
        self.collections += 1
