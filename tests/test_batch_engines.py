"""``argmine label`` across processes (issue 6), all slow: a SIGKILL then ``--resume``,
``--workers 2`` against one worker, and the Ray engine against the local one.

The Ray test needs ``pip install 'argmine[ray]'``; it skips without Ray, except under CI
(env CI set), where a missing Ray is a failure.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from outputs import same
from sample_texts import SENTENCES, sample_text

from argmine.batch import label_corpus, read_output
from argmine.batch.writers import errors_path

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
IN_CI = bool(os.environ.get("CI"))


def _write_corpus(folder: Path, n: int) -> list[Path]:
    """A JSONL file of ``n`` short documents (two bad lines), plus a text folder."""
    lines = []
    for i in range(n):
        text = sample_text(i, 4)
        lines.append(json.dumps({"id": f"d{i}", "text": text}))
    lines[5] = "{broken"
    lines[9] = json.dumps({"id": "d9", "text": None})
    jsonl = folder / "docs.jsonl"
    jsonl.write_text("\n".join(lines) + "\n", encoding="utf-8")
    texts = folder / "texts"
    texts.mkdir()
    for i in range(3):
        (texts / f"t{i}.txt").write_text(" ".join(SENTENCES[i : i + 3]), encoding="utf-8")
    return [texts, jsonl]


@pytest.fixture(scope="module")
def engine_corpus(
    tmp_path_factory: pytest.TempPathFactory, float32_miner: Any
) -> tuple[list[Path], Path]:
    """The inputs and an uninterrupted one-worker run of them, in float32 (the runs
    compared with it are asked for float32 too: see ``float32_miner``)."""
    folder = tmp_path_factory.mktemp("engines")
    inputs = _write_corpus(folder, 40)
    ref = folder / "reference.jsonl"
    label_corpus(inputs, ref, model=float32_miner)
    return inputs, ref


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "argmine", "label", *args, "--no-progress"]


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_sigkill_then_resume_gives_every_record_exactly_once(
    engine_corpus: tuple[list[Path], Path], untrained_model_dir: Path, tmp_path: Path
) -> None:
    inputs, ref = engine_corpus
    out = tmp_path / "labels.jsonl"
    args = _cli(
        *map(str, inputs),
        "-o",
        str(out),
        "--model",
        str(untrained_model_dir),
        "--buffer-size",
        "4",
        "--batch-size",
        "2",
        "--precision",
        "float32",
        "--allow-errors",
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    proc = subprocess.Popen(args, env=env, cwd=ROOT, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None:
        if out.exists() and out.read_bytes().count(b"\n") >= 8:
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the run ended before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    killed_at = out.read_bytes().count(b"\n")
    assert 8 <= killed_at < len(_lines(ref))
    done = subprocess.run(
        [*args, "--resume"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    assert "done by an earlier run" in done.stderr
    ids = [d["id"] for d in _lines(out)]
    assert len(ids) == len(set(ids)) == len(_lines(ref))
    same(_lines(out), _lines(ref))
    assert errors_path(out).read_bytes() == errors_path(ref).read_bytes()


def test_two_workers_give_the_same_output_as_one(
    engine_corpus: tuple[list[Path], Path], untrained_model_dir: Path, tmp_path: Path
) -> None:
    inputs, ref = engine_corpus
    out = tmp_path / "labels.jsonl"
    summary = label_corpus(
        inputs, out, model=untrained_model_dir, workers=2, buffer_size=8, precision="float32"
    )
    assert summary.records == len(_lines(ref)) + 2
    same(_lines(out), _lines(ref))
    assert errors_path(out).read_bytes() == errors_path(ref).read_bytes()


def test_ray_engine_gives_the_same_output_as_the_local_one(
    engine_corpus: tuple[list[Path], Path], untrained_model_dir: Path, tmp_path: Path
) -> None:
    try:
        import ray
    except ImportError:
        if IN_CI:
            pytest.fail("Ray is missing: pip install 'argmine[ray]'")
        pytest.skip("Ray is not installed (pip install 'argmine[ray]')")
    inputs, ref = engine_corpus
    out = tmp_path / "labels.parquet"
    ray.init(num_cpus=2, include_dashboard=False, logging_level=logging.WARNING)
    try:
        summary = label_corpus(
            inputs,
            out,
            model=untrained_model_dir,
            engine="ray",
            buffer_size=16,
            precision="float32",
        )
    finally:
        ray.shutdown()
    assert summary.records == len(_lines(ref)) + 2 and summary.errors == 2
    same(list(read_output(out)), _lines(ref))  # the same documents in the same order
    assert errors_path(out).read_bytes() == errors_path(ref).read_bytes()
