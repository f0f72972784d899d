"""The numpy word hashing of the index agrees with the regular-expression word split.

The index hashes source words without making a string per word; a card's words are split by
:func:`normalized_words` and hashed from the strings. If the two ever disagreed, a copied
sentence would silently stop matching, so they are compared on random hostile text: curly
and modifier apostrophes, backticks, underscores, combining marks, digits in other scripts,
characters whose case folding changes the length.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from persona_tui.core.data import DataLoader
from persona_tui.core.privacy.index import SourceIndex, shingle_hashes
from persona_tui.core.privacy.text import normalized_words, word_spans
from persona_tui.core.privacy.wordhash import hash_words, text_word_hashes

_ASCII = list("abcXYZ019 '`_-.,?\n\t")
_OTHER = ["’", "‘", "ʼ", "é", "É", "\u0301", "Ω", "٣", "ǅ", "K", "\ud800", "²", "ⅷ", "😀",
          "Σ", "ς", "ß", "ﬁ", "İ"]


@pytest.mark.parametrize("other_share", [0.02, 0.5])
def test_numpy_words_match_the_regular_expression(other_share: float) -> None:
    rng = random.Random(7)
    checked = 0
    for _ in range(800):
        text = "".join(rng.choice(_OTHER) if rng.random() < other_share else rng.choice(_ASCII)
                       for _ in range(rng.randint(0, 60)))
        found = text_word_hashes(text)
        if found is None:  # only where a character folds to several
            assert any(len(c.casefold()) > 1 for c in text)
            continue
        hashes, starts = found
        words, spans, _ = word_spans(text)
        assert words == normalized_words(text)
        assert starts.tolist() == spans
        assert hashes.tolist() == hash_words(words).tolist()
        checked += 1
    assert checked > 100


def test_words_hash_apart() -> None:
    words = normalized_words("the cat sat on the mat and the dog didn't; dont Don't")
    hashes = hash_words(words).tolist()
    assert len(set(hashes)) == len(set(words))
    assert hashes[0] == hashes[4]
    assert hash_words(["didnt"])[0] == hashes[9] and hashes[10] == hashes[11]


def test_index_finds_a_copied_run_in_mixed_text() -> None:
    """Blocks with a length-changing fold (ß) take the regular-expression path; both kinds
    of block meet in one index and both find their words."""
    text = ("Die Straße war nass und wir liefen schnell nach Hause.\n\n" * 3 +
            "The ferry to Stromness leaves at dawn on a grey Tuesday.\n\n" * 3)
    loader = DataLoader()
    docs = [loader.load_text(text, doc_id="a.md"), loader.load_text(text[::-1], doc_id="b.md")]
    index = SourceIndex(docs)
    for phrase in ("die strasse war", "the ferry to"):
        hits = index.lookup(shingle_hashes(phrase.split()), 100)[0]
        assert hits and all(doc == 0 for doc, _ in hits)
        doc, position = hits[0]
        assert index.window(doc, position, position + 3).words == phrase.split()
    assert "stromness" in index.vocabulary and index.vocabulary["stromness"] == 0
    assert "strasse" in index.vocabulary and "nowhere" not in index.vocabulary
    assert index.nbytes == 8 * (2 * (len(normalized_words(text)) - 2))
