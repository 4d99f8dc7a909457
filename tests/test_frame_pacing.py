"""Frame pacing (textual_compat/frame_pacing): a dirty screen repaints at once, once a period."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
from textual import _time
from textual import timer as textual_timer
from textual._context import active_app
from textual.timer import Timer

from newsreader.ui.textual_compat import frame_pacing
from newsreader.ui.textual_compat.frame_pacing import SCREEN_UPDATE_TIMER
from tests.ui_fakes import FakeReader, make_app

PERIOD = 1 / 60
SHORT = 0.005  # a frame well inside its period (moving the list highlight)
LONG = 0.020  # a frame that runs past its period, like opening a long story on a slow run
Loop = Callable[[Timer], Coroutine[Any, Any, None]]


class VirtualClock:
    """Time that moves only when the test says: sleepers wake in deadline order."""

    def __init__(self) -> None:
        self.now = 0.0
        self._sleepers: list[tuple[float, asyncio.Future[None]]] = []

    def get_time(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        future = asyncio.get_running_loop().create_future()
        self._sleepers.append((self.now + seconds, future))
        await future

    async def advance_to(self, when: float) -> None:
        await _settle()
        while due := sorted((d, f) for d, f in self._sleepers if d <= when):
            deadline, future = due[0]
            self._sleepers.remove((deadline, future))
            self.now = max(self.now, deadline)
            future.set_result(None)
            await _settle()
        self.now = max(self.now, when)


async def _settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


class _App:
    """What a timer's tick asks of the running app."""

    _exit = False
    features: frozenset[str] = frozenset()

    def _handle_exception(self, error: Exception) -> None:
        raise error


async def _ticks(
    loop: Loop,
    name: str,
    resumes: list[float],
    monkeypatch,
    frame_time: float = SHORT,
    *,
    dirty_again: bool = False,
    until: float | None = None,
) -> list[float]:
    """When a paused repaint-style timer ticks, resumed at `resumes`; frames last `frame_time`.

    `dirty_again`: every frame leaves the screen dirty (Screen._on_idle resumes the timer).
    """
    clock = VirtualClock()
    monkeypatch.setattr(_time, "get_time", clock.get_time)
    monkeypatch.setattr(_time, "sleep", clock.sleep)
    monkeypatch.setattr(textual_timer, "sleep", clock.sleep)  # Textual's loop imported it
    ticks: list[float] = []

    def frame() -> None:  # what Screen._on_timer_update does: pause first, then paint
        timer.pause()
        ticks.append(clock.now)
        clock.now += frame_time
        if dirty_again:
            timer.resume()

    target = _App()
    timer = Timer(target, PERIOD, name=name, callback=frame, pause=True)  # type: ignore[arg-type]
    token = active_app.set(target)  # type: ignore[arg-type]
    task = asyncio.create_task(loop(timer))
    try:
        for when in resumes:
            await clock.advance_to(when)
            timer.resume()
        # Long enough for any tick still waiting.
        await clock.advance_to(until if until is not None else clock.now + 0.1)
    finally:
        task.cancel()
        active_app.reset(token)
    return ticks


def _busy(ticks: list[float], frame_time: float, span: float) -> float:
    """The share of `span` the loop spent painting."""
    return len(ticks) * frame_time / span


async def test_a_repaint_asked_for_once_the_period_is_over_starts_at_once(monkeypatch) -> None:
    ticks = await _ticks(frame_pacing._run_paced, SCREEN_UPDATE_TIMER, [0.0, 0.022], monkeypatch)
    assert ticks == [0.0, 0.022]


async def test_repaints_stay_a_period_apart(monkeypatch) -> None:
    # Asked again 1 ms after a short frame: the next waits for the period to end.
    ticks = await _ticks(frame_pacing._run_paced, SCREEN_UPDATE_TIMER, [0.0, 0.006, 0.5],
                         monkeypatch)
    assert ticks == [0.0, pytest.approx(PERIOD), 0.5]


async def test_a_frame_that_overran_is_followed_by_a_period_of_rest(monkeypatch) -> None:
    ticks = await _ticks(frame_pacing._run_paced, SCREEN_UPDATE_TIMER, [0.0, 0.005],
                         monkeypatch, LONG)
    assert ticks == [0.0, pytest.approx(LONG + PERIOD)]
    assert frame_pacing.next_frame_due(1.0, 1.015, PERIOD) == 1.0 + PERIOD
    assert frame_pacing.next_frame_due(1.0, 1.030, PERIOD) == 1.030 + PERIOD


@pytest.mark.parametrize("frame_time", [SHORT, 0.015, LONG, 0.030])
async def test_a_screen_kept_dirty_leaves_the_loop_time_for_input(monkeypatch, frame_time) -> None:
    """Never more than MAX_FPS, and long frames never back to back (the loop stays ~half free)."""
    span = 1.0
    ticks = await _ticks(frame_pacing._run_paced, SCREEN_UPDATE_TIMER, [0.0], monkeypatch,
                         frame_time, dirty_again=True, until=span)
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    assert min(gaps) >= PERIOD - 1e-9, "at most one frame a period"
    if frame_time > PERIOD:
        assert min(gaps) >= frame_time + PERIOD - 1e-9
        assert _busy(ticks, frame_time, span) < 0.7  # back to back would be 1.0
    else:
        assert len(ticks) >= 0.95 * span / PERIOD, "short frames keep the full rate"


async def test_textuals_own_loop_makes_that_repaint_wait(monkeypatch) -> None:
    """Why the module exists: if this fails, Textual has changed its loop; see frame_pacing."""
    # After idle, a frame at 1.0; asked again at 1.022, Textual waits for its grid's next slot.
    resumes = [0.5, 1.0, 1.022]
    ticks = await _ticks(frame_pacing.original(), SCREEN_UPDATE_TIMER, resumes, monkeypatch)  # type: ignore[arg-type]
    assert ticks[1] == 1.0
    assert ticks[2] - 1.022 > 0.005
    paced = await _ticks(frame_pacing._run_paced, SCREEN_UPDATE_TIMER, resumes, monkeypatch)
    assert paced == resumes


async def test_only_the_repaint_timer_is_paced(monkeypatch) -> None:
    monkeypatch.setattr(Timer, "_run", frame_pacing.original())
    frame_pacing.install()
    assert Timer._run is frame_pacing._run_dispatch
    resumes = [0.0, 0.022, 0.042]
    other = await _ticks(Timer._run, "clock", resumes, monkeypatch)
    textual = await _ticks(frame_pacing.original(), "clock", resumes, monkeypatch)  # type: ignore[arg-type]
    assert other == textual
    paced = await _ticks(Timer._run, SCREEN_UPDATE_TIMER, resumes, monkeypatch)
    assert paced == await _ticks(frame_pacing._run_paced, SCREEN_UPDATE_TIMER, resumes,
                                 monkeypatch)


async def test_the_apps_screens_repaint_through_the_paced_loop(monkeypatch) -> None:
    paced: list[str] = []
    real = frame_pacing._run_paced

    async def spy(timer: Timer) -> None:
        paced.append(timer.name)
        await real(timer)

    monkeypatch.setattr(frame_pacing, "_run_paced", spy)
    app = make_app(FakeReader())
    async with app.run_test() as pilot:
        await pilot.pause()
        assert Timer._run is frame_pacing._run_dispatch, "installed by the app's __init__"
        assert app.screen._update_timer.name == SCREEN_UPDATE_TIMER
        assert SCREEN_UPDATE_TIMER in paced
