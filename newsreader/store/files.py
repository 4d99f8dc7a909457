"""Moving a damaged store out of the way without ever overwriting an earlier one."""

from __future__ import annotations

import time
from pathlib import Path


def move_aside(path: Path, companions: tuple[str, ...] = ()) -> Path:
    """Rename `path` to `<name>.corrupt-<timestamp>[~n]`; files named path+suffix go along."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}~{n}")
    path.rename(target)
    for suffix in companions:
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.rename(target.with_name(target.name + suffix))
    return target
