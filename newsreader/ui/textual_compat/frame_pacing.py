"""Frame pacing: a screen repaints as soon as it is dirty, at most once per frame period."""

# Textual 8.2 paints a screen from an interval timer ("screen_update", 1/60 s) that runs on a
# fixed grid and is paused between frames. After a frame that ran past its grid slot, the timer's
# catch-up arithmetic (`count = int((now - start) / interval + 1)`) skips to the *second* slot
# after now, so a change made just after a frame waits 17-33 ms for its own frame even though
# the loop is idle. bench/open_bench.py showed it as the tail of opening a story: the story was
# ready 2-7 ms after the key, and then waited 14-26 ms for the timer in ~1 open of 8.
#
# Here the screen-update timer alone fires as soon as it is resumed, unless the previous frame
# started less than one period ago (then it waits for the rest of that period). A frame that
# itself overran the period is followed by a full period of rest, so a screen kept dirty by
# long frames (holding a key over a long story, a resize) leaves the loop about as much time
# for input as Textual's grid did, instead of painting back to back. Frames are still at most
# MAX_FPS a second (TEXTUAL_FPS still sets it); every other timer keeps Textual's loop.

from __future__ import annotations

from typing import Any

from textual import _time
from textual.timer import EventTargetGone, Timer

SCREEN_UPDATE_TIMER = "screen_update"  # the name textual.screen gives its repaint timer

# Textual's own loop; never our dispatcher, even if this module is imported again.
_run = getattr(Timer._run, "textual_run", Timer._run)


def next_frame_due(start: float, end: float, interval: float) -> float:
    """When the frame after one that ran from `start` to `end` may begin."""
    if end - start > interval:  # an overrun: rest a period, as Textual's grid would
        return end + interval
    return start + interval


async def _run_paced(timer: Timer) -> None:
    """The repaint timer's loop: tick when resumed, no sooner than `next_frame_due`."""
    interval = timer._interval
    due = float("-inf")
    count = 0
    while timer._repeat is None or count <= timer._repeat:
        await timer._active.wait()
        wait = due - _time.get_time()
        if wait > 0:
            await _time.sleep(wait)
            await timer._active.wait()  # paused meanwhile: the next resume is the one to serve
        timer._reset = False  # a reset restarts Textual's grid; there is no grid here
        start = _time.get_time()
        count += 1
        try:
            await timer._tick(next_timer=start, count=count)
        except EventTargetGone:
            break
        due = next_frame_due(start, _time.get_time(), interval)


async def _run_dispatch(self: Timer) -> Any:
    if self.name == SCREEN_UPDATE_TIMER:
        return await _run_paced(self)
    return await _run(self)


_run_dispatch.textual_run = _run  # type: ignore[attr-defined]  # a marker on a function object


def install() -> None:
    """Replace `Timer._run` (idempotent: the original is kept at import)."""
    Timer._run = _run_dispatch  # type: ignore[method-assign]  # the patch itself: a method replaced


def uninstall() -> None:
    """Textual's own loop again (idempotent)."""
    Timer._run = _run  # type: ignore[method-assign]  # putting the original method back


def installed() -> bool:
    return Timer._run is _run_dispatch


def original() -> object:
    """Textual's own loop, for the tests that compare the two."""
    return _run
