"""The persona JSON Schema sent through each vendor's structured-output mechanism.

One schema says what a reply must look like; providers send it the way their vendor takes it
(:func:`for_vendor` adapts the dialect). Its shape is chosen so that even a tiny model, held
to it by a grammar, writes personas we can check: every claim is ``{"text", "passages"}`` with
passage numbers drawn from the prompt's numbered passages (an ``enum``, so a constrained model
cannot cite a passage that does not exist), quotes are passage numbers, names come from a list
of invented names checked against the study's participants, and every list and string has an
upper bound, so a model that starts repeating itself is stopped by the schema, not only by
the token cap.
"""

from __future__ import annotations

from typing import Any

from persona_tui.core.models.options import PersonaConfig

#: the most items a list may have, by complexity (the prompt asks for about this many)
ITEMS_PER_LIST = {"simple": 3, "moderate": 5, "complex": 6}
CLAIM_CHARS = {"minimal": 100, "standard": 160, "detailed": 240}
#: passage enums longer than this become an integer range (grammars grow with the enum)
MAX_ENUM = 400
CLAIM_FIELDS = ("goals", "pain_points", "behaviours", "motivations")


def _string(max_length: int) -> dict[str, Any]:
    return {"type": "string", "minLength": 1, "maxLength": max_length}


def _passage_ref(passages: int) -> dict[str, Any]:
    if passages <= MAX_ENUM:
        return {"type": "integer", "enum": list(range(1, passages + 1))}
    return {"type": "integer", "minimum": 1, "maximum": passages}


def persona_schema(config: PersonaConfig, *, passages: int = 0,
                   names: list[str] | None = None) -> dict[str, Any]:
    """The reply schema for ``config``; ``passages`` is how many numbered passages the prompt
    offers (0: evidence is not asked for), ``names`` the invented names a persona may take."""
    items = ITEMS_PER_LIST[config.complexity]
    chars = CLAIM_CHARS[config.detail_level]
    cite = config.include_evidence and passages > 0
    if cite:
        claim: dict[str, Any] = _object({
            "text": _string(chars),
            "passages": {"type": "array", "items": _passage_ref(passages), "minItems": 1,
                         "maxItems": 2}})
    else:
        claim = _string(chars)
    claims = {"type": "array", "items": claim, "minItems": 1, "maxItems": items}
    name: dict[str, Any] = {"type": "string", "enum": list(names)} if names else _string(60)
    persona = _object({
        "name": name,
        "title": _string(80),
        "demographics": _object({"age_band": _string(20), "occupation": _string(60),
                                 "household": _string(60)}),
        **{field: claims for field in CLAIM_FIELDS},
        "quotes": ({"type": "array", "items": _passage_ref(passages), "minItems": 1,
                    "maxItems": 2} if cite else
                   {"type": "array", "items": _string(chars), "maxItems": 2}),
    })
    return _object({"personas": {"type": "array", "items": persona,
                                 "minItems": 1, "maxItems": config.count}})


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(properties),
            "additionalProperties": False}


__all__ = ["CLAIM_FIELDS", "ITEMS_PER_LIST", "persona_schema"]
