"""One thread that encodes sixel pictures, the newest request first, stale ones dropped."""

from __future__ import annotations

import threading
from collections.abc import Callable

_IDLE_SECONDS = 5.0  # the thread ends after this long without work (a new request starts one)


class SixelEncoder:
    """Runs each picture's encode on its own thread, not the loop's default executor (which
    search, decoding and file writes share: a picture scrolled through must not hold them up).

    A picture has at most one request waiting: a new one (another size) replaces the older, so
    a size resized or zoomed past is never encoded. Requests run newest first.
    """

    def __init__(self) -> None:
        self._jobs: dict[int, Callable[[], object]] = {}  # id(picture) -> its request
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def submit(self, owner: object, job: Callable[[], object]) -> None:
        """Run `job` on the thread, in place of `owner`'s request still waiting, if any."""
        with self._wake:
            self._jobs.pop(id(owner), None)  # re-inserted: the newest is last
            self._jobs[id(owner)] = job
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="sixel-encoder",
                                                daemon=True)
                self._thread.start()
            self._wake.notify()

    def cancel(self, owner: object) -> None:
        """Drop `owner`'s waiting request (its story is no longer shown)."""
        with self._wake:
            self._jobs.pop(id(owner), None)

    def _run(self) -> None:
        while True:
            with self._wake:
                if not self._jobs:
                    self._wake.wait(_IDLE_SECONDS)
                if not self._jobs:
                    self._thread = None  # under the lock: submit starts another
                    return
                _, job = self._jobs.popitem()
            try:
                job()
            except Exception:  # a picture that cannot be encoded stays blank; others go on
                continue
