"""Where newsreader keeps its config, user data and cache (platformdirs; XDG_* honoured)."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "newsreader"


@dataclass(frozen=True, slots=True)
class Paths:
    """The three places newsreader uses. Data is durable; cache may be deleted at any time."""

    config_file: Path
    data_dir: Path
    cache_dir: Path

    @property
    def state_db(self) -> Path:
        return self.data_dir / "state.db"


def default_paths(*, demo: bool = False) -> Paths:
    """The user's paths; the demo edition gets its own data and cache so it never mixes."""
    data = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    cache = Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))
    config = Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "config.toml"
    if demo:
        data, cache = data / "demo", cache / "demo"
    return Paths(config_file=config, data_dir=data, cache_dir=cache)


def ensure_private_dir(path: Path) -> Path:
    """Create `path` (and parents) readable only by the user."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    # Not ours to change on a shared mount; the stores report real failures themselves.
    with contextlib.suppress(OSError):
        os.chmod(path, 0o700)
    return path
