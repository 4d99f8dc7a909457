"""App internals (Textual 8.2.8): the unhandled-error exit, the bindings and keymap in force,
the notices on screen."""

from __future__ import annotations

from rich.text import Text
from textual.app import App
from textual.binding import Binding, BindingsMap, Keymap
from textual.dom import DOMNode
from textual.driver import Driver
from textual.notifications import Notification

from newsreader.ui.textual_compat.versions import verified


class CrashReportingApp(App[int]):
    """An App that exits on an unhandled error with the one line `report_crash` returns.

    Textual's own handler prints a full traceback (with locals) on exit; it is still the one
    used when the versions are not verified.
    """

    def report_crash(self, error: BaseException | None) -> str:
        """Keep what is needed of `error` (a log); the line to print on exit."""
        return f"internal error: {error!r}"

    def get_driver_class(self) -> type[Driver]:
        """Textual's choice, except its LinuxDriver becomes one that quits without waiting
        (see driver.py); with unverified versions, Textual's own."""
        chosen = super().get_driver_class()
        # By name: importing linux_driver here would fail on Windows (termios).
        stock = (chosen.__module__, chosen.__qualname__)
        if verified() and stock == ("textual.drivers.linux_driver", "LinuxDriver"):
            from newsreader.ui.textual_compat.driver import QuickExitDriver

            return QuickExitDriver
        return chosen

    def _fatal_error(self) -> None:
        if not verified():
            super()._fatal_error()
            return
        line = self.report_crash(self._exception)
        self.bell()
        self._exit_renderables.append(Text(line))
        self._close_messages_no_wait()


def binding_table(node: DOMNode) -> BindingsMap:
    """A copy of the bindings `node` dispatches from (its BINDINGS merged with its bases').

    Not verified, the same merge is done here from the classes' BINDINGS.
    """
    if verified():
        return node._bindings.copy()
    keys: dict[str, list[Binding]] = {}
    for base in reversed(type(node).__mro__):
        keys.update(BindingsMap(vars(base).get("BINDINGS", [])).key_to_bindings)
    return BindingsMap.from_keys(keys)


def keymap(app: App, configured: Keymap) -> Keymap:
    """The keymap `app` applies to bindings at dispatch time (set_keymap's, normalised).

    `configured` is what the app gave set_keymap: the answer when not verified.
    """
    return app._keymap if verified() else configured


def replace_notices(app: App, new: Notification) -> None:
    """Before `new` is shown: drop the notices it replaces, those of its kind (information, or
    a warning / an error), so a burst of them never stacks toasts over the story.

    Called from the app's Notify handler, which runs before App's own adds `new`. Not verified,
    every notice goes (the public clear_notifications): one at a time, whatever its kind.
    """
    if not verified():
        app.clear_notifications()
        return
    alert = new.severity != "information"
    stale = [n for n in app._notifications if (n.severity != "information") == alert]
    for notification in stale:
        app._unnotify(notification, refresh=False)
    if stale:
        app._refresh_notifications()
