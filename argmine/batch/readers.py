"""Input readers for batch labelling: files and folders -> a stream of records.

Every input record becomes one :class:`Record`, in input order: a document to mine, or
an error (``record.error`` says why) that the job writes to ``OUTPUT.errors.jsonl``.
Nothing is listed in memory: folders are walked lazily, files are read line by line
(JSON Lines, CSV) or in row batches (Parquet).

Formats, by suffix (``.gz`` versions too, or forced with ``input_format``):

* ``.jsonl``, ``.ndjson``, ``.jsonlines``: one JSON object per line; blank lines are not
  records. The text is ``obj[text_field]``, the id ``obj[id_field]`` (a string or an
  integer), else ``FILE:LINE``.
* ``.csv`` (``.tsv``: tab-separated): a header row, then one record per row; the same
  fields; the fallback id is ``FILE:ROW`` (rows counted from 1 after the header).
* ``.parquet``, ``.pq``: the same, per row.
* anything else: a text file, one document; its id is the path relative to the folder
  given (or the path as given, for a file named directly).

Folders are walked recursively in path order; names starting with ``.`` are skipped,
and every file is read by its suffix.

Example:
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.jsonl").write_text('{"id": "x", "text": "Hi."}\\nnot json\\n')
    >>> for rec in read_records([folder / "a.jsonl"]):
    ...     print(rec.n, repr(rec.id), rec.text, rec.error)
    1 'x' Hi. None
    2 '' None not valid JSON: Expecting value (column 1)
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

from argmine.errors import InputError

TEXT, JSONL, CSV, TSV, PARQUET = "text", "jsonl", "csv", "tsv", "parquet"
#: The input formats ``input_format`` accepts.
INPUT_FORMATS: tuple[str, ...] = (TEXT, JSONL, CSV, TSV, PARQUET)
_SUFFIXES = {
    ".jsonl": JSONL,
    ".ndjson": JSONL,
    ".jsonlines": JSONL,
    ".csv": CSV,
    ".tsv": TSV,
    ".parquet": PARQUET,
    ".pq": PARQUET,
}
#: What a record number counts, per format (``file`` for a whole-file record).
_UNIT = {TEXT: "file", JSONL: "line", CSV: "row", TSV: "row", PARQUET: "row"}
_BOM = codecs.BOM_UTF8
#: A NUL byte in a text file's first bytes means it is binary (an image, a PDF...).
_BINARY_SNIFF = 8192
#: Rows per Parquet read batch.
_PARQUET_BATCH = 1024

#: ``(input, n)``: what identifies a record across runs (for ``--resume``).
Key = tuple[str, int]


@dataclass(frozen=True, slots=True)
class Record:
    """One input record: a document to mine, or an error.

    ``input`` names the file (as given on the command line, or joined to the folder
    given); ``n`` is its line (JSON Lines) or row (CSV, Parquet) number counted from 1,
    or 0 for a whole file, which ``unit`` names (``line``, ``row`` or ``file``).
    """

    input: str
    n: int
    unit: str
    id: str = ""
    text: str | None = None
    error: str | None = None

    @property
    def key(self) -> Key:
        """``(input, n)``: unique per record, stable across runs of the same command
        (the input path normalised, so ``./x.jsonl`` and ``x.jsonl`` are one input)."""
        return (_norm_input(self.input), self.n)

    def location(self) -> dict[str, Any]:
        """``{"input": ..., "line"|"row": n}`` (no number for a whole file)."""
        out: dict[str, Any] = {"input": self.input}
        if self.unit != "file":
            out[self.unit] = self.n
        return out

    def error_dict(self) -> dict[str, Any]:
        """The line this record gets in ``OUTPUT.errors.jsonl``."""
        out = self.location()
        if self.id:
            out["id"] = self.id
        out["reason"] = self.error or ""
        return out


def _norm_input(path: str) -> str:
    return os.path.normpath(os.path.abspath(path)) if path else path


def key_of(data: dict[str, Any]) -> Key:
    """The :attr:`Record.key` of an output document's metadata or an error line."""
    n = data.get("line", data.get("row", 0))
    return (_norm_input(str(data.get("input", ""))), int(n) if isinstance(n, int) else 0)


@dataclass(frozen=True, slots=True)
class FileEntry:
    """A file to read: its path, its name in outputs, its format, its id as a document."""

    path: Path
    name: str
    format: str
    compressed: bool
    doc_id: str


def input_format_of(name: str) -> tuple[str, bool]:
    """``(format, gzip-compressed)`` from a file name's suffixes.

    Example:
        >>> input_format_of("a/b.JSONL.gz"), input_format_of("notes.txt")
        (('jsonl', True), ('text', False))
    """
    lower = name.lower()
    compressed = lower.endswith(".gz")
    if compressed:
        lower = lower[:-3]
    return _SUFFIXES.get(os.path.splitext(lower)[1], TEXT), compressed


def iter_files(
    inputs: Iterable[str | os.PathLike[str]],
    *,
    input_format: str | None = None,
    exclude: Collection[Path] = (),
) -> Iterator[FileEntry | Record]:
    """The files to read, in order (folders walked lazily and sorted), or error records.

    ``exclude`` lists resolved paths never to read (the job's own output files).
    Raises :class:`~argmine.errors.InputError` for an input that does not exist, a
    file named twice, or an unknown ``input_format``.
    """
    if input_format is not None and input_format not in INPUT_FORMATS:
        raise InputError(
            f"Unknown input format {input_format!r}; choose one of {', '.join(INPUT_FORMATS)}."
        )
    seen: set[Path] = set()

    def entry(path: Path, name: str, doc_id: str) -> FileEntry | None:
        real = path.resolve()
        if real in exclude or any(parent in exclude for parent in real.parents):
            return None
        if real in seen:
            raise InputError(f"{name} is named twice in the inputs; its ids would repeat.")
        seen.add(real)
        fmt, compressed = input_format_of(path.name)
        return FileEntry(path, name, input_format or fmt, compressed, doc_id)

    for arg in inputs:
        given = os.fspath(arg)
        path = Path(given)
        if path.is_dir():
            for full, error in _walk(path):
                if error is not None:
                    yield Record(str(full), 0, "file", error=f"cannot list folder: {error}")
                    continue
                rel = full.relative_to(path).as_posix()
                item = entry(full, os.path.join(given, rel), rel)
                if item is not None:
                    yield item
        elif path.exists():
            item = entry(path, given, given)
            if item is not None:
                yield item
        else:
            raise InputError(f"{given}: no such file or folder.")


def _walk(folder: Path) -> Iterator[tuple[Path, str | None]]:
    """Files under ``folder`` in path order (``b/a`` between ``a`` and ``bad``), lazily;
    ``(path, reason)`` for a folder that cannot be listed. Hidden names are skipped."""
    try:
        with os.scandir(folder) as it:
            entries = sorted((e for e in it if not e.name.startswith(".")), key=lambda e: e.name)
    except OSError as e:
        yield folder, e.strerror or str(e)
        return
    for item in entries:
        try:
            is_dir = item.is_dir()
        except OSError:
            is_dir = False
        if is_dir:
            yield from _walk(Path(item.path))
        else:
            yield Path(item.path), None


def read_records(
    inputs: Iterable[str | os.PathLike[str]],
    *,
    text_field: str = "text",
    id_field: str = "id",
    input_format: str | None = None,
    exclude: Collection[Path] = (),
) -> Iterator[Record]:
    """Every record of every input, in order (see the module docstring for formats)."""
    for item in iter_files(inputs, input_format=input_format, exclude=exclude):
        if isinstance(item, Record):
            yield item
        else:
            yield from read_file(item, text_field=text_field, id_field=id_field)


def read_file(
    entry: FileEntry, *, text_field: str = "text", id_field: str = "id"
) -> Iterator[Record]:
    """The records of one file; a file that fails part-way gives an error record for
    the rest (``n`` = the next line or row), one that cannot be read at all a single
    whole-file error record."""
    unit = _UNIT[entry.format]
    last = 0
    try:
        if entry.format == TEXT:
            readers: Iterator[Record] = _read_text(entry)
        elif entry.format == JSONL:
            readers = _read_jsonl(entry, text_field, id_field)
        elif entry.format in (CSV, TSV):
            readers = _read_csv(entry, text_field, id_field)
        else:
            readers = _read_parquet(entry, text_field, id_field)
        for rec in readers:
            last = rec.n
            yield rec
    except Exception as e:  # one bad file must not stop the job: report it and go on
        reason = _describe(e)
        if last == 0:
            yield Record(
                entry.name,
                0,
                "file",
                id=entry.doc_id if entry.format == TEXT else "",
                error=f"cannot read file: {reason}",
            )
        else:
            yield Record(
                entry.name,
                last + 1,
                unit,
                error=f"cannot read the file after {unit} {last}: {reason}",
            )


def count_records(entry: FileEntry) -> int:
    """How many records :func:`read_file` will give (cheaply: no JSON parsing); for
    the progress bar's total. A file that cannot be read counts as one."""
    try:
        if entry.format == TEXT:
            return 1
        if entry.format == JSONL:
            with _open_binary(entry) as f:
                return sum(1 for raw in f if raw.strip())
        if entry.format in (CSV, TSV):
            with _open_csv_text(entry) as f:
                reader = csv.reader(f, delimiter="\t" if entry.format == TSV else ",")
                return max(0, sum(1 for _ in reader) - 1)
        import pyarrow.parquet as pq

        with _parquet_source(entry) as source:
            return int(pq.ParquetFile(source).metadata.num_rows)
    except Exception:
        return 1


# -- formats ---------------------------------------------------------------------------


def _open_binary(entry: FileEntry) -> IO[bytes]:
    if entry.compressed:
        return cast(IO[bytes], gzip.open(entry.path, "rb"))
    return open(entry.path, "rb")


def _read_text(entry: FileEntry) -> Iterator[Record]:
    with _open_binary(entry) as f:
        data = f.read()
    nul = data.find(b"\x00", 0, _BINARY_SNIFF)
    if nul >= 0:
        yield Record(
            entry.name,
            0,
            "file",
            id=entry.doc_id,
            error=f"looks like a binary file (a NUL byte at offset {nul})",
        )
        return
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        yield Record(entry.name, 0, "file", id=entry.doc_id, error=_bad_utf8(data, e))
        return
    yield Record(entry.name, 0, "file", id=entry.doc_id, text=text)


def _read_jsonl(entry: FileEntry, text_field: str, id_field: str) -> Iterator[Record]:
    with _open_binary(entry) as f:
        for n, raw in enumerate(f, 1):
            if n == 1 and raw.startswith(_BOM):
                raw = raw[len(_BOM) :]
            if not raw.strip():
                continue
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as e:
                yield Record(entry.name, n, "line", error=_bad_utf8(raw, e))
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                yield Record(
                    entry.name, n, "line", error=f"not valid JSON: {e.msg} (column {e.colno})"
                )
                continue
            if not isinstance(obj, dict):
                yield Record(
                    entry.name, n, "line", error=f"not a JSON object but {_json_type(obj)}"
                )
                continue
            yield _make(
                entry.name,
                n,
                "line",
                obj.get(text_field),
                obj.get(id_field),
                text_field,
                id_field,
                has_text=text_field in obj,
            )


def _open_csv_text(entry: FileEntry) -> IO[str]:
    # surrogateescape keeps going past bytes that are not UTF-8; _make reports the row.
    raw = _open_binary(entry)
    return io.TextIOWrapper(raw, encoding="utf-8-sig", errors="surrogateescape", newline="")


def _read_csv(entry: FileEntry, text_field: str, id_field: str) -> Iterator[Record]:
    if csv.field_size_limit() < sys.maxsize // 2:  # a document is one field: no limit
        csv.field_size_limit(_max_field_size())
    with _open_csv_text(entry) as f:
        reader = csv.reader(f, delimiter="\t" if entry.format == TSV else ",")
        try:
            header = next(reader)
        except StopIteration:
            return
        columns = {name: i for i, name in reversed(list(enumerate(header)))}
        t_col, i_col = columns.get(text_field), columns.get(id_field)
        n = 0
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as e:
                n += 1
                yield Record(entry.name, n, "row", error=f"not valid CSV: {e}")
                continue
            n += 1
            if t_col is None:
                yield Record(
                    entry.name,
                    n,
                    "row",
                    id=_id_or(row, i_col),
                    error=f"no {text_field!r} column (columns: {', '.join(header)})",
                )
                continue
            text = row[t_col] if t_col < len(row) else None
            rid = row[i_col] if i_col is not None and i_col < len(row) else None
            yield _make(
                entry.name, n, "row", text, rid, text_field, id_field, has_text=text is not None
            )


def _id_or(row: list[str], col: int | None) -> str:
    value = row[col] if col is not None and col < len(row) else ""
    return value if _utf8_ok(value) else ""


def _max_field_size() -> int:
    limit = sys.maxsize
    while True:  # the C long behind field_size_limit is 32 bits on some platforms
        try:
            csv.field_size_limit(limit)
            return limit
        except OverflowError:
            limit //= 2


class _parquet_source:
    """A seekable source for pyarrow: the file, or a temporary copy decompressed."""

    def __init__(self, entry: FileEntry) -> None:
        self.entry = entry
        self.tmp: IO[bytes] | None = None

    def __enter__(self) -> Any:
        if not self.entry.compressed:
            return str(self.entry.path)
        self.tmp = tempfile.TemporaryFile()
        with gzip.open(self.entry.path, "rb") as f:
            shutil.copyfileobj(f, self.tmp, 1 << 20)
        self.tmp.seek(0)
        return self.tmp

    def __exit__(self, *exc: object) -> None:
        if self.tmp is not None:
            self.tmp.close()


def _read_parquet(entry: FileEntry, text_field: str, id_field: str) -> Iterator[Record]:
    import pyarrow.parquet as pq

    with _parquet_source(entry) as source:
        pf = pq.ParquetFile(source)
        names = pf.schema_arrow.names
        if text_field not in names:
            for n in range(1, pf.metadata.num_rows + 1):
                yield Record(
                    entry.name,
                    n,
                    "row",
                    error=f"no {text_field!r} column (columns: {', '.join(names)})",
                )
            return
        columns = [text_field] + ([id_field] if id_field in names else [])
        n = 0
        for batch in pf.iter_batches(batch_size=_PARQUET_BATCH, columns=columns):
            texts = batch.column(0).to_pylist()
            ids = batch.column(1).to_pylist() if len(columns) > 1 else [None] * len(texts)
            for text, rid in zip(texts, ids, strict=True):
                n += 1
                if isinstance(text, bytes):
                    try:
                        text = text.decode("utf-8")
                    except UnicodeDecodeError as e:
                        yield Record(entry.name, n, "row", error=_bad_utf8(text, e))
                        continue
                yield _make(entry.name, n, "row", text, rid, text_field, id_field, has_text=True)


# -- fields ----------------------------------------------------------------------------


def _make(
    name: str,
    n: int,
    unit: str,
    text: Any,
    rid: Any,
    text_field: str,
    id_field: str,
    *,
    has_text: bool,
) -> Record:
    """A record from a text and an id value, or an error record saying what is wrong."""
    fallback = f"{name}:{n}"
    if rid is None or rid == "":
        doc_id = fallback
    elif isinstance(rid, bool) or not isinstance(rid, str | int):
        return Record(
            name, n, unit, error=f"{id_field!r} is {_json_type(rid)}, not a string or an integer"
        )
    else:
        doc_id = str(rid)
        if not _utf8_ok(doc_id):
            return Record(name, n, unit, error=f"{id_field!r} is not valid UTF-8 text")
    if text is None:
        what = "is empty (null)" if has_text else "is missing"
        return Record(name, n, unit, id=doc_id, error=f"the text field {text_field!r} {what}")
    if not isinstance(text, str):
        return Record(
            name,
            n,
            unit,
            id=doc_id,
            error=f"the text field {text_field!r} is {_json_type(text)}, not a string",
        )
    if not _utf8_ok(text):
        bad = next(i for i, c in enumerate(text) if "\ud800" <= c <= "\udfff")
        what = "bytes that are not UTF-8" if unit == "row" else "an unpaired surrogate escape"
        return Record(
            name,
            n,
            unit,
            id=doc_id,
            error=f"the text field {text_field!r} holds {what} (character {bad})",
        )
    return Record(name, n, unit, id=doc_id, text=text)


def _utf8_ok(s: str) -> bool:
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _bad_utf8(data: bytes, e: UnicodeDecodeError) -> str:
    return (
        f"not valid UTF-8: byte {data[e.start : e.start + 1]!r} at offset {e.start}; "
        "convert the file to UTF-8 (e.g. iconv -f latin1 -t utf-8)"
    )


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, str):
        return "a string"
    return f"a {type(value).__name__}"


def _describe(e: BaseException) -> str:
    if isinstance(e, OSError) and e.strerror:
        return e.strerror
    return f"{type(e).__name__}: {e}" if str(e) else type(e).__name__


__all__ = [
    "INPUT_FORMATS",
    "FileEntry",
    "Key",
    "Record",
    "count_records",
    "input_format_of",
    "iter_files",
    "key_of",
    "read_file",
    "read_records",
]
