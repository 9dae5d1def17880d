"""Batch labelling: ``argmine label INPUT... -o OUTPUT`` and :func:`label_corpus`.

Label a corpus of any size with bounded memory, resumably::

    argmine label corpus/ news.jsonl.gz -o labels.jsonl            # text folder + JSONL
    argmine label data.parquet -o labels.parquet --text-field body --workers 2
    argmine label data.csv -o labels.jsonl --resume                # after an interruption
    argmine label data.jsonl -o labels.jsonl --engine ray --ray-address auto

or from Python::

    from argmine.batch import label_corpus
    summary = label_corpus(["corpus/"], "labels.jsonl", model="models/argmine-minilm-l6")

* Inputs (:mod:`argmine.batch.readers`): text files and folders of them (one document
  per file, id = path relative to the folder), JSON Lines, CSV/TSV and Parquet, each
  also gzip-compressed; ``text_field`` and ``id_field`` name the fields (the id falls
  back to ``FILE:LINE`` or ``FILE:ROW``).
* Output (:mod:`argmine.batch.writers`): JSON Lines or Parquet, one document per input
  record in input order, in the :meth:`Document.to_dict <argmine.Document.to_dict>`
  layout, with the input location in ``metadata`` (``input``, ``line`` / ``row``).
* Records that cannot be processed (invalid JSON or UTF-8, a missing or non-string
  text, a duplicate id, an unreadable file) go to ``OUTPUT.errors.jsonl`` with their
  location and the reason, and the run goes on; input records = labelled + errors.
* ``resume=True`` finishes an interrupted run (Ctrl-C or SIGKILL) exactly: no record
  missing, none twice. An existing output is refused unless ``resume`` or ``overwrite``.
* ``workers=N`` mines in N local processes; ``engine="ray"`` runs on a Ray cluster
  (:mod:`argmine.batch.ray_engine`). Both give the same records, labels and trees as
  one worker. Where the encoder computes in bfloat16 (``precision="auto"`` on a CPU
  with bfloat16 kernels), batches of other shapes round differently: a resumed run or
  another worker count can change scores in their fifth decimal; ``precision=
  "float32"`` (``--precision float32``) keeps them to within the last printed digit.

Exit status of ``argmine label``: 0; 1 when some records failed (unless
``--allow-errors``); 2 for bad usage; 130 when interrupted.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from argmine.batch.job import ENGINES, LabelSummary, label_corpus
from argmine.batch.readers import INPUT_FORMATS, Record, read_records
from argmine.batch.writers import (
    OUTPUT_FORMATS,
    OutputCorruptError,
    OutputExistsError,
    read_output,
)
from argmine.nn import PRECISIONS

__all__ = [
    "LabelSummary",
    "OutputCorruptError",
    "OutputExistsError",
    "Record",
    "add_command",
    "label_corpus",
    "read_output",
    "read_records",
]


def add_command(sub: Any) -> None:
    """Register ``argmine label`` on the ``argmine`` command's subparsers."""
    p = sub.add_parser(
        "label",
        help="label a corpus (text folders, JSONL, CSV, Parquet) into JSONL or Parquet",
        description="Label every document of the inputs; resumable, with bounded memory.",
    )
    p.add_argument(
        "inputs",
        nargs="+",
        metavar="INPUT",
        help="text files or folders of them, .jsonl, .csv, .tsv, .parquet (each optionally .gz)",
    )
    p.add_argument(
        "-o",
        "--output",
        required=True,
        help="OUTPUT.jsonl or OUTPUT.parquet; errors go to OUTPUT.errors.jsonl",
    )
    p.add_argument("--text-field", default="text", help="field holding the text (default text)")
    p.add_argument(
        "--id-field",
        default="id",
        help="field holding the id (default id; else FILE:LINE or FILE:ROW)",
    )
    p.add_argument(
        "--input-format",
        choices=INPUT_FORMATS,
        help="read every input as this format (default: by suffix)",
    )
    p.add_argument(
        "--output-format", choices=OUTPUT_FORMATS, help="default: by the output's suffix"
    )
    p.add_argument(
        "--resume", action="store_true", help="finish an interrupted run of the same command"
    )
    p.add_argument("--overwrite", action="store_true", help="replace an existing output")
    p.add_argument(
        "--allow-errors",
        action="store_true",
        help="exit 0 even when some records could not be processed",
    )
    p.add_argument("--model", help="a model folder (default: the shipped model)")
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        help="processes (or Ray actors) that each load the model (default 1)",
    )
    p.add_argument(
        "--threads",
        type=int,
        default=None,
        help="torch threads per worker (default: this machine's cores / workers)",
    )
    p.add_argument("--batch-size", type=int, default=16, help="documents per forward pass")
    p.add_argument(
        "--buffer-size",
        type=int,
        default=128,
        help="records read ahead, sorted by length, written together (default 128)",
    )
    p.add_argument(
        "--engine",
        choices=ENGINES,
        default="local",
        help="local processes (default) or a Ray cluster (pip install 'argmine[ray]')",
    )
    p.add_argument(
        "--ray-address",
        default=None,
        help="Ray cluster to join (e.g. auto or ray://host:10001); default: "
        "start one on this machine",
    )
    p.add_argument(
        "--precision",
        choices=PRECISIONS,
        default=None,
        help="encoder arithmetic (default auto: bfloat16 where the CPU has it); float32 "
        "keeps scores the same whatever the resume point or worker count",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_label)


def _cmd_label(args: argparse.Namespace) -> int:
    """Run ``argmine label``; the only function of :mod:`argmine.batch` that prints."""
    bar: Any = None
    done_so_far = 0

    def progress(done: int, total: int | None) -> None:
        nonlocal bar, done_so_far
        done_so_far = done
        if args.no_progress:
            return
        if bar is None:
            from tqdm import tqdm

            bar = tqdm(
                total=total,
                initial=done,
                unit="doc",
                file=sys.stderr,
                dynamic_ncols=True,
                smoothing=0.05,
            )
            return
        if total is not None and bar.total != total:
            bar.total = total
        bar.update(done - bar.n)

    try:
        summary = label_corpus(
            args.inputs,
            args.output,
            model=args.model,
            text_field=args.text_field,
            id_field=args.id_field,
            input_format=args.input_format,
            output_format=args.output_format,
            resume=args.resume,
            overwrite=args.overwrite,
            workers=args.workers,
            threads=args.threads,
            batch_size=args.batch_size,
            buffer_size=args.buffer_size,
            engine=args.engine,
            ray_address=args.ray_address,
            progress=progress,
            precision=args.precision,
        )
    except KeyboardInterrupt:
        if bar is not None:
            bar.close()
        print(
            f"argmine label: interrupted after {done_so_far} records; everything written is "
            "complete. Run the "
            "same command with --resume to finish.",
            file=sys.stderr,
        )
        return 130
    if bar is not None:
        bar.close()
    resumed = f" ({summary.resumed} done by an earlier run)" if summary.resumed else ""
    print(
        f"argmine label: {summary.records} records{resumed}: {summary.labelled} labelled "
        f"into {summary.output}, {summary.errors} errors"
        + (f" (see {summary.errors_file})" if summary.errors else "")
        + f". This run: {summary.labelled_now} documents, {summary.units_now} sentences in "
        f"{summary.seconds:.1f} s ({summary.docs_per_second:.2f} documents/s, "
        f"{summary.units_per_second:.1f} sentences/s).",
        file=sys.stderr,
    )
    if summary.errors and not args.allow_errors:
        print(
            "argmine label: exit status 1 because some records failed; pass "
            "--allow-errors to accept that.",
            file=sys.stderr,
        )
        return 1
    return 0
