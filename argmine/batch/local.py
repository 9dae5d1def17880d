"""The local engine: mine chunks of records in this process or in worker processes.

With ``workers=1`` the miner runs here. With ``workers=N`` each of N processes
(started with ``spawn``, so nothing is shared by accident) loads the model once and sets
its torch threads to its share of the machine; chunks go out in order, at most
``2 * N`` at a time (bounded memory), and results are written in input order, so the
output is the same as with one worker.
"""

from __future__ import annotations

import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from argmine.batch.readers import Record
from argmine.batch.writers import MINING_FAILED

#: One document to mine: ``(text, id, metadata)``.
Job = tuple[str, str, dict[str, Any]]
#: What mining one job gives: the ``Document.to_dict`` data, or why it failed.
Result = dict[str, Any] | str
#: Receives a chunk of records with their results (``None`` for an error record).
Writer = Callable[[Sequence[tuple[Record, Result | None]]], None]


def jobs_of(chunk: Sequence[Record]) -> list[Job]:
    """The records of ``chunk`` that are to be mined, as jobs."""
    return [(r.text or "", r.id, r.location()) for r in chunk if r.error is None]


def mine_jobs(miner: Any, jobs: Sequence[Job], batch_size: int) -> list[Result]:
    """Mine ``jobs`` sorted by length (less padding), return results in the given order.

    A job the miner fails on gets a string saying why instead of a document; the others
    are still mined.
    """
    from argmine.document import Document

    order = sorted(range(len(jobs)), key=lambda i: len(jobs[i][0]))
    docs = [Document(jobs[i][0], id=jobs[i][1], metadata=jobs[i][2]) for i in order]
    results: list[Result] = [""] * len(jobs)
    try:
        for i, doc in zip(order, miner.pipe(docs, batch_size=batch_size), strict=True):
            results[i] = doc.to_dict()
    except Exception:  # find the culprit: mine one at a time
        for i, doc in zip(order, docs, strict=True):
            try:
                results[i] = miner(doc).to_dict()
            except Exception as e:
                results[i] = f"{MINING_FAILED}: {type(e).__name__}: {e}"
    return results


def split_results(
    chunk: Sequence[Record], results: Sequence[Result]
) -> list[tuple[Record, Result | None]]:
    """Pair each record of ``chunk`` with its result (``None`` for error records)."""
    it = iter(results)
    out = [(r, next(it) if r.error is None else None) for r in chunk]
    if next(it, None) is not None:
        raise RuntimeError("more results than records to mine")
    return out


def run_in_process(
    chunks: Iterable[Sequence[Record]], write: Writer, *, miner: Any, batch_size: int
) -> None:
    """Mine each chunk here, then write it."""
    for chunk in chunks:
        write(split_results(chunk, mine_jobs(miner, jobs_of(chunk), batch_size)))


def run_in_workers(
    chunks: Iterable[Sequence[Record]],
    write: Writer,
    *,
    model_path: str,
    workers: int,
    threads: int,
    batch_size: int,
    miner_kwargs: dict[str, Any],
) -> None:
    """Mine chunks in ``workers`` spawned processes; write them in input order."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=ctx,
        initializer=_init_worker,
        initargs=(model_path, threads, miner_kwargs),
    )
    pending: deque[tuple[Sequence[Record], Future[list[Result]]]] = deque()
    finished = False
    try:
        for chunk in chunks:
            pending.append((chunk, pool.submit(_mine_in_worker, jobs_of(chunk), batch_size)))
            while len(pending) >= 2 * workers:
                done, future = pending.popleft()
                write(split_results(done, future.result()))
        while pending:
            done, future = pending.popleft()
            write(split_results(done, future.result()))
        finished = True
    finally:
        if finished:
            pool.shutdown(wait=True)
        else:  # interrupted: do not wait for chunks whose results would be thrown away
            for process in list(getattr(pool, "_processes", {}).values()):
                process.terminate()
            pool.shutdown(wait=False, cancel_futures=True)


# -- inside a worker -------------------------------------------------------------------

_MINER: Any = None
_LOAD_ERROR: BaseException | None = None


def _init_worker(model_path: str, threads: int, miner_kwargs: dict[str, Any]) -> None:
    global _MINER, _LOAD_ERROR
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        import torch

        torch.set_num_threads(threads)
        from argmine.miner import Miner

        _MINER = Miner.load(model_path, **miner_kwargs)
    except Exception as e:  # raised again with the first chunk, in the parent
        _LOAD_ERROR = e


def _mine_in_worker(jobs: list[Job], batch_size: int) -> list[Result]:
    if _LOAD_ERROR is not None:
        raise _LOAD_ERROR
    return mine_jobs(_MINER, jobs, batch_size)


def default_threads(workers: int) -> int:
    """Torch threads per worker: this machine's cores shared out, at least one."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, cores // max(1, workers))


__all__ = [
    "Job",
    "Result",
    "default_threads",
    "jobs_of",
    "mine_jobs",
    "run_in_process",
    "run_in_workers",
    "split_results",
]
