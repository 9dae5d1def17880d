"""The shipped model on whole web articles: the seed article, variants of it, and an
article of our own. These texts are tests, never training data."""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

import pytest

from argmine.document import Document, Unit

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = (ROOT / "examples" / "japan_russia.txt").read_text(encoding="utf-8")

CONCLUSION = "To conclude, therefore, realism serves national interests"
GEOSTRATEGIC = "A major reason why Japan has shown interest"
GEOECONOMIC = "The other reason for the betterment of Japan-Russia relation"
SECURITY = [
    "As the US of President Donald Trump has become reluctant",
    "To counter China and North Korea",
]
ENERGY = [
    "Japan is a country with little natural resources",
    "Japan depends on West Asia for its energy supply",
    "Siberia, which is home to large quantities of oil and gas",
]
BOILERPLATE = [
    "• search",
    "For Quick Alerts",
    "For Daily Alerts",
    "Get Instant News Updates",
    "Notification Settings X",
    "Time Settings",
    "Clear Notification X",
    "Do you want to clear all the notifications",
    "Settings X",
    "We use cookies",
    "This includes cookies",
    "Such third party cookies",
    "Our partners use cookies",
    "If you continue without changing",
    "However, you can change your cookie",
    "OneIndia News",
    "By Shubham",
    "Vladimir Putin and Shinzo Abe",
    "Friend's enemy not my enemy",
    "Japan has come closer to Russia in recent years",
    "Alarming for West but not rational",
    "Geo-strategic reason",
    "Geo-economics, the other reason",
]


def find(doc: Document, start: str) -> Unit:
    hits = [u for u in doc.units if u.text.startswith(start)]
    assert len(hits) >= 1, f"no unit starts with {start!r}"
    return hits[0]


def ancestors(doc: Document, unit: Unit) -> list[Unit]:
    out = []
    while (parent := doc.tree.parent(unit)) is not None:
        out.append(parent)
        unit = parent
    return out


def check_article(doc: Document) -> None:
    root = doc.tree.root
    assert root is not None
    assert root.text.startswith(CONCLUSION), root.text
    assert root.label == "conclusion"
    in_tree = {u.id for u, _ in doc.tree.walk()}
    claims = [find(doc, GEOSTRATEGIC), find(doc, GEOECONOMIC)]
    for claim in claims:
        assert claim.label == "claim", (claim.text, claim.label)
        assert claim.id in in_tree
        assert root in ancestors(doc, claim)
    for start in SECURITY:
        premise = find(doc, start)
        assert premise.label == "premise", (premise.text, premise.label)
        assert claims[0] in ancestors(doc, premise), (start, doc.tree.parent(premise))
    for start in ENERGY:
        premise = find(doc, start)
        assert premise.label == "premise", (premise.text, premise.label)
        assert claims[1] in ancestors(doc, premise), (start, doc.tree.parent(premise))


@pytest.fixture(scope="module")
def article(shipped_miner: Any) -> Document:
    return shipped_miner(ARTICLE)


@pytest.mark.slow
def test_the_seed_article_gives_the_expected_tree(article: Document) -> None:
    check_article(article)


@pytest.mark.slow
@pytest.mark.parametrize("start", BOILERPLATE)
def test_boilerplate_is_none_and_outside_the_tree(article: Document, start: str) -> None:
    in_tree = {u.id for u, _ in article.tree.walk()}
    units = [u for u in article.units if u.text.startswith(start)]
    assert units, f"no unit starts with {start!r}"
    for unit in units:
        assert unit.label == "none", (unit.text, unit.label)
        assert unit.id not in in_tree


@pytest.mark.slow
def test_a_units_role_is_its_depth_in_the_article_tree(article: Document) -> None:
    # The trained model's tree, decoded with its roles (roles_from_tree, the default):
    # the root concludes, its children claim (or restate it), deeper units are premises.
    depths = {u.id: d for u, d in article.tree.walk()}
    assert max(depths.values()) >= 2, "no premise under a claim: the check below is idle"
    for unit in article.units:
        if unit.id not in depths:
            assert unit.label == "none", (unit.text, unit.label)
            continue
        expected = {0: ("conclusion",), 1: ("claim", "conclusion")}.get(
            depths[unit.id], ("premise",)
        )
        assert unit.label in expected, (unit.text, unit.label, depths[unit.id])


def _paragraphs(text: str) -> list[str]:
    return [p for p in re.split(r"\n\s*\n", text) if p.strip()]


@pytest.mark.slow
def test_reordered_sections_give_the_same_tree(shipped_miner: Any) -> None:
    """The two reason sections swapped, and the news paragraphs shuffled."""
    pars = _paragraphs(ARTICLE)
    index = {p.split("\n")[0]: i for i, p in enumerate(pars)}
    strat = index["Geo-strategic reason"]
    econ = index["Geo-economics, the other reason"]
    end = next(i for i, p in enumerate(pars) if p.startswith("To conclude"))
    news = [
        i
        for i, p in enumerate(pars)
        if p.startswith(("Japan and Russia, despite", "Russia also mentioned", "Last Sept"))
    ]
    shuffled = news[:]
    random.Random(1).shuffle(shuffled)
    before = [shuffled[news.index(i)] if i in news else i for i in range(strat)]
    order = [*before, *range(econ, end), *range(strat, econ), *range(end, len(pars))]
    assert sorted(order) == list(range(len(pars))) and order != list(range(len(pars)))
    check_article(shipped_miner("\n\n".join(pars[i] for i in order)))


@pytest.mark.slow
def test_paraphrased_article_gives_the_same_tree(shipped_miner: Any) -> None:
    text = ARTICLE
    for old, new in [
        (
            "A major reason why Japan has shown interest towards improving relations with "
            "Russia is geostrategic.",
            "A major reason why Japan has shown interest in better ties with Moscow is "
            "geostrategic.",
        ),
        (
            "The other reason for the betterment of Japan-Russia relation is geo-economics.",
            "The other reason for the betterment of Japan-Russia relation is economic geography.",
        ),
        (
            "Japan is a country with little natural resources while its large economy requires "
            "a high quantity of energy to prosper.",
            "Japan is a country with little natural resources, yet its big economy needs a lot "
            "of energy to grow.",
        ),
        (
            "To conclude, therefore, realism serves national interests better than high ideals",
            "To conclude, therefore, realism serves national interests more than lofty ideals",
        ),
    ]:
        assert old in text
        text = text.replace(old, new)
    doc = shipped_miner(text)
    assert doc.tree.root is not None and doc.tree.root.text.startswith("To conclude")
    assert find(doc, "A major reason why Japan").label == "claim"
    assert find(doc, "The other reason for the betterment").label == "claim"
    assert find(doc, "Japan is a country with little").label == "premise"


CITY_BOILERPLATE = [
    "Menu",
    "Sections",
    "Log in | Register",
    "Written by Marta Oliveira",
    "Updated 14 June",
    "Volunteers plant saplings",
    "Share this story",
    "Morning briefing",
    "Most popular",
    "Accept all cookies",
    "Our website stores small files",
    "Partners may combine",
    'Choose "Manage"',
    "© 2025 Riverside Media Group",
    "Cooler streets",
    "Money well spent",
]


@pytest.mark.slow
def test_an_article_of_our_own(shipped_miner: Any) -> None:
    doc = shipped_miner((ROOT / "tests" / "data" / "city_trees.txt").read_text())
    root = doc.tree.root
    assert root is not None and root.text.startswith("In short, street trees pay for themselves")
    in_tree = {u.id for u, _ in doc.tree.walk()}
    for start in CITY_BOILERPLATE:
        unit = find(doc, start)
        assert unit.label == "none" and unit.id not in in_tree, (unit.text, unit.label)
    health = find(doc, "The first reason to support the plan is public health.")
    money = find(doc, "The second reason is economic.")
    assert health.label == "claim" and money.label == "claim"
    assert health in ancestors(doc, find(doc, "Studies of several European cities"))
    assert money in ancestors(doc, find(doc, "Shops on leafy streets"))
