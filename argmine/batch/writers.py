"""Crash-safe outputs for batch labelling: JSON Lines or Parquet, plus an errors file.

Layout on disk, for ``OUTPUT``:

* ``OUTPUT`` (``.jsonl``): one :meth:`Document.to_dict <argmine.Document.to_dict>` per
  line, in input order. Each chunk of lines is appended whole and fsynced, so a crash
  (Ctrl-C, SIGKILL, power loss) leaves complete lines and at most one partial last
  line, which ``--resume`` cuts off.
* ``OUTPUT`` (``.parquet``): while the job runs, parts ``OUTPUT.parts/part-000001.parquet``
  ... each written under a temporary name, fsynced and renamed (atomic); at the end they
  are merged, in order, into ``OUTPUT`` (written as ``OUTPUT.tmp``, then renamed) and the
  parts folder is removed. Columns are the keys of ``Document.to_dict``, with
  ``metadata`` as a JSON string (its content is free-form).
* ``OUTPUT.errors.jsonl``: one line per record that could not be processed: ``input``,
  ``line`` or ``row`` (absent for a whole file), ``id`` when known, and ``reason``.
  Created only when there is an error.

Every labelled document carries its input location in ``metadata`` (``input`` and
``line`` or ``row``): with the errors file, that tells a resumed run exactly which
records are done.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from argmine.batch.readers import Key, key_of
from argmine.errors import ArgmineError, InputError

JSONL, PARQUET = "jsonl", "parquet"
#: Output formats, chosen by the output's suffix or ``output_format``.
OUTPUT_FORMATS: tuple[str, ...] = (JSONL, PARQUET)
ERRORS_SUFFIX = ".errors.jsonl"
#: How the reason of a record that was read but could not be mined starts.
MINING_FAILED = "mining failed"
PARTS_SUFFIX = ".parts"


class OutputExistsError(ArgmineError, FileExistsError):
    """The output exists and neither resuming nor overwriting was asked for."""


class OutputCorruptError(ArgmineError, ValueError):
    """An existing output cannot be resumed: a line in its middle is not valid."""


def errors_path(output: str | os.PathLike[str]) -> Path:
    """``OUTPUT.errors.jsonl``."""
    return Path(os.fspath(output) + ERRORS_SUFFIX)


def parts_path(output: str | os.PathLike[str]) -> Path:
    """``OUTPUT.parts``, the folder of Parquet parts while a job runs."""
    return Path(os.fspath(output) + PARTS_SUFFIX)


def output_format_of(output: str | os.PathLike[str], output_format: str | None = None) -> str:
    """``jsonl`` or ``parquet``: ``output_format`` if given, else from the suffix.

    Example:
        >>> output_format_of("out/labels.parquet"), output_format_of("x.ndjson")
        ('parquet', 'jsonl')
    """
    if output_format is not None:
        if output_format not in OUTPUT_FORMATS:
            raise InputError(f"Unknown output format {output_format!r}; choose jsonl or parquet.")
        return output_format
    name = os.fspath(output).lower()
    if name.endswith(".gz"):
        raise InputError(
            f"{os.fspath(output)}: compressed output is not supported (it "
            "could not be resumed); write .parquet (compressed) or .jsonl."
        )
    if name.endswith((".parquet", ".pq")):
        return PARQUET
    if name.endswith((".jsonl", ".ndjson", ".jsonlines", ".json")):
        return JSONL
    raise InputError(
        f"Cannot tell the output format of {os.fspath(output)!r}; name it "
        ".jsonl or .parquet, or pass --output-format."
    )


@dataclass
class DoneState:
    """What earlier runs wrote: keys of labelled and failed records, ids labelled."""

    docs: set[Key] = field(default_factory=set)
    errors: set[Key] = field(default_factory=set)
    ids: set[str] = field(default_factory=set)

    def note_doc(self, doc: dict[str, Any]) -> None:
        self.docs.add(key_of(doc.get("metadata") or {}))
        self.ids.add(str(doc.get("id", "")))

    def note_error(self, err: dict[str, Any]) -> None:
        self.errors.add(key_of(err))
        if str(err.get("reason", "")).startswith(MINING_FAILED) and err.get("id"):
            self.ids.add(str(err["id"]))  # its id was taken: a later record repeats it


def prepare_output(output: Path, *, resume: bool, overwrite: bool, clear: bool = True) -> None:
    """Refuse an existing output unless resuming or overwriting; clear it to overwrite
    (unless ``clear`` is false: only check)."""
    if resume and overwrite:
        raise InputError("Pass --resume or --overwrite, not both.")
    if not output.parent.is_dir():
        raise InputError(f"Output folder {str(output.parent)!r} does not exist.")
    if output.is_dir():
        raise InputError(f"{output} is a folder; the output is a file (.jsonl or .parquet).")
    present = [p for p in (output, errors_path(output), parts_path(output)) if p.exists()]
    if not present:
        return
    if overwrite:
        if not clear:
            return
        for p in present:
            if p.is_dir():
                shutil.rmtree(p)
            else:
                p.unlink()
        return
    if not resume:
        what = (
            f"{output} already exists"
            if output in present
            else f"{present[0]} (left by an earlier run) exists"
        )
        raise OutputExistsError(
            f"{what}; pass --resume to finish an interrupted run, or --overwrite to start again."
        )


class _Appender:
    """A JSON Lines file to which whole chunks are appended and fsynced."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.file: IO[bytes] | None = None

    def append(self, rows: Sequence[dict[str, Any]]) -> None:
        if not rows:
            return
        if self.file is None:
            new = not self.path.exists()
            self.file = open(self.path, "ab")  # noqa: SIM115 - closed in close()
            if new:
                _fsync_dir(self.path.parent)
        data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
        self.file.write(data.encode("utf-8"))
        self.file.flush()
        os.fsync(self.file.fileno())

    def touch(self) -> None:
        if self.file is None:
            self.file = open(self.path, "ab")  # noqa: SIM115 - closed in close()

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None


def recover_jsonl(path: Path, on_row: Callable[[dict[str, Any]], None]) -> None:
    """Call ``on_row`` for each line of ``path``; cut off a partial or garbled end.

    A crash can leave a partial last line (or, after a power loss, a zero-filled end);
    it is truncated away. An invalid line followed by valid ones is not a crash
    artefact: :class:`OutputCorruptError`.
    """
    if not path.exists():
        return
    good_end = 0
    bad: int | None = None
    with open(path, "r+b") as f:
        for n, raw in enumerate(f, 1):
            row = None
            if raw.endswith(b"\n"):
                with contextlib.suppress(ValueError):
                    row = json.loads(raw)
            if not isinstance(row, dict):
                bad = bad or n
                continue
            if bad is not None:
                raise OutputCorruptError(
                    f"{path}: line {bad} is not a complete JSON record but later lines "
                    "are; this is not what an interrupted run leaves. Fix the file or "
                    "start again with --overwrite."
                )
            on_row(row)
            good_end = f.tell()
        if bad is not None or f.tell() != good_end:
            f.truncate(good_end)
            f.flush()
            os.fsync(f.fileno())


class Sink:
    """Where a job's documents and errors go; subclasses per output format.

    ``open()`` returns what earlier runs wrote (after cutting off any partial record);
    ``write()`` makes a chunk durable; ``finish()`` completes the output.
    """

    def __init__(self, output: Path) -> None:
        self.output = output
        self.errors = _Appender(errors_path(output))
        self.lock: int | None = None

    def _lock(self, path: Path) -> None:
        """Hold an exclusive lock on ``path`` while the job runs: a second job on the
        same output would write records twice."""
        try:
            import fcntl
        except ImportError:  # not POSIX: no lock
            return
        fd = os.open(path, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            os.close(fd)
            raise OutputExistsError(
                f"Another argmine label is writing {self.output}; wait for it to finish."
            ) from e
        self.lock = fd

    def _unlock(self) -> None:
        if self.lock is not None:
            os.close(self.lock)  # closing the descriptor releases the lock
            self.lock = None

    def open(self) -> DoneState:
        state = DoneState()
        recover_jsonl(self.errors.path, state.note_error)
        return state

    def write(self, docs: Sequence[dict[str, Any]], errors: Sequence[dict[str, Any]]) -> None:
        self.errors.append(errors)

    def finish(self) -> None:
        self.errors.close()

    def close(self) -> None:
        """Release files and the lock (after ``finish``, or after an interruption)."""
        self.errors.close()
        self._unlock()


class JsonlSink(Sink):
    """Documents appended to ``OUTPUT`` as JSON Lines, in chunks, fsynced."""

    def __init__(self, output: Path) -> None:
        super().__init__(output)
        self.docs = _Appender(output)

    def open(self) -> DoneState:
        self.docs.touch()  # an output exists from the start, even when nothing is labelled
        self._lock(self.output)
        state = super().open()
        recover_jsonl(self.output, state.note_doc)
        return state

    def write(self, docs: Sequence[dict[str, Any]], errors: Sequence[dict[str, Any]]) -> None:
        super().write(docs, errors)
        self.docs.append(docs)

    def finish(self) -> None:
        super().finish()
        self.docs.close()

    def close(self) -> None:
        super().close()
        self.docs.close()


class ParquetSink(Sink):
    """Documents written as atomic Parquet parts, merged into ``OUTPUT`` at the end."""

    def __init__(self, output: Path) -> None:
        super().__init__(output)
        self.parts = parts_path(output)
        self.next_part = 1

    def open(self) -> DoneState:
        self.parts.mkdir(exist_ok=True)
        self._lock(self.parts)
        state = super().open()
        for tmp in self.parts.glob("*.tmp"):
            tmp.unlink()  # a part that was being written when the run stopped
        if self.output.exists():
            if self._part_files():  # stopped after the merge, before removing the parts
                self.output.unlink()
            else:  # a finished output: it becomes part 0 of this run
                os.replace(self.output, self.parts / _part_name(0))
        for part in self._part_files():
            for row in _iter_parquet(part, columns=["id", "metadata"]):
                state.note_doc(row)
            self.next_part = int(part.stem.split("-")[1]) + 1
        return state

    def _part_files(self) -> list[Path]:
        return sorted(self.parts.glob("part-*.parquet"))

    def write(self, docs: Sequence[dict[str, Any]], errors: Sequence[dict[str, Any]]) -> None:
        import pyarrow.parquet as pq

        super().write(docs, errors)
        if not docs:
            return
        final = self.parts / _part_name(self.next_part)
        tmp = final.with_name(final.name + ".tmp")
        pq.write_table(to_table(docs), tmp)
        _fsync_file(tmp)
        os.replace(tmp, final)
        _fsync_dir(self.parts)
        self.next_part += 1

    def finish(self) -> None:
        import pyarrow.parquet as pq

        super().finish()
        tmp = self.output.with_name(self.output.name + ".tmp")
        with pq.ParquetWriter(tmp, parquet_schema()) as writer:
            parts = self._part_files()
            for part in parts:
                writer.write_table(pq.read_table(part, schema=parquet_schema()))
            if not parts:
                writer.write_table(to_table([]))
        _fsync_file(tmp)
        os.replace(tmp, self.output)
        _fsync_dir(self.output.parent)
        shutil.rmtree(self.parts)


def open_sink(output: Path, output_format: str) -> Sink:
    """The sink for ``output_format`` (the output must have passed :func:`prepare_output`)."""
    return ParquetSink(output) if output_format == PARQUET else JsonlSink(output)


# -- Parquet layout --------------------------------------------------------------------


def parquet_schema() -> Any:
    """The Parquet schema of a labelled document (``Document.to_dict``, metadata as JSON)."""
    import pyarrow as pa

    unit = pa.struct(
        [
            ("id", pa.string()),
            ("start", pa.int64()),
            ("end", pa.int64()),
            ("label", pa.string()),
            ("score", pa.float64()),
            ("source_label", pa.string()),
            ("text", pa.string()),
        ]
    )
    relation = pa.struct(
        [
            ("source", pa.string()),
            ("target", pa.string()),
            ("label", pa.string()),
            ("score", pa.float64()),
            ("source_label", pa.string()),
        ]
    )
    return pa.schema(
        [
            ("schema_version", pa.int32()),
            ("id", pa.string()),
            ("text", pa.string()),
            ("metadata", pa.string()),
            ("units", pa.list_(unit)),
            ("relations", pa.list_(relation)),
        ]
    )


def to_table(docs: Sequence[dict[str, Any]]) -> Any:
    """Documents (``to_dict`` layout) as a pyarrow Table in :func:`parquet_schema`."""
    import pyarrow as pa

    rows = [
        {**d, "metadata": json.dumps(d.get("metadata") or {}, ensure_ascii=False)} for d in docs
    ]
    return pa.Table.from_pylist(rows, schema=parquet_schema())


def _iter_parquet(path: Path, columns: list[str] | None = None) -> Iterator[dict[str, Any]]:
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path)
    for batch in pf.iter_batches(batch_size=1024, columns=columns):
        for row in batch.to_pylist():
            yield _from_row(row)


def _from_row(row: dict[str, Any]) -> dict[str, Any]:
    """A Parquet row back in the ``Document.to_dict`` layout."""
    if isinstance(row.get("metadata"), str):
        row["metadata"] = json.loads(row["metadata"])
    for key in ("units", "relations"):
        if row.get(key) is not None:
            row[key] = [
                {
                    k: v
                    for k, v in item.items()
                    if v is not None or k not in ("score", "source_label")
                }
                for item in row[key]
            ]
    return row


def read_output(path: str | os.PathLike[str]) -> Iterator[dict[str, Any]]:
    """The documents of a finished output (either format) in ``Document.to_dict`` layout.

    Feed them to :meth:`Document.from_dict <argmine.Document.from_dict>` for objects.
    """
    path = Path(path)
    if output_format_of(path) == PARQUET:
        yield from _iter_parquet(path)
        return
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def _part_name(n: int) -> str:
    return f"part-{n:06d}.parquet"


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as f:
        os.fsync(f.fileno())


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


__all__ = [
    "OUTPUT_FORMATS",
    "DoneState",
    "JsonlSink",
    "OutputCorruptError",
    "OutputExistsError",
    "ParquetSink",
    "Sink",
    "errors_path",
    "open_sink",
    "output_format_of",
    "parquet_schema",
    "parts_path",
    "prepare_output",
    "read_output",
    "recover_jsonl",
    "to_table",
]
