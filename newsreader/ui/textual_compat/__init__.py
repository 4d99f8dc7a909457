"""Every use of Textual's and Rich's private names, behind public-looking names; see install()."""

# The rest of newsreader/ui calls only the functions and classes here (tests/
# test_textual_compat_boundary.py holds it to that). Each one was written against the versions
# in versions.VERIFIED; with any other installed, each falls back on Textual's stock behaviour
# and install() patches nothing, so the app runs, only slower.

from __future__ import annotations

from newsreader.ui.textual_compat import frame_pacing, strips
from newsreader.ui.textual_compat.versions import notice, verified

__all__ = ["install", "installed", "notice", "verified"]


def install() -> str | None:
    """Install the process-wide patches if the versions are verified (idempotent).

    Returns the one-line notice to show when they are not (and then takes out any patch a
    previous call installed, so Textual's own behaviour is what runs).
    """
    if verified():
        strips.install()  # before the first frame: see strips
        frame_pacing.install()  # before the first screen's repaint timer starts: see frame_pacing
    else:
        strips.uninstall()
        frame_pacing.uninstall()
    return notice()


def installed() -> bool:
    """True when every patch is in place."""
    return strips.installed() and frame_pacing.installed()
