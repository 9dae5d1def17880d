"""Tests of argmine.formats.brat: parsing, errors, writing, and exact round trips."""

from __future__ import annotations

from pathlib import Path

import pytest

from argmine.corpora import aae2 as aae2_mod
from argmine.corpora import abstrct as abstrct_mod
from argmine.document import Document
from argmine.errors import CorpusFormatError
from argmine.formats.brat import (
    ATTRIBUTES_KEY,
    DERIVED_KEY,
    parse_brat,
    read_brat,
    to_brat,
    write_brat,
)

LABELS = {"MajorClaim": "conclusion", "Claim": "claim", "Premise": "premise"}
RELATIONS = {"supports": "support", "attacks": "attack"}
TEXT = "Tax sugar.\nIt harms teeth, and it costs money."


def _write(tmp_path: Path, ann: str, text: str = TEXT) -> tuple[Path, Path]:
    txt_path, ann_path = tmp_path / "doc.txt", tmp_path / "doc.ann"
    txt_path.write_text(text, encoding="utf-8")
    ann_path.write_text(ann, encoding="utf-8")
    return txt_path, ann_path


def _read(txt: Path, ann: Path) -> Document:
    return read_brat(txt, ann, label_map=LABELS, relation_map=RELATIONS)


def test_reads_entities_attributes_relations(tmp_path: Path) -> None:
    ann = (
        "T1\tMajorClaim 0 10\tTax sugar.\n"
        "# a note that the reader ignores\n"
        "T2\tPremise 11 25\tIt harms teeth\t\n"  # AAE2 has stray trailing tabs
        "T3\tClaim 31 46\tit costs money.\n"
        "A1\tStance T3 For\n"
        "R1\tsupports Arg1:T2 Arg2:T3\t\n"
        "#1\tAnnotatorNotes T1\tthesis\n"
    )
    doc = _read(*_write(tmp_path, ann))
    assert doc.id == "doc"
    assert [(u.id, u.start, u.end, u.label, u.source_label) for u in doc.units] == [
        ("T1", 0, 10, "conclusion", "MajorClaim"),
        ("T2", 11, 25, "premise", "Premise"),
        ("T3", 31, 46, "claim", "Claim"),
    ]
    (rel,) = doc.relations
    assert (rel.source.id, rel.target.id, rel.label, rel.source_label) == (
        "T2", "T3", "support", "supports",
    )  # fmt: skip
    assert doc.metadata[ATTRIBUTES_KEY] == [["A1", "Stance", "T3", "For"]]


def test_discontinuous_span_takes_min_start_and_max_end(tmp_path: Path) -> None:
    doc = _read(*_write(tmp_path, "T1\tPremise 11 19;31 46\tIt harms it costs money.\n"))
    assert (doc.units[0].start, doc.units[0].end) == (11, 46)


def test_doc_id_override_and_crlf_offsets(tmp_path: Path) -> None:
    # brat counts "\r\n" as two characters; reading must not translate newlines.
    text = "Tax it.\r\nIt works."
    doc = read_brat(
        *_write(tmp_path, "T1\tClaim 9 18\tIt works.\r\n", text=text),
        doc_id="x1", label_map=LABELS, relation_map=RELATIONS,
    )  # fmt: skip
    assert doc.id == "x1"
    assert doc.units[0].text == "It works."


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("T9 Premise 0 10 Tax sugar.", "entity needs"),  # spaces instead of tabs
        ("T9\tPremise 0 x\tTax sugar.", "bad offsets"),
        ("T9\tPremise 10 0\tTax sugar.", "do not fit"),
        ("T9\tPremise 0 999\tTax sugar.", "do not fit"),
        ("T9\tPremise 0 10\tSomething else", "does not match"),
        ("T9\tOpinion 0 10\tTax sugar.", "unknown entity type"),
        ("R9\tsupports Arg1:T1", "relation needs"),
        ("R9\tsupports T1 T1", "relation needs"),
        ("R9\tcontradicts Arg1:T1 Arg2:T1", "unknown relation type"),
        ("R9\tsupports Arg1:T1 Arg2:T7", "unknown entity 'T7'"),
        ("A9\tStance", "attribute needs"),
        ("A9\tStance T7 For", "unknown entity 'T7'"),
        ("T1\tPremise 0 10\tTax sugar.", "duplicate id"),
        ("X1\twhat is this", "unknown annotation kind"),
    ],
)
def test_malformed_line_names_file_and_line(tmp_path: Path, line: str, problem: str) -> None:
    ann = "T1\tMajorClaim 0 10\tTax sugar.\n\n" + line + "\n"
    txt, ann_path = _write(tmp_path, ann)
    with pytest.raises(CorpusFormatError) as err:
        _read(txt, ann_path)
    message = str(err.value)
    assert str(ann_path) in message
    assert "line 3" in message
    assert problem in message


def test_to_brat_writes_source_labels_and_renumbers_foreign_ids() -> None:
    doc = Document.build(TEXT, spans=[(0, 10, "conclusion"), (11, 46, "premise")],
                         links=[(1, 0, "attack")])  # fmt: skip
    txt, ann = to_brat(doc)
    assert txt == TEXT
    assert ann.splitlines() == [
        "T1\tconclusion 0 10\tTax sugar.",
        "T2\tpremise 11 46\tIt harms teeth, and it costs money.",
        "R1\tattack Arg1:T2 Arg2:T1",
    ]


def test_to_brat_splits_units_across_lines_into_fragments(tmp_path: Path) -> None:
    doc = Document.build(TEXT, spans=[(0, 25, "claim")])
    _, ann = to_brat(doc)
    assert ann == "T1\tclaim 0 10;11 25\tTax sugar. It harms teeth\n"
    back = parse_brat(TEXT, ann, label_map={"claim": "claim"}, relation_map={})
    assert back == doc


def test_to_brat_skips_derived_relations_and_keeps_attributes() -> None:
    ann = (
        "T1\tMajorClaim 0 10\tTax sugar.\nT2\tClaim 11 25\tIt harms teeth\nA1\tStance T2 Against\n"
    )
    doc = aae2_mod.derive_tree(parse_brat(TEXT, ann, label_map=LABELS, relation_map=RELATIONS))
    assert [(r.label, r.source_label) for r in doc.relations] == [("attack", "Stance:Against")]
    assert "Stance:Against" in doc.metadata[DERIVED_KEY]
    assert to_brat(doc)[1] == ann


def _assert_same(a: Document, b: Document) -> None:
    assert a == b
    assert a.id == b.id
    assert [(u.id, u.source_label) for u in a.units] == [(u.id, u.source_label) for u in b.units]
    assert [r.source_label for r in a.relations] == [r.source_label for r in b.relations]
    assert a.metadata.get(ATTRIBUTES_KEY) == b.metadata.get(ATTRIBUTES_KEY)


def test_round_trip_every_aae2_essay(aae2: dict[str, list[Document]], tmp_path: Path) -> None:
    docs = aae2["train"] + aae2["test"]
    assert len(docs) == 402
    for doc in docs:
        txt, ann = tmp_path / f"{doc.id}.txt", tmp_path / f"{doc.id}.ann"
        write_brat(doc, txt, ann)
        back = aae2_mod.read_essay(txt, ann, metadata={"corpus": "aae2", "split": "x"})
        _assert_same(doc, back)


def test_round_trip_every_abstrct_abstract(
    abstrct: dict[str, list[Document]], tmp_path: Path
) -> None:
    docs = [doc for split in abstrct.values() for doc in split]
    assert len(docs) == 700
    for n, doc in enumerate(docs):
        # Splits share PubMed ids, so number the files.
        txt, ann = tmp_path / f"{n}.txt", tmp_path / f"{n}.ann"
        write_brat(doc, txt, ann)
        back = read_brat(
            txt, ann, doc_id=doc.id,
            label_map=abstrct_mod.UNIT_MAP, relation_map=abstrct_mod.RELATION_MAP,
        )  # fmt: skip
        _assert_same(doc, back)
