"""Bench: `q` to the shell prompt (the process has exited), against a bare Textual app's quit."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    NEWSREADER,
    PYTHON,
    QuitRun,
    Row,
    bench_env,
    build_corpus,
    compile_bytecode,
    emit,
    machine,
    median,
    quit_in_pty,
)

FLOOR_APP = str(Path(__file__).resolve().parent / "floor_app.py")
QUIT_TARGET = 0.1  # seconds (newsboat: 0.05 s)
QUIT_KEY = b"q"
FLOOR_QUIT_KEY = b"\x11"  # ctrl+q: the bare Textual app's own quit binding


def measure_quit(n_stories: int, runs: int) -> tuple[list[QuitRun], list[QuitRun]]:
    """Alternate newsreader and floor launches, each quit 1 s after its first headline."""
    root = Path(tempfile.mkdtemp(prefix="nrbench-quit-"))
    try:
        headlines = build_corpus(root, n_stories)
        env = bench_env(root)
        rows_file = root / "rows.json"
        rows_file.write_text(json.dumps([h.title for h in headlines], ensure_ascii=False),
                             encoding="utf-8")
        needle = headlines[0].title[:12].encode("utf-8")
        quit_in_pty([NEWSREADER, "--offline"], env, needle, QUIT_KEY)  # warm the page cache
        app_runs: list[QuitRun] = []
        floor_runs: list[QuitRun] = []
        for i in range(runs):
            app_runs.append(quit_in_pty([NEWSREADER, "--offline"], env, needle, QUIT_KEY))
            floor_runs.append(quit_in_pty([PYTHON, FLOOR_APP, str(rows_file)], env, needle,
                                          FLOOR_QUIT_KEY))
            print(f"  run {i + 1}: newsreader {app_runs[-1].seconds:.3f} s "
                  f"{app_runs[-1].error}, floor {floor_runs[-1].seconds:.3f} s "
                  f"{floor_runs[-1].error}", file=sys.stderr)
        return app_runs, floor_runs
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="3 runs instead of 9")
    parser.add_argument("--json", action="store_true", help="one JSON line for run_all.py")
    parser.add_argument("--stories", type=int, default=4_000)
    args = parser.parse_args()
    runs = 3 if args.quick else 9
    print(f"machine: {machine()}", file=sys.stderr)
    compile_bytecode()
    app_runs, floor_runs = measure_quit(args.stories, runs)
    app = median([r.seconds for r in app_runs])
    floor = median([r.seconds for r in floor_runs])
    emit([Row(f"quit (q to exit), {args.stories} stories", app, "s", floor,
              f"<= {QUIT_TARGET} s", app <= QUIT_TARGET,
              f"median of {runs} pty launches, key 1 s after the first headline; floor = the "
              "bare Textual app (OptionList rows) quit with ctrl+q")], args.json)


if __name__ == "__main__":
    main()
