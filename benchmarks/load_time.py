"""How long ``argmine.load()`` takes, offline, in a fresh process (target: under 5 s).

Each repetition starts a new Python process with ``HF_HUB_OFFLINE=1`` that imports
argmine, loads the shipped model (or ``--model``) and mines one short sentence; the
script records the time to load and the time of the first call, with the median over
repetitions, in ``benchmarks/results/load_time.json`` and ``load_time.md``.

Usage::

    python benchmarks/load_time.py [--model DIR] [--repetitions 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

from _common import git_revision, write_record  # benchmarks/ is on sys.path when run

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"

CHILD = """
import json, sys, time
t0 = time.perf_counter()
import argmine
t1 = time.perf_counter()
miner = argmine.load(sys.argv[1] if len(sys.argv) > 1 else None)
t2 = time.perf_counter()
doc = miner("Cities should ban cars. They pollute the air.")
t3 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "load": t2 - t1, "first_call": t3 - t2,
                  "units": len(doc.units)}))
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=None)
    parser.add_argument("--repetitions", type=int, default=5)
    args = parser.parse_args(argv)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    runs = []
    for _ in range(args.repetitions):
        cmd = [sys.executable, "-c", CHILD, *([args.model] if args.model else [])]
        out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    med = {
        k: round(statistics.median(r[k] for r in runs), 3) for k in ("import", "load", "first_call")
    }
    result = {
        "command": "python "
        + " ".join(
            [str(Path(__file__).relative_to(ROOT)), *(argv if argv is not None else sys.argv[1:])]
        ),
        "git_revision": git_revision(),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"cpu_count": os.cpu_count(), "platform": platform.platform()},
        "model": args.model or "shipped (models/argmine-minilm-l6)",
        "repetitions": runs,
        "median_seconds": med,
        "target_load_seconds": 5.0,
        "meets_target": med["import"] + med["load"] < 5.0,
    }
    write_record(
        RESULTS,
        "load_time",
        result,
        "# argmine.load() time, offline, fresh process\n\n"
        f"- command: `{result['command']}`\n- git revision: `{result['git_revision']}`\n"
        f"- date: {result['date']}\n- machine: {result['machine']['cpu_count']} CPUs, "
        f"{result['machine']['platform']}\n- model: {result['model']}\n\n"
        "| step | median seconds |\n| --- | --- |\n"
        + "".join(f"| {k} | {v} |\n" for k, v in med.items())
        + f"\nimport + load = {med['import'] + med['load']:.3f} s (target < 5 s: "
        f"{'met' if result['meets_target'] else 'NOT met'}).\n",
    )
    print(json.dumps(result["median_seconds"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
