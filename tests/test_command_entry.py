"""The `newsreader` command's entry: no garbage collection while its modules load, then back on."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import tomllib
from pathlib import Path

from newsreader import cli

ROOT = Path(__file__).resolve().parent.parent

# Notes whether collections run when newsreader.cli starts loading, then lets it load as usual.
PROBE = """
import gc, sys

class Probe:
    def find_spec(self, name, path=None, target=None):
        if name == "newsreader.cli":
            print("collections while loading:", gc.isenabled(), flush=True)
        return None

sys.meta_path.insert(0, Probe())
sys.argv = ["newsreader", "paths"]
import newsreader.__main__ as entry
entry.run()
"""


def test_the_console_script_is_the_entry_that_holds_collections() -> None:
    with (ROOT / "pyproject.toml").open("rb") as f:
        scripts = tomllib.load(f)["project"]["scripts"]
    assert scripts["newsreader"] == "newsreader.__main__:run"


def test_collections_are_off_while_the_command_loads(isolated_dirs: dict) -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], env=dict(os.environ),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "collections while loading: False"
    assert done.stdout.splitlines()[1].startswith("config  ")  # and the command ran


def test_a_headless_command_turns_collections_back_on(capsys) -> None:
    gc.disable()
    try:
        assert cli.main(["paths"]) == 0
        assert gc.isenabled()
    finally:
        gc.enable()
