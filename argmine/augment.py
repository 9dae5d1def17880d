"""Training data that looks like the web: corpus texts wrapped in page furniture.

The benchmark corpora are clean essays and abstracts. Text scraped from the web comes
with navigation, alert and notification lines, bylines, photo captions, section
headings, advertisements and cookie notices around and inside the body. A model
trained on clean text only labels that furniture as argumentative, and its position
cues (the conclusion sits in the last paragraph) break when a page ends with a menu.

:func:`webify` rebuilds a labelled document as a web page would show it:

* page furniture before and after the body, and occasionally between paragraphs, all
  labelled ``none``. It is generated from templates of the kinds of furniture common on
  news sites, blogs and shops (menus, sign-up and notification prompts, share buttons,
  bylines, dates, captions, consent notices, copyright lines) with random names,
  sections and wording, so that the model learns the *kind*, not a fixed string;
* section headings (short lines without a full stop, derived from the paragraph they
  open or composed of its words) before some body paragraphs;
* body paragraphs cut in two at a sentence boundary, so that a claim's premises may sit
  in the next paragraph of its section.

The argumentative units and their relations are carried over unchanged (offsets
shifted). The templates describe kinds of furniture found on many sites; no line is
copied from a text argmine is tested on, which ``tests/test_augment.py`` checks (no
shared line, no shared run of four words). The developers had read the seed article
before writing them, so the *kinds* of furniture it shows are among those generated.

For essays, whose body paragraphs each argue for the thesis on their own,
:func:`body_order` and :func:`reorder_paragraphs` give the same essay with its body
paragraphs in another order: the same units, labels and relations in a new layout.

Example:
    >>> import random
    >>> from argmine.document import Document
    >>> doc = Document.build("Cars should be banned. They pollute.\\nSo ban them.",
    ...     spans=[(0, 22, "claim"), (23, 36, "premise"), (37, 49, "conclusion")],
    ...     links=[(1, 0, "support"), (0, 2, "support")])
    >>> page = webify(doc, random.Random(3))
    >>> sorted(u.text for u in page.units if u.label != "none")
    ['Cars should be banned.', 'So ban them.', 'They pollute.']
    >>> len(page.relations)
    2
    >>> any(u.label == "none" for u in page.units)
    True
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Sequence
from dataclasses import replace

from argmine.document import Document, Relation, Unit

_SECTIONS = [
    "Home",
    "World",
    "Politics",
    "Business",
    "Markets",
    "Tech",
    "Science",
    "Health",
    "Sport",
    "Sports",
    "Opinion",
    "Culture",
    "Travel",
    "Video",
    "Podcasts",
    "Lifestyle",
    "Entertainment",
    "Education",
    "Local",
    "Weather",
    "Football",
    "Elections",
    "Climate",
    "Money",
    "Cars",
    "Books",
]
_ACTIONS = [
    "Menu",
    "Sign in",
    "Log in",
    "Subscribe",
    "Register",
    "Login",
    "Newsletter",
    "Account",
    "Close",
    "Share",
    "Print",
    "Email",
    "Comments",
    "Back to top",
    "Next",
    "Previous",
    "More",
    "Latest",
    "Trending",
    "Live",
    "Top stories",
    "Read more",
    "Show more",
    "Load more",
    "Follow",
]
_BULLETS = ["", "", "• ", "» ", "› ", "- ", "* ", "| ", "≡ "]
_NETWORKS = [
    "Facebook",
    "Twitter",
    "X",
    "WhatsApp",
    "LinkedIn",
    "Telegram",
    "Instagram",
    "YouTube",
    "Reddit",
    "Pinterest",
]
_SITE_WORDS = [
    "Daily",
    "Global",
    "Metro",
    "Herald",
    "Times",
    "Post",
    "Chronicle",
    "Tribune",
    "Express",
    "Observer",
    "Ledger",
    "Gazette",
    "Journal",
    "Wire",
    "Insider",
    "Digest",
    "Bulletin",
    "Courier",
    "Today",
    "Live",
    "Now",
    "Star",
]
_SITE_NOUNS = ["News", "Media", "Online", "Network", "Press", "Report", "Desk", "Hub"]
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_SYLLABLES = [
    "ka",
    "ri",
    "to",
    "mu",
    "sen",
    "la",
    "vi",
    "no",
    "dar",
    "el",
    "an",
    "ko",
    "mi",
    "ra",
    "sha",
    "ti",
    "be",
    "lo",
    "ham",
    "ne",
    "ja",
    "su",
    "per",
    "os",
]

_PROMPTS = [
    "{verb} for {freq} updates",
    "{verb} to our {freq} newsletter",
    "{verb} to the {freq} briefing",
    "Never miss a story",
    "Stay informed with {freq} headlines",
    "Turn on push messages",
    "Enable browser pop-ups",
    "Download our app",
    "Get the app",
    "Read in app",
    "Listen to this article",
    "Follow us on {net}",
    "Share on {net}",
    "Join us on {net}",
    "Share this article",
    "Copy link",
    "Save for later",
    "Add to reading list",
    "Recommended for you",
    "Most read",
    "Editor's picks",
    "Related stories",
    "You may also like",
    "Advertisement",
    "Sponsored content",
    "Scroll to continue",
    "Continue reading",
    "Skip to main content",
    "Accept",
    "Reject all",
    "Manage choices",
    "Got it",
]
_UI_QUESTIONS = [
    "Would you like to {ui_verb}?",
    "Are you sure you want to {ui_verb}?",
    "Ready to {ui_verb}?",
    "Leave this page and {ui_verb}?",
]
_UI_VERBS = [
    "log out",
    "save your changes",
    "restore the previous session",
    "open this link in the app",
    "continue with the free version",
    "switch to the light theme",
    "report this comment",
    "start a free trial",
]
_CONSENT = [
    "This service saves small data files in your browser to {goal}.",
    "We rely on {what} to {goal}.",
    "Partners such as {what} may process identifiers for measurement.",
    "Select Accept to allow all purposes, or Manage to choose.",
    "Consent can be withdrawn through the {pref} link in the footer.",
    "Details are in our {policy}.",
    "Read the {policy} for the full list of vendors.",
    "Strictly necessary storage cannot be switched off.",
    "Analytics storage helps us count visits and fix errors.",
    "Your choice is stored for twelve months.",
    "Declining will not stop you from reading the site.",
]
_FILL = {
    "goal": [
        "remember your language",
        "keep you signed in",
        "count visits",
        "load pages faster",
        "measure campaign reach",
        "personalise content",
    ],
    "what": ["video players", "analytics providers", "payment providers", "map services"],
    "pref": ["Privacy centre", "Consent manager", "Data choices"],
    "policy": ["privacy statement", "data notice", "terms of use", "data protection statement"],
    "verb": ["Subscribe", "Sign up", "Register", "Opt in"],
    "freq": ["weekly", "morning", "evening", "free", "breaking", "weekend"],
    "net": _NETWORKS,
    "ui_verb": _UI_VERBS,
}
_STOP = {
    "the",
    "a",
    "an",
    "of",
    "to",
    "in",
    "and",
    "or",
    "that",
    "this",
    "is",
    "are",
    "be",
    "it",
    "its",
    "for",
    "on",
    "with",
    "as",
    "by",
    "at",
    "from",
    "but",
    "not",
    "we",
    "they",
    "i",
    "you",
    "he",
    "she",
    "their",
    "our",
    "which",
    "who",
    "also",
    "so",
    "because",
    "however",
    "therefore",
    "moreover",
    "firstly",
    "secondly",
    "finally",
    "furthermore",
    "although",
    "while",
    "if",
    "more",
    "most",
    "can",
    "will",
    "has",
    "have",
    "had",
    "was",
    "were",
    "should",
    "would",
    "could",
    "there",
    "these",
    "those",
    "such",
    "than",
    "then",
    "all",
    "many",
    "some",
    "other",
    "one",
    "first",
}


def _fill(template: str, rng: random.Random) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: rng.choice(_FILL[m.group(1)]), template)


def _name(rng: random.Random) -> str:
    def word() -> str:
        return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()

    return f"{word()} {word()}" if rng.random() < 0.8 else word()


def _site(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.4:
        return f"{_name(rng).split()[0]} {rng.choice(_SITE_NOUNS)}"
    if r < 0.7:
        return f"The {rng.choice(_SITE_WORDS)} {rng.choice(_SITE_WORDS)}"
    return f"{rng.choice(_SITE_WORDS)}{rng.choice(_SITE_NOUNS)}"


def _date(rng: random.Random) -> str:
    d = f"{rng.choice(_MONTHS)} {rng.randint(1, 28)}, {rng.randint(2005, 2026)}"
    t = f"{rng.randint(1, 12)}:{rng.randint(0, 59):02d} {rng.choice(['AM', 'PM', 'GMT', 'UTC'])}"
    return rng.choice(
        [
            d,
            f"Updated: {d}, {t}",
            f"Published {d}",
            f"{d} {t}",
            f"Last updated on {d}",
            f"{rng.randint(1, 59)} minutes ago",
        ]
    )


def _nav_line(rng: random.Random) -> str:
    r = rng.random()
    bullet = rng.choice(_BULLETS)
    if r < 0.35:
        item = rng.choice(_SECTIONS + _ACTIONS)
        return bullet + item
    if r < 0.55:
        items = rng.sample(_SECTIONS, rng.randint(3, 7))
        return rng.choice([" | ", "  ", " · ", " / "]).join(items)
    if r < 0.85:
        line = _fill(rng.choice(_PROMPTS), rng)
        return bullet + line
    line = rng.choice(_PROMPTS + _ACTIONS)
    return _fill(line, rng) + rng.choice([" ×", " ✕", " ›", ""])


def _byline(rng: random.Random) -> str:
    name = _name(rng)
    return rng.choice(
        [
            f"By {name}",
            f"Written by {name}",
            f"{name}",
            f"By {name} | {_site(rng)}",
            f"Reported by {name}",
            f"{name}, Staff Writer",
            f"Author: {name}",
        ]
    )


def _caption(rng: random.Random) -> str:
    a, b = _name(rng), _name(rng)
    return rng.choice(
        [
            f"{a} and {b}",
            f"{a} (File photo)",
            f"Photo: {a}",
            f"{a} with {b}",
            f"Image courtesy: {_site(rng)}",
            f"{a} ({_site(rng)})",
            f"File image of {a}",
        ]
    )


def _consent(rng: random.Random) -> str:
    n = rng.randint(2, 6)
    sentences = [_fill(t, rng) for t in rng.sample(_CONSENT, n)]
    tail = rng.choice(["", " Accept", " OK", " More info"])
    return " ".join(sentences) + tail


def _ui_question(rng: random.Random) -> str:
    return _fill(rng.choice(_UI_QUESTIONS), rng)


def _heading(paragraph: str, rng: random.Random) -> str:
    """A section heading made from the words of the paragraph it opens."""
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z'-]+", paragraph)]
    content = [w for w in words if w.lower() not in _STOP]
    if not content:
        return rng.choice(_SECTIONS)
    r = rng.random()
    if r < 0.4 and len(words) > 4:
        start = rng.randrange(0, max(len(words) - 3, 1))
        head = words[start : start + rng.randint(2, 6)]
    elif r < 0.7:
        head = rng.sample(content, min(len(content), rng.randint(1, 3)))
        head = [
            head[0],
            *([rng.choice(["and", "of", "for", "in"])] if len(head) > 1 else []),
            *head[1:],
        ]
    else:
        key = rng.choice(content)
        head = rng.choice(
            [
                [key, "matters"],
                ["The", key, "question"],
                [key.capitalize(), "first"],
                ["On", key],
                ["Looking", "at", key],
            ]
        )
    text = " ".join(head)
    return text[0].upper() + text[1:]


def webify(doc: Document, rng: random.Random, *, furniture: float = 0.85) -> Document:
    """``doc`` rebuilt as a web page (see the module docstring); labels carried over.

    ``doc`` should have sentence units (as :func:`argmine.corpora.project_to_sentences`
    gives). Text that no unit covers is kept as it was.
    """
    from argmine.segment import paragraph_index, paragraph_spans

    pars = paragraph_spans(doc.text)
    if not pars:
        return doc
    # Each piece: (text, [(unit, relative start, relative end)]) ; None units = furniture.
    pieces: list[tuple[str, list[tuple[Unit | None, int, int]]]] = []

    def furniture_piece(text: str) -> None:
        pieces.append((text, []))

    by_par: list[list[Unit]] = [[] for _ in pars]
    for u, k in zip(doc.units, paragraph_index(doc.units, pars), strict=True):
        by_par[k].append(u)

    if rng.random() < furniture:
        for _ in range(rng.randint(1, 4)):
            furniture_piece(_nav_line(rng))
        if rng.random() < 0.3:
            furniture_piece(_site(rng))
    split_p = rng.choice([0.2, 0.5, 0.8])
    heading_p = rng.choice([0.0, 0.3, 0.6, 0.9])
    argumentative_seen = 0
    for k, ((ps, pe), units) in enumerate(zip(pars, by_par, strict=True)):
        is_arg = any(u.label not in (None, "none") for u in units)
        if k == 1 and rng.random() < furniture:
            if rng.random() < 0.6:
                furniture_piece(_byline(rng))
            if rng.random() < 0.3:
                furniture_piece(_date(rng))
            if rng.random() < 0.3:
                furniture_piece(_caption(rng))
        if is_arg and argumentative_seen > 0 and rng.random() < heading_p:
            furniture_piece(_heading(doc.text[ps:pe], rng))
        if is_arg:
            argumentative_seen += 1
        elif k > 1 and rng.random() < 0.1 * furniture:
            furniture_piece(_caption(rng) if rng.random() < 0.5 else _nav_line(rng))
        cuts: list[int] = []
        if len(units) >= 3 and rng.random() < split_p:
            # One or two paragraph breaks inside the paragraph: its premises then sit in
            # the following paragraphs of the same section, as in news articles.
            cuts = sorted(rng.sample(range(1, len(units)), min(rng.randint(1, 2), len(units) - 1)))
        bounds = [0, *cuts, len(units)]
        groups = [units[a:b] for a, b in itertools.pairwise(bounds)]
        for g, group in enumerate(groups):
            gs = ps if g == 0 else group[0].start
            ge = pe if g == len(groups) - 1 else groups[g + 1][0].start
            text = doc.text[gs:ge].rstrip()
            pieces.append((text, [(u, u.start - gs, u.end - gs) for u in group]))
    if rng.random() < furniture:
        tail = [
            lambda: _site(rng),
            lambda: _nav_line(rng),
            lambda: _nav_line(rng),
            lambda: _ui_question(rng),
            lambda: _consent(rng),
            lambda: _date(rng),
            lambda: f"© {rng.randint(2005, 2026)} {_site(rng)}. All rights reserved.",
        ]
        for _ in range(rng.randint(1, 7)):
            furniture_piece(rng.choice(tail)())
    sep = "\n\n" if rng.random() < 0.6 else "\n"
    return _assemble(doc, pieces, sep)


def _assemble(
    doc: Document, pieces: list[tuple[str, list[tuple[Unit | None, int, int]]]], sep: str
) -> Document:
    from argmine.segment import segment

    text_parts: list[str] = []
    new_units: list[Unit] = []
    mapping: dict[str, Unit] = {}
    offset = 0
    for text, units in pieces:
        if text_parts:
            text_parts.append(sep)
            offset += len(sep)
        text_parts.append(text)
        if units:
            for u, a, b in units:
                assert u is not None
                nu = replace(u, start=offset + a, end=offset + b, id="", text="")
                mapping[u.id] = nu
                new_units.append(nu)
        else:
            for s in segment(text).units:
                new_units.append(
                    Unit(
                        offset + s.start, offset + s.end, label="none", source_label="web-furniture"
                    )
                )
        offset += len(text)
    relations = [
        Relation(mapping[r.source.id], mapping[r.target.id], r.label, source_label=r.source_label)
        for r in doc.relations
        if r.source.id in mapping and r.target.id in mapping
    ]
    meta = {k: v for k, v in doc.metadata.items() if k != "paragraphs"}
    meta["webified"] = True
    return Document(
        "".join(text_parts),
        id=doc.id,
        units=tuple(new_units),
        relations=tuple(relations),
        metadata=meta,
    )


def body_order(doc: Document, rng: random.Random) -> list[int] | None:
    """A random order of ``doc``'s paragraphs (:func:`argmine.features.paragraph_spans_of`)
    that keeps the first and the last argumentative paragraph in place and shuffles
    those between them, never into their own order, or ``None`` where fewer than two
    lie between them.

    For a corpus whose arguments each sit inside one paragraph (an essay's body
    paragraphs, each one argument for the thesis), any such order is an essay with the
    same units, labels and relations: :func:`reorder_paragraphs` builds it.

    Example:
        >>> import random
        >>> doc = Document.build("Title\\n\\nA is so.\\nB is so.\\nC is so.\\nSo A.",
        ...     spans=[(7, 15, "claim"), (16, 24, "claim"), (25, 33, "claim"),
        ...            (34, 39, "conclusion")])
        >>> body_order(doc, random.Random(1))
        [0, 1, 3, 2, 4]
        >>> short = Document.build("A.\\nB.", spans=[(0, 2, "claim")])
        >>> body_order(short, random.Random(1)) is None
        True
    """
    from argmine.features import paragraph_spans_of
    from argmine.segment import paragraph_index

    pars = paragraph_spans_of(doc)
    arguing = [u for u in doc.units if u.label not in (None, "none")]
    arg = sorted(set(paragraph_index(arguing, pars)))
    if len(arg) < 2 or arg[-1] - arg[0] < 3:
        return None
    inner = list(range(arg[0] + 1, arg[-1]))
    shuffled = inner[:]
    while shuffled == inner:
        rng.shuffle(shuffled)
    return [*range(arg[0] + 1), *shuffled, *range(arg[-1], len(pars))]


def reorder_paragraphs(doc: Document, order: Sequence[int]) -> Document:
    """``doc`` with its paragraphs (:func:`argmine.features.paragraph_spans_of`) in
    ``order`` (a permutation of their indices): every unit moves with its paragraph,
    keeping its id, labels and relations, and the text between paragraphs stays where
    it was. ``metadata["paragraphs"]`` holds the moved paragraphs' spans, so that two
    paragraphs brought side by side are still read as two.

    Raises ``ValueError`` where ``order`` is not a permutation of the paragraphs, or a
    unit does not lie inside one paragraph.

    Example:
        >>> doc = Document.build("A is so.\\nB is so.\\nC.", spans=[(0, 8, "claim"),
        ...     (9, 17, "premise"), (18, 20, "conclusion")], links=[(1, 0, "support")])
        >>> moved = reorder_paragraphs(doc, [1, 0, 2])
        >>> moved.text, [(u.start, u.text) for u in moved.units]
        ('B is so.\\nA is so.\\nC.', [(0, 'B is so.'), (9, 'A is so.'), (18, 'C.')])
        >>> [(r.source.text, r.target.text) for r in moved.relations]
        [('B is so.', 'A is so.')]
        >>> moved.metadata["paragraphs"]
        [[0, 8], [9, 17], [18, 20]]
    """
    from argmine.features import paragraph_spans_of

    pars = paragraph_spans_of(doc)
    if sorted(order) != list(range(len(pars))):
        raise ValueError(
            f"order {list(order)} is not a permutation of the text's {len(pars)} paragraphs"
        )
    home = _home_paragraphs(doc, pars)
    parts: list[str] = []
    shift: dict[int, int] = {}
    spans: list[list[int]] = []
    cursor = length = 0
    for slot, k in enumerate(order):
        parts.append(doc.text[cursor : pars[slot][0]])  # the text before a slot stays put
        length += len(parts[-1])
        shift[k] = length - pars[k][0]
        parts.append(doc.text[pars[k][0] : pars[k][1]])
        spans.append([length, length + len(parts[-1])])
        length += len(parts[-1])
        cursor = pars[slot][1]
    parts.append(doc.text[cursor:])
    moved = {
        u.id: replace(u, start=u.start + shift[k], end=u.end + shift[k], text="")
        for u, k in zip(doc.units, home, strict=True)
    }
    return Document(
        "".join(parts),
        id=doc.id,
        units=tuple(sorted(moved.values(), key=lambda u: (u.start, u.end))),
        relations=tuple(
            replace(r, source=moved[r.source.id], target=moved[r.target.id]) for r in doc.relations
        ),
        metadata={**doc.metadata, "paragraphs": spans},
    )


def _home_paragraphs(doc: Document, pars: Sequence[tuple[int, int]]) -> list[int]:
    """The paragraph holding each unit of ``doc``, or a ``ValueError`` naming a unit that
    does not lie inside one."""
    from argmine.segment import paragraph_index

    home = paragraph_index(doc.units, pars)
    for u, k in zip(doc.units, home, strict=True):
        if not (pars[k][0] <= u.start and u.end <= pars[k][1]):
            raise ValueError(
                f"unit {u.start}-{u.end} ({u.text[:40]!r}) does not lie inside one paragraph: "
                "only whole paragraphs can be reordered"
            )
    return home
