"""The readable report of one evaluation: argmine's figures beside the published ones.

:func:`format_table` turns the dictionary :func:`argmine.evaluate.evaluate` returns into
plain text (no printing here: the command-line handler prints). Published figures whose
protocol differs from argmine's carry ``*`` and a numbered note; figures seen only in a
secondary summary carry ``(u)``.

Example:
    >>> print(grid([["label", "f1"], ["claim", 0.5]]))
    label  f1
    claim  0.5000
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from argmine.anchors import METRIC_NAMES

__all__ = ["format_table", "grid", "rounded"]


def rounded(value: Any, digits: int = 4) -> Any:
    """``value`` with every float rounded to ``digits`` decimals (recursively).

    Example:
        >>> rounded({"a": [0.123456, 2], "b": (1 / 3,)})
        {'a': [0.1235, 2], 'b': [0.3333]}
    """
    if isinstance(value, float):
        return round(value, digits)
    if isinstance(value, Mapping):
        return {k: rounded(v, digits) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [rounded(v, digits) for v in value]
    return value


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


def grid(rows: Sequence[Sequence[Any]], indent: str = "") -> str:
    """Left-aligned columns separated by two spaces; floats shown with 4 decimals."""
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max(len(r[c]) for r in cells if c < len(r)) for c in range(max(map(len, cells)))]
    lines = []
    for row in cells:
        line = "  ".join(v.ljust(widths[c]) for c, v in enumerate(row)).rstrip()
        lines.append(indent + line)
    return "\n".join(lines)


def _units_section(units: Mapping[str, Any], title: str) -> list[str]:
    rows: list[list[Any]] = [["label", "precision", "recall", "f1", "support"]]
    for lab, s in units["per_label"].items():
        rows.append([lab, s["precision"], s["recall"], s["f1"], s["support"]])
    labels = "/".join(units["per_label"])
    out = [title, grid(rows, "  "), f"  macro F1 ({labels}): {_cell(units['macro_f1'])}"]
    confusion = units.get("confusion")
    if confusion:
        labs = confusion["labels"]
        rows = [["gold \\ predicted", *labs]]
        rows += [[lab, *line] for lab, line in zip(labs, confusion["matrix"], strict=True)]
        out += ["  confusion matrix (rows: gold, columns: predicted)", grid(rows, "  ")]
    return out


def _links_section(links: Mapping[str, Any]) -> list[str]:
    ari = links.get("ari_detail", {})
    where = "within a paragraph" if ari.get("scope") == "paragraph" else "within a document"
    rows: list[list[Any]] = [["figure", "value", "what"]]
    if ari:
        rows.append(
            [
                "ARI",
                ari["ari"],
                f"mean of link and no-link F1, {ari['n_pairs']} ordered "
                f"pairs of gold units {where}, annotated relations only",
            ]
        )
        rows.append(
            [
                "  link F1",
                ari["link_f1"],
                f"{ari['n_gold_links']} gold / "
                f"{ari['n_pred_links']} predicted links among those pairs",
            ]
        )
        rows.append(["  no-link F1", ari["no_link_f1"], ""])
    arc = links.get("arc_detail")
    if arc:
        rows.append(
            [
                "ARC",
                arc["arc"],
                f"support/attack macro F1 on {arc['n_links']} gold "
                f"annotated links ({arc['n_unscored']} with an end labelled none)",
            ]
        )
    rows += [
        [
            "tree link F1",
            links["link_f1"],
            "predicted (child, parent) pairs vs every gold relation (derived ones included)",
        ],
        ["relation macro F1", links["relation_macro_f1"], "label of correctly attached links"],
        ["root accuracy", links["root_accuracy"], "the tree's root is the gold root"],
        ["UAS", links["uas"], "gold units whose parent is right"],
        ["LAS", links["las"], "... with the right relation label"],
    ]
    return ["Links and trees (gold units)", grid(rows, "  ")]


def _end2end_section(e2e: Mapping[str, Any]) -> list[str]:
    rows: list[list[Any]] = [
        [
            "match",
            "component macro F1",
            "micro F1",
            "matched / gold / predicted",
            "relation F1",
            "unlabelled",
            "tree",
        ]
    ]
    for level, s in e2e.items():
        c, r = s["components"], s["relations"]
        rows.append(
            [
                f"{level}%",
                c["macro_f1"],
                c["micro_f1"],
                f"{c['n_matched']} / {c['n_gold']} / {c['n_pred']}",
                r["f1"],
                r["unlabelled_f1"],
                r["tree_f1"],
            ]
        )
    per = [["label", *(f"F1 {level}%" for level in e2e)]]
    labels = next(iter(e2e.values()))["components"]["per_label"]
    for lab in labels:
        per.append([lab, *(s["components"]["per_label"][lab]["f1"] for s in e2e.values())])
    return ["End to end (argmine segments the raw text)", grid(rows, "  "), grid(per, "  ")]


def _microtext_section(cv: Mapping[str, Any]) -> list[str]:
    st = cv["settings"]
    rows: list[list[Any]] = [["level", "mean", "std"]]
    for key in ("cc", "ro", "fu", "at"):
        rows.append([key, cv["summary"][key], cv["std"][key]])
    start = (
        f"fine-tuned from {cv['recipe']['init_from']}"
        if st.get("fine_tune")
        else "trained from the base encoder"
    )
    head = (
        f"Cross-validation: {st['repetitions']} x {st['folds']}-fold, {st['epochs']} "
        f"epoch(s) per fold, {len(cv['folds'])} models, {start}"
    )
    return [head, grid(rows, "  ")]


def _anchor_section(result: Mapping[str, Any]) -> list[str]:
    anchors = result.get("anchors") or []
    if not anchors:
        return ["Beside published figures: none recorded for this corpus, split and protocol."]
    order = list(METRIC_NAMES)
    metrics = sorted(
        {a["metric"] for a in anchors},
        key=lambda m: (m not in order, order.index(m) if m in order else 0, m),
    )
    rows: list[list[Any]] = [["metric / system", "figure"]]
    notes: list[str] = []
    for metric in metrics:
        value = result.get("summary", {}).get(metric)
        rows.append([METRIC_NAMES.get(metric, metric), ""])
        rows.append(["  argmine", value])
        for a in anchors:
            if a["metric"] != metric:
                continue
            mark = ""
            if not a["same_protocol"]:
                if a["notes"] not in notes:
                    notes.append(a["notes"])
                mark += f" *{notes.index(a['notes']) + 1}"
            if a["unconfirmed"]:
                mark += " (u)"
            rows.append([f"  {a['system']}", f"{a['figure']:.4f}{mark}"])
    out = ["Beside published figures (same corpus and test set)", grid(rows, "  ")]
    out.append("  (u) unconfirmed: seen only in a secondary summary")
    if notes:
        out.append("  *N  the published protocol differs from argmine's:")
        out += [f"   {k}. {note}" for k, note in enumerate(notes, 1)]
    out.append("  sources:")
    out += [f"   - {src}" for src in sorted({a["source"] for a in anchors})]
    return out


def format_table(result: Mapping[str, Any]) -> str:
    """The text report of one :func:`argmine.evaluate.evaluate` result."""
    head = (
        f"argmine evaluate {result['corpus']} --split {result['split']} --protocol "
        f"{result['protocol']}"
    )
    if (result.get("microtext") or {}).get("settings", {}).get("fine_tune"):
        head += " --fine-tune"
    lines = [head, f"model: {result['model']}", f"documents: {result['n_docs']}"]
    if result.get("decoding") and result["corpus"] != "microtext":
        lines.append("decoding: " + ", ".join(f"{k}={v}" for k, v in result["decoding"].items()))
    for warning in result.get("warnings", []):
        lines.append(f"NOTE: {warning}")
    sections: list[list[str]] = []
    if "units" in result:
        sections.append(_units_section(result["units"], "Units (gold components)"))
    if "units_two_class" in result:
        sections.append(
            _units_section(result["units_two_class"], "Units, two classes (Mayer et al. 2020)")
        )
    if "links" in result:
        sections.append(_links_section(result["links"]))
    if "end2end" in result:
        sections.append(_end2end_section(result["end2end"]))
    if "microtext" in result:
        sections.append(_microtext_section(result["microtext"]))
    sections.append(_anchor_section(result))
    if result.get("notes"):
        sections.append(["Protocol notes", *(f"  - {n}" for n in result["notes"])])
    return "\n\n".join(["\n".join(lines), *("\n".join(s) for s in sections)])
