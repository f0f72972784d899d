"""A compact index of every three-word run in the sources.

Each word is hashed once (``map(hash, words)`` runs in C), three consecutive word hashes are
combined with vectorised numpy arithmetic, and the (hash, document, position) triples are
sorted so a card's shingles are looked up with one ``searchsorted``. That is about 16 bytes per
source word, and builds at tens of MB/s. Word offsets are not stored: they are recomputed for a
document only when a card matches it.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from persona_tui.core.data.document import SourceDocument
from persona_tui.core.data.readers.tables import sniff_delimiter, split_cells
from persona_tui.core.privacy.text import normalized_words, sentence_spans, word_spans

SHINGLE = 3
_LINE_FORMATS = frozenset({"jsonl", "vtt", "srt"})


def document_sentences(document: SourceDocument) -> list[tuple[int, int]]:
    """Sentence spans, aware of the format: in a table each cell is its own text, and in
    line-based formats (JSON Lines, subtitles) a sentence never runs across lines."""
    text = document.text
    if document.format in ("csv", "tsv"):
        delimiter = "\t" if document.format == "tsv" else sniff_delimiter(text, ",")
        pieces = []
        offset = 0
        for line in text.split("\n"):
            for a, b in split_cells(line, delimiter):
                pieces.append((offset + a, offset + b))
            offset += len(line) + 1
    elif document.format in _LINE_FORMATS:
        pieces, offset = [], 0
        for line in text.split("\n"):
            pieces.append((offset, offset + len(line)))
            offset += len(line) + 1
    else:
        return sentence_spans(text)
    spans = []
    for a, b in pieces:
        spans += [(a + x, a + y) for x, y in sentence_spans(text[a:b])]
    return spans
_MULT = np.uint64(0x9E3779B97F4A7C15)
_DOC_SHIFT = 32
_POS_MASK = (1 << _DOC_SHIFT) - 1


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
class DocWords:
    """One document's words with offsets and sentence boundaries, computed on demand."""

    words: list[str]
    starts: list[int]
    ends: list[int]
    sentence_first_word: list[int]

    def sentence_of(self, word_index: int) -> int:
        return bisect_right(self.sentence_first_word, word_index) - 1

    def sentence_words(self, sentence: int) -> tuple[int, int]:
        first = self.sentence_first_word[sentence]
        last = (self.sentence_first_word[sentence + 1]
                if sentence + 1 < len(self.sentence_first_word) else len(self.words))
        return first, last


class SourceIndex:
    """Shingle index over a list of documents. Build once, audit many cards against it."""

    def __init__(self, documents: list[SourceDocument], *, cache_docs: int = 32) -> None:
        self.documents = documents
        chunks_h: list[np.ndarray] = []
        chunks_p: list[np.ndarray] = []
        for number, doc in enumerate(documents):
            hashes = shingle_hashes(normalized_words(doc.text))
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
        self._doc_cache: OrderedDict[int, DocWords] = OrderedDict()
        self._cache_docs = cache_docs
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

    def doc_words(self, number: int) -> DocWords:
        cached = self._doc_cache.get(number)
        if cached is not None:
            self._doc_cache.move_to_end(number)
            return cached
        document = self.documents[number]
        text = document.text
        words, starts, ends = word_spans(text)
        firsts = []
        cursor = 0
        for start, _ in document_sentences(document):
            while cursor < len(starts) and starts[cursor] < start:
                cursor += 1
            if not firsts or firsts[-1] != cursor:
                firsts.append(cursor)
        if not firsts or firsts[0] != 0:
            firsts.insert(0, 0)
        entry = DocWords(words, starts, ends, firsts)
        self._doc_cache[number] = entry
        if len(self._doc_cache) > self._cache_docs:
            self._doc_cache.popitem(last=False)
        return entry
