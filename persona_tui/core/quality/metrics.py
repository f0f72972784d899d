"""Built-in metrics, each a number in 0..1 that means something a researcher can act on."""

from __future__ import annotations

from itertools import combinations

from persona_tui.core.models.persona import LIST_FIELDS, Persona
from persona_tui.core.privacy.text import normalized_words
from persona_tui.core.quality.registry import register_metric

_CORE = ("title", "demographics", "goals", "pain_points", "behaviours", "motivations", "quotes")


@register_metric("completeness")
class Completeness:
    """Share of a persona's core fields that are filled, averaged over the set."""

    def compute(self, personas: list[Persona], **_) -> float:
        if not personas:
            return 0.0
        scores = []
        for persona in personas:
            filled = sum(1 for name in _CORE if getattr(persona, name))
            scores.append(filled / len(_CORE))
        return sum(scores) / len(scores)


@register_metric("evidence_coverage")
class EvidenceCoverage:
    """Share of stated attributes (goals[0], pain_points[1] …) with verified evidence."""

    def compute(self, personas: list[Persona], **_) -> float:
        attributes = 0
        backed = 0
        for persona in personas:
            verified = {link.attribute for link in persona.evidence if link.verified}
            for name in LIST_FIELDS:
                if name == "quotes":
                    continue
                for index in range(len(getattr(persona, name))):
                    attributes += 1
                    backed += f"{name}[{index}]" in verified
        return backed / attributes if attributes else 0.0


def _profile(persona: Persona) -> set[str]:
    text = " ".join([persona.title] + [item for name in LIST_FIELDS if name != "quotes"
                                       for item in getattr(persona, name)])
    return {w for w in normalized_words(text) if len(w) > 3}


@register_metric("distinctiveness")
class Distinctiveness:
    """How different the personas are: 1 - mean Jaccard similarity of their content words.

    A single persona is trivially distinct (1.0); identical personas score 0.
    """

    def compute(self, personas: list[Persona], **_) -> float:
        if len(personas) < 2:
            return 1.0
        profiles = [_profile(p) for p in personas]
        similarities = []
        for a, b in combinations(profiles, 2):
            union = a | b
            similarities.append(len(a & b) / len(union) if union else 1.0)
        return 1.0 - sum(similarities) / len(similarities)
