"""Bench 5: start time and RSS at 1k, 10k and 100k cached stories; is the growth linear?"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import itertools

from bench.common import Row, emit, machine, median
from bench.start_bench import measure_start

SIZES = (1_000, 10_000, 100_000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1k and 10k only, 3 runs")
    parser.add_argument("--json", action="store_true", help="one JSON line for run_all.py")
    args = parser.parse_args()
    print(f"machine: {machine()}", file=sys.stderr)
    sizes = SIZES[:2] if args.quick else SIZES
    points: list[tuple[int, float, float, float, float]] = []
    for n in sizes:
        runs = 3 if args.quick or n > 10_000 else 5
        app_runs, floor_runs = measure_start(n, runs, parsed_stories=False)
        points.append((n, median([r.seconds for r in app_runs]),
                       median([r.rss_settled_mb for r in app_runs]),
                       median([r.seconds for r in floor_runs]),
                       median([r.rss_settled_mb for r in floor_runs])))
    rows: list[Row] = []
    for n, t, mem, floor_t, floor_m in points:
        rows.append(Row(f"start, {n} stories", t, "s", floor_t, "linear or better", None,
                        f"floor = bare app with {n} rows"))
        rows.append(Row(f"RSS, {n} stories", mem, "MiB", floor_m, "linear or better", None))
    for (n0, t0, m0, _, _), (n1, t1, m1, _, _) in itertools.pairwise(points):
        # Marginal cost per 1,000 extra stories; "linear or better" = it does not grow.
        rows.append(Row(f"start per +1k stories, {n0}->{n1}", (t1 - t0) / (n1 - n0) * 1000,
                        "s", None, "-", None))
        rows.append(Row(f"RSS per +1k stories, {n0}->{n1}", (m1 - m0) / (n1 - n0) * 1000,
                        "MiB", None, "-", None))
    if len(points) > 2:
        (n0, t0, m0, _, _), (n1, t1, m1, f1, _), (n2, t2, m2, f2, _) = points[:3]
        slope_a, slope_b = (t1 - t0) / (n1 - n0), (t2 - t1) / (n2 - n1)
        # Start time from 1k to 10k moves by 0.1-0.4 s, inside the launch-to-launch noise (one
        # run measured 1k slower than 10k), so this ratio is printed but decides nothing. The
        # test: from 10k to 100k newsreader's time grows no faster than the bare app's, whose
        # launches alternate with newsreader's and so see the same machine.
        rows.append(Row("start slope ratio (10k->100k / 1k->10k)", slope_b / slope_a, "x", None,
                        "- (noise-bound)", None))
        floor_slope = (f2 - f1) / (n2 - n1)
        rows.append(Row("start slope 10k->100k vs the bare app's", slope_b / floor_slope, "x",
                        None, "<= 1.2x (linear)", slope_b <= 1.2 * floor_slope,
                        f"newsreader {slope_b * 1e6:.1f} ms, bare app "
                        f"{floor_slope * 1e6:.1f} ms per +1k stories"))
        mslope_a, mslope_b = (m1 - m0) / (n1 - n0), (m2 - m1) / (n2 - n1)
        rows.append(Row("RSS slope ratio (10k->100k / 1k->10k)", mslope_b / mslope_a, "x", None,
                        "<= 1.2x (linear)", mslope_b <= 1.2 * mslope_a))
    emit(rows, args.json)


if __name__ == "__main__":
    main()
