"""Input readers of ``argmine label`` (issue 6): every format, gzip, bad records.

No model here: these tests check what records come out of which bytes.
"""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from argmine.batch.readers import (
    FileEntry,
    Record,
    count_records,
    input_format_of,
    iter_files,
    read_records,
)
from argmine.errors import InputError

JSONL = (
    b'{"id": "a", "text": "We should act. It is late."}\n'
    b"\n"  # blank: not a record
    b"{not json}\n"
    b'{"id": "b"}\n'
    b'{"id": "c", "text": 5}\n'
    b'{"id": 7, "text": "Seven."}\n'
    b'{"text": "No id."}\n'
    b'{"id": "d", "text": "caf\xe9 latin-1"}\n'
    b'["an", "array"]\n'
    b'{"id": true, "text": "Bool id."}\n'
    b'{"id": "e", "text": null}\n'
    b'{"id": "f", "text": "Lone \\ud800 surrogate."}\n'
    b'{"id": "g", "body": "Other field."}\n'
)


def _records(path: Path, **kwargs: object) -> list[Record]:
    return list(read_records([path], **kwargs))  # type: ignore[arg-type]


def _check_jsonl(recs: list[Record], name: str) -> None:
    by_line = {r.n: r for r in recs}
    assert sorted(by_line) == [1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]
    assert all(r.input == name and r.unit == "line" for r in recs)
    assert (by_line[1].id, by_line[1].text, by_line[1].error) == (
        "a",
        "We should act. It is late.",
        None,
    )
    assert by_line[3].error is not None and "not valid JSON" in by_line[3].error
    assert by_line[4].id == "b" and "'text' is missing" in (by_line[4].error or "")
    assert "is a number, not a string" in (by_line[5].error or "")
    assert (by_line[6].id, by_line[6].text) == ("7", "Seven.")
    assert (by_line[7].id, by_line[7].text) == (f"{name}:7", "No id.")
    assert "not valid UTF-8" in (by_line[8].error or "")
    assert "not a JSON object" in (by_line[9].error or "")
    assert "'id' is a boolean" in (by_line[10].error or "")
    assert "is empty (null)" in (by_line[11].error or "")
    assert "surrogate" in (by_line[12].error or "")
    assert "'text' is missing" in (by_line[13].error or "")


def test_jsonl_records_and_every_kind_of_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(JSONL)
    recs = _records(path)
    _check_jsonl(recs, str(path))
    assert count_records(_entry(path)) == len(recs)
    errors = [r.error_dict() for r in recs if r.error]
    assert errors[0] == {
        "input": str(path),
        "line": 3,
        "reason": "not valid JSON: Expecting property name enclosed in double quotes (column 2)",
    }
    assert json.loads(json.dumps(errors)) == errors  # the errors file can hold them


def test_gzip_jsonl_gives_the_same_records(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl.gz"
    path.write_bytes(gzip.compress(JSONL))
    _check_jsonl(_records(path), str(path))
    assert count_records(_entry(path)) == 12


def test_text_and_id_fields_are_configurable(tmp_path: Path) -> None:
    path = tmp_path / "in.ndjson"
    path.write_text('{"key": "k1", "body": "Hello."}\n', encoding="utf-8")
    (rec,) = _records(path, text_field="body", id_field="key")
    assert (rec.id, rec.text) == ("k1", "Hello.")


def test_csv_tsv_and_gzip(tmp_path: Path) -> None:
    data = (
        b"id,text,extra\n"
        b'r1,"A first, quoted text.",x\n'
        b'r2,"Two\nlines.",y\n'
        b",No id.,z\n"
        b"r4\n"
        b"r5,caf\xe9,w\n"
        b"r6,Fine again.,v\n"
    )
    csv_path = tmp_path / "in.csv"
    csv_path.write_bytes(data)
    gz_path = tmp_path / "in.csv.gz"
    gz_path.write_bytes(gzip.compress(data))
    for path in (csv_path, gz_path):
        recs = _records(path)
        assert [r.n for r in recs] == [1, 2, 3, 4, 5, 6]
        assert all(r.unit == "row" for r in recs)
        assert [(r.id, r.text) for r in recs if r.error is None] == [
            ("r1", "A first, quoted text."),
            ("r2", "Two\nlines."),
            (f"{path}:3", "No id."),
            ("r6", "Fine again."),
        ]
        assert "'text' is missing" in (recs[3].error or "")
        assert "not UTF-8" in (recs[4].error or "")
        assert recs[4].id == "r5"
        assert count_records(_entry(path)) == 6
    tsv = tmp_path / "in.tsv"
    tsv.write_text("text\tid\nTabbed text.\tt1\n", encoding="utf-8")
    assert [(r.id, r.text) for r in _records(tsv)] == [("t1", "Tabbed text.")]


def test_csv_without_the_text_column_gives_one_error_per_row(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("id,body\n1,a\n2,b\n", encoding="utf-8")
    recs = _records(path)
    assert [r.n for r in recs] == [1, 2]
    assert all("no 'text' column (columns: id, body)" in (r.error or "") for r in recs)


def test_parquet_and_gzip_parquet(tmp_path: Path) -> None:
    table = pa.table(
        {"id": pa.array([1, 2, None, 4]), "text": pa.array(["One.", None, "Three.", "Four."])}
    )
    path = tmp_path / "in.parquet"
    pq.write_table(table, path)
    gz = tmp_path / "in.parquet.gz"
    gz.write_bytes(gzip.compress(path.read_bytes()))
    for p in (path, gz):
        recs = _records(p)
        assert [(r.n, r.id, r.text) for r in recs if r.error is None] == [
            (1, "1", "One."),
            (3, f"{p}:3", "Three."),
            (4, "4", "Four."),
        ]
        assert recs[1].n == 2 and "is empty (null)" in (recs[1].error or "")
        assert count_records(_entry(p)) == 4
    other = tmp_path / "ints.parquet"
    pq.write_table(pa.table({"text": pa.array([1, 2])}), other)
    assert all("a number, not a string" in (r.error or "") for r in _records(other))
    nocol = tmp_path / "nocol.parquet"
    pq.write_table(pa.table({"body": pa.array(["x", "y", "z"])}), nocol)
    assert [r.n for r in _records(nocol)] == [1, 2, 3]
    assert all("no 'text' column" in (r.error or "") for r in _records(nocol))
    binary = tmp_path / "binary.parquet"
    pq.write_table(pa.table({"text": pa.array([b"ok bytes", b"\xff"])}), binary)
    recs = _records(binary)
    assert recs[0].text == "ok bytes" and "not valid UTF-8" in (recs[1].error or "")


def test_text_folders_are_walked_sorted_with_relative_ids(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    (root / "b").mkdir(parents=True)
    (root / ".hidden").mkdir()
    (root / "z.txt").write_text("Last.", encoding="utf-8")
    (root / "b" / "a.md").write_text("\ufeffWith a BOM.", encoding="utf-8")
    (root / "a.txt.gz").write_bytes(gzip.compress(b"Compressed text."))
    (root / ".hidden" / "x.txt").write_text("skipped", encoding="utf-8")
    (root / ".DS_Store").write_bytes(b"\x00\x01")
    (root / "bad.txt").write_bytes(b"caf\xe9")
    (root / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (root / "gone.txt").symlink_to(root / "missing-target")
    (root / "c.jsonl").write_text('{"id": "j", "text": "From JSONL."}\n', encoding="utf-8")
    recs = _records(root)
    assert [r.id for r in recs] == [
        "a.txt.gz",
        "b/a.md",
        "bad.txt",
        "j",
        "gone.txt",
        "image.png",
        "z.txt",
    ]
    good = {r.id: r.text for r in recs if r.error is None}
    assert good == {
        "a.txt.gz": "Compressed text.",
        "b/a.md": "With a BOM.",
        "j": "From JSONL.",
        "z.txt": "Last.",
    }
    bad = {r.input: r.error or "" for r in recs if r.error}
    assert "not valid UTF-8" in bad[os.path.join(str(root), "bad.txt")]
    assert "cannot read file" in bad[os.path.join(str(root), "gone.txt")]
    assert "binary file" in bad[os.path.join(str(root), "image.png")]
    assert all(r.n == 0 and r.unit == "file" for r in recs if r.id != "j")
    # A text file named directly: its id is the path as given.
    (rec,) = _records(root / "z.txt")
    assert rec.id == str(root / "z.txt")


def test_a_file_that_fails_part_way_reports_the_rest(tmp_path: Path) -> None:
    lines = b"".join(b'{"id": "%d", "text": "Text %d."}\n' % (i, i) for i in range(2000))
    path = tmp_path / "cut.jsonl.gz"
    whole = gzip.compress(lines)
    path.write_bytes(whole[: len(whole) // 2])  # a truncated download
    recs = _records(path)
    assert recs[-1].error is not None and "cannot read the file after line" in recs[-1].error
    assert recs[-1].n == len(recs)  # the line after the last one read
    assert all(r.error is None for r in recs[:-1])
    broken = tmp_path / "broken.jsonl.gz"
    broken.write_bytes(b"not gzip at all")
    (rec,) = _records(broken)
    assert rec.n == 0 and "cannot read file" in (rec.error or "")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_a_file_without_read_permission_is_an_error_record(tmp_path: Path) -> None:
    path = tmp_path / "secret.txt"
    path.write_text("x", encoding="utf-8")
    path.chmod(0)
    (rec,) = _records(tmp_path)
    assert "Permission denied" in (rec.error or "")


def test_missing_inputs_and_files_named_twice_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        list(iter_files([tmp_path / "nope.jsonl"]))
    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="named twice"):
        list(iter_files([tmp_path, tmp_path / "a.txt"]))
    with pytest.raises(InputError, match="Unknown input format"):
        list(iter_files([tmp_path], input_format="xml"))


def test_format_by_suffix_and_forced_format(tmp_path: Path) -> None:
    assert input_format_of("x.PARQUET") == ("parquet", False)
    assert input_format_of("x.tsv.gz") == ("tsv", True)
    assert input_format_of("x.json") == ("text", False)
    path = tmp_path / "records.json"
    path.write_text('{"text": "Forced."}\n', encoding="utf-8")
    (rec,) = _records(path, input_format="jsonl")
    assert rec.text == "Forced."


def _entry(path: Path) -> FileEntry:
    (entry,) = iter_files([path])
    assert isinstance(entry, FileEntry)
    return entry
