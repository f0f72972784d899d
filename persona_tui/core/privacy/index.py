"""A compact index of every three-word run in the sources.

Words are hashed in numpy (:mod:`wordhash`: no Python string per source word), three
consecutive word hashes are combined with vectorised arithmetic, and the shingle hashes are
sorted with each shingle's number packed into their low bits, so a card's shingles are looked
up with one ``searchsorted``: 8 bytes per source word. Word offsets are not stored; a checkpoint every
few kilobytes (char offset, word number) lets a match re-read just the words around it. The
source vocabulary (for the rare-word check) is kept as sorted word hashes with the first
document holding each word.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

import numpy as np

from persona_tui.core.data.document import SourceDocument
from persona_tui.core.privacy.text import normalized_words, sentence_spans, word_spans
from persona_tui.core.privacy.wordhash import hash_words, text_word_hashes

SHINGLE = 3
CHUNK_CHARS = 4096
BLOCK_CHARS = 1 << 18  # text hashed in one go: bounds the temporary arrays (~30 bytes/char)
SENTENCE_WINDOW = 600
_MULT = np.uint64(0x9E3779B97F4A7C15)
_LINE_FORMATS = frozenset({"vtt", "srt"})
_SPACE = re.compile(r"\s")


def combine(word_hashes: np.ndarray) -> np.ndarray:
    """One uint64 per run of :data:`SHINGLE` consecutive word hashes."""
    count = len(word_hashes) - SHINGLE + 1
    if count <= 0:
        return np.empty(0, dtype=np.uint64)
    acc = word_hashes[:count].copy()
    with np.errstate(over="ignore"):
        for offset in range(1, SHINGLE):
            acc *= _MULT
            acc += word_hashes[offset:offset + count]
    return acc


def shingle_hashes(words: list[str]) -> np.ndarray:
    """One uint64 per run of :data:`SHINGLE` consecutive words (empty if too few words)."""
    return combine(hash_words(words)) if len(words) >= SHINGLE else \
        np.empty(0, dtype=np.uint64)


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


def _chunks(text: str, size: int = CHUNK_CHARS):
    """Slices of about ``size`` characters that end at whitespace, so no word is split."""
    position, length = 0, len(text)
    while position < length:
        end = position + size
        if end < length:
            space = _SPACE.search(text, end)
            end = space.start() if space else length
        else:
            end = length
        yield position, end
        position = end


def _document_words(text: str, marks: _Checkpoints) -> np.ndarray:
    """The word hashes of one document, with its checkpoints recorded in ``marks``."""
    parts: list[np.ndarray] = []
    count = 0
    for block_start, block_end in _chunks(text, BLOCK_CHARS):
        block = text[block_start:block_end]
        found = text_word_hashes(block)
        if found is None:  # a character that folds to several: the regular expression
            for start, end in _chunks(block):
                marks.chars.append(block_start + start)
                marks.words.append(count)
                words = normalized_words(block[start:end])
                parts.append(hash_words(words))
                count += len(words)
            continue
        hashes, starts = found
        if not len(hashes):
            continue
        # a checkpoint at the first word starting after every CHUNK_CHARS: never inside a word
        picks = np.unique(np.searchsorted(starts, np.arange(0, len(block), CHUNK_CHARS)))
        picks = picks[picks < len(starts)]
        marks.chars.extend((starts[picks] + block_start).tolist())
        marks.words.extend((picks + count).tolist())
        parts.append(hashes)
        count += len(hashes)
    marks.total = count
    if not parts:
        return np.empty(0, dtype=np.uint64)
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def _packed(parts: list[np.ndarray]) -> tuple[np.ndarray, int]:
    """The hashes of ``parts`` (concatenated) with their number in the low bits, sorted.

    Sorting the values themselves is several times faster than an index sort (argsort), and
    the number that comes with each hash is exactly what a lookup needs; the hash keeps the
    remaining high bits (40 for a 50 MB corpus): a false match is checked against the words
    (verbatim) or the text (near-verbatim) like any hash collision. Equal hashes stay in
    ascending number order. ``parts`` is emptied as it is copied (lower peak memory)."""
    total = sum(len(p) for p in parts)
    bits = max(1, (total - 1).bit_length())
    low = np.uint64((1 << bits) - 1)
    keys = np.empty(total, dtype=np.uint64)
    at = 0
    for number, part in enumerate(parts):
        piece = keys[at:at + len(part)]
        np.bitwise_and(part, ~low, out=piece)
        piece |= np.arange(at, at + len(part), dtype=np.uint64)
        at += len(part)
        parts[number] = None  # type: ignore[call-overload]
    keys.sort()
    return keys, bits


def _key_range(keys: np.ndarray, bits: int, hashes: np.ndarray) -> tuple[np.ndarray, ...]:
    """For each hash, the [left, right) range of ``keys`` whose high bits equal its own."""
    low = np.uint64((1 << bits) - 1)
    hashes = np.asarray(hashes, dtype=np.uint64)
    return (np.searchsorted(keys, hashes & ~low, side="left"),
            np.searchsorted(keys, hashes | low, side="right"))


class _Vocabulary:
    """Every distinct source word (by hash) -> the first document holding it."""

    def __init__(self, per_document: list[np.ndarray]) -> None:
        # per document its distinct word hashes, the document number in the low bits
        self._bits = max(1, (len(per_document) - 1).bit_length())
        low = np.uint64((1 << self._bits) - 1)
        parts = []
        for number, hashes in enumerate(per_document):
            ordered = np.sort(hashes & ~low)  # a plain sort: faster than np.unique's hash
            distinct = ordered[np.flatnonzero(np.diff(ordered, prepend=~ordered[:1]))] \
                if len(ordered) else ordered
            distinct |= np.uint64(number)
            parts.append(distinct)
        keys = np.concatenate(parts) if parts else np.empty(0, dtype=np.uint64)
        keys.sort()
        first = np.ones(len(keys), dtype=bool)  # the lowest document of each word
        first[1:] = (keys[1:] >> np.uint64(self._bits)) != (keys[:-1] >> np.uint64(self._bits))
        self._keys = keys[first]
        self._low = low

    def get(self, word: str) -> int | None:
        """The first document that holds ``word`` (a normalised word), or None."""
        left, right = _key_range(self._keys, self._bits, hash_words([word]))
        if right[0] > left[0]:
            return int(self._keys[left[0]] & self._low)
        return None

    def __contains__(self, word: str) -> bool:
        return self.get(word) is not None

    def __getitem__(self, word: str) -> int:
        found = self.get(word)
        if found is None:
            raise KeyError(word)
        return found

    def __len__(self) -> int:
        return len(self._keys)


class SourceIndex:
    """Shingle index over a list of documents. Build once, audit many cards against it."""

    def __init__(self, documents: list[SourceDocument]) -> None:
        self.documents = documents
        self._checkpoints: list[_Checkpoints] = []
        shingles: list[np.ndarray] = []
        words_per_document: list[np.ndarray] = []
        for doc in documents:
            marks = _Checkpoints()
            words = _document_words(doc.text, marks)
            self._checkpoints.append(marks)
            words_per_document.append(words)
            shingles.append(combine(words))
        #: every distinct word of the sources -> the first document holding it: what a rare
        #: word of a card is looked up in (``word in vocabulary``, ``vocabulary[word]``)
        self.vocabulary = _Vocabulary(words_per_document)
        del words_per_document
        #: shingle number of each document's first shingle (the last entry: the total)
        self._offsets = np.zeros(len(documents) + 1, dtype=np.int64)
        np.cumsum([len(h) for h in shingles], out=self._offsets[1:])
        #: sorted shingle hashes, each with its shingle number in the low bits
        self.keys, self._bits = _packed(shingles)
        self.total_chars = sum(len(d.text) for d in documents)

    @property
    def nbytes(self) -> int:
        return int(self.keys.nbytes)

    def lookup(self, hashes: np.ndarray, max_hits: int) -> list[list[tuple[int, int]]]:
        """For each shingle hash, its (document, word position) occurrences; shingles more
        common than ``max_hits`` return none (too common to mean anything)."""
        if not len(hashes) or not len(self.keys):
            return [[] for _ in range(len(hashes))]
        left, right = _key_range(self.keys, self._bits, hashes)
        counts = right - left
        counts[counts > max_hits] = 0
        total = int(counts.sum())
        if not total:
            return [[] for _ in range(len(hashes))]
        # every wanted (document, position) in one go, then cut per shingle
        ends = np.cumsum(counts)
        picks = np.arange(total, dtype=np.int64) + np.repeat(left - (ends - counts), counts)
        shingles = (self.keys[picks] & np.uint64((1 << self._bits) - 1)).astype(np.int64)
        offsets = self._offsets
        documents = np.searchsorted(offsets, shingles, side="right") - 1
        pairs = list(zip(documents.tolist(), (shingles - offsets[documents]).tolist()))
        return [pairs[end - count:end] if count else []
                for count, end in zip(counts.tolist(), ends.tolist())]

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
