"""The segmenter: raw text -> paragraphs -> sentence units with character offsets.

Paragraphs come from line structure (see :func:`paragraph_spans`), sentences from
blingfire's finite-state splitter, and every span is stripped of whitespace. Nothing is
dropped: every non-whitespace character of the input lies inside exactly one unit, and
no unit is longer than ``max_unit_chars``, so scraped web text, a heading without a full
stop or a megabyte-long line all give well-formed units.

Example:
    >>> text = ("Why we should act\\r\\nWe should act now. The evidence is clear.\\r\\n"
    ...         "\\r\\n- It is cheap")
    >>> doc = segment(text, id="d1")
    >>> [u.text for u in doc.units]
    ['Why we should act', 'We should act now.', 'The evidence is clear.', '- It is cheap']
    >>> doc.metadata["paragraphs"]
    [[0, 17], [19, 60], [64, 77]]
    >>> paragraph_index(doc.units, doc.metadata["paragraphs"])
    [0, 1, 1, 2]
"""

from __future__ import annotations

import ctypes
import re
from bisect import bisect_right
from collections.abc import Sequence
from itertools import pairwise

import blingfire

from argmine.document import Document, Unit

__all__ = ["paragraph_index", "paragraph_spans", "segment", "sentence_spans"]

#: blingfire's C entry point (byte offsets), when this build of blingfire exposes it.
_TEXT_TO_SENTENCES = getattr(
    getattr(blingfire, "blingfire", None), "TextToSentencesWithOffsets", None
)

#: Characters that end a line (``\r\n`` counts as one break). Python's ``splitlines`` also
#: breaks at ``\x1c``-``\x1e``; those never mean a line break in real text, so they are
#: plain whitespace here.
_LINE_BREAKS = "\n\r\v\f\x85\u2028\u2029"
#: One non-blank line, stripped: from its first to its last non-whitespace character.
_LINE_RE = re.compile(rf"\S(?:[^{_LINE_BREAKS}]*\S)?")
_BREAK_RE = re.compile(rf"\r\n|[{_LINE_BREAKS}]")
_NON_SPACE_RE = re.compile(r"\S")
#: The last whitespace character of a window (greedy ``.*`` backtracks from the end).
_LAST_SPACE_RE = re.compile(r".*\s", re.DOTALL)

#: A line ending in one of these (possibly followed by closers) ends a sentence, so the
#: next line is never joined to it.
_FINAL = ".!?:;…。！？；："
_CLOSERS = "\"'”’»›)]}」』）"
#: A list marker: a bullet symbol, or a number / letter / small roman numeral followed
#: by "." or ")", optionally opened by "(".
_MARKER = (
    r"(?:[•◦▪▫‣⁃∙●○■□►▸▹➢➤✓✔*+\-–—]"
    r"|\(?(?:\d{1,3}|[A-Za-z]|i{1,3}|iv|vi{0,3}|ix|xi{0,3}|I{1,3}|IV|VI{0,3}|IX|XI{0,3})[.)])"
)
_MARKER_RE = re.compile(_MARKER)
_MARKER_START_RE = re.compile(rf"{_MARKER}(?=\s|\Z)")


def _check_text(text: object, func: str) -> None:
    if not isinstance(text, str):
        hint = (
            " Decode bytes first, e.g. data.decode('utf-8')."
            if isinstance(text, (bytes, bytearray))
            else ""
        )
        raise TypeError(f"{func}() expects text as str; got {type(text).__name__}.{hint}")


def _ends_sentence(text: str, start: int, end: int) -> bool:
    """Whether the stripped line ``text[start:end]`` ends with sentence-final punctuation."""
    last = text[start:end].rstrip(_CLOSERS)[-1:]
    return last != "" and last in _FINAL


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Ordered, non-overlapping ``(start, end)`` spans of the paragraphs of ``text``.

    Every non-blank line is its own paragraph, because web text and essay corpora put
    one paragraph (or heading, bullet, navigation item) per line. The exception is
    hard-wrapped prose: a line that does not end with sentence-final punctuation
    (``. ! ? : ;``, maybe followed by a closing quote or bracket) is joined with the next
    line when that one starts with a lowercase letter and is not a list item such as
    ``a) ...``. A blank line always separates paragraphs. ``\\n``, ``\\r\\n``, ``\\r`` (and
    the other Unicode line breaks) all end a line. Spans are stripped of whitespace.

    Example:
        >>> text = "Title\\n\\nThis prose was\\nhard wrapped. Next\\nLine two."
        >>> [text[s:e] for s, e in paragraph_spans(text)]
        ['Title', 'This prose was\\nhard wrapped. Next', 'Line two.']
    """
    _check_text(text, "paragraph_spans")
    spans: list[tuple[int, int]] = []
    prev_end = 0
    open_line = False  # the last line seen may continue on the next one
    for m in _LINE_RE.finditer(text):
        start, end = m.span()
        if (
            open_line
            and text[start].islower()
            and len(_BREAK_RE.findall(text, prev_end, start)) < 2  # no blank line between
            and _MARKER_START_RE.match(text, start) is None
        ):
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
        open_line = not _ends_sentence(text, start, end)
        prev_end = end
    return spans


def _sentence_starts(chunk: str) -> list[int]:
    """Offsets (into ``chunk``) where blingfire starts a new sentence, ascending, > 0.

    Only the starts are used: the caller cuts the text at them, so characters blingfire
    skips (it treats control characters and U+FEFF as spaces) still end up inside a
    sentence.
    """
    try:
        data = chunk.encode("utf-8")
    except UnicodeEncodeError:
        # Lone surrogates cannot be encoded; "?" keeps one character per code point.
        data = chunk.encode("utf-8", "replace")
    starts = _native_sentence_starts(data, chunk.isascii())
    if starts is None:
        starts = _wrapper_sentence_starts(data.decode("utf-8"))
    return starts


def _native_sentence_starts(data: bytes, is_ascii: bool) -> list[int] | None:
    """Sentence starts from blingfire's C function, as character offsets into ``data``.

    ``blingfire.text_to_sentences_and_offsets`` maps the library's UTF-8 byte offsets to
    characters with a Python loop over every byte, which made it 70% of the time
    :func:`segment` took; this makes the same call (same buffer sizes) and converts only
    the starts. ``None`` when this blingfire lacks the function, the call fails or an
    offset splits a character.
    """
    text_to_sentences = _TEXT_TO_SENTENCES
    if text_to_sentences is None:
        return None
    size = 2 * len(data)  # as the wrapper does; the library bounds its writes by it
    out = ctypes.create_string_buffer(size)
    begins = (ctypes.c_int32 * size)()
    ends = (ctypes.c_int32 * size)()
    out_len = text_to_sentences(
        ctypes.c_char_p(data),
        ctypes.c_int(len(data)),
        ctypes.byref(out),
        ctypes.byref(begins),
        ctypes.byref(ends),
        ctypes.c_int(size),
    )
    if not 0 < out_len <= size:
        return None
    # The library writes the sentences one per line; read raw bytes, since a NUL in the
    # text would end ``out.value`` early.
    count = min(ctypes.string_at(out, out_len).count(b"\n") + 1, size)
    byte_starts = sorted({b for b in begins[:count] if 0 < b < len(data)})
    if is_ascii:
        return byte_starts
    starts: list[int] = []
    prev_byte = prev_char = 0
    try:
        for b in byte_starts:
            prev_char += len(data[prev_byte:b].decode("utf-8"))
            prev_byte = b
            starts.append(prev_char)
    except UnicodeDecodeError:
        return None
    return starts


def _wrapper_sentence_starts(chunk: str) -> list[int]:
    """Sentence starts from ``blingfire.text_to_sentences_and_offsets`` (character offsets)."""
    try:
        _, offsets = blingfire.text_to_sentences_and_offsets(chunk)
    except AssertionError:
        # The wrapper asserts its offset mapping; on inputs it cannot map (a NUL byte
        # cuts its output short) the chunk is one sentence.
        return []
    return sorted({s for s, _ in offsets if 0 < s < len(chunk)})


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    first = _NON_SPACE_RE.search(text, start, end)
    if first is None:
        return []
    start = first.start()
    cuts = [start, *(start + s for s in _sentence_starts(text[start:end])), end]
    spans: list[tuple[int, int]] = []
    marker: tuple[int, int] | None = None  # a lone list marker waiting for its item
    for a, b in pairwise(cuts):
        piece = text[a:b]
        stripped = piece.strip()
        if not stripped:
            continue
        lead = len(piece) - len(piece.lstrip())
        span = (a + lead, a + lead + len(stripped))
        if marker is not None:
            span, marker = (marker[0], span[1]), None
        # blingfire ends a sentence after "1." in "1. First item."; keep it with its item.
        if _MARKER_RE.fullmatch(text, span[0], span[1]):
            marker = span
            continue
        spans.append(span)
    if marker is not None:
        spans.append(marker)
    return spans


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans inside ``text[start:end]``, in absolute offsets, stripped.

    ``start`` and ``end`` follow slice semantics. Line breaks inside the range do not
    end a sentence by themselves (call it per paragraph for that). A lone list marker
    such as ``1.`` stays with the sentence after it. Every non-whitespace character of
    the range lies inside one of the spans.

    Example:
        >>> text = "Intro. 1. Café is good. Tea 😀 too!"
        >>> [text[s:e] for s, e in sentence_spans(text, 7)]
        ['1. Café is good.', 'Tea 😀 too!']
    """
    _check_text(text, "sentence_spans")
    start, end, _ = slice(start, end).indices(len(text))
    return _sentences(text, start, end)


def _split_long(text: str, start: int, end: int, limit: int) -> list[tuple[int, int]]:
    """Cut the stripped span ``text[start:end]`` into stripped pieces of at most ``limit``.

    Cuts at the last whitespace that fits, or hard at ``limit`` when there is none.
    """
    pieces: list[tuple[int, int]] = []
    pos = start
    while end - pos > limit:
        m = _LAST_SPACE_RE.match(text, pos, pos + limit + 1)
        if m is None:
            cut = next_pos = pos + limit
        else:
            space = m.end() - 1  # > pos, since text[pos] is never whitespace
            cut = pos + len(text[pos:space].rstrip())
            after = _NON_SPACE_RE.search(text, space, end)  # found: text[end - 1] is not a space
            next_pos = after.start() if after else end
        pieces.append((pos, cut))
        pos = next_pos
    pieces.append((pos, end))
    return pieces


def segment(text: str, *, id: str = "", max_unit_chars: int = 1500) -> Document:
    """Segment ``text`` into a :class:`Document` whose units are its sentences.

    Units are the sentences of every paragraph (see :func:`paragraph_spans` and
    :func:`sentence_spans`), unlabelled; a unit longer than ``max_unit_chars`` is cut at
    whitespace (hard at the limit when there is none) into pieces no longer than that.
    ``metadata["paragraphs"]`` lists the paragraph spans as ``[start, end]`` lists.
    Empty or whitespace-only text gives a document without units.

    Example:
        >>> doc = segment("Smoking should be banned. It harms others.\\nNo doubt", id="e1")
        >>> [(u.id, u.start, u.end) for u in doc.units]
        [('u0', 0, 25), ('u1', 26, 42), ('u2', 43, 51)]
        >>> doc.units[2].text
        'No doubt'
        >>> [u.text for u in segment("aaaa bb cccccc", max_unit_chars=5).units]
        ['aaaa', 'bb', 'ccccc', 'c']
        >>> segment("  \\n ").units
        ()
    """
    _check_text(text, "segment")
    if isinstance(max_unit_chars, bool) or not isinstance(max_unit_chars, int):
        raise TypeError(f"max_unit_chars must be int; got {type(max_unit_chars).__name__}.")
    if max_unit_chars < 1:
        raise ValueError(f"max_unit_chars must be at least 1; got {max_unit_chars}.")
    paragraphs = paragraph_spans(text)
    units: list[Unit] = []
    for p_start, p_end in paragraphs:
        for s_start, s_end in _sentences(text, p_start, p_end):
            spans = (
                _split_long(text, s_start, s_end, max_unit_chars)
                if s_end - s_start > max_unit_chars
                else [(s_start, s_end)]
            )
            for start, end in spans:
                # Ids and text given here spare Document one dataclass copy per unit.
                units.append(Unit(start, end, id=f"u{len(units)}", text=text[start:end]))
    return Document(
        text,
        id=id,
        units=tuple(units),
        metadata={"paragraphs": [[start, end] for start, end in paragraphs]},
    )


def paragraph_index(units: Sequence[Unit], paragraphs: Sequence[tuple[int, int]]) -> list[int]:
    """For each unit, the index of the paragraph that contains its start.

    ``paragraphs`` must be sorted (as :func:`paragraph_spans` returns them; the
    ``[start, end]`` lists of ``Document.metadata["paragraphs"]`` work too). A unit that
    starts between paragraphs belongs to the previous one, one before the first
    paragraph to the first.

    Example:
        >>> paragraph_index([Unit(0, 3), Unit(5, 8), Unit(9, 12)], [(0, 4), (5, 12)])
        [0, 1, 1]
    """
    if units and not paragraphs:
        raise ValueError("paragraph_index() needs at least one paragraph to place units in.")
    starts = [p[0] for p in paragraphs]
    return [max(bisect_right(starts, u.start) - 1, 0) for u in units]
