"""Start-up: the first frame is composed once, with the headlines, and nothing is thrown away."""

from __future__ import annotations

from typing import Any

import pytest
from textual._compositor import Compositor

from newsreader.ui.main_screen import MainScreen
from tests.ui_fakes import SIZE, make_app, settle


async def test_the_first_frame_is_composed_once_on_the_main_screen(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The main screen is the app's own first screen (not pushed over Textual's default one):
    a pushed screen was laid out three times and its first frame rendered inside Textual's
    start-up batch, where the frame is dropped (17-53 ms of a 1,000-story start)."""
    app = make_app()
    frames: list[int] = []  # the app's batch depth at each frame the compositor renders
    render_update = Compositor.render_update

    def counted(self: Compositor, *args: Any, **kwargs: Any) -> Any:
        frames.append(app._batch_count)
        return render_update(self, *args, **kwargs)

    monkeypatch.setattr(Compositor, "render_update", counted)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.screen_stack == [app.screen] and isinstance(app.screen, MainScreen)
        assert frames and frames[0] == 0, f"frames rendered inside the start-up batch: {frames}"
        assert app.screen.headlines.option_count == 5
