"""Frame pacing (ui/frame_pacing): a dirty screen repaints at once, never twice within a period."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
from textual import _time
from textual import timer as textual_timer
from textual._context import active_app
from textual.timer import Timer

from newsreader.ui import frame_pacing
from newsreader.ui.frame_pacing import SCREEN_UPDATE_TIMER
from tests.ui_fakes import FakeReader, make_app

PERIOD = 1 / 60
FRAME = 0.020  # a frame that runs past its period, like opening a long story on a slow run
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
    loop: Loop, name: str, resumes: list[float], monkeypatch, frame_time: float = FRAME
) -> list[float]:
    """When a paused repaint-style timer ticks, resumed at `resumes`; frames last `frame_time`."""
    clock = VirtualClock()
    monkeypatch.setattr(_time, "get_time", clock.get_time)
    monkeypatch.setattr(_time, "sleep", clock.sleep)
    monkeypatch.setattr(textual_timer, "sleep", clock.sleep)  # Textual's loop imported it
    ticks: list[float] = []

    def frame() -> None:  # what Screen._on_timer_update does: pause first, then paint
        timer.pause()
        ticks.append(clock.now)
        clock.now += frame_time

    target = _App()
    timer = Timer(target, PERIOD, name=name, callback=frame, pause=True)  # type: ignore[arg-type]
    token = active_app.set(target)  # type: ignore[arg-type]
    task = asyncio.create_task(loop(timer))
    try:
        for when in resumes:
            await clock.advance_to(when)
            timer.resume()
        await clock.advance_to(clock.now + 0.1)  # long enough for any tick still waiting
    finally:
        task.cancel()
        active_app.reset(token)
    return ticks


async def test_a_repaint_asked_for_after_a_long_frame_starts_at_once(monkeypatch) -> None:
    ticks = await _ticks(frame_pacing._run_paced, SCREEN_UPDATE_TIMER, [0.0, 0.022], monkeypatch)
    assert ticks == [0.0, 0.022]


async def test_repaints_stay_a_period_apart(monkeypatch) -> None:
    # 5 ms frames: asked again 1 ms after one, the next waits for the period to end.
    ticks = await _ticks(frame_pacing._run_paced, SCREEN_UPDATE_TIMER, [0.0, 0.006, 0.5],
                         monkeypatch, frame_time=0.005)
    assert ticks == [0.0, pytest.approx(PERIOD), 0.5]
    # Asked during a long frame: right after it, as the period is over by then.
    ticks = await _ticks(frame_pacing._run_paced, SCREEN_UPDATE_TIMER, [0.0, 0.005],
                         monkeypatch)
    assert ticks == [0.0, FRAME]


async def test_textuals_own_loop_makes_that_repaint_wait(monkeypatch) -> None:
    """Why the module exists: if this fails, Textual has changed its loop; see frame_pacing."""
    # After idle, a frame at 1.0 (20 ms long); asked again at 1.022, Textual paints at 1.05.
    resumes = [0.5, 1.0, 1.022]
    ticks = await _ticks(frame_pacing.original(), SCREEN_UPDATE_TIMER, resumes, monkeypatch)  # type: ignore[arg-type]
    assert ticks[1] == 1.0
    assert ticks[2] - 1.022 > PERIOD
    paced = await _ticks(frame_pacing._run_paced, SCREEN_UPDATE_TIMER, resumes, monkeypatch)
    assert paced == resumes


async def test_only_the_repaint_timer_is_paced(monkeypatch) -> None:
    frame_pacing.install()
    resumes = [0.0, 0.022, 0.042]
    other = await _ticks(Timer._run, "clock", resumes, monkeypatch)
    textual = await _ticks(frame_pacing.original(), "clock", resumes, monkeypatch)  # type: ignore[arg-type]
    assert other == textual
    paced = await _ticks(Timer._run, SCREEN_UPDATE_TIMER, resumes, monkeypatch)
    assert paced == await _ticks(frame_pacing._run_paced, SCREEN_UPDATE_TIMER, resumes,
                                 monkeypatch)


async def test_the_apps_screens_repaint_through_the_paced_timer() -> None:
    app = make_app(FakeReader())
    async with app.run_test() as pilot:
        await pilot.pause()
        assert Timer._run is frame_pacing._run_dispatch
        assert app.screen._update_timer.name == SCREEN_UPDATE_TIMER
