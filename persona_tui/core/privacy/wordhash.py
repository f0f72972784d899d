"""One 64-bit number per word, computed in numpy without a Python string per word.

Building the shingle index used to split every source text into a list of word strings and
hash each one: a Python object per word is what capped the build at a few MB/s. Here a block of
text becomes an array of code points; the character classes of :data:`text._WORD` (letters and
digits, apostrophes between them), case folding, word boundaries and a polynomial hash of each
word's folded letters are all array operations.

The hash depends only on the word as :func:`text.normalized_words` spells it (casefolded,
apostrophes dropped), so a card's words, split by the regular expression, hash to the same
numbers as the source words split here (:func:`hash_words`). Text this cannot fold one
character to one character (a German "ß" folds to "ss") returns ``None`` and the caller takes
the regular-expression path for that block.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from persona_tui.core.privacy.text import fold_apostrophes

_OTHER, _ALNUM, _APOSTROPHE = 0, 1, 2
_P = np.uint64(0x100000001B3)  # odd, so every power is distinct modulo 2**64
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


def _ascii_tables() -> tuple[bytes, bytes, bytes]:
    fold = bytearray(range(256))
    alnum = bytearray(256)
    apostrophe = bytearray(256)
    for code in range(128):
        char = fold_apostrophes(chr(code).casefold())
        fold[code] = ord(char)
        alnum[code] = char.isalnum()
        apostrophe[code] = char == "'"
    return bytes(fold), bytes(alnum), bytes(apostrophe)


_FOLD, _IS_ALNUM, _IS_APOSTROPHE = _ascii_tables()  # (apostrophes: all fold to code 39)
_ASCII_CLASS = np.array([_APOSTROPHE if _IS_APOSTROPHE[c] else _ALNUM if _IS_ALNUM[c] else _OTHER
                         for c in range(128)] + [_OTHER], dtype=np.uint8)
_ASCII_CODE = np.frombuffer(_FOLD[:128] + b"\0", dtype=np.uint8).astype(np.uint32)
_P_INVERSE = np.uint64(pow(int(_P), -1, 2 ** 64))
_powers = np.ones(1, dtype=np.uint64)
_inverse_powers = np.ones(1, dtype=np.uint64)


def _power_tables(size: int) -> tuple[np.ndarray, np.ndarray]:
    """_P ** i and _P ** -i modulo 2**64 for i < size (grown on demand, kept)."""
    global _powers, _inverse_powers
    if len(_powers) < size:
        size = max(size, 2 * len(_powers))
        for base in (_P, _P_INVERSE):
            table = np.full(size, base, dtype=np.uint64)
            table[0] = 1
            table = np.cumprod(table, dtype=np.uint64)
            if base == _P:
                _powers = table
            else:
                _inverse_powers = table
    return _powers, _inverse_powers


def _classify(text: str) -> tuple[np.ndarray, np.ndarray] | None:
    """(folded code per character, letter-or-digit mask), or None. Every apostrophe-like
    character folds to "'" (code 39)."""
    if text.isascii():
        raw = text.encode("ascii")
        codes = np.frombuffer(raw.translate(_FOLD), dtype=np.uint8)
        return codes, np.frombuffer(raw.translate(_IS_ALNUM), dtype=np.bool_)
    raw = text.encode("ascii", "replace")  # one "?" per other character: offsets hold
    if raw.count(b"?") * 16 < len(raw):  # mostly ASCII: fold the few others one by one
        codes = np.frombuffer(raw.translate(_FOLD), dtype=np.uint8).astype(np.uint32)
        alnum = np.frombuffer(bytearray(raw.translate(_IS_ALNUM)), dtype=np.bool_)
        for at in np.flatnonzero(codes == 63).tolist():
            char = text[at]
            if char == "?":
                continue
            folded = _fold_one(char)
            if folded is None:
                return None
            codes[at], kind = folded
            alnum[at] = kind == _ALNUM
        return codes, alnum
    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    ascii_part = np.minimum(points, 128)
    classes = _ASCII_CLASS[ascii_part]
    codes = _ASCII_CODE[ascii_part]
    wide = np.flatnonzero(points >= 128)
    distinct, where = np.unique(points[wide], return_inverse=True)
    wide_codes, wide_classes = [], []
    for point in distinct.tolist():
        folded = _fold_one(chr(point))
        if folded is None:
            return None
        wide_codes.append(folded[0])
        wide_classes.append(folded[1])
    codes[wide] = np.array(wide_codes, dtype=np.uint32)[where]
    classes[wide] = np.array(wide_classes, dtype=np.uint8)[where]
    return codes, classes == _ALNUM


@lru_cache(maxsize=4096)
def _fold_one(char: str) -> tuple[int, int] | None:
    """(folded code, class) of one non-ASCII character; None if it folds to several."""
    folded = fold_apostrophes(char.casefold())
    if len(folded) != 1:
        return None
    return ord(folded), (_APOSTROPHE if folded == "'" else
                         _ALNUM if folded.isalnum() else _OTHER)


def _hash_runs(letters: np.ndarray, first: np.ndarray) -> np.ndarray:
    """The hash of each word: ``letters`` are the folded letters and digits of all words
    one after the other, ``first`` the index of each word's first one. A word's hash is the
    sum of code * P ** i over its letters, i counted from its first letter: computed as one
    segment sum over all letters (P ** position), shifted back by P ** -first."""
    powers, inverse = _power_tables(len(letters) + 1)
    terms = letters.astype(np.uint64)
    terms *= powers[:len(letters)]
    with np.errstate(over="ignore"):
        hashes = np.add.reduceat(terms, first)
        hashes *= inverse[first]
        hashes ^= hashes >> np.uint64(31)  # a finaliser, so similar words spread apart
        hashes *= _MIX1
        hashes ^= hashes >> np.uint64(29)
        hashes *= _MIX2
        hashes ^= hashes >> np.uint64(32)
    return hashes


def text_word_hashes(text: str) -> tuple[np.ndarray, np.ndarray] | None:
    """(hash of each word, its start offset) for the words :func:`normalized_words` finds
    in ``text``; ``None`` when a character folds to several (use the slow path)."""
    classified = _classify(text)
    if classified is None:
        return None
    codes, alnum = classified
    kept = np.flatnonzero(alnum)
    if not len(kept):
        return np.empty(0, dtype=np.uint64), kept
    # a word starts at a letter whose previous letter is not right before it, unless just
    # one apostrophe stands between them ("don't" is one word, "rock''n" two)
    gaps = np.diff(kept)
    starts_word = np.empty(len(kept), dtype=bool)
    starts_word[0] = True
    np.not_equal(gaps, 1, out=starts_word[1:])
    two = np.flatnonzero(gaps == 2)
    if len(two):
        starts_word[two[codes[kept[two] + 1] == 39] + 1] = False
    first = np.flatnonzero(starts_word)
    return _hash_runs(codes[kept], first), kept[first]


def hash_words(words: list[str]) -> np.ndarray:
    """The hashes of already normalised words (as :func:`normalized_words` returns them:
    letters and digits only)."""
    if not words:
        return np.empty(0, dtype=np.uint64)
    joined = "".join(words)
    if joined.isascii():
        letters = np.frombuffer(joined.encode("ascii"), dtype=np.uint8)
    else:
        letters = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    first = np.zeros(len(words), dtype=np.int64)
    np.cumsum(np.fromiter(map(len, words), dtype=np.int64, count=len(words))[:-1],
              out=first[1:])
    return _hash_runs(letters, first)
