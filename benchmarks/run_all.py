"""Run every benchmark in turn: quality, throughput, memory, load time, link diagnosis
(``make benchmarks``).

Each script writes its JSON and Markdown results under ``benchmarks/results/``; extra
arguments (e.g. ``--model DIR``) are passed to each of them.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = ("quality.py", "throughput.py", "memory.py", "load_time.py", "link_diagnosis.py")


def main() -> int:
    status = 0
    for script in SCRIPTS:
        print(f"== {script}", flush=True)
        status |= subprocess.call([sys.executable, str(HERE / script), *sys.argv[1:]])
    return status


if __name__ == "__main__":
    sys.exit(main())
