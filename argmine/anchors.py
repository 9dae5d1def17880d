"""Published figures that ``argmine evaluate`` prints beside its own.

The numbers come from ``docs/ANCHORS.md`` (papers and their public repositories). Each
:class:`Anchor` says which corpus, splits and protocol it belongs to, which of
argmine's figures it should be compared with (``metric``, a key of the ``summary`` that
:func:`argmine.evaluate.evaluate` returns), and whether that comparison is like with
like (``same_protocol``): protocols differ between papers (gold vs predicted
components, token vs character overlap, class sets...), and a figure whose protocol
differs from argmine's is printed with a mark and the note that says how. Figures are
stored on a 0-1 scale whatever scale the paper used (89.2 -> 0.892). A figure marked
``unconfirmed`` was seen only in a secondary summary.

Example:
    >>> [(a.metric, a.figure) for a in anchors_for("microtext", "all", "gold")]
    [('cc', 0.861), ('ro', 0.771), ('fu', 0.754), ('at', 0.712)]
    >>> sorted({a.metric for a in anchors_for("aae2", "test", "gold")})
    ['arc', 'ari', 'unit_macro_f1']
    >>> anchors_for("abstrct", "glaucoma_test", "gold")[0].figure
    0.927
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["ANCHORS", "METRIC_NAMES", "Anchor", "anchors_for"]


@dataclass(frozen=True)
class Anchor:
    """One published figure and how it relates to argmine's figure of the same name."""

    corpus: str
    splits: tuple[str, ...]
    protocol: str  # "gold" (gold components / ADUs) or "end2end" (predicted segments)
    system: str
    metric: str  # key of evaluate()'s summary that this figure stands beside
    figure: float  # 0-1 scale
    source: str
    notes: str = ""
    unconfirmed: bool = False
    same_protocol: bool = True

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        out = asdict(self)
        out["splits"] = list(self.splits)
        return out


#: Display names of the metric keys that anchors refer to.
METRIC_NAMES: dict[str, str] = {
    "unit_macro_f1": "ACC: unit macro F1 (conclusion/claim/premise)",
    "unit_macro_f1_two_class": "unit macro F1, two classes (claim/evidence)",
    "ari": "ARI: mean of link and no-link F1",
    "arc": "ARC: relation label macro F1 on gold links",
    "component_f1_100": "end-to-end component F1, 100% match",
    "component_f1_50": "end-to-end component F1, 50% match",
    "relation_f1_100": "end-to-end relation F1, 100% match",
    "relation_f1_50": "end-to-end relation F1, 50% match",
    "cc": "cc: central claim macro F1",
    "ro": "ro: role (pro/opp) macro F1",
    "fu": "fu: function (support/attack) macro F1",
    "at": "at: attachment macro F1",
}

_AAE2 = ("test",)
_ABSTRCT = ("neoplasm_test", "glaucoma_test", "mixed_test")
_SG = (
    "Stab & Gurevych 2017, 'Parsing Argumentation Structures in Persuasive Essays', "
    "Computational Linguistics 43(3)"
)
_POTASH = (
    "Potash, Romanov & Rumshisky 2017, 'Here's My Point: Joint Pointer Architecture for "
    "Argument Mining', EMNLP"
)
_LIU = "Liu et al. 2023, MRC-GEN4AM (machine reading comprehension + generation)"
_CABESSA = "Cabessa et al. 2025, fine-tuned LLMs for argument mining"
_EGER = (
    "Eger, Daxenberger & Gurevych 2017, 'Neural End-to-End Learning for Computational "
    "Argumentation Mining', ACL"
)
_BAO = "Bao et al. 2022, generative BART model with a constrained pointer mechanism"
_PS = (
    "Peldszus & Stede 2015, 'Joint prediction in MST-style discourse parsing for "
    "argumentation mining', EMNLP; figures from a 5-fold run of their public code"
)
_MAYER = (
    "Mayer, Cabrio & Villata 2020, 'Transformer-Based Argument Mining for Healthcare "
    "Applications', ECAI"
)

_ARI_NOTE = "mean of link and no-link F1 over ordered pairs of gold components within a paragraph"
_ARC_NOTE = (
    "relation type (support/attack) macro F1 on the gold links; the paper's exact class "
    "set (e.g. whether claim stance counts) is not recorded in ANCHORS.md"
)
_ACC_NOTE = "gold components, macro F1 over MajorClaim / Claim / Premise"
_E2E_NOTE = (
    "the paper tags clause-level components token by token and matches them by token "
    "overlap; argmine's units are whole sentences and it measures overlap in characters"
)
_ABS_TYPE_NOTE = (
    "component type on gold components; whether the paper uses two or three classes is "
    "not recorded in ANCHORS.md"
)
_ABS_REL_NOTE = (
    "relation identification and classification; the paper's exact pair set and class "
    "set differ from argmine's ARI (link vs no-link over all ordered pairs of gold "
    "components in the abstract)"
)


def _triple(
    system: str, acc: float, ari: float, arc: float, source: str, note: str = ""
) -> list[Anchor]:
    extra = f"; {note}" if note else ""
    return [
        Anchor("aae2", _AAE2, "gold", system, "unit_macro_f1", acc, source, _ACC_NOTE + extra),
        Anchor("aae2", _AAE2, "gold", system, "ari", ari, source, _ARI_NOTE + extra),
        Anchor(
            "aae2",
            _AAE2,
            "gold",
            system,
            "arc",
            arc,
            source,
            _ARC_NOTE + extra,
            same_protocol=False,
        ),
    ]


def _per_split(
    system: str, metric: str, figures: tuple[float, float, float], source: str, notes: str
) -> list[Anchor]:
    """Figures given as glaucoma / mixed / neoplasm."""
    splits = ("glaucoma_test", "mixed_test", "neoplasm_test")
    return [
        Anchor("abstrct", (split,), "gold", system, metric, fig, source, notes, False, False)
        for split, fig in zip(splits, figures, strict=True)
    ]


#: Every published figure argmine compares against.
ANCHORS: tuple[Anchor, ...] = (
    # -- AAE2, gold components -------------------------------------------------------
    Anchor(
        "aae2",
        _AAE2,
        "gold",
        "Stab & Gurevych 2017, ILP joint model",
        "unit_macro_f1",
        0.826,
        _SG,
        _ACC_NOTE,
        unconfirmed=True,
    ),
    Anchor(
        "aae2",
        _AAE2,
        "gold",
        "Stab & Gurevych 2017, ILP joint model",
        "ari",
        0.751,
        _SG,
        "relation identification macro F1 (linked / not linked) over ordered pairs of "
        "components within a paragraph",
        unconfirmed=True,
    ),
    Anchor(
        "aae2",
        _AAE2,
        "gold",
        "Potash et al. 2017, pointer network",
        "unit_macro_f1",
        0.849,
        _POTASH,
        _ACC_NOTE,
        unconfirmed=True,
    ),
    Anchor(
        "aae2",
        _AAE2,
        "gold",
        "Potash et al. 2017, pointer network",
        "ari",
        0.767,
        _POTASH,
        "link prediction macro F1 (link / no link) within paragraphs",
        unconfirmed=True,
    ),
    *_triple("Liu et al. 2023 (MRC-GEN4AM)", 0.892, 0.827, 0.810, _LIU),
    *_triple("Cabessa et al. 2025, fine-tuned LLaMA-3-8B", 0.895, 0.830, 0.896, _CABESSA),
    *_triple("Cabessa et al. 2025, LLaMA-3-8B 4-bit", 0.882, 0.835, 0.868, _CABESSA),
    *_triple("Cabessa et al. 2025, LLaMA-3.1-8B 4-bit", 0.885, 0.807, 0.959, _CABESSA),
    *_triple("Cabessa et al. 2025, Phi-3-mini 4-bit (3.8B)", 0.821, 0.794, 0.819, _CABESSA),
    # -- AAE2, end to end ------------------------------------------------------------
    Anchor(
        "aae2",
        _AAE2,
        "end2end",
        "Eger et al. 2017, LSTM-ER, paragraph level",
        "component_f1_100",
        0.708,
        _EGER,
        _E2E_NOTE,
        unconfirmed=True,
        same_protocol=False,
    ),
    Anchor(
        "aae2",
        _AAE2,
        "end2end",
        "Eger et al. 2017, LSTM-ER, paragraph level",
        "relation_f1_100",
        0.455,
        _EGER,
        _E2E_NOTE,
        unconfirmed=True,
        same_protocol=False,
    ),
    Anchor(
        "aae2",
        _AAE2,
        "end2end",
        "Bao et al. 2022, BART + constrained pointer",
        "component_f1_100",
        0.7609,
        _BAO,
        _E2E_NOTE + "; ANCHORS.md does not record the match level (taken as exact match, "
        "Eger et al.'s setting)",
        same_protocol=False,
    ),
    Anchor(
        "aae2",
        _AAE2,
        "end2end",
        "Bao et al. 2022, BART + constrained pointer",
        "relation_f1_100",
        0.5034,
        _BAO,
        _E2E_NOTE + "; ANCHORS.md does not record the match level (taken as exact match, "
        "Eger et al.'s setting)",
        same_protocol=False,
    ),
    # -- arg-microtexts, 10 x 5-fold CV on gold ADUs ---------------------------------
    *(
        Anchor(
            "microtext",
            ("all",),
            "gold",
            "Peldszus & Stede 2015, evidence graph",
            m,
            fig,
            _PS,
            "gold ADUs, macro F1; MST decoding; a short run of 5 folds of the public code "
            "(not the paper's 10 x 5), with its own fold assignment",
        )
        for m, fig in (("cc", 0.861), ("ro", 0.771), ("fu", 0.754), ("at", 0.712))
    ),
    # -- AbstRCT -------------------------------------------------------------------------
    Anchor(
        "abstrct",
        ("neoplasm_test",),
        "gold",
        "Mayer et al. 2020, SciBERT + GRU + CRF",
        "unit_macro_f1_two_class",
        0.87,
        _MAYER,
        "component detection: token-level sequence tagging of predicted spans, macro F1 "
        "over claim (MajorClaim merged) and evidence; argmine classifies gold components",
        same_protocol=False,
    ),
    Anchor(
        "abstrct",
        ("neoplasm_test",),
        "gold",
        "Mayer et al. 2020, RoBERTa relations",
        "ari",
        0.68,
        _MAYER,
        "relation classification macro F1 over the paper's pair set and classes; "
        "argmine's nearest figure is ARI",
        same_protocol=False,
    ),
    *_per_split("Liu et al. 2023", "unit_macro_f1", (0.927, 0.941, 0.928), _LIU, _ABS_TYPE_NOTE),
    *_per_split("Liu et al. 2023", "ari", (0.743, 0.739, 0.750), _LIU, _ABS_REL_NOTE),
    *_per_split(
        "Cabessa et al. 2025, best per column",
        "unit_macro_f1",
        (0.937, 0.959, 0.942),
        _CABESSA,
        _ABS_TYPE_NOTE + "; best figure per test set, not one system",
    ),
    *_per_split(
        "Cabessa et al. 2025, best per column",
        "ari",
        (0.749, 0.757, 0.771),
        _CABESSA,
        _ABS_REL_NOTE + "; best figure per test set, not one system",
    ),
)


def anchors_for(corpus: str, split: str, protocol: str) -> list[Anchor]:
    """The published figures for ``corpus`` / ``split`` / ``protocol``, in table order."""
    return [
        a for a in ANCHORS if a.corpus == corpus and split in a.splits and a.protocol == protocol
    ]
