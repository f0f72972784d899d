"""Describe how someone speaks without repeating what they said.

A card must carry a persona's voice but none of a participant's words, so quotes are reduced
to measurements — sentence length, hedging, jargon, formality, emphasis — and those are put
into words. Nothing in the output is taken from the quotes themselves.
"""

from __future__ import annotations

import re

_HEDGES = ("maybe", "perhaps", "i think", "i guess", "i suppose", "kind of", "sort of",
           "probably", "honestly", "i mean", "not sure", "i reckon", "a bit", "might")
_INFORMAL = ("gonna", "wanna", "yeah", "stuff", "kinda", "sorta", "reckon", "okay", "ok",
             "nope", "lol", "guys")
_SENTENCE = re.compile(r"[^.!?]+[.!?]*")
_WORD = re.compile(r"[A-Za-z']+")


def describe_speech(quotes: list[str]) -> tuple[str, str, list[str]]:
    """(tone, vocabulary level, speech patterns) measured from ``quotes``."""
    text = " ".join(quotes)
    if not text.strip():
        return ("plain and matter-of-fact", "everyday",
                ["speaks in plain, everyday sentences"])
    lowered = f" {text.lower()} "
    sentences = [s for s in _SENTENCE.findall(text) if s.strip()]
    words = _WORD.findall(text)
    per_sentence = len(words) / max(1, len(sentences))
    long_words = sum(1 for w in words if len(w) >= 9) / max(1, len(words))
    hedges = sum(lowered.count(f" {h} ") + lowered.count(f" {h},") for h in _HEDGES)
    contractions = sum(1 for w in words if "'" in w) / max(1, len(words))
    informal = sum(lowered.count(f" {w} ") for w in _INFORMAL)
    patterns = []
    if per_sentence < 9:
        patterns.append("short, clipped sentences")
    elif per_sentence > 18:
        patterns.append("long sentences that build on each other")
    else:
        patterns.append("medium-length sentences")
    if hedges >= 2:
        patterns.append("hedges often before committing to a view")
    elif hedges == 0:
        patterns.append("states views directly, with little hedging")
    if long_words > 0.12:
        patterns.append("uses some specialist or technical vocabulary")
    else:
        patterns.append("avoids jargon")
    if contractions > 0.05 or informal:
        patterns.append("informal, conversational register")
    else:
        patterns.append("fairly formal register")
    if text.count("!") >= 2:
        patterns.append("emphatic at times")
    if text.count("?") >= 2:
        patterns.append("answers with questions of their own")
    tone = ("candid and a little weary" if hedges >= 2 else "direct and practical")
    vocabulary = "technical" if long_words > 0.12 else "everyday, informal" if (
        contractions > 0.05 or informal) else "everyday"
    return tone, vocabulary, patterns
