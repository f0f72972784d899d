"""Accent- and case-folding for comparing names.

"Tomas" and "Tomás", "ZOË" and "Zoe", "Lindqvist" and "lindqvist" are the same name to a reader,
so every check that compares a generated text with the names in the sources folds both sides
the same way: compatibility-decompose (NFKD), drop the combining marks, casefold. Letters that
do not decompose (ø, ł, ß, æ) are mapped to their usual ASCII spelling.
"""

from __future__ import annotations

import unicodedata

_NON_DECOMPOSING = str.maketrans({
    "ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "ð": "d", "Ð": "d",
    "þ": "th", "Þ": "th", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ß": "ss", "ı": "i",
    "\u2019": "'", "\u2018": "'", "\u02bc": "'",
})


def fold(text: str) -> str:
    """``text`` without accents, in case-folded form (``"Tomás"`` -> ``"tomas"``)."""
    if text.isascii():
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text.translate(_NON_DECOMPOSING))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.casefold()


__all__ = ["fold"]
