"""The Ray engine: the same job on a Ray cluster (``pip install 'argmine[ray]'``).

Pipeline (Ray Data, streaming, order preserved)::

    from_items(file groups) -> map_batches(read)            # tasks: read the inputs
                            -> map_batches(_MineBatch)      # actor pool: one model each
                            -> iter_batches() on the driver -> the same writers

Reading runs in Ray tasks with argmine's own readers (so bad records become the same
error records as locally: Ray's JSON and CSV readers would fail the whole file), one
task per data file or per group of text files, skipping what an earlier run did. The
miner runs in ``workers`` actors (``concurrency``), each with ``threads`` CPUs and
torch threads, on chunks of ``buffer_size`` records sorted by length. The driver
checks ids for duplicates and writes the single output file in input order, so the
output, the errors file and ``--resume`` are those of the local engine.

The inputs and the model folder must be readable at the same paths on every node (a
shared file system), and argmine installed there. ``ray_address`` (``--ray-address``)
connects to a running cluster; without it a Ray instance is started on this machine
(and stopped at the end), unless one is already running in this process.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from argmine.batch.local import jobs_of, mine_jobs, split_results
from argmine.batch.readers import TEXT, FileEntry, Key, Record, iter_files, read_file
from argmine.errors import InputError

if TYPE_CHECKING:
    from argmine.batch.job import Books

#: Text files read by one Ray task.
TEXT_FILES_PER_TASK = 256
#: Rows per block that a read task yields.
READ_BLOCK_ROWS = 512
_COLUMNS = ("input", "n", "unit", "id", "text", "error")


def run_ray(
    paths: Sequence[str | os.PathLike[str]],
    books: Books,
    *,
    model_path: str,
    text_field: str,
    id_field: str,
    input_format: str | None,
    exclude: set[Path],
    workers: int,
    threads: int,
    batch_size: int,
    buffer_size: int,
    ray_address: str | None,
    miner_kwargs: dict[str, Any],
) -> None:
    """Run the job on Ray; write through ``books`` (see the module docstring).

    ``miner_kwargs`` go to :meth:`Miner.load <argmine.miner.Miner.load>` in each actor.
    """
    try:
        import ray
    except ImportError as e:
        raise InputError("--engine ray needs Ray: pip install 'argmine[ray]'.") from e

    started_here = False
    if not ray.is_initialized():
        ray.init(
            address=ray_address,
            include_dashboard=False,
            logging_level=logging.WARNING,
            runtime_env={"env_vars": {"HF_HUB_OFFLINE": "1"}},
        )
        started_here = True
    try:
        ctx = ray.data.DataContext.get_current()
        ctx.execution_options.preserve_order = True
        ctx.enable_progress_bars = False
        ctx.print_on_execution_start = False
        groups = list(_groups(paths, input_format, exclude))
        if not groups:
            return
        options = {
            "text_field": text_field,
            "id_field": id_field,
            "done": [ray.put(books.state.docs | books.state.errors)],
        }
        ds: Any = ray.data.from_items(
            [{"group": g} for g in groups], override_num_blocks=len(groups)
        )
        ds = ds.map_batches(
            _read_groups,
            batch_size=1,
            batch_format="numpy",
            fn_kwargs={"options": options},
            num_cpus=0,
        )
        ds = ds.map_batches(
            _MineBatch,
            batch_size=buffer_size,
            batch_format="numpy",
            fn_constructor_kwargs={
                "model_path": model_path,
                "threads": threads,
                "batch_size": batch_size,
                "miner_kwargs": miner_kwargs,
            },
            compute=ray.data.ActorPoolStrategy(size=workers),
            num_cpus=threads,
        )
        for batch in ds.iter_batches(batch_size=buffer_size, batch_format="numpy"):
            books.write(list(_admitted(batch, books)))
    finally:
        if started_here:
            ray.shutdown()


def _groups(
    paths: Sequence[str | os.PathLike[str]], input_format: str | None, exclude: set[Path]
) -> Iterator[str]:
    """Read tasks as JSON: lists of files (or error records), in input order."""
    group: list[dict[str, Any]] = []
    for item in iter_files(paths, input_format=input_format, exclude=exclude):
        if isinstance(item, Record):
            group.append({"error": asdict(item)})
        elif item.format == TEXT:
            group.append(
                {
                    "path": str(item.path),
                    "name": item.name,
                    "format": item.format,
                    "compressed": item.compressed,
                    "doc_id": item.doc_id,
                }
            )
        else:
            if group:
                yield json.dumps(group)
                group = []
            yield json.dumps(
                [
                    {
                        "path": str(item.path),
                        "name": item.name,
                        "format": item.format,
                        "compressed": item.compressed,
                        "doc_id": item.doc_id,
                    }
                ]
            )
            continue
        if len(group) >= TEXT_FILES_PER_TASK:
            yield json.dumps(group)
            group = []
    if group:
        yield json.dumps(group)


def _read_groups(batch: dict[str, Any], options: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Ray task: the records of the files in ``batch``, minus those already done."""
    import ray

    done: set[Key] = ray.get(options["done"][0])
    rows: list[Record] = []
    for group in batch["group"]:
        for item in json.loads(str(group)):
            if "error" in item:
                records: Iterator[Record] = iter([Record(**item["error"])])
            else:
                entry = FileEntry(
                    Path(item["path"]),
                    item["name"],
                    item["format"],
                    item["compressed"],
                    item["doc_id"],
                )
                records = read_file(
                    entry, text_field=options["text_field"], id_field=options["id_field"]
                )
            for rec in records:
                if rec.key in done:
                    continue
                rows.append(rec)
                if len(rows) >= READ_BLOCK_ROWS:
                    yield _to_columns(rows)
                    rows = []
    if rows:
        yield _to_columns(rows)


def _to_columns(rows: Sequence[Record]) -> dict[str, Any]:
    import numpy as np

    return {
        "input": np.array([r.input for r in rows], dtype=object),
        "n": np.array([r.n for r in rows], dtype=np.int64),
        "unit": np.array([r.unit for r in rows], dtype=object),
        "id": np.array([r.id for r in rows], dtype=object),
        "text": np.array([r.text or "" for r in rows], dtype=object),
        "error": np.array([r.error or "" for r in rows], dtype=object),
    }


def _from_columns(batch: dict[str, Any]) -> list[Record]:
    return [
        Record(str(inp), int(n), str(unit), str(rid), text=str(text), error=str(err) or None)
        for inp, n, unit, rid, text, err in zip(*(batch[c] for c in _COLUMNS), strict=True)
    ]


class _MineBatch:
    """Ray actor: loads the model once, mines batches of records."""

    def __init__(
        self, model_path: str, threads: int, batch_size: int, miner_kwargs: dict[str, Any]
    ) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import torch

        from argmine.miner import Miner

        torch.set_num_threads(threads)
        self.miner = Miner.load(model_path, **miner_kwargs)
        self.batch_size = batch_size

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        import numpy as np

        records = _from_columns(batch)
        results = mine_jobs(self.miner, jobs_of(records), self.batch_size)
        docs, failures = [], []
        for _, result in split_results(records, results):
            docs.append(json.dumps(result, ensure_ascii=False) if isinstance(result, dict) else "")
            failures.append(result if isinstance(result, str) else "")
        out = {c: batch[c] for c in _COLUMNS if c != "text"}
        out["doc"] = np.array(docs, dtype=object)
        out["failure"] = np.array(failures, dtype=object)
        return out


def _admitted(
    batch: dict[str, Any], books: Books
) -> Iterator[tuple[Record, dict[str, Any] | str | None]]:
    """Driver side: duplicate ids become errors, as in the local engine."""
    for inp, n, unit, rid, err, doc, failure in zip(
        *(batch[c] for c in ("input", "n", "unit", "id", "error", "doc", "failure")), strict=True
    ):
        rec = books.admit(Record(str(inp), int(n), str(unit), str(rid), error=str(err) or None))
        if rec is None:
            continue
        if rec.error is not None:
            yield rec, None
        elif str(failure):
            yield rec, str(failure)
        else:
            yield rec, json.loads(str(doc))


__all__ = ["READ_BLOCK_ROWS", "TEXT_FILES_PER_TASK", "run_ray"]
