"""Peak memory of ``argmine label`` on a generated corpus (target: under 2 GB).

Writes ``--docs`` short documents (default 100,000; one to four sentences each) as a
gzip-compressed JSON Lines file, runs ``python -m argmine label`` on it in a subprocess,
and measures:

* the peak RSS of the whole process tree (the command and any workers), sampled from
  ``/proc`` every ``--interval`` seconds;
* ``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``: the peak RSS of the largest single
  process, exact (the kernel's high-water mark);
* the tree's RSS when 10%, 50% and 100% of the output was written: flat if memory is
  bounded, growing if something keeps the corpus.

Writes ``benchmarks/results/memory.json`` and ``memory.md``. The model is
``models/argmine-minilm-l6`` when it exists, else ``--model PATH``, else an untrained
model of the same architecture (the same memory).

    python benchmarks/memory.py                  # full: 100,000 documents
    python benchmarks/memory.py --docs 300       # smoke
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from _common import git_revision, write_record  # benchmarks/ is on sys.path when run

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "models" / "argmine-minilm-l6"
TARGET_BYTES = 2 * 1024**3
SENTENCES = [
    "Cities should ban cars from their centres.",
    "Cars pollute the air and the noise harms sleep.",
    "Some say that shops would suffer from such a ban.",
    "But studies show that pedestrians spend more than drivers.",
    "So a ban would serve everyone in the long run.",
    "Taxes on fuel should rise to pay for public transport.",
    "Roads cost money that the whole city pays for.",
    "Children who walk to school are healthier.",
    "Nevertheless, delivery vans still need access.",
    "Therefore exceptions must be granted at fixed hours.",
]


def generate(path: Path, n: int, seed: int = 0) -> None:
    """``n`` documents of one to four sentences, as JSON Lines, gzip-compressed."""
    rng = random.Random(seed)
    with gzip.open(path, "wt", encoding="utf-8") as f:
        for i in range(n):
            text = " ".join(rng.choice(SENTENCES) for _ in range(rng.randint(1, 4)))
            f.write(json.dumps({"id": f"doc{i}", "text": text}) + "\n")


def tree_rss(pid: int) -> int:
    """Resident memory (bytes) of ``pid`` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        stack.extend(children.get(p, ()))
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
                    break
        except OSError:
            continue
    return total


def model_folder(arg: str | None, scratch: Path) -> tuple[Path, str]:
    if arg:
        return Path(arg), f"--model {arg}"
    if (SHIPPED / "config.json").is_file():
        return SHIPPED, "shipped model models/argmine-minilm-l6"
    import torch

    from argmine.nn.model import ArgmineModel, ModelConfig

    folder = scratch / "untrained-model"
    torch.manual_seed(0)
    ArgmineModel.from_encoder(ModelConfig()).save(folder)
    return folder, "untrained model of the shipped architecture (same memory)"


def count_lines(path: Path, state: dict[str, int]) -> int:
    """Lines in ``path``, reading only what was appended since the last call."""
    try:
        with open(path, "rb") as f:
            f.seek(state.get("offset", 0))
            data = f.read()
    except OSError:
        return state.get("lines", 0)
    state["offset"] = state.get("offset", 0) + len(data)
    state["lines"] = state.get("lines", 0) + data.count(b"\n")
    return state["lines"]


def run(args: argparse.Namespace) -> dict[str, Any]:
    scratch = Path(args.work_dir or tempfile.mkdtemp(prefix="argmine-memory-"))
    scratch.mkdir(parents=True, exist_ok=True)
    corpus = scratch / f"corpus-{args.docs}.jsonl.gz"
    if not corpus.exists():
        generate(corpus, args.docs)
    folder, model_note = model_folder(args.model, scratch)
    out = scratch / "labels.jsonl"
    cmd = [
        sys.executable, "-m", "argmine", "label", str(corpus), "-o", str(out),
        "--model", str(folder), "--no-progress", "--allow-errors", "--overwrite",
        "--workers", str(args.workers),
    ]  # fmt: skip
    log = scratch / "stderr.txt"
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    started = time.perf_counter()
    samples: list[tuple[float, int, int]] = []  # (seconds, tree RSS, output lines)
    state: dict[str, int] = {}
    with open(log, "wb") as err:
        proc = subprocess.Popen(cmd, stderr=err, cwd=ROOT, env=env)
        while proc.poll() is None:
            samples.append(
                (time.perf_counter() - started, tree_rss(proc.pid), count_lines(out, state))
            )
            time.sleep(args.interval)
    seconds = time.perf_counter() - started
    ru_maxrss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024  # KiB on Linux
    labelled = count_lines(out, state)
    peak = max((s[1] for s in samples), default=0)

    def rss_at(share: float) -> int | None:
        for _, rss, lines in samples:
            if lines >= share * labelled and lines > 0:
                return rss
        return None

    summary_line = log.read_text(errors="replace").strip().splitlines()[-1:] or [""]
    result: dict[str, Any] = {
        "revision": git_revision(),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "label_command": " ".join(cmd[1:]),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "platform": platform.platform(),
            "cores": len(os.sched_getaffinity(0)),
            "python": platform.python_version(),
            "memory_total_bytes": os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"),
        },
        "model": model_note,
        "documents": args.docs,
        "workers": args.workers,
        "exit_status": proc.returncode,
        "labelled": labelled,
        "seconds": round(seconds, 2),
        "documents_per_second": round(labelled / seconds, 2) if seconds else 0.0,
        "peak_tree_rss_bytes": peak,
        "peak_largest_process_rss_bytes": ru_maxrss,
        "tree_rss_at_10_50_100_percent": [rss_at(0.1), rss_at(0.5), rss_at(1.0)],
        "samples": len(samples),
        "target_bytes": TARGET_BYTES,
        "meets_target": max(peak, ru_maxrss) < TARGET_BYTES,
        "summary": summary_line[0],
    }
    if not args.keep:
        for p in (corpus, out):
            p.unlink(missing_ok=True)
    return result


def _mb(n: int | None) -> str:
    return "n/a" if n is None else f"{n / 1024**2:.0f} MB"


def markdown(r: dict[str, Any]) -> str:
    at = ", ".join(_mb(x) for x in r["tree_rss_at_10_50_100_percent"])
    verdict = "meets" if r["meets_target"] else "does NOT meet"
    return "\n".join(
        [
            "# Memory: `argmine label` on a generated corpus",
            "",
            f"- Revision `{r['revision']}`, {r['date']}; command `{r['command']}`",
            f"- Ran `{r['label_command']}`",
            f"- Machine: {r['machine']['platform']}, {r['machine']['cores']} cores, "
            f"{_mb(r['machine']['memory_total_bytes'])} RAM, Python {r['machine']['python']}",
            f"- Model: {r['model']}; workers: {r['workers']}",
            f"- Corpus: {r['documents']} short documents (1-4 sentences), JSON Lines, gzip",
            "",
            "| peak RSS, process tree (sampled) | peak RSS, largest process (ru_maxrss) "
            "| tree RSS at 10% / 50% / 100% of output | documents | seconds | documents/s "
            "| exit |",
            "|---:|---:|---:|---:|---:|---:|---:|",
            f"| {_mb(r['peak_tree_rss_bytes'])} | {_mb(r['peak_largest_process_rss_bytes'])} "
            f"| {at} | {r['labelled']} | {r['seconds']} | {r['documents_per_second']} "
            f"| {r['exit_status']} |",
            "",
            f"Target: under {_mb(r['target_bytes'])}; this run {verdict} it.",
            "",
            f"`argmine label` said: {r['summary']}",
            "",
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--model", help="model folder (default: the shipped model)")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--interval", type=float, default=0.25, help="seconds between samples")
    parser.add_argument("--work-dir", help="where the corpus and output go (default: a tmp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the corpus and the output")
    parser.add_argument("--out-dir", default=str(ROOT / "benchmarks" / "results"))
    args = parser.parse_args(argv)
    result = run(args)
    write_record(args.out_dir, "memory", result, markdown(result))
    print(markdown(result))
    return 0 if result["exit_status"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
