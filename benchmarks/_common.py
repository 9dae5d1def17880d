"""What every benchmark script records about where it ran."""

from __future__ import annotations

import argparse
import json
import subprocess
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

#: The figures quality.md's summary and the model card's metrics.json show for each run.
HEADLINE = (
    "unit_macro_f1",
    "unit_macro_f1_two_class",
    "link_f1",
    "ari",
    "arc",
    "root_accuracy",
    "component_f1_100",
    "component_f1_50",
    "relation_f1_100",
    "relation_f1_50",
    "cc",
    "ro",
    "fu",
    "at",
)

#: The model issue's targets: (corpus, split, protocol, figure, minimum, what it is).
#: AbstRCT is reported in two classes (major claims merged into claims), the protocol
#: of Mayer et al. that ANCHORS.md prescribes; the three-class figure is shown beside it.
TARGETS: tuple[tuple[str, str, str, str, float, str], ...] = (
    ("aae2", "test", "gold", "unit_macro_f1", 0.85, "AAE2 test, gold units: macro F1"),
    ("aae2", "test", "gold", "link_f1", 0.70, "AAE2 test, gold units: link F1"),
    (
        "abstrct",
        "neoplasm_test",
        "gold",
        "unit_macro_f1_two_class",
        0.88,
        "AbstRCT neoplasm_test, gold units: macro F1, two classes (Mayer et al.)",
    ),
)


def target_rows(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each target with the measured figure (``None`` when its run is missing).

    Example:
        >>> run = {"corpus": "aae2", "split": "test", "protocol": "gold",
        ...        "result": {"summary": {"unit_macro_f1": 0.86, "link_f1": 0.6}}}
        >>> [(r["metric"], r["met"]) for r in target_rows([run])][:2]
        [('unit_macro_f1', True), ('link_f1', False)]
    """
    found = {(r["corpus"], r["split"], r["protocol"]): r["result"] for r in runs}
    rows = []
    for corpus, split, protocol, metric, minimum, what in TARGETS:
        result = found.get((corpus, split, protocol))
        value = None if result is None else result.get("summary", {}).get(metric)
        rows.append(
            {
                "what": what,
                "metric": metric,
                "target": minimum,
                "measured": value,
                "met": None if value is None else value >= minimum,
            }
        )
    return rows


def write_record(out_dir: str | Path, name: str, record: Any, markdown: str) -> Path:
    """Write a benchmark's ``NAME.json`` and readable ``NAME.md`` to ``out_dir``; returns
    the folder."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    (out / f"{name}.md").write_text(markdown)
    return out


#: Benchmark outputs: changes there do not make a run's code or model differ from HEAD.
RESULTS = "benchmarks/results/"


def git_state() -> dict[str, Any]:
    """HEAD's full hash and the uncommitted changes, outside :data:`RESULTS`, that could
    make a run differ from it (``dirty``; ``None`` when git cannot tell)."""

    def git(*args: str) -> str | None:
        try:
            out = subprocess.run(
                ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True, timeout=30
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return out.stdout

    rev = (git("rev-parse", "HEAD") or "").strip() or "unknown"
    status = git("status", "--porcelain")
    if status is None:
        return {"revision": rev, "dirty": None, "changed": []}
    changed = [line[3:] for line in status.splitlines() if not line[3:].startswith(RESULTS)]
    return {"revision": rev, "dirty": bool(changed), "changed": changed[:20]}


def git_revision() -> str:
    """HEAD's short hash, with ``+dirty`` when :func:`git_state` finds changes."""
    state = git_state()
    if state["revision"] == "unknown":
        return "unknown"
    return state["revision"][:7] + ("+dirty" if state["dirty"] else "")


def run_meta(script: str, argv: list[str] | None) -> dict[str, str]:
    """A record's ``command`` (``python benchmarks/SCRIPT`` and its arguments: ``argv``,
    or the process's when ``None``), ``git_revision`` and ``date``.

    Example:
        >>> run_meta("ensemble.py", ["a", "b c"])["command"]
        "python benchmarks/ensemble.py a 'b c'"
    """
    import datetime as dt
    import shlex
    import sys

    return {
        "command": f"python benchmarks/{script} "
        + shlex.join(sys.argv[1:] if argv is None else argv),
        "git_revision": git_revision(),
        "date": dt.datetime.now(dt.UTC).isoformat(),
    }


def add_precision_option(parser: argparse.ArgumentParser) -> None:
    """``--precision``: the encoder's arithmetic for a benchmark that runs a model."""
    from argmine.nn import PRECISIONS

    parser.add_argument(
        "--precision",
        choices=PRECISIONS,
        default="auto",
        help="encoder arithmetic (auto: bfloat16 where the CPU has it); in float32 the "
        "figures do not depend on whether the CPU has bfloat16",
    )
