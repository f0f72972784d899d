"""Accent- and case-folding for comparing names.

"Tomas" and "Tomás", "ZOË" and "Zoe", "Lindqvist" and "lindqvist" are the same name to a reader,
so every check that compares a generated text with the names in the sources folds both sides
the same way: compatibility-decompose (NFKD), drop the combining marks, casefold. Letters that
do not decompose (ø, ł, ß, æ) are mapped to their usual ASCII spelling, curly apostrophes to
a plain one. :func:`strip_accents` is the same without the case folding (for text whose case
still matters, such as a header split at its capitals). This is the one accent-folding helper
of the project: name checks, the privacy audit's names, quasi-identifiers and word
frequencies all use it, so they agree on what "the same word" is.
"""

from __future__ import annotations

import unicodedata

_NON_DECOMPOSING = str.maketrans({
    "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D",
    "þ": "th", "Þ": "Th", "æ": "ae", "Æ": "Ae", "œ": "oe", "Œ": "Oe", "ß": "ss", "ı": "i",
    "\u2019": "'", "\u2018": "'", "\u02bc": "'",
})


def strip_accents(text: str) -> str:
    """``text`` without accents, case kept: "Tomás" -> "Tomas", "Zoë Ó Briain" -> "Zoe O
    Briain", "Søren" -> "Soren" (the length may change: use it for keys, not spans)."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text.translate(_NON_DECOMPOSING))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str) -> str:
    """``text`` without accents, in case-folded form (``"Tomás"`` -> ``"tomas"``)."""
    if text.isascii():
        return text.casefold()
    return strip_accents(text).casefold()


__all__ = ["fold", "strip_accents"]
