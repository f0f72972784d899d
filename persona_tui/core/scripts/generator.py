"""Cards from personas.

Every card made here says "I don't know" outside its knowledge boundaries
(:func:`honest_uncertainty`): role-played personas otherwise invent plausible answers about
what their data never covered, and the groundedness probe measures how often.

Without a provider the mapping is deterministic: persona fields go to their card sections
and speech is described, never quoted (see :mod:`persona_tui.core.scripts.style`). With a
provider the model abstracts the persona using the packaged prompt, and its JSON is validated
like any card. Either way the card is audited against the persona's sources, and a card the
audit blocks is refused (:class:`PrivacyBlockedError`) unless ``block_on_audit`` is off.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError as PydanticValidationError

from persona_tui._version import __version__
from persona_tui.core.errors import GenerationError, PersonaError
from persona_tui.core.models.persona import Persona, slugify
from persona_tui.core.providers.base import LLMProvider
from persona_tui.core.scripts.formats import render
from persona_tui.core.scripts.models import CharacterCard, Provenance
from persona_tui.core.scripts.privacy import PrivacyAuditor
from persona_tui.core.scripts.style import describe_speech
from persona_tui.core.utils.async_helpers import run_sync
from persona_tui.core.utils.json_extractor import extract_json


#: how every card we make handles questions its data does not answer: the groundedness probe
#: (:mod:`persona_tui.core.scripts.probe`) scores exactly this
UNCERTAINTY_RULE = ("Outside what you know, say so plainly: \"I don't know\" or \"that's not "
                    "something I'd know\". Never make up a name, a number, a date or a place, "
                    "and never guess at the research or the people in it.")
MAX_BOUNDARY_RULES = 5


def honest_uncertainty(card: CharacterCard) -> CharacterCard:
    """``card`` with guidelines that make "I don't know" the natural answer outside its
    knowledge boundaries: the rule above, and one line per item it does not know."""
    rules = list(card.guidelines.additional_rules)
    for item in card.knowledge_boundaries.doesnt_know[:MAX_BOUNDARY_RULES]:
        rule = f"Asked about {item.rstrip('.')}, answer that you don't know."
        if rule not in rules:
            rules.append(rule)
    guidelines = card.guidelines.model_copy(update={"uncertainty_handling": UNCERTAINTY_RULE,
                                                    "additional_rules": rules})
    return card.model_copy(update={"guidelines": guidelines})


class PrivacyBlockedError(PersonaError):
    """The card leaks source material; ``audit`` holds the findings."""

    default_code = "E5001"

    def __init__(self, message: str, *, audit=None, card=None, **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.audit = audit
        self.card = card


def _demographics_summary(persona: Persona) -> str:
    parts = []
    for key, value in persona.demographics.items():
        if value in (None, "", [], {}):
            continue
        text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        parts.append(text if key in ("summary", "description") else
                     f"{key.replace('_', ' ')}: {text}")
    return "; ".join(parts)


class ScriptGenerator:
    def __init__(self, provider: LLMProvider | None = None, *, model: str | None = None,
                 auditor: PrivacyAuditor | None = None, block_on_audit: bool = True) -> None:
        self.provider = provider
        self.model = model
        self.auditor = auditor or PrivacyAuditor()
        self.block_on_audit = block_on_audit
        self.last_audit = None

    # --- public ------------------------------------------------------------------------------

    def generate(self, persona: Persona | dict, *, sources: Any = None,
                 format: str = "card") -> CharacterCard | str:
        """A card for ``persona``; ``format`` other than "card" returns the rendered text."""
        return run_sync(self.agenerate(persona, sources=sources, format=format))

    async def agenerate(self, persona: Persona | dict, *, sources: Any = None,
                        format: str = "card") -> CharacterCard | str:
        persona = persona if isinstance(persona, Persona) else Persona.model_validate(persona)
        if self.provider is not None:
            card = honest_uncertainty(await self._from_model(persona))
        else:
            card = self.from_persona(persona)
        self.last_audit = None
        if sources is not None:
            self.last_audit = self.auditor.audit(card, sources)
            if self.last_audit.blocked and self.block_on_audit:
                counts = self.last_audit.counts()
                raise PrivacyBlockedError(
                    f"the card for '{persona.name}' leaks source material "
                    f"({counts['high']} high, {counts['medium']} medium findings)",
                    audit=self.last_audit, card=card)
        return card if format == "card" else render(card, format)

    def batch_generate(self, personas: list[Persona | dict], *, sources: Any = None
                       ) -> list[CharacterCard]:
        """Cards for all personas, audited against one shared index of the sources."""
        index = self.auditor.index(sources) if sources is not None else None
        return [self.generate(p, sources=index) for p in personas]

    # --- deterministic -----------------------------------------------------------------------

    @staticmethod
    def from_persona(persona: Persona) -> CharacterCard:
        tone, vocabulary, patterns = describe_speech(persona.quotes)
        title = persona.title or "research persona"
        return honest_uncertainty(CharacterCard.model_validate({
            "id": slugify(persona.id or persona.name, fallback="card"),
            # a persona may say more than a card's identity holds: cut to the card's limits
            # rather than fail the user's "make a card" on a long model-written name
            "identity": {"name": " ".join(persona.name.split())[:120] or "Unnamed persona",
                         "title": persona.title.strip()[:200],
                         "demographics_summary": _demographics_summary(persona)[:2000]},
            "psychological_profile": {
                "goals": persona.goals, "motivations": persona.motivations,
                "pain_points": persona.pain_points,
                "personality_traits": persona.behaviours,
                "flaws": [str(x) for x in persona.additional.get("flaws", [])
                          if isinstance(x, str)],
            },
            "communication_style": {"tone": tone, "vocabulary_level": vocabulary,
                                    "speech_patterns": patterns},
            "knowledge_boundaries": {
                "knows": [f"their own day-to-day experience as {title.lower()}"]
                + [b for b in persona.behaviours[:3]],
                "doesnt_know": ["details of the research study, its participants or its data",
                                "anything outside their own experience and trade"],
                "can_infer": ["how people in a similar situation would react to a product "
                              "idea"],
            },
            "guidelines": {
                "response_style": "Answer as this person would in an interview: concrete, "
                                  "from lived routine, in their own voice.",
                "uncertainty_handling": "Say you are not sure rather than invent specifics.",
                "character_maintenance": "Stay in character; you are a synthetic persona, "
                                         "not a real participant.",
                "additional_rules": ["Never claim to be a real person",
                                     "Never quote research participants"],
            },
            "provenance": Provenance(source_persona_id=persona.id or None,
                                     generator_version=__version__).model_dump(),
        }))

    # --- with a model ------------------------------------------------------------------------

    async def _from_model(self, persona: Persona) -> CharacterCard:
        from persona_tui.resources import resource_path

        template = resource_path("prompts", "card.txt").read_text("utf-8")
        prompt = template.replace("{persona_json}", persona.model_dump_json(
            exclude={"evidence", "quotes"}, indent=2))
        model = self.model or ""
        response = await self.provider.complete(prompt, model=model, json_mode=True,
                                                temperature=0.4)
        data = extract_json(response.text)
        if not isinstance(data, dict):
            raise GenerationError(f"the model did not return a card as JSON for "
                                  f"'{persona.name}'", partial_text=response.text)
        data.setdefault("id", slugify(persona.id or persona.name, fallback="card"))
        data["provenance"] = Provenance(source_persona_id=persona.id or None).model_dump()
        data.pop("schema_version", None)
        try:
            return CharacterCard.model_validate(data)
        except PydanticValidationError as exc:
            fields = "; ".join(".".join(map(str, e["loc"])) + f": {e['msg']}"
                               for e in exc.errors()[:4])
            raise GenerationError(f"the model's card is invalid: {fields}",
                                  partial_text=response.text) from None
