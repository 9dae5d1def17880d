"""Short made-up texts that the batch tests label (shared by test_batch and
test_batch_engines)."""

from __future__ import annotations

SENTENCES = [
    "Cities should ban cars from their centres.",
    "Cars pollute the air.",
    "Noise harms sleep.",
    "Some say shops would suffer.",
    "But pedestrians spend more.",
    "So a ban serves everyone.",
    "Taxes on fuel should rise.",
    "Roads cost money.",
]


def sample_text(i: int, max_sentences: int) -> str:
    """Text number ``i``: 1 to ``max_sentences`` sentences, starting at sentence ``i``.

    Example:
        >>> sample_text(1, 3)
        'Cars pollute the air. Noise harms sleep.'
    """
    n = 1 + i % max_sentences
    return " ".join(SENTENCES[(i + k) % len(SENTENCES)] for k in range(n))
