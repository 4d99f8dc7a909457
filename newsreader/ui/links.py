"""Opening a story in the web browser: allow-listed http(s) URLs only, never through a shell."""

from __future__ import annotations

import shlex
import subprocess

from newsreader.parse.urls import is_openable_url

__all__ = ["BrowserError", "browser_command", "is_openable_url", "open_in_browser"]


class BrowserError(Exception):
    """The browser could not be started; str() is a one-line message."""


def browser_command(browser: str, url: str) -> list[str]:
    """The argv for a configured browser: shlex-split, with the URL as its own last argument.

    A "%s" placeholder is replaced by the URL (as webbrowser's BROWSER variable allows), but
    only as a whole argument, so the URL can never be spliced into another word.
    """
    argv = shlex.split(browser)
    if not argv:
        raise BrowserError("the configured browser command is empty")
    if "%s" in argv:
        return [url if arg == "%s" else arg for arg in argv]
    return [*argv, url]


def open_in_browser(url: str, browser: str | None = None) -> None:
    """Open `url`; blocking, so call it from a thread worker. Raises BrowserError."""
    # Checked here too, so no caller can forget: webbrowser.open does no checking at all.
    if not is_openable_url(url):
        raise BrowserError("only http(s) links are opened")
    if browser:
        try:
            # No shell: the URL is one argv element and cannot become a command or an option.
            subprocess.Popen(
                browser_command(browser, url),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        except (OSError, ValueError) as exc:
            raise BrowserError(f"cannot start the browser: {exc}") from None
        return
    import webbrowser  # here: its import probes for browsers, which start-up does not need

    if not webbrowser.open(url):
        raise BrowserError("no web browser found")
