"""The Textual and Rich versions textual_compat was verified with; are the installed ones?"""

from __future__ import annotations

import os
import re
import sys

# (lowest verified, first not verified): the versions installed when every module here was
# last read against Textual's and Rich's sources. Widen a range only after doing that again
# (and running tests/test_plain_lines.py, test_strip_cycles.py, test_frame_pacing.py and
# test_ui_burst.py: keys.py rests on how App.on_event and App._on_key hand keys on).
VERIFIED: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {
    "textual": ((8, 2, 8), (8, 3)),
    "rich": ((15, 0, 0), (16,)),
}
NAMES = {"textual": "Textual", "rich": "Rich"}

_checked: list[str | None] = []  # [the notice, or None when verified], once checked


def installed(package: str) -> str | None:
    """The installed version of `package`, None when it has no metadata.

    Read from the name of the `<package>-<version>.dist-info` directory beside the imported
    package: importlib.metadata (and the email parser it loads to read METADATA) cost ~15-25 ms
    of the app's start-up. Anything unusual (no such directory, or several) asks it instead.
    """
    module = sys.modules.get(package)
    where = getattr(module, "__file__", None)
    if where:
        site = os.path.dirname(os.path.dirname(where))
        prefix = f"{package}-"
        try:
            found = [name for name in os.listdir(site)
                     if name.startswith(prefix) and name.endswith(".dist-info")]
        except OSError:
            found = []
        if len(found) == 1:
            return found[0][len(prefix):-len(".dist-info")]
    from importlib import metadata

    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def release(version: str) -> tuple[int, ...] | None:
    """"8.2.8" -> (8, 2, 8); "8.3.0a1" -> (8, 3, 0); None when it does not start with a number."""
    numbers = re.match(r"\d+(?:\.\d+)*", version)
    return tuple(int(part) for part in numbers.group().split(".")) if numbers else None


def mismatch(package: str, version: str | None) -> str | None:
    """"Textual 9.0 is newer" (or older, or other) when `version` is outside its range."""
    low, high = VERIFIED[package]
    found = release(version) if version else None
    if found is not None and low <= found < high:
        return None
    if found is None:
        return f"{NAMES[package]} {version or '(no version)'} is other"
    return f"{NAMES[package]} {version} is {'newer' if found >= high else 'older'}"


def check() -> str | None:
    """The one-line notice to show when the installed versions were not verified, else None."""
    problems = [p for p in (mismatch(name, installed(name)) for name in VERIFIED) if p]
    if not problems:
        return None
    return (f"{' and '.join(problems)} than newsreader was verified with: "
            "running without its speed-ups")


def notice() -> str | None:
    """`check()`, done once per process (see `recheck`)."""
    if not _checked:
        _checked.append(check())
    return _checked[0]


def verified() -> bool:
    """True when every private use in textual_compat may run; else each falls back on stock."""
    return notice() is None


def recheck() -> None:
    """Forget the checked versions (for tests that pretend others are installed)."""
    _checked.clear()
