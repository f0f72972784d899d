"""The character card: a script that lets an LLM role-play a persona.

Validation is strict (unknown keys are errors naming the field) because a card is edited by
hand and by other tools, and a typo such as ``psycological_profile`` must not silently drop a
section. Every section but ``identity`` may be omitted and defaults to empty.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from persona_tui._version import __version__
from persona_tui.core.utils.sanitize import strip_control

CARD_SCHEMA_VERSION = "1.0"
SYNTHETIC_MARKER = "SYNTHETIC PERSONA — not a real person"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True,
                              str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        """Terminal escapes have no place in a card and would reach the user's terminal
        from the editor; they are dropped on load (newlines and tabs stay)."""
        if isinstance(value, str):
            return strip_control(value)
        if isinstance(value, list):
            return [strip_control(v) if isinstance(v, str) else v for v in value]
        return value


def _clean_list(value: Any) -> Any:
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, list):
        return [item.strip() if isinstance(item, str) else item for item in value
                if not (isinstance(item, str) and not item.strip())]
    return value


class Identity(_Section):
    name: str = Field(min_length=1, max_length=120)
    title: str = Field(default="", max_length=200)
    demographics_summary: str = Field(default="", max_length=2000)


class PsychologicalProfile(_Section):
    goals: list[str] = Field(default_factory=list)
    motivations: list[str] = Field(default_factory=list)
    pain_points: list[str] = Field(default_factory=list)
    personality_traits: list[str] = Field(default_factory=list)
    flaws: list[str] = Field(default_factory=list)

    _lists = field_validator("*", mode="before")(classmethod(lambda cls, v: _clean_list(v)))


class CommunicationStyle(_Section):
    tone: str = ""
    vocabulary_level: str = ""
    speech_patterns: list[str] = Field(default_factory=list)

    _lists = field_validator("speech_patterns", mode="before")(
        classmethod(lambda cls, v: _clean_list(v)))


class KnowledgeBoundaries(_Section):
    knows: list[str] = Field(default_factory=list)
    doesnt_know: list[str] = Field(default_factory=list)
    can_infer: list[str] = Field(default_factory=list)

    _lists = field_validator("*", mode="before")(classmethod(lambda cls, v: _clean_list(v)))


class Guidelines(_Section):
    response_style: str = ""
    uncertainty_handling: str = ""
    character_maintenance: str = ""
    additional_rules: list[str] = Field(default_factory=list)

    _lists = field_validator("additional_rules", mode="before")(
        classmethod(lambda cls, v: _clean_list(v)))


class Provenance(_Section):
    synthetic_marker: str = SYNTHETIC_MARKER
    generated_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    generator_version: str = __version__
    source_persona_id: str | None = None


class ImportedFrom(BaseModel):
    """What a card imported from another tool carries that our card has no field for: its
    unknown ``extensions`` keys, its dates and its ``source`` list. Kept so exporting the card
    again loses none of it (the Character Card V3 spec asks front ends to keep them)."""

    model_config = ConfigDict(extra="forbid")

    extensions: dict[str, Any] = Field(default_factory=dict)
    creation_date: int | float | None = None
    modification_date: int | float | None = None
    source: list[str] = Field(default_factory=list)


class CharacterCard(_Section):
    schema_version: str = CARD_SCHEMA_VERSION
    id: str = Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    identity: Identity
    psychological_profile: PsychologicalProfile = Field(default_factory=PsychologicalProfile)
    communication_style: CommunicationStyle = Field(default_factory=CommunicationStyle)
    knowledge_boundaries: KnowledgeBoundaries = Field(default_factory=KnowledgeBoundaries)
    guidelines: Guidelines = Field(default_factory=Guidelines)
    provenance: Provenance = Field(default_factory=Provenance)
    #: None for a card made here; see :class:`ImportedFrom`
    imported: ImportedFrom | None = None


#: The sections and fields a person edits, in display order (provenance is not edited).
EDITABLE_SECTIONS: tuple[str, ...] = ("identity", "psychological_profile",
                                      "communication_style", "knowledge_boundaries",
                                      "guidelines")
_PATH = re.compile(r"^(\w+)\.(\w+)(?:\[(\d+)\])?$")


def iter_text_fields(card: CharacterCard, *, include_provenance: bool = False
                     ) -> Iterator[tuple[str, str]]:
    """Every text in the card with its path: ``identity.name``, ``psychological_profile.goals[0]``."""
    sections = EDITABLE_SECTIONS + (("provenance",) if include_provenance else ())
    for section_name in sections:
        section = getattr(card, section_name)
        for field_name in type(section).model_fields:
            value = getattr(section, field_name)
            if isinstance(value, str):
                yield f"{section_name}.{field_name}", value
            elif isinstance(value, list):
                for index, item in enumerate(value):
                    if isinstance(item, str):
                        yield f"{section_name}.{field_name}[{index}]", item


def get_field(card: CharacterCard, path: str) -> str:
    section, name, index = _split(path)
    value = getattr(getattr(card, section), name)
    return value[index] if index is not None else value


def set_field(card: CharacterCard, path: str, text: str) -> CharacterCard:
    """A copy of ``card`` with the text at ``path`` replaced."""
    section_name, name, index = _split(path)
    section = getattr(card, section_name)
    if index is None:
        new_section = section.model_copy(update={name: text})
    else:
        items = list(getattr(section, name))
        items[index] = text
        new_section = section.model_copy(update={name: items})
    return card.model_copy(update={section_name: new_section})


def _split(path: str) -> tuple[str, str, int | None]:
    match = _PATH.match(path)
    if not match:
        raise KeyError(f"not a card field path: {path!r}")
    section, name, index = match.groups()
    return section, name, int(index) if index is not None else None


def card_json_schema() -> dict[str, Any]:
    schema = CharacterCard.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"persona-tui/character-card/{CARD_SCHEMA_VERSION}"
    return schema


__all__ = ["CARD_SCHEMA_VERSION", "EDITABLE_SECTIONS", "SYNTHETIC_MARKER", "CharacterCard",
           "CommunicationStyle", "Guidelines", "Identity", "ImportedFrom", "KnowledgeBoundaries",
           "Provenance", "PsychologicalProfile", "card_json_schema", "get_field",
           "iter_text_fields", "set_field"]
