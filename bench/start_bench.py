"""Bench 1: `newsreader --offline` launch to first headline painted (pty, 120x40) vs a bare app,
at the cache sizes people have (1,000 and 4,000 stories) and at 10,000."""

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
    PtyRun,
    Row,
    bench_env,
    build_corpus,
    compile_bytecode,
    emit,
    machine,
    median,
    run_in_pty,
)

FLOOR_APP = str(Path(__file__).resolve().parent / "floor_app.py")
START_RATIO_TARGET = 1.3
RSS_TARGET_MB = 150.0
SIZES = (1_000, 4_000, 10_000)


def measure_start(n_stories: int, runs: int, *, verbose: bool = True,
                  parsed_stories: bool = True) -> tuple[list[PtyRun], list[PtyRun]]:
    """Build a corpus of `n_stories`, then alternate app and floor launches `runs` times each."""
    root = Path(tempfile.mkdtemp(prefix="nrbench-start-"))
    try:
        headlines = build_corpus(root, n_stories, parsed_stories=parsed_stories)
        newest = headlines[0]
        env = bench_env(root)
        # The floor paints the same titles as plain rows, newest first, as newsreader would.
        rows = [h.title for h in headlines]
        rows_file = root / "rows.json"
        rows_file.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
        needle = newest.title[:12].encode("utf-8")
        app_runs: list[PtyRun] = []
        floor_runs: list[PtyRun] = []
        run_in_pty([NEWSREADER, "--offline"], env, needle)  # warm the page cache once
        for i in range(runs):
            app_runs.append(run_in_pty([NEWSREADER, "--offline"], env, needle))
            floor_runs.append(run_in_pty([PYTHON, FLOOR_APP, str(rows_file)], env, needle))
            if verbose:
                app_run, floor_run = app_runs[-1], floor_runs[-1]
                print(f"  {n_stories} stories run {i + 1}: newsreader {app_run.seconds:.3f} s "
                      f"{app_run.rss_settled_mb:.0f} MiB, floor {floor_run.seconds:.3f} s "
                      f"{floor_run.rss_settled_mb:.0f} MiB {app_run.error}", file=sys.stderr)
        return app_runs, floor_runs
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="3 runs instead of 7")
    parser.add_argument("--json", action="store_true", help="one JSON line for run_all.py")
    parser.add_argument("--stories", type=int, nargs="+", default=list(SIZES),
                        help="cache sizes to measure (default: 1000 4000 10000)")
    args = parser.parse_args()
    runs = 3 if args.quick else 7
    print(f"machine: {machine()}", file=sys.stderr)
    compile_bytecode()
    rows: list[Row] = []
    for n in args.stories:
        app_runs, floor_runs = measure_start(n, runs)
        app = median([r.seconds for r in app_runs])
        floor = median([r.seconds for r in floor_runs])
        rows.append(
            Row(f"start to first headline, {n} stories", app, "s", floor,
                f"<= {START_RATIO_TARGET}x floor", app <= START_RATIO_TARGET * floor,
                f"median of {runs} pty launches; floor = bare Textual app, {n} OptionList rows"))
        if n == max(args.stories):
            rss = median([r.rss_settled_mb for r in app_runs])
            floor_rss = median([r.rss_settled_mb for r in floor_runs])
            rows.append(
                Row(f"RSS after start, {n} stories", rss, "MiB", floor_rss,
                    f"<= {RSS_TARGET_MB:.0f} MiB", rss <= RSS_TARGET_MB,
                    "VmRSS 1 s after the first headline; floor = the bare app's"))
    emit(rows, args.json)


if __name__ == "__main__":
    main()
