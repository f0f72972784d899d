"""How common a word is in general language, from wordfreq's shipped word lists.

wordfreq ships its frequency tables inside the package (no download, works offline). The
"small" list of each language holds every word at or above Zipf 3 (about once per million
words), so "not in the list" means rare: a surname, a village, a shop's name, a coined word.
The lists are read once, on first use (about 0.1 s and 3 MB for English), so importing the
auditor stays cheap.

Rarity is what tells an everyday sentence ("I really do not have time for that") from a
distinctive one ("a shoebox of receipts under the bed, sorted by the colour of the paper
clip"), and a capitalised shared word that rules did not recognise from a common one.
"""

from __future__ import annotations

import math
from functools import lru_cache

from persona_tui.core.utils.fold import fold

#: Zipf value of the rarest word in the "small" lists; words not in them are rarer
RARE_ZIPF = 3.0


@lru_cache(maxsize=8)
def _table(language: str) -> dict[str, float]:
    try:
        import wordfreq
        return wordfreq.get_frequency_dict(language, "small")
    except Exception:  # an unknown language, or wordfreq missing: nothing counts as common
        return {}


def zipf(word: str, languages: tuple[str, ...] = ("en",)) -> float:
    """The Zipf frequency (log10 per billion words) of ``word``: the highest over
    ``languages``; 0 for a word none of them lists. Case and accents are ignored where the
    list has no accented form ("cafe" finds "café")."""
    folded = word.casefold().replace("’", "'")
    best = 0.0
    for language in languages:
        table = _table(language)
        frequency = table.get(folded)
        if frequency is None:
            plain = fold(folded)
            frequency = table.get(plain) if plain != folded else None
        if frequency:
            best = max(best, math.log10(frequency * 1e9))
    return best


def is_rare(word: str, languages: tuple[str, ...] = ("en",)) -> bool:
    return zipf(word, languages) < RARE_ZIPF


def distinctiveness(words: list[str], languages: tuple[str, ...] = ("en",)) -> float:
    """How unusual a run of (normalised) words is: the sum over its words of how far each
    falls below everyday frequency. Everyday words (Zipf >= 5: "time", "really", "fine")
    add nothing; a word at Zipf 4 ("bakery", "nursery") adds 1; a word no list has adds 2.5.
    An everyday sentence scores below 2; a copied anecdote scores far above."""
    score = 0.0
    for word in words:
        if word.isdigit():
            continue
        score += min(2.5, max(0.0, 5.0 - zipf(word, languages)))
    return score
