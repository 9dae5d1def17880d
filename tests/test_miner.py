"""The miner's machinery, on an untrained model: shapes, trees, inputs, errors."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from outputs import SCORE_TOLERANCE, same

import argmine
from argmine.document import UNIT_LABELS, Document, Unit
from argmine.errors import ModelLoadError
from argmine.miner import Miner

TEXT = (
    "Home | News\n\nCities should ban cars from their centres. Cars pollute the air. "
    "Noise harms sleep.\n\nSome say shops would suffer. But pedestrians spend more.\n\n"
    "So a ban serves everyone.\n\nSubscribe"
)


def _check_tree(doc: Document) -> None:
    arg = [u for u in doc.units if u.label != "none"]
    assert all(u.label in UNIT_LABELS for u in doc.units)
    if not arg:
        assert not doc.relations
        return
    root = doc.tree.root
    assert root is not None and root.label == "conclusion"
    assert len(doc.tree.roots) == 1
    walked = [u for u, _ in doc.tree.walk()]
    assert sorted(u.id for u in walked) == sorted(u.id for u in arg)  # every arg unit, once
    for rel in doc.relations:
        assert rel.source.label != "none" and rel.target.label != "none"
        assert rel.label in ("support", "attack")
        if rel.source.label == "claim":
            assert rel.target.label in ("conclusion", "claim")
        assert rel.target.label != "premise" or rel.source.label == "premise"


def test_text_becomes_a_labelled_document_with_one_tree(untrained_miner: Any) -> None:
    doc = untrained_miner(TEXT)
    assert doc.text == TEXT
    assert len(doc.units) >= 8
    assert all(u.score is not None and 0 <= u.score <= 1 for u in doc.units)
    _check_tree(doc)


def test_gold_units_are_labelled_not_resegmented(untrained_miner: Any) -> None:
    gold = Document(TEXT, units=(Unit(13, 55), Unit(56, 75)))
    doc = untrained_miner(gold)
    assert [(u.start, u.end) for u in doc.units] == [(13, 55), (56, 75)]
    _check_tree(doc)


def test_all_argumentative_leaves_no_unit_none(untrained_model_dir: Path) -> None:
    miner = argmine.load(str(untrained_model_dir), all_argumentative=True)
    doc = miner(argmine.segment(TEXT))
    assert all(u.label != "none" for u in doc.units)
    _check_tree(doc)


def test_pipe_keeps_order_and_batch_size_does_not_change_results(untrained_miner: Any) -> None:
    texts = [TEXT, "One short claim.", "", TEXT.replace("cars", "lorries")]
    # Each window is padded to a width of its own (plan_batches); what the row count
    # still changes is the kernels' rounding: the last printed digit in float32, the
    # fifth decimal in bfloat16 on CPUs with bfloat16 kernels.
    for precision, tol in (("float32", SCORE_TOLERANCE), ("bfloat16", 1e-4)):
        miner = Miner(untrained_miner.model, precision=precision)
        one = list(miner.pipe(texts, batch_size=1))
        many = list(miner.pipe(texts, batch_size=3))
        assert [d.text for d in one] == texts
        same([d.to_dict() for d in one], [d.to_dict() for d in many], precision, tol)


def test_text_where_nothing_argues_gives_no_tree(untrained_model_dir: Path) -> None:
    miner = argmine.load(str(untrained_model_dir), none_threshold=0.0)
    doc = miner(TEXT)
    assert doc.units and all(u.label == "none" for u in doc.units)
    assert doc.relations == () and doc.tree.root is None


def test_units_the_tokenizer_drops_entirely_are_still_labelled(untrained_miner: Any) -> None:
    doc = untrained_miner("\ufeff\u200b")
    assert len(doc.units) == 1 and doc.units[0].label is not None


def test_empty_text_gives_a_document_without_units(untrained_miner: Any) -> None:
    for text in ("", "   \n\t "):
        doc = untrained_miner(text)
        assert doc.units == () and doc.relations == () and doc.tree.root is None


def test_non_str_input_is_a_type_error(untrained_miner: Any) -> None:
    with pytest.raises(TypeError, match="bytes"):
        untrained_miner(b"text")


def test_long_documents_are_mined_in_blocks_under_one_root(untrained_model_dir: Path) -> None:
    miner = argmine.load(str(untrained_model_dir), max_units=10)
    text = "\n\n".join(f"Point {i} matters. It has a reason. And a second one." for i in range(12))
    doc = miner(text)
    assert len(doc.units) == 36
    _check_tree(doc)


def test_unknown_script_is_processed_with_a_logged_warning(
    untrained_miner: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="argmine"), pytest.warns(argmine.ArgmineWarning):
        doc = untrained_miner("ᚠᚢᚦᚨᚱᚲ ᚷᚹᚺᚾ ᛁᛃᛇᛈ. ᛉᛊᛏᛒ ᛖᛗᛚᛜ ᛞᛟ.")
    assert doc.units
    assert any("unknown" in r.message for r in caplog.records)


def test_a_missing_model_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="does not exist"):
        argmine.load(str(tmp_path / "nowhere"))


def test_a_folder_without_weights_names_what_is_missing(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(ModelLoadError, match=r"model\.safetensors"):
        argmine.load(str(tmp_path))


def test_pickled_weights_are_refused_with_an_explanation(tmp_path: Path) -> None:
    (tmp_path / "pytorch_model.bin").write_bytes(b"not really a pickle")
    with pytest.raises(ModelLoadError, match="pickle"):
        argmine.load(str(tmp_path))


def test_weights_that_do_not_match_the_config_are_refused_naming_the_file(
    untrained_model_dir: Path, tmp_path: Path
) -> None:
    import shutil

    from safetensors.torch import load_file, save_file

    folder = tmp_path / "model"
    shutil.copytree(untrained_model_dir, folder)
    state = load_file(str(folder / "model.safetensors"))
    name = next(k for k in state if k.startswith("role_head."))
    save_file({k: v for k, v in state.items() if k != name}, str(folder / "model.safetensors"))
    with pytest.raises(
        ModelLoadError,
        match=rf"model\.safetensors does not match its config: "
        rf"missing \[{name!r}\]",
    ):
        argmine.load(str(folder))


def test_saved_model_reloads_to_the_same_predictions(
    untrained_model_dir: Path, untrained_miner: Any, tmp_path: Path
) -> None:
    untrained_miner.model.save(tmp_path)
    again = argmine.load(str(tmp_path))
    assert again(TEXT).to_dict() == untrained_miner(TEXT).to_dict()
    assert again.labels == list(UNIT_LABELS)


def test_precision_sets_the_encoder_arithmetic_and_rejects_unknown_values(
    untrained_model_dir: Path,
) -> None:
    import torch

    miner = argmine.load(str(untrained_model_dir), precision="float32")
    miner(TEXT)
    assert miner.model.encoder.compute_dtype == torch.float32
    miner.precision = "bfloat16"
    miner(TEXT)
    assert miner.model.encoder.compute_dtype == torch.bfloat16
    miner.precision = "half"
    with pytest.raises(ValueError, match="precision must be one of"):
        miner(TEXT)


def test_bfloat16_encoding_stays_close_to_float32(untrained_model_dir: Path) -> None:
    import torch

    miner = argmine.load(str(untrained_model_dir))
    _, blocks = miner.preprocess(TEXT)
    encoder = miner.model.encoder
    out = {}
    for dtype in (torch.float32, torch.bfloat16):
        encoder.compute_dtype = dtype
        with torch.inference_mode():
            out[dtype] = miner.model.encode([p for _, p in blocks])[0]
    assert out[torch.bfloat16].dtype == torch.float32  # heads always get float32
    cosine = torch.nn.functional.cosine_similarity(out[torch.float32], out[torch.bfloat16])
    assert cosine.min() > 0.98


def test_roles_follow_the_tree_unless_told_otherwise(untrained_model_dir: Path) -> None:
    doc = argmine.load(str(untrained_model_dir))(TEXT)
    _check_tree(doc)
    root = doc.tree.root
    assert root is not None
    for rel in doc.relations:
        expected = ("claim", "conclusion") if rel.target.id == root.id else ("premise",)
        assert rel.source.label in expected, (rel.source.text, rel.source.label)
    _check_tree(argmine.load(str(untrained_model_dir), roles_from_tree=False)(TEXT))


def _head_config() -> Any:
    """The parts of a model config that postprocessing reads."""
    from types import SimpleNamespace

    return SimpleNamespace(
        unit_labels=list(UNIT_LABELS),
        role_labels=["conclusion", "claim", "premise"],
        relation_labels=["support", "attack"],
    )


def test_postprocess_labels_and_scores_follow_the_decoded_tree() -> None:
    from types import SimpleNamespace

    import numpy as np

    from argmine.miner import Raw

    config = _head_config()
    text = "Ban cars. Cars pollute. Smog kills."
    doc = Document(text, units=(Unit(0, 9), Unit(10, 23), Unit(24, 35)))
    none = UNIT_LABELS.index("none")
    label_probs = np.full((3, 4), 0.1)
    label_probs[:, none] = 0.2
    # Unit 2 looks a little more like a claim by itself, but it plainly backs unit 1.
    role_probs = np.array([[0.8, 0.1, 0.1], [0.1, 0.7, 0.2], [0.05, 0.5, 0.45]])
    link = np.log(np.array([[1e-9, 0.5, 0.5], [0.9, 1e-9, 0.1], [0.05, 0.95, 1e-9]]))
    raw = Raw(
        units=[0, 1, 2],
        label_probs=label_probs,
        role_probs=role_probs,
        arg=np.arange(3),
        link_logp=link,
        root_logp=np.log(np.array([0.8, 0.1, 0.1])),
        relation_probs=np.tile([0.9, 0.1], (3, 3, 1)),
        section=np.zeros(3, dtype=int),
        heading=np.zeros(3, dtype=bool),
    )
    joint = Miner(SimpleNamespace(config=config)).postprocess(doc, [raw])
    assert [u.label for u in joint.units] == ["conclusion", "claim", "premise"]
    assert [u.score for u in joint.units] == [0.64, 0.56, 0.36]  # 0.8 x P(label)
    assert [(r.source.text, r.target.text) for r in joint.relations] == [
        ("Cars pollute.", "Ban cars."),
        ("Smog kills.", "Cars pollute."),
    ]
    fixed = Miner(SimpleNamespace(config=config), roles_from_tree=False).postprocess(doc, [raw])
    assert [u.label for u in fixed.units] == ["conclusion", "claim", "claim"]
    # The three units in three paragraphs, as essays keep them: unit 2 may not back unit 1
    # from another paragraph, so it argues for the conclusion itself, as a claim.
    paragraphs = replace(
        raw, paragraph=np.array([0, 1, 2]), root_logp=np.log(np.array([0.98, 0.01, 0.01]))
    )
    essay = Miner(SimpleNamespace(config=config), paragraph_arguments=True)
    scoped = essay.postprocess(doc, [paragraphs])
    assert [u.label for u in scoped.units] == ["conclusion", "claim", "claim"]
    assert [r.target.text for r in scoped.relations] == ["Ban cars.", "Ban cars."]
    # One paragraph: nothing changes.
    same = essay.postprocess(doc, [replace(paragraphs, paragraph=np.zeros(3, dtype=int))])
    assert [u.label for u in same.units] == ["conclusion", "claim", "premise"]
    with pytest.raises(ValueError, match="roles_from_tree=True"):
        Miner(
            SimpleNamespace(config=config), paragraph_arguments=True, roles_from_tree=False
        ).postprocess(doc, [paragraphs])


def test_essay_decoding_hangs_a_wavering_premise_under_the_claim() -> None:
    from types import SimpleNamespace

    import numpy as np

    from argmine.miner import Raw

    config = _head_config()
    text = "Ban cars. Cars pollute. Exhaust is smog. Smog kills."
    doc = Document(text, units=(Unit(0, 9), Unit(10, 23), Unit(24, 40), Unit(41, 52)))
    label_probs = np.full((4, 4), 0.1)
    label_probs[:, UNIT_LABELS.index("none")] = 0.2
    role_probs = np.array([[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.05, 0.05, 0.9], [0.05, 0.05, 0.9]])
    # Unit 2 leans to premise 3 (0.45) over the claim (0.35); unit 3 backs the claim.
    link = np.log(
        np.array(
            [
                [1e-9, 0.3, 0.3, 0.4],
                [0.9, 1e-9, 0.05, 0.05],
                [0.1, 0.35, 1e-9, 0.45],
                [0.1, 0.8, 0.1, 1e-9],
            ]
        )
    )
    raw = Raw(
        units=[0, 1, 2, 3],
        label_probs=label_probs,
        role_probs=role_probs,
        arg=np.arange(4),
        link_logp=link,
        root_logp=np.log(np.array([0.85, 0.05, 0.05, 0.05])),
        relation_probs=np.tile([0.9, 0.1], (4, 4, 1)),
        section=np.zeros(4, dtype=int),
        heading=np.zeros(4, dtype=bool),
        paragraph=np.zeros(4, dtype=int),
    )

    def targets(**settings: Any) -> list[str]:
        out = Miner(SimpleNamespace(config=config), **settings).postprocess(doc, [raw])
        assert [u.label for u in out.units] == ["conclusion", "claim", "premise", "premise"]
        return [r.target.text for r in out.relations]

    # News decoding follows the link scores; essay decoding makes a premise pay for
    # arguing for another premise (1.5 by default), which tips unit 2 to the claim; 0
    # turns that off, and a small cost is not enough.
    chain = ["Ban cars.", "Smog kills.", "Cars pollute."]
    assert targets() == chain
    assert targets(paragraph_arguments=True) == ["Ban cars.", "Cars pollute.", "Cars pollute."]
    assert targets(paragraph_arguments=True, premise_parent_penalty=0.0) == chain
    assert targets(paragraph_arguments=True, premise_parent_penalty=0.2) == chain


@pytest.mark.parametrize("cost", [-1, float("nan"), float("inf")])
def test_a_bad_premise_parent_penalty_is_refused_when_set_whatever_the_decoding(
    cost: float,
) -> None:
    from types import SimpleNamespace

    import numpy as np

    from argmine.miner import PREMISE_PARENT_PENALTY

    model = SimpleNamespace(config=_head_config())
    with pytest.raises(ValueError, match=rf"premise_parent_penalty={cost}: must be a number"):
        Miner(model, premise_parent_penalty=cost)
    miner = Miner(model)
    with pytest.raises(ValueError, match="at least 0"):
        miner.premise_parent_penalty = cost
    assert miner.premise_parent_penalty == PREMISE_PARENT_PENALTY  # left as it was
    with pytest.raises(TypeError, match=r"premise_parent_penalty='1\.5': must be a number"):
        Miner(model, premise_parent_penalty="1.5")  # type: ignore[arg-type]
    miner.premise_parent_penalty = np.float32(0.5)
    assert miner.premise_parent_penalty == 0.5 and type(miner.premise_parent_penalty) is float
