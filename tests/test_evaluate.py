"""Tests of argmine.evaluate, argmine.evaluation and argmine.anchors.

Hand-built documents check every figure against arithmetic done by hand; a fake miner
checks the wiring without a model; tests marked ``slow`` run the shipped model.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from argmine.anchors import ANCHORS, METRIC_NAMES, anchors_for
from argmine.corpora import CORPORA
from argmine.document import RELATION_LABELS, UNIT_LABELS, Document, Relation, Unit
from argmine.errors import CorpusNotFoundError, LabelMismatchError
from argmine.evaluate import (
    FULL,
    PROTOCOLS,
    QUICK,
    CVSettings,
    _cv_settings,
    add_command,
    check_labels,
    check_request,
    evaluate,
)
from argmine.evaluation.end2end import core_span, end2end_scores, match_units
from argmine.evaluation.microtext import (
    central_claims,
    functions,
    microtext_scores,
    recipe_from,
    roles,
)
from argmine.evaluation.report import format_table, rounded
from argmine.evaluation.structure import (
    annotated_relations,
    arc_scores,
    ari_scores,
    two_class_scores,
)


def _doc(
    text: str,
    spans: list[tuple[str, str | None]],
    links: Iterable[tuple[int, int, str, str | None]] = (),
    derived: Iterable[str] = (),
) -> Document:
    """Units located by their text (first occurrence); links as (child, parent, label,
    source_label)."""
    units = []
    pos = 0
    for piece, label in spans:
        start = text.index(piece, pos)
        units.append(Unit(start, start + len(piece), label=label))
        pos = start + len(piece)
    rels = [Relation(units[c], units[p], lab, source_label=src) for c, p, lab, src in links]
    metadata = {"brat_derived_relations": list(derived)} if derived else {}
    return Document(text, units=tuple(units), relations=tuple(rels), metadata=metadata)


def _cli(argv: list[str]) -> int:
    """``argmine <argv>`` through this module's own subcommand (as argmine.cli wires it)."""
    args = _parse(argv)
    return int(args.func(args))


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="argmine")
    add_command(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


# -- ARI / ARC / two classes -------------------------------------------------------------

ESSAY = "Aa. Ab.\nBa. Bb. Bc."
ESSAY_SPANS: list[tuple[str, str | None]] = [
    ("Aa.", "conclusion"),
    ("Ab.", "claim"),
    ("Ba.", "claim"),
    ("Bb.", "premise"),
    ("Bc.", "premise"),
]


def _essay_gold() -> Document:
    return _doc(
        ESSAY,
        ESSAY_SPANS,
        [
            (3, 2, "support", "supports"),
            (4, 2, "attack", "attacks"),
            (1, 0, "support", "Stance:For"),
            (2, 0, "support", "Stance:For"),
        ],
        derived=["Stance:For", "Stance:Against", "restates"],
    )


def _essay_pred() -> Document:
    links = [(3, 2, "support", None), (4, 3, "support", None), (1, 0, "support", None)]
    return _doc(ESSAY, ESSAY_SPANS, [*links, (2, 0, "support", None)])


def test_annotated_relations_leave_out_derived_ones() -> None:
    gold = _essay_gold()
    assert [r.source_label for r in annotated_relations(gold)] == ["supports", "attacks"]
    assert len(gold.relations) == 4


def test_ari_within_paragraphs_counts_annotated_links_only() -> None:
    s = ari_scores([_essay_gold()], [_essay_pred()], scope="paragraph")
    # 2 ordered pairs in the first paragraph, 6 in the second.
    assert s["n_pairs"] == 8
    assert (s["n_gold_links"], s["n_pred_links"]) == (2, 3)  # the cross-paragraph link is out
    assert s["link_f1"] == pytest.approx(0.4)  # P 1/3, R 1/2
    assert s["no_link_f1"] == pytest.approx(2 * 0.8 * (4 / 6) / (0.8 + 4 / 6))
    assert s["ari"] == pytest.approx((0.4 + s["no_link_f1"]) / 2)
    assert s["n_gold_links_outside_scope"] == 0


def test_ari_maps_predicted_claim_to_conclusion_links_back_to_stance() -> None:
    # For AAE2 the predicted claim -> conclusion link inside the first paragraph stands
    # for the claim's stance, as the gold one does: it is not an R line.
    s = ari_scores([_essay_gold()], [_essay_pred()], scope="paragraph", corpus="aae2")
    assert (s["n_gold_links"], s["n_pred_links"]) == (2, 2)
    assert s["link_f1"] == pytest.approx(0.5)
    assert s["no_link_f1"] == pytest.approx(5 / 6)
    gold = _essay_gold()
    assert ari_scores([gold], [gold], corpus="aae2")["ari"] == 1.0


def test_ari_over_the_whole_document() -> None:
    s = ari_scores([_essay_gold()], [_essay_pred()], scope="document")
    assert s["n_pairs"] == 20
    assert s["link_f1"] == pytest.approx(1 / 3)
    assert s["no_link_f1"] == pytest.approx(30 / 34)


def test_ari_needs_the_gold_units() -> None:
    other = Document.build(ESSAY, spans=[(0, 3, "claim")])
    with pytest.raises(ValueError, match="gold protocol"):
        ari_scores([_essay_gold()], [other])


def test_arc_scores_every_gold_link_and_counts_unscored_ones() -> None:
    gold = _essay_gold()
    s = arc_scores([gold], [{(3, 2): "support", (4, 2): "support"}])
    assert s["n_links"] == 2
    assert s["arc"] == pytest.approx((2 / 3 + 0) / 2)
    assert arc_scores([gold], [{(3, 2): "support"}])["n_unscored"] == 1
    assert arc_scores([gold], [{(3, 2): "support", (4, 2): "attack"}])["arc"] == 1.0


def test_two_class_merges_conclusion_and_claim() -> None:
    gold = _doc("A. B. C.", [("A.", "conclusion"), ("B.", "claim"), ("C.", "premise")])
    pred = _doc("A. B. C.", [("A.", "claim"), ("B.", "conclusion"), ("C.", "none")])
    s = two_class_scores([gold], [pred])
    assert s["per_label"]["claim"]["f1"] == 1.0
    assert s["per_label"]["evidence"]["f1"] == 0.0
    assert s["macro_f1"] == 0.5


# -- end to end ----------------------------------------------------------------------------

E2E = "We should act now. It is cheap. It is late!\nSome say it is costly."


def _e2e_gold() -> Document:
    return _doc(
        E2E,
        [
            ("We should act now", "conclusion"),
            ("It is cheap", "premise"),
            ("It is late", "premise"),
            ("it is costly", "claim"),
        ],
        [
            (1, 0, "support", "supports"),
            (2, 0, "support", "supports"),
            (3, 0, "attack", "Stance:Against"),
        ],
        derived=["Stance:For", "Stance:Against", "restates"],
    )


def _e2e_pred() -> Document:
    return _doc(
        E2E,
        [
            ("We should act now.", "conclusion"),
            ("It is cheap.", "premise"),
            ("It is late!", "claim"),
            ("Some say it is costly.", "claim"),
        ],
        [(1, 0, "support", None), (2, 0, "attack", None), (3, 0, "attack", None)],
    )


def test_core_span_strips_punctuation_and_space() -> None:
    assert core_span(E2E, 0, 18) == (0, 17)
    assert core_span("  ...  ", 0, 7) == (7, 7)


def test_matching_at_100_and_50_percent() -> None:
    gold, pred = _e2e_gold(), _e2e_pred()
    assert match_units(E2E, gold.units, pred.units, "100") == {0: 0, 1: 1, 2: 2}
    # "it is costly" is 12 of the 21 characters of "Some say it is costly": 0.57.
    assert match_units(E2E, gold.units, pred.units, "50") == {0: 0, 1: 1, 2: 2, 3: 3}
    with pytest.raises(ValueError, match="level"):
        match_units(E2E, gold.units, pred.units, "75")


def test_matching_is_one_to_one_best_overlap_first() -> None:
    text = "abcdefgh ijkl"
    assert match_units(text, [Unit(0, 8)], [Unit(0, 6), Unit(0, 8)], "50") == {1: 0}
    assert match_units(text, [Unit(0, 8)], [Unit(0, 3)], "50") == {}


def test_end2end_components_and_relations() -> None:
    s = end2end_scores([_e2e_gold()], [_e2e_pred()], scope="paragraph")
    full, half = s["100"], s["50"]
    assert full["components"]["micro_f1"] == 0.5
    assert full["components"]["per_label"]["premise"]["f1"] == pytest.approx(2 / 3)
    assert full["components"]["macro_f1"] == pytest.approx((1 + 0 + 2 / 3) / 3)
    assert half["components"]["micro_f1"] == 0.75
    assert half["components"]["macro_f1"] == pytest.approx((1 + 2 / 3 + 2 / 3) / 3)
    # Annotated relations: two supports in paragraph 1; the predicted claim -> thesis
    # link crosses paragraphs, so it is out of scope; one of the two in scope has the
    # wrong label.
    for level in (full, half):
        assert (level["relations"]["n_gold"], level["relations"]["n_pred"]) == (2, 2)
        assert level["relations"]["f1"] == 0.5
        assert level["relations"]["unlabelled_f1"] == 1.0
    # The tree figure counts the derived claim -> thesis link, matched only at 50%.
    assert full["relations"]["tree_f1"] == pytest.approx(1 / 3)
    assert half["relations"]["tree_f1"] == pytest.approx(2 / 3)


def test_end2end_ignores_units_labelled_none() -> None:
    gold = _doc("Title\nWe act.", [("We act", "claim")])
    pred = _doc("Title\nWe act.", [("Title", "none"), ("We act.", "claim")])
    s = end2end_scores([gold], [pred])
    assert s["100"]["components"]["micro_f1"] == 1.0
    assert s["100"]["components"]["n_pred"] == 1


# -- arg-microtexts ------------------------------------------------------------------------

MICRO = "C. A. B. D. E. F."


def test_roles_follow_the_number_of_attacks_to_the_root() -> None:
    spans: list[tuple[str, str | None]] = [
        ("C.", "conclusion"),
        ("A.", "claim"),
        ("B.", "premise"),
        ("D.", "premise"),
        ("E.", "claim"),
        ("F.", "premise"),
    ]
    doc = _doc(
        MICRO,
        spans,
        [
            (1, 0, "attack", None),  # A attacks C: opp
            (2, 1, "attack", None),  # B attacks A: pro again
            (3, 2, "support", None),  # D supports B: pro
            (4, 0, "support", None),  # E supports C: pro
            (5, 3, "attack", None),  # F attacks D: three attacks up to C: opp
        ],
    )
    assert roles(doc) == ["pro", "opp", "pro", "pro", "pro", "opp"]
    assert central_claims(doc) == [True, False, False, False, False, False]
    assert functions(doc) == [None, "attack", "attack", "support", "support", "attack"]


def test_microtext_scores_by_hand() -> None:
    gold = _doc(
        "A. B. C.",
        [("A.", "conclusion"), ("B.", "claim"), ("C.", "claim")],
        [(1, 0, "support", "sup"), (2, 0, "attack", "reb")],
    )
    # Predicted: B is the central claim, A supports it, C hangs nowhere.
    pred = _doc(
        "A. B. C.",
        [("A.", "claim"), ("B.", "conclusion"), ("C.", "premise")],
        [(0, 1, "support", None)],
    )
    s = microtext_scores([gold], [pred])
    assert s["cc"] == pytest.approx(0.25)
    assert s["ro"] == pytest.approx(0.4)
    assert s["fu"] == 0.0  # neither gold non-central ADU gets a parent
    assert s["at"] == pytest.approx((0 + 2 * 0.6 * 0.75 / 1.35) / 2)
    assert microtext_scores([gold], [gold]) == {"cc": 1.0, "ro": 1.0, "fu": 1.0, "at": 1.0}


def test_derived_roles_reproduce_the_gold_annotation(microtext: list[Document]) -> None:
    derived = [r for d in microtext for r in roles(d)]
    annotated = [u.source_label for d in microtext for u in d.units]
    assert derived == annotated


def test_recipe_and_cv_settings() -> None:
    recipe = recipe_from(SimpleNamespace(training={}, encoder="some-encoder"))
    assert (recipe.corpora, recipe.encoder, recipe.max_docs) == (
        ["microtext"],
        "some-encoder",
        None,
    )
    assert FULL.is_published(recipe.epochs)
    assert not QUICK.is_published(recipe.epochs)
    # A model trained on a GPU is still cross-validated where the evaluation runs.
    assert recipe_from(SimpleNamespace(training={"device": "cuda", "seed": 2})).device == "cpu"
    assert (QUICK.repetitions, QUICK.folds, QUICK.epochs) == (1, 5, 2)
    args = _parse(["evaluate", "microtext", "--quick", "--folds", "3"])
    assert _cv_settings(args) == CVSettings(repetitions=1, folds=3, epochs=2)
    args = _parse(["evaluate", "microtext"])
    assert _cv_settings(args) == FULL
    args = _parse(["evaluate", "microtext", "--quick", "--fine-tune"])
    assert _cv_settings(args) == CVSettings(repetitions=1, folds=5, epochs=2, fine_tune=True)
    assert CVSettings(fine_tune=True).is_published(recipe.epochs)  # the same 10 x 5 folds


def test_fine_tuning_per_fold_needs_a_model_that_has_not_seen_the_microtexts(
    microtext: list[Document], untrained_miner: Any
) -> None:
    from argmine.errors import TrainConfigError
    from argmine.evaluation.microtext import check_unseen, cross_validate
    from argmine.nn.model import ModelConfig

    check_unseen(ModelConfig(seen_corpora=["aae2", "abstrct"]))
    for config in (
        ModelConfig(seen_corpora=["aae2", "microtext"]),
        ModelConfig(training={"corpora": ["microtext"]}),
    ):
        with pytest.raises(TrainConfigError, match="tested on texts it has seen"):
            check_unseen(config)
    for config in (ModelConfig(), ModelConfig(seen_corpora=["aae2", "unnamed"])):
        with pytest.raises(TrainConfigError, match="does not record every corpus"):
            check_unseen(config)  # nothing recorded (the untrained model), or texts unnamed
    recipe = recipe_from(untrained_miner.model.config)
    fine = CVSettings(repetitions=1, folds=2, epochs=1, fine_tune=True)
    with pytest.raises(TrainConfigError, match="does not record every corpus"):
        cross_validate(microtext[:4], recipe, fine, start=untrained_miner.model)
    with pytest.raises(ValueError, match="needs the model to start from"):
        cross_validate(microtext[:4], recipe, fine)
    with pytest.raises(ValueError, match="only with fine_tune=True"):
        cross_validate(microtext[:4], recipe, QUICK, start=untrained_miner.model)


def test_without_fine_tune_every_fold_starts_from_the_base_encoder(
    microtext: list[Document], tmp_path: Path
) -> None:
    from argmine.evaluation.microtext import cross_validate

    # The recipe of a model that started from another: the folds do not read that one.
    recipe = replace(recipe_from(SimpleNamespace(training={"epochs": 1})), init_from=str(tmp_path))
    out = cross_validate(microtext[:4], recipe, CVSettings(repetitions=1, folds=2, epochs=1))
    assert out["recipe"]["init_from"] is None and len(out["folds"]) == 2


# -- anchors and the table -----------------------------------------------------------------


def test_anchors_are_well_formed() -> None:
    for a in ANCHORS:
        assert a.corpus in CORPORA
        assert a.splits and all(s in CORPORA[a.corpus] for s in a.splits)
        assert a.protocol in PROTOCOLS
        assert a.metric in METRIC_NAMES
        assert 0 < a.figure <= 1
        assert a.source and a.system
        assert a.same_protocol or a.notes  # a differing protocol says how it differs
    unconfirmed = {a.system for a in ANCHORS if a.unconfirmed}
    assert unconfirmed == {
        "Stab & Gurevych 2017, ILP joint model",
        "Potash et al. 2017, pointer network",
        "Eger et al. 2017, LSTM-ER, paragraph level",
    }
    assert {(a.metric, a.figure) for a in anchors_for("abstrct", "mixed_test", "gold")} == {
        ("unit_macro_f1", 0.941),
        ("ari", 0.739),
        ("unit_macro_f1", 0.959),
        ("ari", 0.757),
    }


def _result(**summary: float) -> dict[str, Any]:
    return {
        "corpus": "aae2",
        "split": "test",
        "protocol": "gold",
        "model": "some/model",
        "n_docs": 80,
        "warnings": ["PARTIAL RUN: a test"],
        "summary": summary,
        "anchors": [
            {**a.to_dict(), "argmine": summary.get(a.metric)}
            for a in anchors_for("aae2", "test", "gold")
        ],
        "notes": ["a protocol note"],
    }


def test_table_prints_argmine_beside_published_figures() -> None:
    text = format_table(_result(unit_macro_f1=0.61234, ari=0.7, arc=0.5))
    assert text.splitlines()[0] == "argmine evaluate aae2 --split test --protocol gold"
    assert "NOTE: PARTIAL RUN: a test" in text
    lines = text.splitlines()
    acc = lines.index("  ACC: unit macro F1 (conclusion/claim/premise)")
    assert lines[acc + 1].split() == ["argmine", "0.6123"]
    assert any("Liu et al. 2023 (MRC-GEN4AM)" in ln and "0.8920" in ln for ln in lines)
    assert any("Stab & Gurevych" in ln and "0.8260 (u)" in ln for ln in lines)
    # ARC's class set is not verified: marked, with the note numbered below.
    assert any("0.8100 *1" in ln for ln in lines)
    assert "   1. relation type (support/attack)" in text
    assert "  - a protocol note" in text


def test_table_without_published_figures() -> None:
    result = _result()
    result["anchors"] = []
    assert "none recorded" in format_table(result)


def test_rounded() -> None:
    assert rounded({"a": [1 / 3, "x", None], "b": {"c": 2.00004}}) == {
        "a": [0.3333, "x", None],
        "b": {"c": 2.0},
    }


# -- requests, labels, errors ----------------------------------------------------------------


class FakeMiner:
    """Miner-like: answers with the gold documents (a perfect model) by id."""

    def __init__(
        self,
        gold: Iterable[Document] = (),
        unit_labels: Iterable[str] = UNIT_LABELS,
        relation_labels: Iterable[str] = RELATION_LABELS,
    ) -> None:
        self.gold = {d.id: d for d in gold}
        config = SimpleNamespace(
            unit_labels=list(unit_labels), relation_labels=list(relation_labels), training={}
        )
        self.model = SimpleNamespace(config=config)

    def pipe(self, docs: Iterable[Document], *, batch_size: int = 16) -> Iterator[Document]:
        for d in docs:
            yield self.gold[d.id]


def test_unknown_corpus_split_and_protocol() -> None:
    with pytest.raises(ValueError, match="known corpora: aae2, abstrct, microtext"):
        evaluate("essays")
    with pytest.raises(ValueError, match="known splits: neoplasm_train"):
        check_request("abstrct", "train", "gold")
    with pytest.raises(ValueError, match="known protocols: gold, end2end"):
        check_request("aae2", None, "pipeline")
    with pytest.raises(ValueError, match="cross-validation"):
        check_request("microtext", None, "end2end")
    assert check_request("aae2", None, "end2end") == "test"


def test_cli_reports_unknown_corpus(capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli(["evaluate", "essays"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("argmine evaluate: Unknown corpus 'essays'")
    assert "aae2, abstrct, microtext" in err
    assert _cli(["evaluate", "aae2", "--limit", "0"]) == 2
    capsys.readouterr()
    assert _cli(["evaluate", "abstrct", "--paragraph-arguments", "on"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.endswith("(abstrct is decoded as forests).") and "\n" not in err


def test_label_mismatch() -> None:
    miner = FakeMiner(unit_labels=["MajorClaim", "Claim", "Premise", "none"])
    with pytest.raises(LabelMismatchError) as info:
        evaluate("aae2", miner=miner)
    message = str(info.value)
    assert "missing conclusion, claim, premise" in message
    assert "unknown MajorClaim, Claim, Premise" in message
    with pytest.raises(LabelMismatchError, match=r"relation labels .* unknown rebut"):
        check_labels(FakeMiner(relation_labels=["support", "attack", "rebut"]))
    check_labels(FakeMiner())


def test_missing_corpus_folder_is_reported(tmp_path: Path) -> None:
    with pytest.raises(CorpusNotFoundError, match="ARGMINE_DATA"):
        evaluate("aae2", miner=FakeMiner(), data_dir=tmp_path)


def test_perfect_miner_through_evaluate(abstrct: dict[str, list[Document]]) -> None:
    gold = abstrct["neoplasm_test"][:3]
    miner = FakeMiner(gold)
    result = evaluate("abstrct", miner=miner, model="fake", limit=3)
    assert result["n_docs"] == 3
    assert result["summary"]["unit_macro_f1"] == 1.0
    assert result["summary"]["unit_macro_f1_two_class"] == 1.0
    assert result["summary"]["ari"] == 1.0
    assert "arc" not in result["summary"]  # the fake miner has no relation scorer
    assert result["warnings"] and result["warnings"][0].startswith("PARTIAL RUN")
    assert {a["system"] for a in result["anchors"]} >= {"Mayer et al. 2020, SciBERT + GRU + CRF"}
    assert json.loads(json.dumps(result)) == result
    text = format_table(result)
    assert "Units, two classes (Mayer et al. 2020)" in text
    e2e = evaluate("abstrct", protocol="end2end", miner=miner, model="fake", limit=3)
    assert e2e["summary"] == {
        "component_f1_100": 1.0,
        "relation_f1_100": 1.0,
        "component_f1_50": 1.0,
        "relation_f1_50": 1.0,
    }
    assert "End to end" in format_table(e2e)


def test_predictions_are_returned_only_when_asked(abstrct: dict[str, list[Document]]) -> None:
    gold = abstrct["neoplasm_test"][:3]
    kept = evaluate("abstrct", miner=FakeMiner(gold), model="fake", limit=3, keep_predictions=True)
    assert [d.id for d in kept["predictions"]] == [d.id for d in gold]
    assert [len(d.relations) for d in kept["predictions"]] == [len(d.relations) for d in gold]
    assert "predictions" not in evaluate("abstrct", miner=FakeMiner(gold), model="fake", limit=3)


class _DecodingSpy(FakeMiner):
    """A perfect miner that notes the decoding settings it was run with."""

    genre: str | None = None
    single_root = True
    paragraph_arguments = False
    premise_parent_penalty = 1.0

    def pipe(self, docs: Iterable[Document], *, batch_size: int = 16) -> Iterator[Document]:
        self.seen = (self.genre, self.single_root, self.paragraph_arguments)
        yield from super().pipe(docs, batch_size=batch_size)


def test_each_corpus_is_decoded_as_it_is_annotated_and_settings_are_restored(
    aae2: dict[str, list[Document]], abstrct: dict[str, list[Document]]
) -> None:
    miner = _DecodingSpy(aae2["test"][:2] + abstrct["neoplasm_test"][:2])
    miner.model.config.genres = ["essay", "abstract"]
    evaluate("abstrct", miner=miner, model="fake", limit=2)
    assert miner.seen == ("abstract", False, False)  # AbstRCT annotates forests
    assert (miner.genre, miner.single_root, miner.paragraph_arguments) == (None, True, False)
    result = evaluate("aae2", miner=miner, model="fake", limit=2)
    assert miner.seen == ("essay", True, True)  # AAE2 keeps arguments inside paragraphs
    assert miner.paragraph_arguments is False
    assert result["decoding"] == {
        "single_root": True,
        "paragraph_arguments": True,
        "premise_parent_penalty": 1.0,
    }
    assert any("Miner(paragraph_arguments=True)" in n for n in result["notes"])
    # Asked otherwise, AAE2 is decoded as news is, and the notes say so.
    result = evaluate("aae2", miner=miner, model="fake", limit=2, paragraph_arguments=False)
    assert miner.seen == ("essay", True, False)
    assert result["decoding"] == {"single_root": True, "paragraph_arguments": False}
    assert not any("Miner(paragraph_arguments=True)" in n for n in result["notes"])
    assert any("paragraph_arguments=False" in n for n in result["notes"])
    # Forests have no root for every paragraph's claim: refused, settings untouched.
    with pytest.raises(ValueError, match="abstrct is decoded as forests"):
        evaluate("abstrct", miner=miner, model="fake", limit=2, paragraph_arguments=True)
    assert (miner.genre, miner.single_root, miner.paragraph_arguments) == (None, True, False)
    miner.roles_from_tree = False  # roles fixed first: the corpus setting stays off
    evaluate("aae2", miner=miner, model="fake", limit=2)
    assert miner.seen == ("essay", True, False)


def test_no_aae2_relation_crosses_a_paragraph(aae2: dict[str, list[Document]]) -> None:
    # What paragraph_arguments assumes of AAE2: every relation but those to the root (the
    # claims' stance and the restated major claims) stays inside its paragraph.
    from argmine.features import layout, paragraph_spans_of

    crossing = within = 0
    for doc in aae2["train"] + aae2["test"]:
        par = layout(doc, paragraph_spans_of(doc)).paragraph
        index = {u.id: i for i, u in enumerate(doc.units)}
        root = doc.tree.root
        for r in doc.relations:
            if r.target.id == root.id:
                continue
            same = par[index[r.source.id]] == par[index[r.target.id]]
            within += same
            crossing += not same
    assert (crossing, within) == (0, 3832)


def test_perfect_miner_on_aae2_scores_one(aae2: dict[str, list[Document]]) -> None:
    gold = aae2["test"][:5]
    result = evaluate("aae2", miner=FakeMiner(gold), model="fake", limit=5)
    s = result["summary"]
    assert s["unit_macro_f1"] == 1.0
    assert s["link_f1"] == 1.0 and s["root_accuracy"] == 1.0 and s["las"] == 1.0
    # The gold tree's derived claim -> thesis links map back to stance, not R lines.
    assert s["ari"] == 1.0
    e2e = evaluate("aae2", protocol="end2end", miner=FakeMiner(gold), model="fake", limit=5)
    assert set(e2e["summary"].values()) == {1.0}


# -- the shipped model (slow) ---------------------------------------------------------------


@pytest.fixture(scope="session")
def shipped_miner() -> Any:
    """The shipped model; skipped only when it is absent and CI is unset."""
    import argmine
    from argmine.miner import default_model_path

    if not (default_model_path() / "config.json").is_file() and not os.environ.get("CI"):
        pytest.skip(f"the shipped model is not at {default_model_path()} (and CI is unset)")
    return argmine.load()


@pytest.mark.slow
def test_aae2_gold_scores_the_whole_test_set_deterministically(
    shipped_miner: Any, data_dir: Path
) -> None:
    # How long it takes is benchmarks/quality.py's to record, not a test's to judge.
    full = evaluate("aae2", miner=shipped_miner)
    assert full["n_docs"] == 80
    for key in ("unit_macro_f1", "ari", "arc", "link_f1", "root_accuracy", "uas", "las"):
        assert 0.0 <= full["summary"][key] <= 1.0
    again = evaluate("aae2", miner=shipped_miner, limit=8)
    assert evaluate("aae2", miner=shipped_miner, limit=8) == again


@pytest.mark.slow
def test_end2end_with_the_shipped_model(shipped_miner: Any, data_dir: Path) -> None:
    result = evaluate("aae2", protocol="end2end", miner=shipped_miner, limit=4)
    s = result["summary"]
    assert s["component_f1_50"] >= s["component_f1_100"]
    assert "Eger et al. 2017" in format_table(result)


@pytest.mark.slow
def test_cli_json(shipped_miner: Any, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli(["evaluate", "abstrct", "--split", "glaucoma_test", "--limit", "2",
                 "--format", "json"]) == 0  # fmt: skip
    result = json.loads(capsys.readouterr().out)
    assert result["split"] == "glaucoma_test" and result["n_docs"] == 2


@pytest.mark.slow
def test_folds_fine_tuned_from_the_shipped_model_start_from_its_weights(
    shipped_miner: Any, microtext: list[Document]
) -> None:
    import torch

    from argmine.corpora import microtext_cv_splits
    from argmine.evaluation.microtext import cross_validate

    # With nothing learnt, each fold's model is the shipped one: its scores are the
    # shipped model's own on the fold's test texts.
    recipe = replace(recipe_from(shipped_miner.model.config), lr_encoder=0.0, lr_heads=0.0)
    before = {k: v.clone() for k, v in shipped_miner.model.state_dict().items()}
    docs = microtext[:6]
    cv = CVSettings(repetitions=1, folds=2, epochs=1, fine_tune=True)
    out = cross_validate(docs, recipe, cv, start=shipped_miner.model)
    assert out["settings"]["fine_tune"] is True
    splits = microtext_cv_splits(docs, repetitions=1, folds=2, seed=0)
    for fold, (_, test) in zip(out["folds"], splits, strict=True):
        test_docs = [docs[i] for i in test]
        expected = microtext_scores(test_docs, list(shipped_miner.pipe(test_docs)))
        assert {k: fold[k] for k in expected} == expected
    assert all(torch.equal(before[k], v) for k, v in shipped_miner.model.state_dict().items())
    # From the base encoder, the same recipe scores otherwise: an untrained network.
    assert cross_validate(docs, recipe, replace(cv, fine_tune=False))["folds"] != out["folds"]


@pytest.mark.slow
def test_the_fine_tuned_cross_validation_names_its_start_and_says_what_it_adds(
    shipped_miner: Any, data_dir: Path
) -> None:
    cv = CVSettings(repetitions=1, folds=2, epochs=1, fine_tune=True)
    result = evaluate("microtext", miner=shipped_miner, limit=6, cv=cv)
    assert result["microtext"]["recipe"]["init_from"] == "argmine-minilm-l6 (shipped model)"
    assert result["microtext"]["settings"]["fine_tune"] is True
    assert any("starts from the evaluated model" in n for n in result["notes"])
    assert not any("from scratch" in n for n in result["notes"])
    table = format_table(result)
    assert table.startswith("argmine evaluate microtext --split all --protocol gold --fine-tune")
    assert "2 models, fine-tuned from argmine-minilm-l6 (shipped model)" in table
    smoke = format_table(evaluate("microtext", miner=shipped_miner, limit=4,
                                  cv=replace(cv, fine_tune=False)))  # fmt: skip
    assert "--fine-tune" not in smoke and "2 models, trained from the base encoder" in smoke


@pytest.mark.slow
def test_microtext_cross_validation_smoke(shipped_miner: Any, data_dir: Path) -> None:
    cv = CVSettings(repetitions=1, folds=2, epochs=1)
    result = evaluate("microtext", miner=shipped_miner, limit=6, cv=cv)
    assert result["setting"] == "quick"
    assert len(result["microtext"]["folds"]) == 2
    assert set(result["summary"]) == {"cc", "ro", "fu", "at"}
    assert any(w.startswith("QUICK SETTING") for w in result["warnings"])
