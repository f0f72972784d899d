"""Card exports: JSON, a plain-text system prompt, Markdown, and Character Card V2.

Character Card V2 (``spec: chara_card_v2``) is what role-play front ends (SillyTavern and
others) import. The full card also travels in ``data.extensions.persona_tui`` so importing
our own V2 export gives back exactly the card; V2 cards from elsewhere are mapped field by
field. PNG embedding (a ``chara`` tEXt chunk holding base64 JSON, as those front ends expect)
uses only the standard library.
"""

from __future__ import annotations

import base64
import json
import struct
import zlib
from typing import Any

from persona_tui.core.errors import ValidationError
from persona_tui.core.models.persona import slugify
from persona_tui.core.scripts.models import CharacterCard

FORMATS = ("json", "system_prompt", "markdown", "chara_card_v2")
_EXTENSION_KEY = "persona_tui"


def _bullets(items: list[str]) -> str:
    return "\n".join(f"- {item}" for item in items)


def to_json(card: CharacterCard) -> str:
    return card.model_dump_json(indent=2) + "\n"


def to_system_prompt(card: CharacterCard) -> str:
    """The instructions an LLM needs to play the card, as plain text."""
    identity, profile = card.identity, card.psychological_profile
    style, knowledge, rules = card.communication_style, card.knowledge_boundaries, \
        card.guidelines
    intro = f"You are {identity.name}" + (f", {identity.title}" if identity.title else "") + "."
    parts = [intro]
    if identity.demographics_summary:
        parts.append(identity.demographics_summary)
    parts.append(f"({card.provenance.synthetic_marker}. You are a composite persona built "
                 "from user research; never claim to be a real individual.)")
    sections = [("Your goals", profile.goals), ("What drives you", profile.motivations),
                ("What frustrates you", profile.pain_points),
                ("Your personality", profile.personality_traits),
                ("Your flaws", profile.flaws)]
    for title, items in sections:
        if items:
            parts.append(f"{title}:\n{_bullets(items)}")
    voice = [f"Tone: {style.tone}" if style.tone else "",
             f"Vocabulary: {style.vocabulary_level}" if style.vocabulary_level else ""]
    voice = [v for v in voice if v] + style.speech_patterns
    if voice:
        parts.append(f"How you speak:\n{_bullets(voice)}")
    for title, items in (("You know about", knowledge.knows),
                         ("You do not know about", knowledge.doesnt_know),
                         ("You can reasonably infer", knowledge.can_infer)):
        if items:
            parts.append(f"{title}:\n{_bullets(items)}")
    guidance = [g for g in (rules.response_style, rules.uncertainty_handling,
                            rules.character_maintenance) if g] + rules.additional_rules
    if guidance:
        parts.append(f"Guidelines:\n{_bullets(guidance)}")
    return "\n\n".join(parts) + "\n"


def to_markdown(card: CharacterCard) -> str:
    identity = card.identity
    lines = [f"# {identity.name}", ""]
    if identity.title:
        lines += [f"*{identity.title}*", ""]
    if identity.demographics_summary:
        lines += [identity.demographics_summary, ""]
    lines += [f"> {card.provenance.synthetic_marker}", ""]
    for section_name in ("psychological_profile", "communication_style",
                         "knowledge_boundaries", "guidelines"):
        section = getattr(card, section_name)
        body = []
        for name in type(section).model_fields:
            value = getattr(section, name)
            label = name.replace("_", " ").capitalize()
            if isinstance(value, list) and value:
                body += [f"**{label}**", "", _bullets(value), ""]
            elif isinstance(value, str) and value:
                body += [f"**{label}:** {value}", ""]
        if body:
            lines += [f"## {section_name.replace('_', ' ').capitalize()}", "", *body]
    provenance = card.provenance
    lines += ["---", f"Generated {provenance.generated_at:%Y-%m-%d} by persona-tui "
                     f"{provenance.generator_version}"
              + (f" from persona `{provenance.source_persona_id}`"
                 if provenance.source_persona_id else "") + "."]
    return "\n".join(lines) + "\n"


def to_character_card_v2(card: CharacterCard) -> dict[str, Any]:
    profile, style = card.psychological_profile, card.communication_style
    personality = ", ".join(profile.personality_traits + ([style.tone] if style.tone else []))
    description = "\n\n".join(x for x in (
        f"{card.identity.name}, {card.identity.title}".strip(", "),
        card.identity.demographics_summary,
        ("Goals: " + "; ".join(profile.goals)) if profile.goals else "",
        ("Frustrations: " + "; ".join(profile.pain_points)) if profile.pain_points else "",
    ) if x)
    return {
        "spec": "chara_card_v2",
        "spec_version": "2.0",
        "data": {
            "name": card.identity.name,
            "description": description,
            "personality": personality,
            "scenario": "A user-research conversation: the user asks about your experiences, "
                        "needs and reactions to product ideas.",
            "first_mes": f"Hi, I'm {card.identity.name}. What would you like to know?",
            "mes_example": "",
            "creator_notes": f"{card.provenance.synthetic_marker}. Made with persona-tui "
                             f"from user research; audited for privacy leaks.",
            "system_prompt": to_system_prompt(card),
            "post_history_instructions": card.guidelines.character_maintenance,
            "alternate_greetings": [],
            "tags": ["persona", "user-research", "synthetic"],
            "creator": "persona-tui",
            "character_version": card.schema_version,
            "extensions": {_EXTENSION_KEY: json.loads(card.model_dump_json())},
        },
    }


def from_character_card_v2(payload: dict[str, Any] | str) -> CharacterCard:
    """Import a V2 card: ours back exactly, others mapped field by field."""
    if isinstance(payload, str):
        payload = json.loads(payload)
    if not isinstance(payload, dict) or payload.get("spec") != "chara_card_v2":
        raise ValidationError("not a Character Card V2 file (spec is not 'chara_card_v2')",
                              field="spec", hint="Export the card as Character Card V2.")
    data = payload.get("data") or {}
    ours = (data.get("extensions") or {}).get(_EXTENSION_KEY)
    if isinstance(ours, dict):
        return CharacterCard.model_validate(ours)
    name = str(data.get("name") or "").strip()
    if not name:
        raise ValidationError("the V2 card has no name", field="data.name")
    traits = [t.strip() for t in str(data.get("personality") or "").split(",") if t.strip()]
    return CharacterCard.model_validate({
        "id": slugify(name, fallback="card"),
        "identity": {"name": name, "demographics_summary": str(data.get("description") or "")},
        "psychological_profile": {"personality_traits": traits},
        "guidelines": {"response_style": str(data.get("scenario") or ""),
                       "character_maintenance": str(data.get("post_history_instructions")
                                                    or "")},
    })


def render(card: CharacterCard, fmt: str) -> str:
    if fmt == "json":
        return to_json(card)
    if fmt == "system_prompt":
        return to_system_prompt(card)
    if fmt == "markdown":
        return to_markdown(card)
    if fmt == "chara_card_v2":
        return json.dumps(to_character_card_v2(card), indent=2, ensure_ascii=False) + "\n"
    raise ValidationError(f"unknown format '{fmt}'", field="format",
                          hint=f"Use one of: {', '.join(FORMATS)}.")


# --- PNG (the way role-play front ends carry V2 cards) -----------------------------------------

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def embed_in_png(card: CharacterCard, png: bytes | None = None) -> bytes:
    """A PNG carrying the V2 card in a ``chara`` tEXt chunk; a 1x1 image when none is given."""
    if png is None:
        raw = zlib.compress(b"\x00\xd0\xd0\xd0")
        png = (_PNG_SIGNATURE + _chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
               + _chunk(b"IDAT", raw) + _chunk(b"IEND", b""))
    if not png.startswith(_PNG_SIGNATURE):
        raise ValidationError("not a PNG image", field="image")
    payload = base64.b64encode(json.dumps(to_character_card_v2(card)).encode())
    text = _chunk(b"tEXt", b"chara\x00" + payload)
    end = png.rfind(b"IEND") - 4
    return png[:end] + text + png[end:]


def extract_from_png(png: bytes) -> CharacterCard:
    if not png.startswith(_PNG_SIGNATURE):
        raise ValidationError("not a PNG image", field="image")
    offset = len(_PNG_SIGNATURE)
    while offset + 8 <= len(png):
        length, kind = struct.unpack(">I4s", png[offset:offset + 8])
        data = png[offset + 8:offset + 8 + length]
        if kind == b"tEXt" and data.startswith(b"chara\x00"):
            return from_character_card_v2(json.loads(base64.b64decode(data[6:])))
        offset += 12 + length
    raise ValidationError("the PNG carries no character card", field="image")
