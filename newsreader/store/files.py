"""Files on disk: a damaged store moved aside (never over an earlier one), a file written
atomically."""

from __future__ import annotations

import errno
import os
import secrets
import stat
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


def write_atomically(path: Path, text: str) -> None:
    """Write `text` (UTF-8) to `path` whole or not at all: a temporary file beside it, fsynced,
    then renamed over it, so a failure (a full disk, a missing folder) never leaves a
    half-written file and keeps any earlier one. The file gets the mode an ordinary write would
    give it: an existing file's own, else 0o666 less the umask. Raises OSError (its strerror is
    the reason in words); no temporary file is left behind."""
    if not path.name:  # "/" or "."
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    try:
        existing = path.stat()
    except OSError:
        existing = None
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            if existing is not None and stat.S_ISREG(existing.st_mode):
                os.fchmod(handle.fileno(), stat.S_IMODE(existing.st_mode))
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
