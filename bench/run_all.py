"""Run every bench in its own process and print one table: figure, floor, ratio, target, result."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import PYTHON, Row, machine, print_table

SCRIPTS = ("start_bench.py", "quit_bench.py", "open_bench.py", "thread_bench.py",
           "responsiveness_bench.py", "refresh_bench.py", "scale_bench.py", "burst_bench.py")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a smaller sanity pass")
    parser.add_argument("--only", nargs="*", default=None, help="script names to run")
    args = parser.parse_args()
    here = Path(__file__).resolve().parent
    rows: list[Row] = []
    for script in SCRIPTS:
        if args.only and script not in args.only and script.removesuffix(".py") not in args.only:
            continue
        cmd = [PYTHON, str(here / script), "--json"] + (["--quick"] if args.quick else [])
        start = time.perf_counter()
        print(f"running {script} ...", file=sys.stderr, flush=True)
        done = subprocess.run(cmd, capture_output=True, text=True)
        print(f"  {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
        found = [line for line in done.stdout.splitlines() if line.startswith("BENCH-RESULT ")]
        if done.returncode or not found:
            print(f"{script} failed:\n{done.stderr[-2000:]}", file=sys.stderr)
            continue
        rows += [Row(**r) for r in json.loads(found[-1].removeprefix("BENCH-RESULT "))]
    print(f"machine: {machine()}")
    print_table(rows)


if __name__ == "__main__":
    main()
