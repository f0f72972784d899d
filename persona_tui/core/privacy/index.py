"""A compact index of every three-word run in the sources.

Each word is hashed once (``map(hash, words)`` runs in C), three consecutive word hashes are
combined with vectorised numpy arithmetic, and the (hash, document, position) pairs are sorted
so a card's shingles are looked up with one ``searchsorted``: about 16 bytes per source word.
Word offsets are not stored; a checkpoint every few kilobytes (char offset, word number) lets a
match re-read just the words around it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

import numpy as np

from persona_tui.core.data.document import SourceDocument
from persona_tui.core.privacy.text import normalized_words, sentence_spans, word_spans

SHINGLE = 3
CHUNK_CHARS = 4096
SENTENCE_WINDOW = 600
_MULT = np.uint64(0x9E3779B97F4A7C15)
_DOC_SHIFT = 32
_POS_MASK = (1 << _DOC_SHIFT) - 1
_LINE_FORMATS = frozenset({"vtt", "srt"})
_SPACE = re.compile(r"\s")


def shingle_hashes(words: list[str]) -> np.ndarray:
    """One uint64 per run of :data:`SHINGLE` consecutive words (empty if too few words)."""
    count = len(words) - SHINGLE + 1
    if count <= 0:
        return np.empty(0, dtype=np.uint64)
    word_hashes = np.fromiter(map(hash, words), dtype=np.int64, count=len(words)).view(np.uint64)
    acc = word_hashes[:count].copy()
    with np.errstate(over="ignore"):
        for offset in range(1, SHINGLE):
            acc *= _MULT
            acc += word_hashes[offset:offset + count]
    return acc


@dataclass
class Window:
    """Some consecutive words of a document, with their character spans."""

    first: int  # word number of words[0]
    words: list[str]
    starts: list[int]
    ends: list[int]


class _Checkpoints:
    __slots__ = ("chars", "words", "total")

    def __init__(self) -> None:
        self.chars: list[int] = []
        self.words: list[int] = []
        self.total = 0


def _chunks(text: str):
    """Slices of about CHUNK_CHARS that end at whitespace, so no word is split."""
    position, length = 0, len(text)
    while position < length:
        end = position + CHUNK_CHARS
        if end < length:
            space = _SPACE.search(text, end)
            end = space.start() if space else length
        else:
            end = length
        yield position, end
        position = end


class SourceIndex:
    """Shingle index over a list of documents. Build once, audit many cards against it."""

    def __init__(self, documents: list[SourceDocument]) -> None:
        self.documents = documents
        self._checkpoints: list[_Checkpoints] = []
        #: every distinct word of the sources (casefolded) -> the first document holding it:
        #: what a rare word of a card is looked up in
        self.vocabulary: dict[str, int] = {}
        chunks_h: list[np.ndarray] = []
        chunks_p: list[np.ndarray] = []
        for number, doc in enumerate(documents):
            marks = _Checkpoints()
            words: list[str] = []
            text = doc.text
            for start, end in _chunks(text):
                marks.chars.append(start)
                marks.words.append(len(words))
                words += normalized_words(text[start:end])
            marks.total = len(words)
            fresh = dict.fromkeys(words, number)
            if self.vocabulary:  # keep the first document of words seen before (C-speed)
                fresh = dict.fromkeys(fresh.keys() - self.vocabulary.keys(), number)
            self.vocabulary.update(fresh)
            self._checkpoints.append(marks)
            hashes = shingle_hashes(words)
            if not len(hashes):
                continue
            positions = np.arange(len(hashes), dtype=np.int64)
            positions |= np.int64(number) << _DOC_SHIFT
            chunks_h.append(hashes)
            chunks_p.append(positions)
        if chunks_h:
            hashes = np.concatenate(chunks_h)
            positions = np.concatenate(chunks_p)
            order = np.argsort(hashes, kind="stable")
            self.hashes = hashes[order]
            self.positions = positions[order]
        else:
            self.hashes = np.empty(0, dtype=np.uint64)
            self.positions = np.empty(0, dtype=np.int64)
        self.total_chars = sum(len(d.text) for d in documents)

    @property
    def nbytes(self) -> int:
        return int(self.hashes.nbytes + self.positions.nbytes)

    def lookup(self, hashes: np.ndarray, max_hits: int) -> list[list[tuple[int, int]]]:
        """For each shingle hash, its (document, word position) occurrences; shingles more
        common than ``max_hits`` return none (too common to mean anything)."""
        if not len(hashes) or not len(self.hashes):
            return [[] for _ in range(len(hashes))]
        left = np.searchsorted(self.hashes, hashes, side="left")
        right = np.searchsorted(self.hashes, hashes, side="right")
        result = []
        for lo, hi in zip(left.tolist(), right.tolist()):
            if hi == lo or hi - lo > max_hits:
                result.append([])
                continue
            result.append([(p >> _DOC_SHIFT, p & _POS_MASK)
                           for p in self.positions[lo:hi].tolist()])
        return result

    def window(self, number: int, first: int, last: int) -> Window:
        """Words ``first`` to ``last`` (exclusive, clipped) of document ``number``."""
        marks = self._checkpoints[number]
        first, last = max(0, first), min(last, marks.total)
        text = self.documents[number].text
        a = max(0, bisect_right(marks.words, first) - 1)
        b = max(0, bisect_right(marks.words, max(first, last - 1)) - 1)
        start = marks.chars[a]
        end = marks.chars[b + 1] if b + 1 < len(marks.chars) else len(text)
        words, starts, ends = word_spans(text[start:end])
        skip = first - marks.words[a]
        take = last - first
        return Window(first, words[skip:skip + take],
                      [start + s for s in starts[skip:skip + take]],
                      [start + e for e in ends[skip:skip + take]])

    def sentence_at(self, number: int, offset: int) -> tuple[int, int]:
        """The sentence (within a table cell or a JSON value, or a line in line-based
        formats) around ``offset``."""
        document = self.documents[number]
        text = document.text
        lo, hi = max(0, offset - SENTENCE_WINDOW), min(len(text), offset + SENTENCE_WINDOW)
        table, fields = document.table, document.fields
        unit = table.cell_at(offset) if table is not None else \
            fields.value_at(offset) if fields is not None else None
        if unit is not None:
            lo, hi = unit[0], unit[1]
        elif document.format in _LINE_FORMATS:
            lo = text.rfind("\n", 0, offset) + 1
            line_end = text.find("\n", offset)
            hi = len(text) if line_end < 0 else line_end
        for a, b in sentence_spans(text[lo:hi]):
            if lo + a <= offset < lo + b:
                return lo + a, lo + b
        return offset, offset
