"""Card exports: JSON, a plain-text system prompt, Markdown, Character Card V2 and V3, a PNG
carrying both, and CHARX.

Character Card V3 (``spec: chara_card_v3``) is what role-play front ends import today; V2 is
what older ones read. The full card also travels in ``data.extensions.persona_tui``, so
importing our own export gives back exactly the card; cards from elsewhere are mapped field
by field, and what our card has no field for (unknown ``extensions`` keys, the card's dates,
its ``source`` list) is kept in ``CharacterCard.imported`` and written back on export.

What each export says about where the card came from is fixed here: the synthetic-composite
notice and the provenance go in ``creator_notes`` (front ends show it to the user and never
put it in a prompt); the facts the card takes from the research go in a lorebook keyed by
topic (:mod:`persona_tui.core.scripts.lorebook`); our own exports carry creation and
modification dates 0 ("unknown", which the spec allows for privacy), an imported card its own.
"""

from __future__ import annotations

import json
from typing import Any

from persona_tui.core.errors import DataError, ValidationError
from persona_tui.core.models.persona import slugify
from persona_tui.core.scripts import containers
from persona_tui.core.scripts.format_names import BINARY_FORMATS, EXTENSIONS, FORMATS
from persona_tui.core.scripts.lorebook import evidence_lorebook, facts_from_lorebook
from persona_tui.core.scripts.models import CharacterCard, ImportedFrom

_EXTENSION_KEY = "persona_tui"
#: the mark on a V2 copy of a V3 card (the spec asks for one on a PNG's ``chara`` backfill)
V3_ONLY_NOTICE = ("Older-format copy: this is the Character Card V2 copy of a Character Card "
                  "V3 card, kept for front ends that only read V2. Open the file in a V3 "
                  "front end to get the whole card.")


def _bullets(items: list[str]) -> str:
    return "\n".join(f"- {item}" for item in items)


def to_json(card: CharacterCard) -> str:
    """Our own format; a card made here has no ``imported`` key (files stay as they were)."""
    return card.model_dump_json(indent=2, exclude={"imported"} if card.imported is None
                                else None) + "\n"


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


def creator_notes(card: CharacterCard) -> str:
    """The synthetic-composite notice and where the card came from, for ``creator_notes``."""
    provenance = card.provenance
    origin = (f" from persona '{provenance.source_persona_id}'"
              if provenance.source_persona_id else "")
    return (f"{provenance.synthetic_marker}. A synthetic composite persona made from user "
            f"research: it stands for a pattern in the data, not for any participant, and "
            f"it does not quote or identify anyone who took part.\n\n"
            f"Provenance: card '{card.id}' (persona-tui card schema {card.schema_version}), "
            f"made with persona-tui {provenance.generator_version}{origin}. Audit it against "
            f"its sources before sharing: persona-tui audit CARD --source DATA.")


def _card_payload(card: CharacterCard) -> dict[str, Any]:
    """The card in ``extensions.persona_tui``; what came from elsewhere travels beside it."""
    return json.loads(card.model_dump_json(exclude={"imported"}))


def _extensions(card: CharacterCard) -> dict[str, Any]:
    kept = dict(card.imported.extensions) if card.imported else {}
    kept[_EXTENSION_KEY] = _card_payload(card)
    return kept


def _shared_fields(card: CharacterCard) -> dict[str, Any]:
    """The fields V2 and V3 share, from our card."""
    profile, style = card.psychological_profile, card.communication_style
    personality = ", ".join(profile.personality_traits + ([style.tone] if style.tone else []))
    description = "\n\n".join(x for x in (
        f"{card.identity.name}, {card.identity.title}".strip(", "),
        card.identity.demographics_summary,
        ("Goals: " + "; ".join(profile.goals)) if profile.goals else "",
        ("Frustrations: " + "; ".join(profile.pain_points)) if profile.pain_points else "",
    ) if x)
    return {
        "name": card.identity.name,
        "description": description,
        "personality": personality,
        "scenario": "A user-research conversation: the user asks about your experiences, "
                    "needs and reactions to product ideas.",
        "first_mes": f"Hi, I'm {card.identity.name}. What would you like to know?",
        "mes_example": "",
        "creator_notes": creator_notes(card),
        "system_prompt": to_system_prompt(card),
        "post_history_instructions": card.guidelines.character_maintenance,
        "alternate_greetings": [],
        "tags": ["persona", "user-research", "synthetic"],
        "creator": "persona-tui",
        "character_version": card.schema_version,
        "extensions": _extensions(card),
    }


def to_character_card_v2(card: CharacterCard, *, backfill: bool = False) -> dict[str, Any]:
    """A V2 card; ``backfill`` marks it as the V2 copy of a V3 card (the PNG's ``chara``)."""
    data = _shared_fields(card)
    data["character_book"] = evidence_lorebook(card)
    if backfill:
        data["creator_notes"] = f"{V3_ONLY_NOTICE}\n\n{data['creator_notes']}"
    return {"spec": "chara_card_v2", "spec_version": "2.0", "data": data}


def to_character_card_v3(card: CharacterCard) -> dict[str, Any]:
    imported = card.imported or ImportedFrom()
    data = _shared_fields(card)
    data.update({
        "character_book": evidence_lorebook(card),
        "group_only_greetings": [],
        "creation_date": imported.creation_date or 0,
        "modification_date": imported.modification_date or 0,
        "assets": [{"type": "icon", "uri": "ccdefault:", "name": "main", "ext": "png"}],
    })
    if imported.source:
        data["source"] = list(imported.source)
    return {"spec": "chara_card_v3", "spec_version": "3.0", "data": data}


def _number(value: Any) -> int | float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        return None
    return value


def _imported(data: dict[str, Any]) -> ImportedFrom | None:
    """What a card file carries beyond our card; None when it carries nothing."""
    extensions = data.get("extensions")
    others = {k: v for k, v in extensions.items() if k != _EXTENSION_KEY} \
        if isinstance(extensions, dict) else {}
    source = data.get("source")
    kept = ImportedFrom(
        extensions=others,
        creation_date=_number(data.get("creation_date")),
        modification_date=_number(data.get("modification_date")),
        source=[s for s in source if isinstance(s, str)] if isinstance(source, list) else [])
    return kept if kept != ImportedFrom() else None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def from_community_card(payload: dict[str, Any] | str) -> CharacterCard:
    """Import a Character Card V2 or V3: ours back exactly, others mapped field by field."""
    if isinstance(payload, str):
        payload = json.loads(payload)
    spec = payload.get("spec") if isinstance(payload, dict) else None
    if spec not in ("chara_card_v2", "chara_card_v3"):
        raise ValidationError("not a Character Card V2 or V3 file (spec is not "
                              "'chara_card_v2' or 'chara_card_v3')", field="spec",
                              hint="Export the card as Character Card V2 or V3.")
    data = payload.get("data")
    if not isinstance(data, dict):
        raise DataError(f"the {spec} card has no 'data' object", code="E2006")
    imported = _imported(data)
    ours = (data.get("extensions") or {}).get(_EXTENSION_KEY) \
        if isinstance(data.get("extensions"), dict) else None
    if isinstance(ours, dict):
        card = CharacterCard.model_validate({**ours, "imported": None})
        return card.model_copy(update={"imported": imported})
    name = _text(data.get("name")).strip()
    if not name:
        raise ValidationError(f"the {spec} card has no name", field="data.name")
    traits = [t.strip() for t in _text(data.get("personality")).split(",") if t.strip()]
    return CharacterCard.model_validate({
        "id": slugify(name, fallback="card"),
        "identity": {"name": name[:120],
                     "title": _text(data.get("nickname"))[:200],
                     "demographics_summary": _text(data.get("description"))[:2000]},
        "psychological_profile": {"personality_traits": traits},
        "knowledge_boundaries": {"knows": facts_from_lorebook(data.get("character_book"))},
        "guidelines": {"response_style": _text(data.get("scenario")),
                       "character_maintenance": _text(data.get("post_history_instructions"))},
        "imported": imported.model_dump() if imported else None,
    })


#: V2 and V3 are read by one function: a file of either kind may reach either name
from_character_card_v2 = from_character_card_v3 = from_community_card


def render(card: CharacterCard, fmt: str) -> str:
    """A text export; PNG and CHARX are bytes (:func:`export_bytes`)."""
    if fmt == "json":
        return to_json(card)
    if fmt == "system_prompt":
        return to_system_prompt(card)
    if fmt == "markdown":
        return to_markdown(card)
    if fmt == "chara_card_v2":
        return json.dumps(to_character_card_v2(card), indent=2, ensure_ascii=False) + "\n"
    if fmt == "chara_card_v3":
        return json.dumps(to_character_card_v3(card), indent=2, ensure_ascii=False) + "\n"
    if fmt in BINARY_FORMATS:
        raise ValidationError(f"'{fmt}' is a binary format", field="format",
                              hint="Export it to a file (export_bytes, or --out PATH).")
    raise ValidationError(f"unknown format '{fmt}'", field="format",
                          hint=f"Use one of: {', '.join(FORMATS)}.")


def export_bytes(card: CharacterCard, fmt: str) -> bytes:
    """Any export as the bytes of its file."""
    if fmt == "png":
        return embed_in_png(card)
    if fmt == "charx":
        return to_charx(card)
    return render(card, fmt).encode("utf-8")


# --- PNG and CHARX (the files role-play front ends exchange) ----------------------------------

def embed_in_png(card: CharacterCard, png: bytes | None = None) -> bytes:
    """A PNG carrying the card twice: V3 in a ``ccv3`` tEXt chunk, and for older front ends
    V2 in a ``chara`` chunk (marked as a backfill); a 1x1 image when none is given."""
    png = containers.blank_png() if png is None else png
    try:
        return containers.png_with_text(png, {
            "ccv3": json.dumps(to_character_card_v3(card), ensure_ascii=False),
            "chara": json.dumps(to_character_card_v2(card, backfill=True), ensure_ascii=False),
        })
    except DataError as exc:
        raise ValidationError(exc.message, field="image", hint="Give a PNG image.") from None


def extract_from_png(png: bytes) -> CharacterCard:
    """The card in a PNG: its ``ccv3`` chunk when it has one, else its ``chara`` chunk."""
    texts = containers.png_texts(png)
    for key in ("ccv3", "chara"):
        if key in texts:
            return from_community_card(containers.decode_card_text(texts[key], key))
    raise ValidationError("the PNG carries no character card (no 'ccv3' or 'chara' chunk)",
                          field="image", hint="Export the card as a PNG from its editor.")


def to_charx(card: CharacterCard, *, image: bytes | None = None) -> bytes:
    """A CHARX zip: the V3 card as ``card.json``; with ``image``, that PNG as the main icon."""
    payload = to_character_card_v3(card)
    assets = {}
    if image is not None:
        path = "assets/icon/images/main.png"
        payload["data"]["assets"] = [{"type": "icon", "uri": f"embeded://{path}",
                                      "name": "main", "ext": "png"}]
        assets[path] = image
    return containers.charx_bytes(payload, assets)


def from_charx(blob: bytes) -> CharacterCard:
    return from_community_card(containers.charx_card(blob))


__all__ = ["BINARY_FORMATS", "EXTENSIONS", "FORMATS", "V3_ONLY_NOTICE", "creator_notes",
           "embed_in_png", "export_bytes", "extract_from_png", "from_character_card_v2",
           "from_character_card_v3", "from_charx", "from_community_card", "render",
           "to_character_card_v2", "to_character_card_v3", "to_charx", "to_json",
           "to_markdown", "to_system_prompt"]
