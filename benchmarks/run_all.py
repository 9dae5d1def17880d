"""Run every benchmark in turn: quality, throughput, memory, load time, link diagnosis
on AAE2 test and train, and the premise-parent cost sweep (``make benchmarks``).

Each script writes its JSON and Markdown results under ``benchmarks/results/``; extra
arguments (e.g. ``--model DIR``) are passed to each of them.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: Each script with its own arguments.
SCRIPTS: tuple[tuple[str, ...], ...] = (
    ("quality.py",),
    ("throughput.py",),
    ("memory.py",),
    ("load_time.py",),
    ("link_diagnosis.py",),
    ("link_diagnosis.py", "--split", "train"),
    ("premise_penalty.py",),
)


def main() -> int:
    status = 0
    for script, *own in SCRIPTS:
        print(f"== {' '.join([script, *own])}", flush=True)
        status |= subprocess.call([sys.executable, str(HERE / script), *own, *sys.argv[1:]])
    return status


if __name__ == "__main__":
    sys.exit(main())
