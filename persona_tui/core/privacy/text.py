"""Word-level normalisation shared by the index (fast path) and span-level matching.

Both paths must produce the same word sequence for the same text: the index hashes words
without keeping offsets (that is what makes 50 MB index in seconds), and the offsets are
recovered later, only for documents that matched.
"""

from __future__ import annotations

import re

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'\u201d\u2019)\]]*\s+|\n\s*\n|\n(?=\s*[-*•])")

_CONTRACTIONS = {
    "cant": "can not", "cannot": "can not", "wont": "will not", "shant": "shall not",
    "im": "i am", "ive": "i have", "id": "i would", "ill": "i will", "youre": "you are",
    "youve": "you have", "youll": "you will", "youd": "you would",
    "theyre": "they are", "theyve": "they have", "theyll": "they will", "weve": "we have",
    "its": "it is", "thats": "that is", "theres": "there is",
    "whats": "what is", "lets": "let us", "hes": "he is", "shes": "she is",
    "dont": "do not", "doesnt": "does not", "didnt": "did not", "isnt": "is not",
    "arent": "are not", "wasnt": "was not", "werent": "were not", "havent": "have not",
    "hasnt": "has not", "hadnt": "had not", "couldnt": "could not",
    "wouldnt": "would not", "shouldnt": "should not", "mustnt": "must not",
    "gonna": "going to", "wanna": "want to", "gotta": "got to",
}
_CONTRACTED = {"we're": "we are", "we'll": "we will", "we'd": "we would", "she'll": "she will",
               "he'll": "he will", "it'll": "it will", "that'll": "that will"}


def fold_apostrophes(text: str) -> str:
    """Curly and modifier apostrophes and backticks as a plain "'"."""
    return text.translate(_APOSTROPHES)


def normalized_words(text: str) -> list[str]:
    """Fast path: the casefolded words of ``text``, apostrophes dropped ("don't" -> "dont")."""
    folded = text.casefold()
    if not folded.isascii() or "`" in folded:
        folded = folded.translate(_APOSTROPHES)
    words = _WORD.findall(folded)
    if "'" in folded:
        return [w.replace("'", "") if "'" in w else w for w in words]
    return words


def word_spans(text: str) -> tuple[list[str], list[int], list[int]]:
    """The same words as :func:`normalized_words`, with their character spans in ``text``."""
    folded = text.casefold().translate(_APOSTROPHES)
    if len(folded) != len(text):  # a character whose casefold is longer (ß -> ss)
        return _word_spans_mapped(text)
    words, starts, ends = [], [], []
    for match in _WORD.finditer(folded):
        word = match.group()
        words.append(word.replace("'", "") if "'" in word else word)
        starts.append(match.start())
        ends.append(match.end())
    return words, starts, ends


def _word_spans_mapped(text: str) -> tuple[list[str], list[int], list[int]]:
    pieces = [c.casefold().translate(_APOSTROPHES) for c in text]
    origin = [i for i, piece in enumerate(pieces) for _ in piece]
    folded = "".join(pieces)
    words, starts, ends = [], [], []
    for match in _WORD.finditer(folded):
        word = match.group()
        words.append(word.replace("'", "") if "'" in word else word)
        starts.append(origin[match.start()])
        ends.append(origin[match.end() - 1] + 1)
    return words, starts, ends


def expand_contractions(words: list[str], raw: list[str] | None = None) -> list[str]:
    """"dont" -> "do not": near-verbatim matching must see through contractions."""
    out: list[str] = []
    for index, word in enumerate(words):
        original = raw[index] if raw is not None else None
        if original is not None and original in _CONTRACTED:
            out.extend(_CONTRACTED[original].split())
        elif word in _CONTRACTIONS:
            out.extend(_CONTRACTIONS[word].split())
        else:
            out.append(word)
    return out


def comparable(text: str) -> str:
    """A sentence as near-verbatim matching compares it: words only, contractions expanded."""
    folded = text.casefold().translate(_APOSTROPHES)
    raw = _WORD.findall(folded)
    words = [w.replace("'", "") for w in raw]
    return " ".join(expand_contractions(words, raw))


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence-ish spans: split at . ! ? followed by space, blank lines and list bullets."""
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        if match.start() > start:
            spans.append((start, match.start()))
        start = match.end()
    if start < len(text):
        spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]
