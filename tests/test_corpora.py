"""Tests of argmine.corpora: counts against the published figures, mappings, errors."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from argmine.corpora import CORPORA, ENV_VAR, load, microtext_cv_splits, resolve_data_dir
from argmine.corpora.aae2 import read_split_file
from argmine.corpora.dataset import from_dataset, to_dataset
from argmine.corpora.microtext import parse_arggraph
from argmine.corpora.project import best_overlap, project_to_sentences
from argmine.document import RELATION_LABELS, UNIT_LABELS, Document
from argmine.errors import CorpusFormatError, CorpusNotFoundError


def _units(docs: list[Document]) -> Counter[str | None]:
    return Counter(u.source_label for d in docs for u in d.units)


def _relations(docs: list[Document]) -> Counter[str | None]:
    return Counter(r.source_label for d in docs for r in d.relations)


# -- counts (/work/shared/data/README.md) ------------------------------------------------


def test_aae2_counts(aae2: dict[str, list[Document]]) -> None:
    assert (len(aae2["train"]), len(aae2["test"])) == (322, 80)
    docs = aae2["train"] + aae2["test"]
    assert _units(docs) == {"MajorClaim": 751, "Claim": 1506, "Premise": 3832}
    rels = _relations(docs)
    assert (rels["supports"], rels["attacks"]) == (3613, 219)
    assert (rels["Stance:For"], rels["Stance:Against"]) == (1228, 278)
    # Every MajorClaim but the root of its essay restates it.
    assert rels["restates"] == 751 - len(docs)
    assert len({d.id for d in docs}) == 402


def test_abstrct_counts(abstrct: dict[str, list[Document]]) -> None:
    assert {s: len(d) for s, d in abstrct.items()} == {
        "neoplasm_train": 350, "neoplasm_dev": 50, "neoplasm_test": 100,
        "glaucoma_test": 100, "mixed_test": 100,
    }  # fmt: skip
    expected = {
        "neoplasm_train": (64, 666, 1537),
        "neoplasm_test": (20, 228, 438),
        "glaucoma_test": (7, 183, 404),
        "mixed_test": (30, 182, 388),
    }
    for split, (major, claim, premise) in expected.items():
        units = _units(abstrct[split])
        assert (units["MajorClaim"], units["Claim"], units["Premise"]) == (major, claim, premise)
    assert _relations(abstrct["neoplasm_train"]) == {
        "Support": 1213, "Attack": 36, "Partial-Attack": 169,
    }  # fmt: skip


def test_microtext_counts(microtext: list[Document]) -> None:
    assert len(microtext) == 112
    assert sum(len(d.units) for d in microtext) == 576
    assert _relations(microtext) == {"sup": 263, "exa": 9, "reb": 108, "und": 63, "add": 21}


# -- mappings ----------------------------------------------------------------------------


def test_labels_follow_the_mapping(
    aae2: dict[str, list[Document]], abstrct: dict[str, list[Document]], microtext: list[Document]
) -> None:
    unit_map = {"MajorClaim": "conclusion", "Claim": "claim", "Premise": "premise"}
    rel_map = {
        "supports": "support", "attacks": "attack", "Stance:For": "support",
        "Stance:Against": "attack", "restates": "support",
        "Support": "support", "Attack": "attack", "Partial-Attack": "attack",
        "sup": "support", "exa": "support", "reb": "attack", "und": "attack",
    }  # fmt: skip
    brat_docs = aae2["train"] + aae2["test"] + [d for s in abstrct.values() for d in s]
    for doc in brat_docs:
        assert all(unit_map[u.source_label or ""] == u.label for u in doc.units)
        assert all(rel_map[r.source_label or ""] == r.label for r in doc.relations)
    for doc in microtext:
        assert {u.source_label for u in doc.units} <= {"pro", "opp"}
        for r in doc.relations:
            assert r.source_label == "add" or rel_map[r.source_label or ""] == r.label


def test_aae2_essays_are_trees_rooted_at_the_last_major_claim(
    aae2: dict[str, list[Document]],
) -> None:
    for doc in aae2["train"] + aae2["test"]:
        majors = [u for u in doc.units if u.label == "conclusion"]
        assert doc.tree.roots == (majors[-1],)
        out = Counter(r.source.id for r in doc.relations)
        assert all(out[u.id] == (u is not majors[-1]) for u in doc.units), doc.id
        for claim in (u for u in doc.units if u.label == "claim"):
            assert doc.tree.parent(claim) == majors[-1]
        assert doc.metadata["corpus"] == "aae2"


def test_microtext_docs_are_trees_with_one_conclusion(microtext: list[Document]) -> None:
    for doc in microtext:
        (root,) = [u for u in doc.units if u.label == "conclusion"]
        assert doc.tree.roots == (root,)
        out = Counter(r.source.id for r in doc.relations)
        assert all(out[u.id] == (u != root) for u in doc.units), doc.id
        assert len(doc.tree) == len(doc.units)
        for unit in doc.units:
            assert unit.text.strip() == unit.text and unit.text
            expected = "claim" if doc.tree.parent(unit) == root else "premise"
            assert unit is root or unit.label == expected
        assert {"corpus", "split", "topic_id", "stance"} <= set(doc.metadata)


def test_microtext_undercut_and_linked_premise(microtext: list[Document]) -> None:
    # micro_b001: a1 rebuts a5 (c1), a3 undercuts c1, a4 joins the undercut (add).
    doc = next(d for d in microtext if d.id == "micro_b001")
    rels = {r.source.id: (r.target.id, r.label, r.source_label) for r in doc.relations}
    assert rels == {
        "a1": ("a5", "attack", "reb"),
        "a2": ("a1", "support", "sup"),
        "a3": ("a1", "attack", "und"),
        "a4": ("a1", "attack", "add"),
    }
    assert doc.unit("a1").text.startswith("Yes, it's annoying")
    assert doc.metadata["topic_id"] == "waste_separation"


def test_microtext_edu_not_found_names_the_file() -> None:
    xml = (
        '<arggraph id="m"><edu id="e1">Missing words.</edu><adu id="a1" type="pro"/>'
        '<edge id="c1" src="e1" trg="a1" type="seg"/></arggraph>'
    )
    with pytest.raises(CorpusFormatError, match=r"m\.xml.*e1"):
        parse_arggraph(xml, "Other text.", source="m.xml")
    # Whitespace differences between the XML and the text do not matter.
    doc = parse_arggraph(xml, "Missing\n  words.", source="m.xml")
    assert (doc.units[0].start, doc.units[0].end) == (0, 16)


# -- loading and errors ------------------------------------------------------------------


def test_corpora_lists_names_and_splits() -> None:
    assert CORPORA == {
        "aae2": ("train", "test"),
        "abstrct": (
            "neoplasm_train", "neoplasm_dev", "neoplasm_test", "glaucoma_test", "mixed_test",
        ),
        "microtext": ("all",),
    }  # fmt: skip


def test_unknown_corpus_and_split() -> None:
    with pytest.raises(ValueError, match="known corpora: aae2, abstrct, microtext"):
        load("pe", "train")
    with pytest.raises(ValueError, match="known splits: train, test"):
        load("aae2", "dev")


@pytest.mark.parametrize(
    ("name", "split", "hints"),
    [
        ("aae2", "train", ["Stab", "Gurevych", "UKP", "Argument Annotated Essays"]),
        ("abstrct", "mixed_test", ["Mayer", "AbstRCT", "ECAI"]),
        ("microtext", "all", ["Peldszus", "github.com/peldszus/arg-microtexts"]),
    ],
)
def test_missing_corpus_says_where_to_get_it(
    tmp_path: Path, name: str, split: str, hints: list[str]
) -> None:
    with pytest.raises(CorpusNotFoundError) as err:
        load(name, split, data_dir=tmp_path)
    message = str(err.value)
    assert str(tmp_path / name) in message
    assert f"{ENV_VAR}=" in message and "data_dir=" in message
    for hint in hints:
        assert hint in message
    assert isinstance(err.value, FileNotFoundError)


def test_data_dir_resolution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "env"))
    assert resolve_data_dir(tmp_path / "arg") == tmp_path / "arg"
    assert resolve_data_dir() == tmp_path / "env"
    with pytest.raises(CorpusNotFoundError, match="env"):
        load("microtext", "all")
    monkeypatch.delenv(ENV_VAR)
    (tmp_path / "shared" / "data").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "shared")  # ../shared/data from here is tmp/shared/data
    assert resolve_data_dir() == Path("..").resolve() / "shared" / "data"


def test_split_file_with_carriage_returns(tmp_path: Path) -> None:
    path = tmp_path / "train-test-split.csv"
    path.write_bytes(b'"ID";"SET"\r"essay001";"TRAIN"\r"essay002";"TEST"\r')
    assert read_split_file(path) == {"essay001": "train", "essay002": "test"}
    path.write_bytes(b'"ID";"SET"\r"essay001";"DEV"\r')
    with pytest.raises(CorpusFormatError, match="line 2"):
        read_split_file(path)


def test_malformed_ann_in_a_corpus(tmp_path: Path) -> None:
    folder = tmp_path / "abstrct" / "test" / "glaucoma_test"
    folder.mkdir(parents=True)
    (folder / "123.txt").write_text("We conclude this.", encoding="utf-8")
    (folder / "123.ann").write_text(
        "T1\tMajorClaim 0 17\tWe conclude this.\nR1\tSupport Arg1:T1\n", encoding="utf-8"
    )
    with pytest.raises(CorpusFormatError, match=r"123\.ann, line 2"):
        load("abstrct", "glaucoma_test", data_dir=tmp_path)


# -- cross-validation --------------------------------------------------------------------


def test_microtext_cv_splits_are_reproducible_partitions(microtext: list[Document]) -> None:
    splits = list(microtext_cv_splits(microtext))
    assert len(splits) == 50
    assert splits == list(microtext_cv_splits(microtext))
    assert splits != list(microtext_cv_splits(microtext, seed=1))
    everything = set(range(len(microtext)))
    for rep in range(10):
        folds = splits[rep * 5 : rep * 5 + 5]
        tests = [i for _, test in folds for i in test]
        assert sorted(tests) == sorted(everything)
        for train, test in folds:
            assert set(train) | set(test) == everything and not set(train) & set(test)
    assert splits[0][1] != splits[5][1]  # repetitions shuffle differently


# -- datasets and projection -------------------------------------------------------------


def test_dataset_round_trip(microtext: list[Document], abstrct: dict[str, list[Document]]) -> None:
    docs = microtext + abstrct["neoplasm_dev"]
    ds = to_dataset(docs)
    assert len(ds) == len(docs)
    columns = {"id", "text", "unit_start", "unit_end", "unit_label", "unit_source_label",
               "rel_source", "rel_target", "rel_label", "rel_source_label"}  # fmt: skip
    assert columns <= set(ds.column_names)
    back = from_dataset(ds)
    assert back == docs
    for a, b in zip(docs, back, strict=True):
        assert a.id == b.id and dict(a.metadata) == dict(b.metadata)
        assert [(u.id, u.source_label) for u in a.units] == [
            (u.id, u.source_label) for u in b.units
        ]
        assert [r.source_label for r in a.relations] == [r.source_label for r in b.relations]


def test_projection_to_sentences_on_aae2_train(aae2: dict[str, list[Document]]) -> None:
    gold_units = surviving = gold_relations = projected_relations = 0
    for doc in aae2["train"]:
        projected = project_to_sentences(doc)
        assert projected.metadata["projected_from"] == "gold"
        assert projected.metadata["corpus"] == "aae2"
        assert all(u.label in UNIT_LABELS for u in projected.units)
        assert all(r.label in RELATION_LABELS for r in projected.relations)
        out = Counter(r.source.id for r in projected.relations)
        assert all(n == 1 for n in out.values())
        assert all(r.source != r.target for r in projected.relations)
        # A gold unit survives when it is what gives some sentence its label.
        winners = {id(best_overlap(s, doc.units)) for s in projected.units}
        surviving += sum(id(u) in winners for u in doc.units)
        gold_units += len(doc.units)
        gold_relations += len(doc.relations)
        projected_relations += len(projected.relations)
    fraction = surviving / gold_units
    print(f"\nAAE2 train: {fraction:.3f} of {gold_units} gold units label a sentence; "
          f"{projected_relations} of {gold_relations} relations survive projection")  # fmt: skip
    assert fraction > 0.9
    assert projected_relations > 0.85 * gold_relations
