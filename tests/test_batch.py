"""``label_corpus`` and ``argmine label`` (issue 6): counts, errors, resume, refusal.

The miner is the untrained one from conftest (deterministic, meaningless labels): these
tests check the batch machinery. Interruptions are simulated by a miner that raises
KeyboardInterrupt after K chunks; the SIGKILL, multi-worker and Ray tests are in
``test_batch_engines.py`` (slow).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from outputs import same
from sample_texts import sample_text

from argmine.batch import (
    LabelSummary,
    OutputCorruptError,
    OutputExistsError,
    add_command,
    label_corpus,
    read_output,
)
from argmine.batch.readers import key_of
from argmine.batch.writers import errors_path, parts_path
from argmine.cli import main
from argmine.errors import InputError

ROOT = Path(__file__).resolve().parents[1]


def _text(i: int) -> str:
    return sample_text(i, 3)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Path], int, int]:
    """Inputs of every kind with bad records: (inputs, input records, bad records)."""
    root = tmp_path_factory.mktemp("corpus")
    folder = root / "texts"
    (folder / "sub").mkdir(parents=True)
    (folder / "one.txt").write_text(_text(0), encoding="utf-8")
    (folder / "sub" / "two.txt.gz").write_bytes(gzip.compress(_text(1).encode()))
    (folder / "latin1.txt").write_bytes("Caf\xe9 au lait.".encode("latin-1"))  # bad
    lines = [json.dumps({"id": f"j{i}", "text": _text(i)}) for i in range(7)]
    lines[2] = '{"id": "j2", "text": '  # bad: cut JSON
    lines[4] = json.dumps({"id": "j4"})  # bad: no text
    lines[5] = json.dumps({"id": "j1", "text": "A duplicate id."})  # bad: duplicate
    lines.insert(6, "")  # blank: not a record
    jsonl = root / "docs.jsonl.gz"
    jsonl.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    table = root / "rows.csv"
    with open(table, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "text"])
        for i in range(10, 12):
            writer.writerow([f"c{i}", _text(i)])
    with open(table, "ab") as f:
        f.write(b"c12,caf\xe9\n")  # bad: not UTF-8
    records = 3 + 7 + 3
    bad = 1 + 3 + 1
    return [folder, jsonl, table], records, bad


PROGRESS: list[tuple[int, int | None]] = []
SUMMARY: list[LabelSummary] = []


@pytest.fixture(scope="module")
def reference(
    corpus: tuple[list[Path], int, int],
    float32_miner: Any,
    tmp_path_factory: pytest.TempPathFactory,
) -> Path:
    """An uninterrupted run (JSON Lines, float32); its summary and progress calls are kept."""
    out = tmp_path_factory.mktemp("ref") / "labels.jsonl"
    SUMMARY.append(
        label_corpus(
            corpus[0],
            out,
            model=float32_miner,
            buffer_size=5,
            progress=lambda done, total: PROGRESS.append((done, total)),
        )
    )
    return out


def _lines(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_counts_add_up_and_every_record_is_somewhere_once(
    corpus: tuple[list[Path], int, int], reference: Path
) -> None:
    inputs, n_records, n_bad = corpus
    docs, errors = _lines(reference), _lines(errors_path(reference))
    assert len(docs) + len(errors) == n_records
    assert len(errors) == n_bad
    keys = [key_of(d["metadata"]) for d in docs] + [key_of(e) for e in errors]
    assert len(set(keys)) == n_records
    ids = [d["id"] for d in docs]
    assert len(set(ids)) == len(ids)
    assert ids[:2] == ["one.txt", "sub/two.txt.gz"] and ids[-1] == "c11"  # input order
    reasons = sorted(e["reason"].split(":")[0] for e in errors)
    assert reasons == [
        "duplicate id 'j1'",
        "not valid JSON",
        "not valid UTF-8",
        "the text field 'text' holds bytes that are not UTF-8 (character 3)",
        "the text field 'text' is missing",
    ]
    # A cut JSON line has no id, only its place.
    assert {k: v for k, v in errors[1].items() if k != "reason"} == {
        "input": str(inputs[1]),
        "line": 3,
    }
    for d in docs:
        assert d["schema_version"] == 1 and d["units"]
        assert d["metadata"]["input"]


def test_summary_counts(corpus: tuple[list[Path], int, int], reference: Path) -> None:
    _, n_records, n_bad = corpus
    (summary,) = SUMMARY
    assert summary.records == n_records == summary.labelled + summary.errors
    assert summary.errors == n_bad and summary.labelled_now == summary.labelled
    assert summary.units_now >= summary.labelled and summary.docs_per_second > 0
    assert summary.errors_file == str(errors_path(reference))
    assert PROGRESS[-1] == (n_records, n_records)
    assert [d for d, _ in PROGRESS] == sorted(d for d, _ in PROGRESS)


class Interrupting:
    """A miner that raises KeyboardInterrupt when asked for chunk number ``k + 1``."""

    def __init__(self, miner: Any, k: int) -> None:
        self.miner, self.k, self.model = miner, k, miner.model

    def pipe(self, docs: Iterable[Any], *, batch_size: int) -> Iterator[Any]:
        if self.k == 0:
            raise KeyboardInterrupt
        self.k -= 1
        return self.miner.pipe(docs, batch_size=batch_size)

    def __call__(self, doc: Any) -> Any:
        return self.miner(doc)


def test_resume_after_an_interruption_equals_an_uninterrupted_run(
    corpus: tuple[list[Path], int, int],
    reference: Path,
    float32_miner: Any,
    tmp_path: Path,
) -> None:
    out = tmp_path / "labels.jsonl"
    with pytest.raises(KeyboardInterrupt):
        label_corpus(
            corpus[0], out, model=Interrupting(float32_miner, 2), buffer_size=4, batch_size=2
        )
    partial = _lines(out)
    assert 0 < len(partial) < len(_lines(reference))
    with open(out, "ab") as f:
        f.write(b'{"schema_version": 1, "id": "half a rec')  # what a crash mid-write leaves
    with pytest.raises(OutputExistsError):
        label_corpus(corpus[0], out, model=float32_miner)
    summary = label_corpus(
        corpus[0], out, model=float32_miner, resume=True, buffer_size=4, batch_size=2
    )
    assert summary.resumed > 0 and summary.records == corpus[1]
    same(_lines(out), _lines(reference))
    assert errors_path(out).read_bytes() == errors_path(reference).read_bytes()
    again = label_corpus(corpus[0], out, model=float32_miner, resume=True)
    assert again.labelled_now == 0 and again.resumed == corpus[1]
    same(_lines(out), _lines(reference))


def test_parquet_output_resumes_from_atomic_parts(
    corpus: tuple[list[Path], int, int], reference: Path, float32_miner: Any, tmp_path: Path
) -> None:
    out = tmp_path / "labels.parquet"
    with pytest.raises(KeyboardInterrupt):
        label_corpus(corpus[0], out, model=Interrupting(float32_miner, 2), buffer_size=4)
    assert not out.exists() and len(list(parts_path(out).glob("part-*.parquet"))) == 2
    (parts_path(out) / "part-000003.parquet.tmp").write_bytes(b"PAR1 cut")  # mid-write
    summary = label_corpus(corpus[0], out, model=float32_miner, resume=True, buffer_size=4)
    assert summary.records == corpus[1] and not parts_path(out).exists()
    same(list(read_output(out)), _lines(reference))
    assert errors_path(out).read_bytes() == errors_path(reference).read_bytes()
    # A finished Parquet output resumed: nothing to do, the same file.
    label_corpus(corpus[0], out, model=float32_miner, resume=True)
    same(list(read_output(out)), _lines(reference))


def test_a_record_the_miner_fails_on_is_an_error_and_the_run_goes_on(
    untrained_miner: Any, tmp_path: Path
) -> None:
    class Failing(Interrupting):
        def pipe(self, docs: Iterable[Any], *, batch_size: int) -> Iterator[Any]:
            docs = list(docs)
            if any("BOOM" in d.text for d in docs):
                raise ValueError("boom")
            return self.miner.pipe(docs, batch_size=batch_size)

        def __call__(self, doc: Any) -> Any:
            if "BOOM" in doc.text:
                raise ValueError("boom")
            return self.miner(doc)

    path = tmp_path / "in.jsonl"
    path.write_text(
        "".join(
            json.dumps({"id": str(i), "text": t}) + "\n"
            for i, t in enumerate(["Fine.", "BOOM here.", "Also fine."])
        )
    )
    summary = label_corpus(path, tmp_path / "o.jsonl", model=Failing(untrained_miner, -1))
    assert (summary.labelled, summary.errors) == (2, 1)
    (err,) = _lines(errors_path(tmp_path / "o.jsonl"))
    assert err == {
        "input": str(path),
        "line": 2,
        "id": "1",
        "reason": "mining failed: ValueError: boom",
    }


def test_existing_output_is_refused_and_overwrite_replaces_it(
    untrained_miner: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('{"text": "One text."}\n', encoding="utf-8")
    out = tmp_path / "o.jsonl"
    out.write_text("precious\n", encoding="utf-8")
    with pytest.raises(OutputExistsError, match=r"--resume .* or --overwrite"):
        label_corpus(src, out, model=untrained_miner)
    assert main(["label", str(src), "-o", str(out), "--model", "unused"]) == 2
    assert "already exists; pass --resume" in capsys.readouterr().err
    assert out.read_text() == "precious\n"
    errors_path(out).write_text("stale\n", encoding="utf-8")
    summary = label_corpus(src, out, model=untrained_miner, overwrite=True)
    assert summary.labelled == 1 and summary.errors_file is None
    assert not errors_path(out).exists() and len(_lines(out)) == 1
    with pytest.raises(InputError, match="not both"):
        label_corpus(src, out, model=untrained_miner, resume=True, overwrite=True)


def test_bad_arguments_are_usage_errors(untrained_miner: Any, tmp_path: Path) -> None:
    src = tmp_path / "in.txt"
    src.write_text("A text.", encoding="utf-8")
    with pytest.raises(InputError, match="no such file"):
        label_corpus([tmp_path / "nope"], tmp_path / "o.jsonl", model=untrained_miner)
    with pytest.raises(InputError, match="compressed output"):
        label_corpus(src, tmp_path / "o.jsonl.gz", model=untrained_miner)
    with pytest.raises(InputError, match="output format"):
        label_corpus(src, tmp_path / "o.txt", model=untrained_miner)
    with pytest.raises(InputError, match="does not exist"):
        label_corpus(src, tmp_path / "no" / "o.jsonl", model=untrained_miner)
    with pytest.raises(InputError, match="loaded Miner"):
        label_corpus(src, tmp_path / "o.jsonl", model=untrained_miner, workers=2)
    with pytest.raises(InputError, match="Unknown precision 'half'; choose one of auto"):
        label_corpus(src, tmp_path / "o.jsonl", model=untrained_miner, precision="half")
    with pytest.raises(InputError, match=r"keeps its own: Miner.load\(path, precision"):
        label_corpus(src, tmp_path / "o.jsonl", model=untrained_miner, precision="float32")
    assert not (tmp_path / "o.jsonl").exists()


def test_precision_reaches_the_model_loaded_from_a_folder(
    untrained_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from argmine.miner import Miner
    from argmine.nn import PRECISIONS

    loaded: list[str] = []
    load = Miner.load.__func__  # type: ignore[attr-defined]

    def spy(cls: type[Miner], path: Any = None, **kwargs: Any) -> Miner:
        miner = load(cls, path, **kwargs)
        loaded.append(miner.precision)
        return miner

    monkeypatch.setattr(Miner, "load", classmethod(spy))
    src = tmp_path / "in.txt"
    src.write_text("Cities should ban cars. Cars pollute.", encoding="utf-8")
    for i, precision in enumerate(("float32", None)):
        label_corpus(src, tmp_path / f"o{i}.jsonl", model=untrained_model_dir, precision=precision)
    assert loaded == ["float32", "auto"]
    # argmine label offers the choices the encoder accepts, read without importing torch.
    sub = argparse.ArgumentParser().add_subparsers()
    add_command(sub)
    action = next(a for a in sub.choices["label"]._actions if a.dest == "precision")
    assert tuple(action.choices or ()) == PRECISIONS and action.default is None


def test_a_corrupt_middle_line_is_not_mistaken_for_a_crash(
    untrained_miner: Any, tmp_path: Path
) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('{"text": "One."}\n{"text": "Two."}\n', encoding="utf-8")
    out = tmp_path / "o.jsonl"
    label_corpus(src, out, model=untrained_miner)
    first, second = out.read_text(encoding="utf-8").splitlines()
    out.write_text(first[:10] + "\n" + second + "\n", encoding="utf-8")
    with pytest.raises(OutputCorruptError, match="line 1"):
        label_corpus(src, out, model=untrained_miner, resume=True)


def test_the_output_is_never_read_as_an_input(untrained_miner: Any, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("A text.", encoding="utf-8")
    out = tmp_path / "labels.jsonl"
    label_corpus(tmp_path, out, model=untrained_miner)
    summary = label_corpus(tmp_path, out, model=untrained_miner, resume=True)
    assert summary.records == 1


def test_cli_exit_status_follows_errors(
    untrained_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "a", "text": "Cars pollute."}\n{"id": "b"}\n', encoding="utf-8")
    out = tmp_path / "o.jsonl"
    args = ["label", str(src), "-o", str(out), "--model", str(untrained_model_dir), "--no-progress"]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "2 records: 1 labelled" in err and "1 errors" in err and "--allow-errors" in err
    assert main([*args, "--resume", "--allow-errors"]) == 0
    assert "2 records (2 done by an earlier run)" in capsys.readouterr().err
    assert Counter(d["id"] for d in _lines(out)) == {"a": 1}


def test_a_second_job_on_the_same_output_is_refused(untrained_miner: Any, tmp_path: Path) -> None:
    import fcntl

    src = tmp_path / "in.jsonl"
    src.write_text('{"text": "One."}\n', encoding="utf-8")
    out = tmp_path / "o.jsonl"
    label_corpus(src, out, model=untrained_miner)
    with open(out, "rb") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a running job does
        with pytest.raises(OutputExistsError, match="Another argmine label is writing"):
            label_corpus(src, out, model=untrained_miner, resume=True)
    assert label_corpus(src, out, model=untrained_miner, resume=True).resumed == 1


def test_an_id_taken_by_a_record_that_failed_stays_taken_after_resume(
    untrained_miner: Any, tmp_path: Path
) -> None:
    class FailingThenInterrupted(Interrupting):
        def pipe(self, docs: Iterable[Any], *, batch_size: int) -> Iterator[Any]:
            docs = list(docs)
            if any("BOOM" in d.text for d in docs):
                raise ValueError("boom")
            return super().pipe(docs, batch_size=batch_size)

        def __call__(self, doc: Any) -> Any:
            if "BOOM" in doc.text:
                raise ValueError("boom")
            return self.miner(doc)

    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "x", "text": "BOOM."}\n{"id": "x", "text": "Fine."}\n')
    ref = tmp_path / "ref.jsonl"
    label_corpus(src, ref, model=FailingThenInterrupted(untrained_miner, -1), buffer_size=1)
    out = tmp_path / "o.jsonl"
    with pytest.raises(KeyboardInterrupt):
        label_corpus(src, out, model=FailingThenInterrupted(untrained_miner, 0), buffer_size=1)
    label_corpus(src, out, model=untrained_miner, resume=True, buffer_size=1)
    assert [e["reason"][:13] for e in _lines(errors_path(out))] == [
        "mining failed",
        "duplicate id ",
    ]
    assert errors_path(out).read_bytes() == errors_path(ref).read_bytes()
    assert out.read_bytes() == ref.read_bytes() == b""
