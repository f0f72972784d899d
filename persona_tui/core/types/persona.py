"""TypedDicts describing a persona as plain JSON, the shape the prompt asks models to write."""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict


class PersonaDemographicsDict(TypedDict, total=False):
    age: str | int
    gender: str
    occupation: str
    location: str
    income: str
    education: str
    household: str


class PersonaIdentityDict(TypedDict):
    id: NotRequired[str]
    name: str
    title: NotRequired[str]


class PersonaBehaviourDict(TypedDict, total=False):
    behaviours: list[str]
    goals: list[str]
    pain_points: list[str]
    motivations: list[str]


class PersonaPreferencesDict(TypedDict, total=False):
    channels: list[str]
    tools: list[str]
    communication: str


class EvidenceLinkDict(TypedDict):
    attribute: str
    source_id: str
    excerpt: str
    verified: NotRequired[bool]


class PersonaDict(PersonaIdentityDict):
    demographics: NotRequired[PersonaDemographicsDict]
    goals: NotRequired[list[str]]
    pain_points: NotRequired[list[str]]
    behaviours: NotRequired[list[str]]
    motivations: NotRequired[list[str]]
    quotes: NotRequired[list[str]]
    evidence: NotRequired[list[EvidenceLinkDict]]
    additional: NotRequired[dict[str, Any]]


__all__ = ["EvidenceLinkDict", "PersonaBehaviourDict", "PersonaDemographicsDict", "PersonaDict",
           "PersonaIdentityDict", "PersonaPreferencesDict"]
