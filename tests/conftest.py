"""Shared fixtures: every test runs with its own config, data and cache dirs, never the user's."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Point XDG and HOME at a temporary tree so no test reads or writes the real user dirs."""
    dirs = {
        "home": tmp_path / "home",
        "config": tmp_path / "xdg-config",
        "data": tmp_path / "xdg-data",
        "cache": tmp_path / "xdg-cache",
        "state": tmp_path / "xdg-state",
    }
    for path in dirs.values():
        path.mkdir()
    monkeypatch.setenv("HOME", str(dirs["home"]))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(dirs["config"]))
    monkeypatch.setenv("XDG_DATA_HOME", str(dirs["data"]))
    monkeypatch.setenv("XDG_CACHE_HOME", str(dirs["cache"]))
    monkeypatch.setenv("XDG_STATE_HOME", str(dirs["state"]))
    # Never let a test open a real browser or hit a proxy from the environment.
    monkeypatch.setenv("BROWSER", "true")
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    return dirs
from tests.http_server import http_server  # noqa: E402, F401
