"""Tests of argmine.formats: the dispatch and every export format (issue 7).

Documents are built by hand. The Japan-Russia article is segmented with
argmine.segment and labelled by a fixed rule (see ``japan_doc``): these tests check
rendering and serialisation, not mining.

Browser tests (marked slow) drive headless Chromium; they skip when it is missing,
except under CI (env CI set), where a missing browser is a failure.
"""

from __future__ import annotations

import html as htmllib
import importlib.util
import json
import os
import re
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Callable, Sequence
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest

from argmine import Document, Relation, Unit
from argmine.errors import ArgmineError, InputError
from argmine.formats import (
    FORMATS,
    LABEL_COLOURS,
    RELATION_COLOURS,
    OutputFolderNotFoundError,
    export,
    write,
)
from argmine.formats.aif import from_aif, to_aif, to_xaif
from argmine.formats.argdown import escape, to_argdown
from argmine.formats.dot import WRAP, GraphvizNotFoundError, to_dot, to_svg
from argmine.formats.html import to_html
from argmine.formats.jsonfmt import schema
from argmine.segment import paragraph_index, segment

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
IN_CI = bool(os.environ.get("CI"))
HAS_BRAT = importlib.util.find_spec("argmine.formats.brat") is not None
STAMP = "2024-05-01 12:00:00"

# -- documents --------------------------------------------------------------------------

ESSAY = (
    "Should cities ban cars from their centres?\n\n"
    "Cities should ban private cars from their centres. "
    "Car-free streets are safer for pedestrians. "
    "Most traffic deaths in towns involve cars (>70% & rising). "
    "Cleaner air also improves public health. "
    "Shops may lose customers who drive, however. "
    "Studies of pedestrian zones found that footfall <rose>."
)
ESSAY_UNITS = [
    ("Should cities ban cars from their centres?", "none"),
    ("Cities should ban private cars from their centres.", "conclusion"),
    ("Car-free streets are safer for pedestrians.", "claim"),
    ("Most traffic deaths in towns involve cars (>70% & rising).", "premise"),
    ("Cleaner air also improves public health.", "claim"),
    ("Shops may lose customers who drive, however.", "claim"),
    ("Studies of pedestrian zones found that footfall <rose>.", "premise"),
]
ESSAY_LINKS = [
    (2, 1, "support"),
    (3, 2, "support"),
    (4, 1, "support"),
    (5, 1, "attack"),
    (6, 5, "attack"),
]


def _spans(text: str, units: Sequence[tuple[str, str | None]]) -> list[tuple[int, int, str | None]]:
    spans, pos = [], 0
    for sentence, label in units:
        start = text.index(sentence, pos)
        spans.append((start, start + len(sentence), label))
        pos = start + len(sentence)
    return spans


def essay_doc() -> Document:
    """A small essay: a none headline, a conclusion, claims, premises and two attacks."""
    return Document.build(ESSAY, spans=_spans(ESSAY, ESSAY_UNITS), links=ESSAY_LINKS, id="essay-1")


def japan_doc() -> Document:
    """examples/japan_russia.txt segmented, labelled by a fixed rule (not by mining).

    Paragraphs not ending in . ! ? (navigation, headings, by-line), and everything after
    the "To conclude" sentence (site footer), are ``none``. That sentence is the
    conclusion. In each other paragraph the first sentence is a claim on the conclusion
    and the rest are premises on that claim; a sentence opening with a concessive word
    attacks instead of supporting.
    """
    text = (EXAMPLES / "japan_russia.txt").read_text(encoding="utf-8")
    seg = segment(text, id="japan_russia")
    paragraphs = seg.metadata["paragraphs"]
    index = paragraph_index(seg.units, paragraphs)
    conclusion = next(i for i, u in enumerate(seg.units) if u.text.startswith("To conclude"))
    labels: list[str] = []
    links: list[tuple[int, int, str]] = []
    claim_of: dict[int, int] = {}
    for i, (unit, p) in enumerate(zip(seg.units, index, strict=True)):
        start, end = paragraphs[p]
        if i == conclusion:
            labels.append("conclusion")
            continue
        if i > conclusion or text[start:end].rstrip()[-1:] not in ".!?":
            labels.append("none")
            continue
        kind = "attack" if unit.text.split()[0] in ("Although", "Though", "Despite") else "support"
        if p not in claim_of:
            claim_of[p] = i
            labels.append("claim")
            links.append((i, conclusion, kind))
        else:
            labels.append("premise")
            links.append((i, claim_of[p], kind))
    spans = [(u.start, u.end, lab) for u, lab in zip(seg.units, labels, strict=True)]
    return Document.build(text, spans=spans, links=links, id="japan_russia")


def no_relations_doc() -> Document:
    return Document.build(
        "Act now. It is late. Hello.",
        spans=[(0, 8, "conclusion"), (9, 20, "premise"), (21, 27, "none")],
    )


def only_none_doc() -> Document:
    return Document.build("Menu. Login. Share", spans=[(0, 5, "none"), (6, 12, "none")])


def empty_doc() -> Document:
    return Document("")


def scored_doc() -> Document:
    """Scores and corpus labels on units and relations, one unit unlabelled."""
    a = Unit(0, 8, label="conclusion", score=0.97, source_label="MajorClaim")
    b = Unit(9, 20, label="premise", score=0.61, source_label="Premise")
    c = Unit(21, 26, label=None)
    return Document(
        "Act now. It is late. Maybe",
        id="scored",
        units=(a, b, c),
        relations=(Relation(b, a, "support", score=0.88, source_label="supports"),),
        metadata={"source": "hand-made", "paragraphs": [[0, 26]]},
    )


EDGE_DOCS = {
    "no_relations": no_relations_doc,
    "only_none": only_none_doc,
    "empty": empty_doc,
}


def argumentative(doc: Document) -> Document:
    """``doc`` without its none units (as AIF carries it)."""
    units = [u for u in doc.units if u.label != "none"]
    return doc.with_annotations(units, doc.relations)


def require_dot() -> None:
    if shutil.which("dot") is None:
        if IN_CI:
            pytest.fail("Graphviz's `dot` is missing in CI: apt-get install graphviz")
        pytest.skip("Graphviz's `dot` is not installed (apt-get install graphviz)")


# -- dispatch ---------------------------------------------------------------------------


def test_formats_names() -> None:
    assert FORMATS == ("json", "brat", "aif", "xaif", "argdown", "dot", "svg", "html")


def test_unknown_format_lists_known_ones(tmp_path: Path) -> None:
    with pytest.raises(ValueError) as info:
        export(essay_doc(), "yaml")
    assert isinstance(info.value, ArgmineError)
    for fmt in FORMATS:
        assert fmt in str(info.value)
    with pytest.raises(ValueError, match="yaml"):
        write(essay_doc(), "yaml", tmp_path / "x.yaml")
    assert list(tmp_path.iterdir()) == []


def test_write_into_missing_folder_names_it(tmp_path: Path) -> None:
    folder = tmp_path / "no" / "such"
    with pytest.raises(FileNotFoundError) as info:
        write(essay_doc(), "json", folder / "doc.json")
    assert isinstance(info.value, OutputFolderNotFoundError)
    assert str(folder) in str(info.value)
    assert not (tmp_path / "no").exists()


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f not in ("brat", "aif", "xaif")])
def test_write_matches_export(tmp_path: Path, fmt: str) -> None:
    if fmt == "svg":
        require_dot()
    doc = essay_doc()
    (path,) = write(doc, fmt, str(tmp_path / f"essay.{fmt}"))
    assert path.read_bytes() == export(doc, fmt).encode("utf-8")


def test_write_aif_is_json(tmp_path: Path) -> None:
    (path,) = write(essay_doc(), "aif", tmp_path / "essay.json")
    assert {n["type"] for n in json.loads(path.read_text("utf-8"))["nodes"]} == {"I", "RA", "CA"}
    (path,) = write(essay_doc(), "xaif", tmp_path / "essay.xaif.json")
    assert set(json.loads(path.read_text("utf-8"))) >= {"AIF", "text", "OVA"}


@pytest.mark.skipif(not HAS_BRAT, reason="argmine.formats.brat is not there yet")
@pytest.mark.parametrize("name", ["out/essay", "out/essay.ann", "out/essay.txt"])
def test_write_brat_writes_txt_and_ann(tmp_path: Path, name: str) -> None:
    (tmp_path / "out").mkdir()
    doc = Document.build(
        "Act now.\r\nIt is late.",
        spans=[(0, 8, "conclusion"), (10, 21, "premise")],
        links=[(1, 0, "support")],
    )
    paths = write(doc, "brat", tmp_path / name)
    assert [p.name for p in paths] == ["essay.txt", "essay.ann"]
    # "\r\n" must stay two characters: brat offsets count both.
    assert paths[0].read_bytes() == doc.text.encode("utf-8")
    assert paths[1].read_text("utf-8") == export(doc, "brat")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", sorted(EDGE_DOCS))
def test_every_format_exports_edge_documents(fmt: str, name: str) -> None:
    if fmt == "brat" and not HAS_BRAT:
        pytest.skip("argmine.formats.brat is not there yet")
    if fmt == "svg":
        require_dot()
    out = export(EDGE_DOCS[name](), fmt)
    assert isinstance(out, str)
    if fmt in ("json", "aif", "xaif"):
        json.loads(out)
    if fmt == "svg":
        assert ET.fromstring(out).tag.endswith("svg")
    if fmt == "html":
        assert out.startswith("<!DOCTYPE html>") and out.rstrip().endswith("</html>")


# -- json -------------------------------------------------------------------------------


def test_schema_is_valid_draft_2020_12() -> None:
    data = schema()
    assert data["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(data)
    packaged = Path(__file__).resolve().parent.parent / "argmine/schema/document.schema.json"
    assert json.loads(packaged.read_text("utf-8")) == data


@pytest.mark.parametrize(
    "make", [essay_doc, japan_doc, no_relations_doc, only_none_doc, empty_doc, scored_doc]
)
def test_json_export_validates_and_round_trips(make: Callable[[], Document]) -> None:
    doc = make()
    data = json.loads(export(doc, "json"))
    jsonschema.Draft202012Validator(schema()).validate(data)
    assert Document.from_dict(data) == doc


def test_schema_keeps_scores_and_rejects_drift() -> None:
    validator = jsonschema.Draft202012Validator(schema())
    data = scored_doc().to_dict()
    assert data["units"][0]["score"] == 0.97 and data["relations"][0]["score"] == 0.88
    assert data["units"][2]["label"] is None
    validator.validate(data)
    bad = [
        {**data, "schema_version": 2},
        {k: v for k, v in data.items() if k != "text"},
        {**data, "units": [{**data["units"][0], "label": "banana"}]},
        {**data, "units": [{**data["units"][0], "start": -1}]},
        {**data, "units": [{**data["units"][0], "score": "high"}]},
        {**data, "relations": [{**data["relations"][0], "label": "rebut"}]},
        {**data, "extra": 1},
    ]
    for case in bad:
        assert not validator.is_valid(case), case


# -- aif --------------------------------------------------------------------------------


def test_aif_layout() -> None:
    doc = essay_doc()
    aif = to_aif(doc, timestamp=STAMP)
    assert set(aif) == {"nodes", "edges", "locutions", "participants"}
    assert aif["locutions"] == [] and aif["participants"] == []
    nodes = {n["nodeID"]: n for n in aif["nodes"]}
    assert len(nodes) == len(aif["nodes"])  # ids unique
    assert all(isinstance(i, str) and n["timestamp"] == STAMP for i, n in nodes.items())
    i_texts = [n["text"] for n in aif["nodes"] if n["type"] == "I"]
    assert i_texts == [u.text for u in doc.units if u.label != "none"]
    assert sorted(n["text"] for n in aif["nodes"] if n["type"] == "RA") == ["Default Inference"] * 3
    assert sorted(n["text"] for n in aif["nodes"] if n["type"] == "CA") == ["Default Conflict"] * 2
    # Every S-node has exactly one I-node in and one out: I -> RA/CA -> I.
    for s_id, node in nodes.items():
        if node["type"] in ("RA", "CA"):
            ins = [e["fromID"] for e in aif["edges"] if e["toID"] == s_id]
            outs = [e["toID"] for e in aif["edges"] if e["fromID"] == s_id]
            assert [nodes[i]["type"] for i in ins + outs] == ["I", "I"]
    assert all(e["formEdgeID"] is None for e in aif["edges"])
    assert len({e["edgeID"] for e in aif["edges"]}) == 2 * len(doc.relations)


def test_xaif_layout() -> None:
    doc = essay_doc()
    x = to_xaif(doc, timestamp=STAMP)
    assert set(x) == {"AIF", "text", "OVA", "dialog"}
    assert x["dialog"] is False
    assert x["AIF"]["participants"] == [] and x["AIF"]["locutions"] == []
    assert all(set(n) == {"nodeID", "text", "type"} for n in x["AIF"]["nodes"])
    assert [n["nodeID"] for n in x["AIF"]["nodes"]] == [n["nodeID"] for n in x["OVA"]["nodes"]]
    assert "&lt;rose&gt;" in x["text"] and "<rose>" not in x["text"]
    # The OVA layout puts the conclusion above its claims and claims above premises.
    y = {n["nodeID"]: n["y"] for n in x["OVA"]["nodes"]}
    assert y["1"] < y["2"] < y["3"]


@pytest.mark.parametrize("make", [essay_doc, japan_doc])
def test_aif_loads_back_same_units_and_relations(make: Callable[[], Document]) -> None:
    doc = make()
    expected = argumentative(doc)
    aif = json.loads(export(doc, "aif"))
    assert from_aif(aif, text=doc.text, id=doc.id) == expected
    xaif = json.loads(export(doc, "xaif"))
    assert from_aif(xaif, id=doc.id) == expected  # the text comes from xAIF itself


def test_aif_without_text_joins_node_texts() -> None:
    doc = from_aif(to_aif(essay_doc()))
    assert doc.text.split("\n") == [t for t, lab in ESSAY_UNITS if lab != "none"]
    assert [(r.source.text[:5], r.target.text[:5], r.label) for r in doc.relations] == [
        ("Car-f", "Citie", "support"),
        ("Most ", "Car-f", "support"),
        ("Clean", "Citie", "support"),
        ("Shops", "Citie", "attack"),
        ("Studi", "Shops", "attack"),
    ]


def test_aif_labels_are_derived_from_the_tree() -> None:
    # AIF has no unit roles: a premise directly under the conclusion reads back as a claim,
    # and a unit without relations as unlabelled. Offsets and relations survive.
    doc = no_relations_doc()
    back = from_aif(to_aif(doc), text=doc.text)
    assert [(u.start, u.end, u.label) for u in back.units] == [(0, 8, None), (9, 20, None)]
    doc = Document.build(
        "Act. Now.", spans=[(0, 4, "conclusion"), (5, 9, "premise")], links=[(1, 0, "support")]
    )
    back = from_aif(to_aif(doc), text=doc.text)
    assert [u.label for u in back.units] == ["conclusion", "claim"]
    assert [(r.source.start, r.target.start, r.label) for r in back.relations] == [
        (5, 0, "support")
    ]


def test_from_aif_reads_foreign_aifdb_graph() -> None:
    # AIFdb-style: integer ids, dialogue nodes (L, YA, TA), a rephrase (MA), a linked
    # argument (two premises into one RA), and I-nodes listed out of text order.
    text = "Tax sugar. It harms teeth. It costs the NHS. No, it is a nanny state."
    graph = {
        "nodes": [
            {"nodeID": 10, "text": "It costs the NHS.", "type": "I"},
            {"nodeID": 11, "text": "Tax sugar.", "type": "I"},
            {"nodeID": 12, "text": "It harms teeth.", "type": "I"},
            {"nodeID": 13, "text": "No, it is a nanny state.", "type": "I"},
            {"nodeID": 20, "text": "Default Inference", "type": "RA"},
            {"nodeID": 21, "text": "Default Conflict", "type": "CA"},
            {"nodeID": 22, "text": "Default Rephrase", "type": "MA"},
            {"nodeID": 30, "text": "Bob : Tax sugar.", "type": "L"},
            {"nodeID": 31, "text": "Asserting", "type": "YA"},
        ],
        "edges": [
            {"edgeID": 1, "fromID": 12, "toID": 20},
            {"edgeID": 2, "fromID": 10, "toID": 20},
            {"edgeID": 3, "fromID": 20, "toID": 11},
            {"edgeID": 4, "fromID": 13, "toID": 21},
            {"edgeID": 5, "fromID": 21, "toID": 11},
            {"edgeID": 6, "fromID": 13, "toID": 22},
            {"edgeID": 7, "fromID": 22, "toID": 12},
            {"edgeID": 8, "fromID": 30, "toID": 31},
            {"edgeID": 9, "fromID": 31, "toID": 11},
        ],
        "locutions": [{"nodeID": 30, "personID": 1}],
        "participants": [{"participantID": 1, "firstname": "Bob", "surname": "B"}],
    }
    doc = from_aif(graph, text=text)
    assert [u.text for u in doc.units] == [
        "Tax sugar.",
        "It harms teeth.",
        "It costs the NHS.",
        "No, it is a nanny state.",
    ]
    assert [u.label for u in doc.units] == ["conclusion", "claim", "claim", "claim"]
    assert {(r.source.text[:6], r.target.text[:6], r.label) for r in doc.relations} == {
        ("It har", "Tax su", "support"),
        ("It cos", "Tax su", "support"),
        ("No, it", "Tax su", "attack"),
    }


def test_from_aif_errors() -> None:
    with pytest.raises(InputError, match="I-node 1"):
        from_aif(to_aif(essay_doc()), text="unrelated text")
    with pytest.raises(InputError, match="nodes"):
        from_aif({"edges": []})
    with pytest.raises(InputError, match="JSON object"):
        from_aif([])  # type: ignore[arg-type]
    with pytest.raises(InputError, match="field"):
        from_aif({"nodes": [{"text": "x"}], "edges": []})


def test_aif_repeated_sentences_get_their_own_offsets() -> None:
    text = "Yes. Yes. We agree."
    doc = Document.build(
        text,
        spans=[(0, 4, "premise"), (5, 9, "premise"), (10, 19, "conclusion")],
        links=[(0, 2, "support"), (1, 2, "support")],
    )
    back = from_aif(to_aif(doc), text=text)
    assert [(u.start, u.end) for u in back.units] == [(0, 4), (5, 9), (10, 19)]


# -- argdown ----------------------------------------------------------------------------


def test_argdown_outline() -> None:
    assert to_argdown(essay_doc()) == (
        "[Conclusion]: Cities should ban private cars from their centres.\n"
        "  <+ <Claim 1>: Car-free streets are safer for pedestrians.\n"
        "    <+ <Premise 1>: Most traffic deaths in towns involve cars (\\>70% & rising).\n"
        "  <+ <Claim 2>: Cleaner air also improves public health.\n"
        "  <- <Claim 3>: Shops may lose customers who drive, however.\n"
        "    <- <Premise 2>: Studies of pedestrian zones found that footfall \\<rose\\>.\n"
    )


def test_argdown_omits_none_and_lists_units_outside_the_tree() -> None:
    out = to_argdown(no_relations_doc())
    assert out == "[Conclusion]: Act now.\n\n[Premise 1]: It is late.\n"
    assert "Hello" not in out
    assert to_argdown(only_none_doc()).startswith("//")
    assert to_argdown(empty_doc()).startswith("//")


def test_argdown_japan_every_tree_unit_once() -> None:
    doc = japan_doc()
    lines = to_argdown(doc).splitlines()
    tree_units = [u for u, _ in doc.tree.walk()]
    assert len(lines) == len(tree_units)
    assert lines[0].startswith("[Conclusion]: To conclude")
    for line, (unit, depth) in zip(lines, doc.tree.walk(), strict=True):
        assert line.startswith("  " * depth + ("" if depth == 0 else "<"))
        assert line.endswith(escape(unit.text))
    assert any(line.startswith("  <- <Claim") for line in lines)  # "Although ..." attacks


def test_argdown_escapes_markup_and_joins_lines() -> None:
    text = "Use [refs] <args> #tags *em* _u_ @[m] {data} a//b /*c*/ === \\ x\ny"
    doc = Document.build(text, spans=[(0, len(text), "conclusion")])
    line = to_argdown(doc).rstrip("\n")
    assert "\n" not in line
    body = line.removeprefix("[Conclusion]: ")
    # Unescaping (a backslash keeps the next character literally) gives the text back.
    assert re.sub(r"\\(.)", r"\1", body) == " ".join(text.split())
    for token in ("[", "]", "<", ">", "#", "*", "_", "@", "{", "}"):
        assert re.search(r"(?<!\\)" + re.escape(token), body.replace("\\\\", "")) is None
    assert "//" not in body.replace("\\/", "") and "===" not in body


# -- dot and svg ------------------------------------------------------------------------

_NODE_RE = re.compile(r"^\s*(n\d+) \[label=<(.*)> fillcolor=\"(#[0-9a-f]{6})\" id=(\S+)\]$")
_EDGE_RE = re.compile(r"^\s*(n\d+) -> (n\d+) \[color=\"(#[0-9a-f]{6})\" style=(\w+)\]$")


def test_dot_colours_styles_and_labels() -> None:
    doc = essay_doc()
    source = to_dot(doc)
    nodes = {m[1]: m for m in map(_NODE_RE.match, source.splitlines()) if m}
    edges = [m for m in map(_EDGE_RE.match, source.splitlines()) if m]
    shown = [u for u in doc.units if u.label != "none"]
    assert len(nodes) == len(shown)
    for m, unit in zip(nodes.values(), shown, strict=True):
        assert m[3] == LABEL_COLOURS[unit.label]
        assert m[4].strip('"') == unit.id
    assert "Should cities" not in source  # the none headline
    assert "footfall &lt;rose&gt;" in source and "<rose>" not in source
    assert len(edges) == len(doc.relations)
    for m, rel in zip(edges, doc.relations, strict=True):
        assert m[3] == RELATION_COLOURS[rel.label]
        assert m[4] == ("solid" if rel.label == "support" else "dashed")
    assert RELATION_COLOURS == {"support": "#1a9850", "attack": "#d73027"}


def test_dot_wraps_long_text() -> None:
    text = " ".join(["word"] * 60)
    source = to_dot(Document.build(text, spans=[(0, len(text), "conclusion")]))
    lines = re.findall(r"(?:<BR ALIGN=\"LEFT\"/>)([^<]+)", source)
    assert len(lines) > 5 and all(len(line) <= WRAP for line in lines)


def test_svg_renders_every_unit() -> None:
    require_dot()
    doc = japan_doc()
    root = ET.fromstring(to_svg(doc))
    ns = {"svg": "http://www.w3.org/2000/svg"}
    groups = root.findall(".//svg:g[@class='node']", ns)
    shown = [u for u in doc.units if u.label != "none"]
    assert sorted(g.get("id", "") for g in groups) == sorted(u.id for u in shown)
    assert len(root.findall(".//svg:g[@class='edge']", ns)) == len(doc.relations)
    assert len(root.findall(".//svg:path[@stroke-dasharray]", ns)) == sum(
        r.label == "attack" for r in doc.relations
    )


def test_svg_without_graphviz_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")
    with pytest.raises(GraphvizNotFoundError, match="apt-get install graphviz"):
        export(essay_doc(), "svg")
    assert to_dot(essay_doc())  # DOT source needs no binary


# -- html (static) ----------------------------------------------------------------------


class _Collect(HTMLParser):
    """Elements with their attributes, and all text, of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self._in_text = 0
        self.text_panel: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        if self._in_text or dict(attrs).get("id") == "text":
            self._in_text += 1

    def handle_endtag(self, tag: str) -> None:
        if self._in_text:
            self._in_text -= 1

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._in_text:
            self.text_panel.append(data)


def _parse(page: str) -> _Collect:
    parser = _Collect()
    parser.feed(page)
    parser.close()
    return parser


def test_html_is_self_contained() -> None:
    page = to_html(japan_doc())
    for needle in ("http://", "https://", "src=", "<link", "@import", "url(", "//cdn"):
        assert needle not in page, needle
    assert page.count("<style>") == 1 and page.count("<script>") == 1


@pytest.mark.parametrize("make", [essay_doc, japan_doc, scored_doc])
def test_html_shows_text_units_tree_and_legend(make: Callable[[], Document]) -> None:
    doc = make()
    parsed = _parse(to_html(doc))
    assert "".join(parsed.text_panel) == doc.text
    anchors = {a["id"]: a for t, a in parsed.elements if a.get("class") == "anchor"}
    assert [anchors[f"unit-{i}"]["data-unit-id"] for i in range(len(doc.units))] == [
        u.id for u in doc.units
    ]
    buttons = [a for t, a in parsed.elements if t == "button"]
    tree_ids = [u.id for u, _ in doc.tree.walk()]
    outside = [
        u.id
        for u in doc.units
        if u.label in ("conclusion", "claim", "premise") and u.id not in tree_ids
    ]
    assert [b["data-unit-id"] for b in buttons] == tree_ids + outside
    legend = [a["class"] for t, a in parsed.elements if "swatch" in (a.get("class") or "")]
    assert len(legend) == len(LABEL_COLOURS)


def test_html_escapes_everything() -> None:
    text = '<script>alert("x")</script> & "quotes" \'single\''
    doc = Document(text, id='<img onerror="x">', units=(Unit(0, 29, label="claim", id='"><b>'),))
    page = to_html(doc)
    assert "<script>alert" not in page and "<img" not in page and '"><b>' not in page
    parsed = _parse(page)
    assert "".join(parsed.text_panel) == text
    assert (
        "span",
        {"class": "anchor", "id": "unit-0", "data-unit-id": '"><b>', "data-label": "claim"},
    ) in parsed.elements


def test_html_overlapping_units_share_spans() -> None:
    text = "One two three four."
    doc = Document.build(text, spans=[(0, 13, "claim"), (4, 19, "premise")])
    parsed = _parse(to_html(doc))
    spans = [a for t, a in parsed.elements if (a.get("class") or "").startswith("unit ")]
    assert [s["data-units"] for s in spans] == ["0", "0 1", "1"]
    assert "".join(parsed.text_panel) == text


# -- html in a browser (slow) -----------------------------------------------------------


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    if IN_CI:
        pytest.fail("Chromium is missing in CI: apt-get install -y chromium chromium-driver")
    pytest.skip("Chromium is not installed (apt-get install -y chromium chromium-driver)")


def _run_chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [
        _chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={tmp_path / 'profile'}",
        *args,
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    return result


def _png_info(path: Path) -> tuple[int, int, bytes]:
    """Width, height and the decompressed (still filtered) pixel rows of a PNG."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, width, height, idat = 8, 0, 0, b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    return width, height, zlib.decompress(idat)


@pytest.mark.slow
def test_html_screenshot_shows_the_page(tmp_path: Path) -> None:
    page = tmp_path / "japan.html"
    page.write_text(to_html(japan_doc()), encoding="utf-8")
    shot = tmp_path / "japan.png"
    _run_chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,2000", page.as_uri())
    width, height, pixels = _png_info(shot)
    assert (width, height) == (1280, 2000)
    assert shot.stat().st_size > 50_000  # a blank page compresses to a few KB
    assert len(set(pixels)) > 64  # many distinct byte values: text and colours, not a fill


# Clicks every tree entry through the page's own handlers, then reports what the DOM
# shows: each unit's text as rendered, the computed colours, and the selection. It runs
# after the page's script (appended at the end of <body>), and writes into <pre>.
_SELF_TEST = """
<script>
(function () {
  var units = {}, anchors = document.querySelectorAll(".anchor");
  anchors.forEach(function (a) {
    var i = a.id.slice(5), text = "";
    document.querySelectorAll('.unit[data-units~="' + i + '"]').forEach(function (s) {
      text += s.textContent;
    });
    units[i] = {id: a.getAttribute("data-unit-id"), label: a.getAttribute("data-label"),
                text: text};
  });
  var colours = {};
  document.querySelectorAll(".unit").forEach(function (s) {
    var inner = s.getAttribute("data-inner");
    colours[units[inner].label] = getComputedStyle(s).backgroundColor;
  });
  var clicks = [];
  document.querySelectorAll("#tree [data-target]").forEach(function (button) {
    button.click();
    var i = button.getAttribute("data-target");
    var active = Array.prototype.map.call(document.querySelectorAll("#text .active"),
      function (s) { return s.getAttribute("data-units"); });
    var wanted = document.querySelectorAll('.unit[data-units~="' + i + '"]').length;
    clicks.push({target: i, active: active, wanted: wanted,
                 button: button.classList.contains("active")});
  });
  // Clicking a unit in the text marks its entry in the tree.
  var span = Array.prototype.find.call(document.querySelectorAll("#text .unit"), function (s) {
    return document.querySelector('#tree [data-target="' + s.getAttribute("data-inner") + '"]');
  });
  span.click();
  var inner = span.getAttribute("data-inner");
  var entry = document.querySelector('#tree [data-target="' + inner + '"]');
  var textClick = {inner: inner,
                   active: entry.classList.contains("active"),
                   others: document.querySelectorAll("#tree .active").length};
  var result = {units: units, colours: colours, clicks: clicks, textClick: textClick};
  // Scrolling is smooth, hence asynchronous: look at the viewport a little later.
  var target = document.querySelectorAll("#tree [data-target]");
  target = target[target.length - 1];
  target.click();
  setTimeout(function () {
    var rect = document.getElementById("unit-" + target.getAttribute("data-target"))
      .getBoundingClientRect();
    result.scroll = {y: window.scrollY, top: rect.top, height: window.innerHeight};
    var pre = document.createElement("pre");
    pre.id = "selftest";
    pre.textContent = JSON.stringify(result);
    document.body.appendChild(pre);
  }, 1500);
})();
</script>
"""


def _hex_to_rgb(colour: str) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


@pytest.mark.slow
def test_html_in_browser_units_present_and_clicks_select(tmp_path: Path) -> None:
    doc = japan_doc()
    page = tmp_path / "japan.html"
    page.write_text(to_html(doc).replace("</body>", _SELF_TEST + "</body>"), encoding="utf-8")
    dom = _run_chromium(
        tmp_path,
        "--window-size=1280,800",
        # Smooth scrolling does not advance under virtual time; reduced motion jumps.
        "--force-prefers-reduced-motion",
        "--virtual-time-budget=10000",
        "--dump-dom",
        page.as_uri(),
    ).stdout
    found = re.search(r'<pre id="selftest">(.*?)</pre>', dom, re.DOTALL)
    assert found, dom[-2000:]
    report = json.loads(htmllib.unescape(found[1]))
    # Every unit is in the rendered DOM with its id, label and exact text.
    assert len(report["units"]) == len(doc.units)
    for i, unit in enumerate(doc.units):
        got = report["units"][str(i)]
        assert (got["id"], got["label"], got["text"]) == (unit.id, unit.label, unit.text)
    # Each label's highlight has its documented colour.
    for label in ("conclusion", "claim", "premise", "none"):
        assert report["colours"][label] == _hex_to_rgb(LABEL_COLOURS[label])
    # Clicking a tree entry selects exactly that unit's text and the entry itself.
    assert len(report["clicks"]) == len(list(doc.tree.walk()))
    for click in report["clicks"]:
        assert click["button"]
        assert len(click["active"]) == click["wanted"] >= 1
        assert all(click["target"] in s.split() for s in click["active"])
    assert report["textClick"]["active"] and report["textClick"]["others"] == 1
    # ... and scrolls its sentence into view (the conclusion is far down the text).
    scroll = report["scroll"]
    assert scroll["y"] > 0 and 0 <= scroll["top"] <= scroll["height"]
