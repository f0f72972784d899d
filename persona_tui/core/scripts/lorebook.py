"""A card's evidence facts as a Character Card V3 lorebook (``character_book``).

Front ends put a lorebook entry into the prompt only when one of its keys comes up in the
chat, so the facts a card takes from the research (goals, motivations, frustrations,
habits, what the persona knows) travel as entries keyed by *topic*: the fact's kind and a few
of its content words. An entry's content is the card's own sentence, which the privacy audit
checks like every card field, never a participant's quote; the persona's quotes are not an
input here at all.
"""

from __future__ import annotations

import re
from typing import Any

from persona_tui.core.scripts.models import CharacterCard

#: (section, field, the topic word front ends match, how the content names the fact)
FACT_FIELDS: tuple[tuple[str, str, str, str], ...] = (
    ("psychological_profile", "goals", "goal", "wants"),
    ("psychological_profile", "motivations", "motivation", "is driven by"),
    ("psychological_profile", "pain_points", "frustration", "is frustrated by"),
    ("psychological_profile", "personality_traits", "habit", "is"),
    ("knowledge_boundaries", "knows", "knowledge", "knows about"),
)
#: words that say nothing about a topic
_STOPWORDS = frozenset("""
a about above after again against all also an and any are as at be because been before being
below between both but by can could did do does doing down during each even ever every few for
from further had has have having here how if in into is it its itself just least less like
made make makes many more most much must near need needs never no nor not now of off often on
once one only or other our out over own per quite rather really same should since so some
still such than that the their them then there these they this those through to too under
until up upon very was way we well were what when where whether which while who whom whose why
will with within without would you your yours
""".split())
_WORD = re.compile(r"[^\W\d_][\w'-]*[^\W_]|[^\W\d_]")
MAX_TOPIC_WORDS = 3


def topic_words(text: str, limit: int = MAX_TOPIC_WORDS) -> list[str]:
    """A fact's content words, in order: the longer, rarer words that name what it is about."""
    seen: list[str] = []
    for match in _WORD.finditer(text.casefold()):
        word = match.group(0).strip("'-")
        if len(word) < 4 or word in _STOPWORDS or word.endswith("ly") or word in seen:
            continue
        seen.append(word)
    ranked = sorted(seen, key=lambda w: (-len(w), seen.index(w)))[:limit]
    return [w for w in seen if w in ranked]


def evidence_entries(card: CharacterCard) -> list[dict[str, Any]]:
    """One enabled, case-insensitive, keyword-matched entry per distinct fact."""
    entries: list[dict[str, Any]] = []
    seen: set[str] = set()
    name = card.identity.name
    for section, field, topic, verb in FACT_FIELDS:
        for index, fact in enumerate(getattr(getattr(card, section), field)):
            key = fact.casefold().strip(" .")
            if not key or key in seen:
                continue
            seen.add(key)
            words = topic_words(fact)
            number = len(entries) + 1
            entries.append({
                "keys": [topic, *words],
                "content": f"{name} {verb} {fact.rstrip('.')}.",
                "extensions": {},
                "enabled": True,
                "insertion_order": number,
                "case_sensitive": False,
                "use_regex": False,
                "constant": False,
                "selective": False,
                "secondary_keys": [],
                "name": f"{topic}: {' '.join(words) or fact[:40]}",
                "id": number,
                "comment": f"from the card's {section}.{field}[{index}]",
                "position": "after_char",
            })
    return entries


def evidence_lorebook(card: CharacterCard) -> dict[str, Any]:
    return {
        "name": f"{card.identity.name}: what the research says",
        "description": "Facts of a synthetic composite persona, each keyed by its topic. "
                       "No entry quotes a research participant.",
        "scan_depth": 4,
        "recursive_scanning": False,
        "extensions": {},
        "entries": evidence_entries(card),
    }


def facts_from_lorebook(book: Any, limit: int = 50) -> list[str]:
    """The contents of an imported card's enabled lorebook entries (for ``knows``)."""
    if not isinstance(book, dict) or not isinstance(book.get("entries"), list):
        return []
    facts = []
    for entry in book["entries"]:
        if not isinstance(entry, dict) or entry.get("enabled") is False:
            continue
        content = entry.get("content")
        if isinstance(content, str) and content.strip():
            facts.append(" ".join(content.split())[:500])
        if len(facts) >= limit:
            break
    return facts


__all__ = ["FACT_FIELDS", "evidence_entries", "evidence_lorebook", "facts_from_lorebook",
           "topic_words"]
