"""``label_corpus``: label a corpus of any size, resumably, with bounded memory.

The job streams records from the inputs (:mod:`argmine.batch.readers`), groups them in
chunks of ``buffer_size`` records, mines each chunk sorted by length (less padding),
and writes it back in input order (:mod:`argmine.batch.writers`). Memory holds a few
chunks, plus the ids seen so far (to refuse duplicates) and, on resume, the input
locations already done: about 100 bytes per document, 100 MB for a million.

Resume is exact: every output document carries its input location (``metadata.input``
and ``metadata.line`` / ``metadata.row``), every error line carries its own, and a
resumed run skips exactly those locations after cutting off any partial record. Ids
are seeded from the output, so a duplicate of an id already written is still an error.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from itertools import chain, islice
from pathlib import Path
from typing import Any

from argmine.batch.local import Result, default_threads, run_in_process, run_in_workers
from argmine.batch.readers import (
    INPUT_FORMATS,
    Record,
    count_records,
    iter_files,
    read_records,
)
from argmine.batch.writers import (
    DoneState,
    Sink,
    errors_path,
    open_sink,
    output_format_of,
    parts_path,
    prepare_output,
)
from argmine.errors import InputError, ModelLoadError
from argmine.nn import PRECISIONS

ENGINES: tuple[str, ...] = ("local", "ray")
#: Called after each chunk is written with (records done, total records or None).
Progress = Callable[[int, "int | None"], None]


@dataclass
class LabelSummary:
    """What a job did. ``records == labelled + errors`` always holds at the end.

    ``labelled`` and ``errors`` count the whole output, earlier runs included;
    ``resumed`` is how many records earlier runs had done; ``labelled_now`` and
    ``units_now`` (sentences) are this run's work, done in ``seconds``.
    """

    output: str
    errors_file: str | None
    records: int
    labelled: int
    errors: int
    resumed: int
    labelled_now: int
    units_now: int
    seconds: float

    @property
    def docs_per_second(self) -> float:
        return self.labelled_now / self.seconds if self.seconds > 0 else 0.0

    @property
    def units_per_second(self) -> float:
        return self.units_now / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["docs_per_second"] = round(self.docs_per_second, 3)
        out["units_per_second"] = round(self.units_per_second, 3)
        return out


class Books:
    """The job's bookkeeping: resume skips, duplicate ids, counts, durable writes."""

    def __init__(
        self,
        sink: Sink,
        state: DoneState,
        *,
        progress: Progress | None = None,
        total: Callable[[], int | None] = lambda: None,
    ) -> None:
        self.sink = sink
        self.state = state
        self.seen = state.ids
        self.done_before = len(state.docs) + len(state.errors)
        self.labelled = len(state.docs)
        self.errors = len(state.errors)
        self.labelled_now = 0
        self.units_now = 0
        self.progress = progress
        self.total = total

    def admit(self, rec: Record) -> Record | None:
        """``None`` for a record an earlier run did; else the record, made an error
        record when its id was seen before."""
        if rec.key in self.state.docs or rec.key in self.state.errors:
            return None
        if rec.error is None:
            if rec.id in self.seen:
                return replace(
                    rec,
                    text=None,
                    error=f"duplicate id {rec.id!r}: ids must be "
                    "unique, and an earlier record has it",
                )
            self.seen.add(rec.id)
        return rec

    def write(self, items: Sequence[tuple[Record, Result | None]]) -> None:
        docs: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        for rec, result in items:
            if isinstance(result, dict):
                docs.append(result)
                self.units_now += len(result.get("units", ()))
            elif isinstance(result, str):
                errors.append(replace(rec, error=result).error_dict())
            else:
                errors.append(rec.error_dict())
        self.sink.write(docs, errors)
        self.labelled += len(docs)
        self.labelled_now += len(docs)
        self.errors += len(errors)
        if self.progress is not None:
            self.progress(self.labelled + self.errors, self.total())


def chunked(records: Iterable[Record], size: int) -> Iterator[list[Record]]:
    """Consecutive lists of ``size`` records (the last may be shorter)."""
    it = iter(records)
    while chunk := list(islice(it, size)):
        yield chunk


def label_corpus(
    inputs: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    output: str | os.PathLike[str],
    *,
    model: Any = None,
    text_field: str = "text",
    id_field: str = "id",
    input_format: str | None = None,
    output_format: str | None = None,
    resume: bool = False,
    overwrite: bool = False,
    workers: int = 1,
    threads: int | None = None,
    batch_size: int = 16,
    buffer_size: int = 128,
    engine: str = "local",
    ray_address: str | None = None,
    progress: Progress | None = None,
    count_total: bool = True,
    precision: str | None = None,
) -> LabelSummary:
    """Label every record of ``inputs`` into ``output``; see :mod:`argmine.batch`.

    ``model`` is a model folder (default: the shipped model) or, with the local engine
    and one worker, a loaded :class:`~argmine.miner.Miner`. ``progress`` is called after
    each chunk; with ``count_total`` a background thread counts the input records so
    that it also gets the total. ``precision`` is the encoder arithmetic of the model
    loaded from a folder (:class:`~argmine.miner.Miner`; default ``auto``): bfloat16
    kernels round differently for batches of different shapes, so where ``auto``
    chooses bfloat16 a resumed run or another worker count can change scores in their
    fifth decimal (labels and trees only at near ties); ``"float32"`` keeps them to
    within the last printed digit, at the cost of bfloat16's speed.

    Raises :class:`~argmine.errors.InputError` for unusable arguments (a missing input,
    an unknown format), :class:`~argmine.batch.writers.OutputExistsError` when the
    output exists without ``resume`` or ``overwrite``; records that cannot be processed
    do not raise: they go to ``OUTPUT.errors.jsonl``.
    """
    started = time.perf_counter()
    paths = [inputs] if isinstance(inputs, str | os.PathLike) else list(inputs)
    if not paths:
        raise InputError("No inputs given.")
    for p in paths:
        if not os.path.exists(p):
            raise InputError(f"{os.fspath(p)}: no such file or folder.")
    if input_format is not None and input_format not in INPUT_FORMATS:
        raise InputError(
            f"Unknown input format {input_format!r}; choose one of {', '.join(INPUT_FORMATS)}."
        )
    if engine not in ENGINES:
        raise InputError(f"Unknown engine {engine!r}; choose local or ray.")
    for name, value in (
        ("workers", workers),
        ("batch_size", batch_size),
        ("buffer_size", buffer_size),
        ("threads", threads or 1),
    ):
        if not isinstance(value, int) or value < 1:
            raise InputError(f"{name} must be a positive integer; got {value!r}.")
    if precision is not None and precision not in PRECISIONS:
        raise InputError(f"Unknown precision {precision!r}; choose one of {', '.join(PRECISIONS)}.")
    out = Path(output)
    fmt = output_format_of(out, output_format)
    prepare_output(out, resume=resume, overwrite=overwrite, clear=False)
    miner = model if _is_miner(model) else None
    model_path = None if miner is not None else _model_path(model)
    if miner is not None and (workers > 1 or engine == "ray"):
        raise InputError(
            "Several workers or the Ray engine load the model themselves: "
            "pass a model folder, not a loaded Miner."
        )
    if miner is not None and precision is not None:
        raise InputError(
            "precision applies to a model loaded from a folder; a loaded Miner keeps its "
            "own: Miner.load(path, precision=...)."
        )
    miner_kwargs = {} if precision is None else {"precision": precision}
    prepare_output(out, resume=resume, overwrite=overwrite)
    exclude = {p.resolve() for p in (out, errors_path(out), parts_path(out))}
    sink = open_sink(out, fmt)
    try:
        books = _run(
            sink,
            paths,
            miner=miner,
            model_path=model_path,
            text_field=text_field,
            id_field=id_field,
            input_format=input_format,
            exclude=exclude,
            workers=workers,
            threads=threads,
            batch_size=batch_size,
            buffer_size=buffer_size,
            engine=engine,
            ray_address=ray_address,
            progress=progress,
            count_total=count_total,
            miner_kwargs=miner_kwargs,
        )
        sink.finish()
    finally:
        sink.close()
    if progress is not None:
        progress(books.labelled + books.errors, books.total())
    errors_file = errors_path(out)
    return LabelSummary(
        output=str(out),
        errors_file=str(errors_file) if errors_file.exists() else None,
        records=books.labelled + books.errors,
        labelled=books.labelled,
        errors=books.errors,
        resumed=books.done_before,
        labelled_now=books.labelled_now,
        units_now=books.units_now,
        seconds=time.perf_counter() - started,
    )


def _run(
    sink: Sink,
    paths: Sequence[str | os.PathLike[str]],
    *,
    miner: Any,
    model_path: Path | None,
    text_field: str,
    id_field: str,
    input_format: str | None,
    exclude: set[Path],
    workers: int,
    threads: int | None,
    batch_size: int,
    buffer_size: int,
    engine: str,
    ray_address: str | None,
    progress: Progress | None,
    count_total: bool,
    miner_kwargs: dict[str, Any],
) -> Books:
    """Open the sink, stream, mine and write; the books say what was done."""
    state = sink.open()
    counter = _Counter(paths, input_format, exclude) if count_total and progress else None
    books = Books(
        sink,
        state,
        progress=progress,
        total=counter.result if counter is not None else lambda: None,
    )
    if progress is not None:
        if counter is not None:
            counter.thread.join(timeout=1.0)  # a total from the start, when it is quick
        progress(books.done_before, books.total())
    per_worker = threads or default_threads(workers)
    if engine == "ray":
        from argmine.batch.ray_engine import run_ray

        run_ray(
            paths,
            books,
            model_path=str(model_path),
            text_field=text_field,
            id_field=id_field,
            input_format=input_format,
            exclude=exclude,
            workers=workers,
            threads=per_worker,
            batch_size=batch_size,
            buffer_size=buffer_size,
            ray_address=ray_address,
            miner_kwargs=miner_kwargs,
        )
        return books
    records = read_records(
        paths,
        text_field=text_field,
        id_field=id_field,
        input_format=input_format,
        exclude=exclude,
    )
    admitted = (r for r in map(books.admit, records) if r is not None)
    chunks = chunked(admitted, buffer_size)
    first = next(chunks, None)
    if first is None:  # nothing left to do: no model to load
        return books
    chunks = chain([first], chunks)
    if workers == 1:
        if miner is None:
            from argmine.miner import Miner

            miner = Miner.load(model_path, **miner_kwargs)
        with _torch_threads(threads):  # only when asked: the caller's process
            run_in_process(chunks, books.write, miner=miner, batch_size=batch_size)
    else:
        run_in_workers(
            chunks,
            books.write,
            model_path=str(model_path),
            workers=workers,
            threads=per_worker,
            batch_size=batch_size,
            miner_kwargs=miner_kwargs,
        )
    return books


def _is_miner(model: Any) -> bool:
    return hasattr(model, "pipe") and hasattr(model, "model")


def _model_path(model: str | os.PathLike[str] | None) -> Path:
    """The model folder: as given, under the repository's ``models/``, or the default."""
    from argmine.miner import default_model_path

    if model is None:
        path = default_model_path()
    else:
        path = Path(model)
        if not path.exists():
            candidate = default_model_path().parent / os.fspath(model)
            if candidate.exists():
                path = candidate
    if not (path / "config.json").is_file():
        raise ModelLoadError(
            f"No argmine model in {str(path)!r} (no config.json); pass --model with a "
            "folder written by argmine train."
        )
    return path


class _torch_threads:
    """Set torch's thread count for the block (``None``: leave it), then restore it."""

    def __init__(self, threads: int | None) -> None:
        self.threads = threads
        self.before: int | None = None

    def __enter__(self) -> None:
        if self.threads is not None:
            import torch

            self.before = torch.get_num_threads()
            torch.set_num_threads(self.threads)

    def __exit__(self, *exc: object) -> None:
        if self.before is not None:
            import torch

            torch.set_num_threads(self.before)


class _Counter:
    """Counts the input records in a background thread, for the progress bar's total."""

    def __init__(
        self, paths: Sequence[str | os.PathLike[str]], input_format: str | None, exclude: set[Path]
    ) -> None:
        self.total: int | None = None
        self.args = (paths, input_format, exclude)
        self.thread = threading.Thread(target=self._run, name="argmine-count", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        paths, input_format, exclude = self.args
        try:
            n = 0
            for item in iter_files(paths, input_format=input_format, exclude=exclude):
                n += 1 if isinstance(item, Record) else count_records(item)
            self.total = n
        except Exception:  # the job itself reports unusable inputs
            self.total = None

    def result(self) -> int | None:
        return self.total


__all__ = ["ENGINES", "Books", "LabelSummary", "Progress", "chunked", "label_corpus"]
