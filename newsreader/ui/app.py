"""The Textual application: theme, keymap, help, command palette; the main screen does the rest."""

from __future__ import annotations

import asyncio
import sys
import traceback
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.notifications import Notify
from textual.screen import Screen

from newsreader.actions import THEME_NAMES
from newsreader.ui import textual_compat
from newsreader.ui.bindings import (
    APP_BINDINGS,
    APP_CLASS_BINDINGS,
    BUILTIN_HELP,
    MAIN_BINDINGS,
    clash_message,
    keymap_clashes,
    keymap_from_config,
)
from newsreader.ui.format import Clock, utc_now
from newsreader.ui.gc_pacing import GcPacer
from newsreader.ui.main_screen import MainScreen
from newsreader.ui.terminal_probe import Graphics, release
from newsreader.ui.textual_compat.app import CrashReportingApp, binding_table, replace_notices
from newsreader.ui.textual_compat.app import keymap as keymap_in_force

if TYPE_CHECKING:
    from newsreader.services.ports import ReaderPort
    from newsreader.ui.terminal_pictures import PictureTerminal
    from newsreader.ui.textual_compat.keys import KeyRouter


GC_TICK_SECONDS = 0.5


class NewsreaderApp(CrashReportingApp):
    """A terminal news reader over a `ReaderPort`; `clock` is injectable so ages are testable."""

    CSS_PATH = "newsreader.tcss"
    TITLE = "newsreader"
    BINDINGS = APP_CLASS_BINDINGS  # type: ignore[assignment]  # list[Binding]: list is invariant

    def __init__(
        self,
        reader: ReaderPort,
        *,
        clock: Clock | None = None,
        refresh_on_start: bool = True,
        crash_log: Path | None = None,
        graphics: Graphics | None = None,
    ) -> None:
        # Before the first frame and the first screen's repaint timer: see textual_compat.
        compat_notice = textual_compat.install()
        super().__init__()
        self._compat_notice = compat_notice
        self.reader = reader
        self.crash_log = crash_log
        self.clock: Clock = clock or utc_now
        self.refresh_on_start = refresh_on_start
        # How pictures are drawn (ui/terminal_probe, asked before the app started); half
        # cells when nobody asked (tests, Pilot).
        self.graphics = graphics or Graphics()
        self.typed_ahead = self.graphics.typed  # the driver feeds these keys first
        self.late_replies = self.graphics.late  # and drops the probe's answers if they come
        self.tty_mode: list[Any] | None = None  # see run_app
        self._picture_terminal: PictureTerminal | None = None
        self.gc_pacer = GcPacer()
        # Unknown actions are among the config's warnings (reader.warnings, shown at start).
        keymap, _ = keymap_from_config(dict(reader.config.keys or {}))
        self._key_clashes = keymap_clashes(keymap)
        self._keymap_set = keymap
        if keymap:
            self.set_keymap(keymap)
        if reader.offline:
            self.sub_title = "offline"
        # Keys read in one burst with one that opens a prompt (S, /, O, a...) reach the prompt.
        # Made at the first key (or paste): the first frame needs none of it.
        self.key_router: KeyRouter | None = None

    def get_default_screen(self) -> Screen:
        """The main screen is the app's first screen, composed in Textual's own start-up.

        Pushed from on_mount over Textual's default screen, it was laid out three times and its
        first frame rendered inside the start-up batch, where Textual drops it (17-53 ms of a
        1,000-story start); as the first screen it is laid out and rendered once. Made before
        the app's on_mount, so the start-up warnings it says are gathered here.
        """
        return MainScreen(self.reader, self.clock, refresh_on_start=self.refresh_on_start,
                          warnings=self._start_warnings())

    def _start_theme(self) -> tuple[str | None, object]:
        """(The theme to start with, or None; the one to call unknown, or None.)

        The saved theme, else the config's; a config theme that is no theme name at all is
        among the config's warnings already.
        """
        saved = self.reader.get_setting("theme")
        theme = saved or self.reader.config.theme
        if isinstance(theme, str) and theme in self.available_themes:
            return theme, None
        if theme and (saved or theme in THEME_NAMES):
            return None, theme
        return None, None

    def _start_warnings(self) -> list[str]:
        """Said in one notice with the config's warnings (MainScreen): one replaces another."""
        warnings: list[str] = []
        _, unknown = self._start_theme()
        if unknown:
            warnings.append(f"Unknown theme {unknown!r}; using {self.theme}.")
        if self._compat_notice:
            warnings.append(self._compat_notice)
        warnings += [clash_message(key, ids) for key, ids in self._key_clashes]
        return warnings

    def on_mount(self) -> None:
        theme, _ = self._start_theme()
        if theme:
            self.theme = theme
        # Watched only after the saved theme is applied, so start-up never writes it back.
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        self._report_state_errors()
        self.set_interval(GC_TICK_SECONDS, self.gc_pacer.tick)

    def _report_state_errors(self) -> None:
        """A read mark or the history that could not be saved (disk full, read-only file).

        Said once until a write succeeds again (the state writer asks no more often).
        """
        loop = asyncio.get_running_loop()

        def failed(exc: Exception) -> bool:  # on the writer thread: hand it to the loop
            message = (f"Could not save your reading state: {exc}. Marks made until this is"
                       " fixed hold only until you quit.")
            try:
                loop.call_soon_threadsafe(
                    partial(self.notify, message, severity="error", timeout=10, markup=False)
                )
            except RuntimeError:  # the loop has closed: run_app says it on stderr instead
                return False
            return True

        self.reader.report_state_errors(failed)

    def on_notify(self, event: Notify) -> None:
        """A new notice replaces the earlier ones of its kind (runs before App adds it): keys
        pressed in a burst (m m m, s, A U) leave one toast, not a column over the story."""
        replace_notices(self, event.notification)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseDown, events.MouseScrollDown,
                              events.MouseScrollUp)):
            self.gc_pacer.note_input()
        router = self.key_router
        if router is None and isinstance(event, (events.Key, events.Paste)):
            from newsreader.ui.textual_compat.keys import KeyRouter

            router = self.key_router = KeyRouter(self, self.handle_event_as_textual)
        if router is None or not await router.take(event):
            await super().on_event(event)
            if router is not None:
                router.handled()

    def swallow_burst(self) -> None:
        """A key that opens a prompt was refused: the keys read with it are dropped (keys.py)."""
        if self.key_router is not None:
            self.key_router.swallow_burst()

    def hold_keys(self) -> None:
        """Keys read from now on wait until release_keys() (KeyRouter.pause)."""
        if self.key_router is not None:
            self.key_router.pause()

    def release_keys(self) -> None:
        """The keys held since hold_keys() go on, where the focus is after the next frame."""
        if self.key_router is not None:
            self.key_router.resume()

    async def action_quit_unless_copying(self) -> None:
        """Ctrl+C (CTRL_C_QUITS): quit, unless there is a selection to copy or config [keys]
        has given Ctrl+C to another action."""
        from textual.actions import SkipAction

        if getattr(self.focused, "selected_text", "") or self.screen.get_selected_text():
            raise SkipAction()
        keys = {action: value.split(",") for action, value in self._keymap_set.items()}
        if "ctrl+c" not in keys.get("quit", ["ctrl+c"]) or any(
                "ctrl+c" in value for action, value in keys.items() if action != "quit"):
            raise SkipAction()
        await self.action_quit()

    async def handle_event_as_textual(self, event: events.Event) -> None:
        """Textual's own App.on_event: where the key router hands each key on."""
        await super().on_event(event)

    def _remember_theme(self, theme: object) -> None:
        name = getattr(theme, "name", None)
        if name and name != self.reader.get_setting("theme"):
            self.reader.set_setting("theme", name)

    def picture_terminal(self) -> PictureTerminal | None:
        """Where kitty / sixel pictures go (made with the first picture); None for half cells."""
        if self.graphics.protocol not in ("kitty", "sixel"):
            return None
        if self._picture_terminal is None:
            from newsreader.ui.terminal_pictures import PictureTerminal
            from newsreader.ui.textual_compat.images import write_to_terminal

            self._picture_terminal = PictureTerminal(self.graphics,
                                                     partial(write_to_terminal, self))
        return self._picture_terminal

    def on_resize(self, event: events.Resize) -> None:
        """A font zoom (xterm's Shift-keypad-+) changes a cell's pixels, and the tty says so with a
        resize even when the rows and columns stay: sixel pictures are drawn for the new size
        (rows x the old height would spill over the text below)."""
        terminal = self._picture_terminal
        if terminal is not None and terminal.remeasure():
            from newsreader.ui.widgets.story import StoryText

            for screen in self.screen_stack:
                for text in screen.query(StoryText):
                    text.redraw()

    async def on_unmount(self) -> None:
        if self._picture_terminal is not None:
            self._picture_terminal.close()  # the kitty images this run sent
        self.gc_pacer.stop()
        # From here a failed write would be a notification nobody sees: run_app prints it.
        self.reader.report_state_errors(None)
        await self.reader.aclose()

    def report_crash(self, error: BaseException | None) -> str:
        """A bug, not an expected failure: keep the traceback in a file, show one line.

        Replaces Textual's handler, which would print a full traceback (with locals) on exit.
        User state is safe either way: what is still queued is written before exit (run_app).
        """
        details = "".join(traceback.format_exception(error)) if error else "unknown error"
        where = "the terminal (no crash log path)"
        if self.crash_log is not None:
            try:
                self.crash_log.parent.mkdir(parents=True, exist_ok=True)
                with self.crash_log.open("a", encoding="utf-8") as log:
                    log.write(f"--- {datetime.now(UTC).isoformat()}\n{details}\n")
                where = str(self.crash_log)
            except OSError:
                where = "nowhere (the crash log could not be written)"
        summary = f"{type(error).__name__}: {error}" if error else "unknown error"
        return f"newsreader: internal error ({summary[:200]}); details in {where}"

    # -- help and palette -------------------------------------------------------------------

    def _main_screen(self) -> Screen | None:
        for screen in reversed(self.screen_stack):
            if isinstance(screen, MainScreen):
                return screen
        return None

    def help_rows(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """The live bindings (with [keys] overrides), grouped: reading, application, built in."""
        main = self._main_screen()
        main_rows = self._binding_rows(self._live_keys(main), MAIN_BINDINGS) if main else []
        app_rows = self._binding_rows(self._live_keys(self), APP_BINDINGS)
        return [("Reading", main_rows), ("Application", app_rows), ("Everywhere", BUILTIN_HELP)]

    def _live_keys(self, node: App | Screen) -> dict[str, list[str]]:
        """Binding id -> the keys that fire it now, as the help and the palette show them."""
        # Textual applies the keymap to a copy at dispatch time; do the same to show it.
        bindings = binding_table(node)
        keymap = keymap_in_force(self, self._keymap_set)
        if keymap:
            bindings.apply_keymap(keymap)
        keys: dict[str, list[str]] = {}
        for key, key_bindings in bindings.key_to_bindings.items():
            for binding in key_bindings:
                if binding.id:
                    shown = self.get_key_display(binding.with_key(key))
                    keys.setdefault(binding.id, []).append(shown)
        return keys

    @staticmethod
    def _binding_rows(live: dict[str, list[str]], ours: list[Binding]) -> list[tuple[str, str]]:
        """One row per action in `ours` order; the nine "follow related link" keys share one."""
        keys: dict[str, list[str]] = {}
        tips: dict[str, str] = {}
        for binding in ours:
            if not binding.id or binding.id not in live:
                continue
            group = "follow" if binding.id.startswith("follow_") else binding.id
            keys.setdefault(group, []).extend(live[binding.id])
            tips[group] = binding.tooltip or binding.description
        tips["follow"] = "Follow link N (Recall, Read also, text)"
        if keys.get("follow") == [str(n) for n in range(1, 10)]:
            keys["follow"] = ["1 … 9"]  # as the README says it; any rebinding is listed whole
        # The action name is what [keys] in config.toml rebinds: show it with each row.
        names = {g: "follow_1…9" if g == "follow" else g for g in keys}
        return [(" ".join(keys[g]), f"{tips[g]} [{names[g]}]") for g in keys]

    def action_help(self) -> None:
        from newsreader.ui.help import HelpScreen  # not needed before the first `?`

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.help_rows()))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The palette offers every reading action by its description, besides Textual's own."""
        yield from super().get_system_commands(screen)
        main = self._main_screen()
        if main is None:
            return
        live = self._live_keys(main)  # the keys as the help shows them, [keys] included
        seen: set[str] = set()
        for binding in MAIN_BINDINGS:
            if binding.action in seen or binding.action == "clear_filter":
                continue
            seen.add(binding.action)
            keys = live.get(binding.id or "", [])
            yield SystemCommand(
                binding.description,
                f"Key: {' / '.join(keys)}" if keys else binding.tooltip,
                partial(main.run_action, binding.action),
            )
        yield SystemCommand(
            "Import OPML…", "Add the feeds of an OPML file", partial(main.run_action, "import_opml")
        )
        yield SystemCommand(
            "Export OPML…", "Write the sources to an OPML file",
            partial(main.run_action, "export_opml"),
        )
        yield SystemCommand("Help", "Show every key binding", self.action_help)


def run_app(reader: ReaderPort, crash_log: Path | None = None,
            graphics: Graphics | None = None, tty_mode: list[Any] | None = None) -> int:
    """Run the TUI until the user quits; the exit code is 0 unless the app failed. `tty_mode`:
    the mode the tty had before `terminal_probe.hold` took it, to put back at exit."""
    app = NewsreaderApp(reader, crash_log=crash_log, graphics=graphics)
    if tty_mode is not None and not textual_compat.verified():
        release(tty_mode)  # Textual's own driver would keep the held mode to put back at exit
    app.tty_mode = tty_mode  # the mode to put back at exit: the driver found the tty held
    try:
        app.run()
    finally:
        # The app's unmount has written the queued read marks and history (ReaderPort.aclose);
        # after a crash it is done here. A failure the app could not show is one line each.
        for message in reader.close_state():
            print(f"newsreader: {message}", file=sys.stderr)
    return app.return_code if app.return_code is not None else 0
