"""The persona: what generation produces and cards are made from.

Models name the same idea many ways (``painPoints``, ``frustrations``, ``behaviors``); the alias
table below maps them onto one schema so a persona is accepted however it was spelled, and
anything we have no field for is kept in ``additional`` rather than dropped.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from persona_tui.core.utils.sanitize import clean_tree

LIST_FIELDS = ("goals", "pain_points", "behaviours", "motivations", "quotes")

#: canonical field -> spellings models use for it (compared after lower-casing and removing
#: spaces, dashes and underscores)
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "personaid", "identifier"),
    "name": ("name", "personaname", "fullname"),
    "title": ("title", "role", "archetype", "tagline", "label", "headline"),
    "demographics": ("demographics", "demographic", "profile", "background"),
    "goals": ("goals", "goal", "objectives", "needs", "aims"),
    "pain_points": ("painpoints", "pains", "frustrations", "challenges", "problems",
                    "painpoint"),
    "behaviours": ("behaviours", "behaviors", "behaviour", "behavior", "habits",
                   "behaviouralpatterns", "behavioralpatterns"),
    "motivations": ("motivations", "motivation", "drivers", "values"),
    "quotes": ("quotes", "quote", "representativequotes", "keyquotes", "sayings"),
    "evidence": ("evidence", "sources", "citations", "supportingevidence"),
    "additional": ("additional", "extra", "other"),
}
DEMOGRAPHIC_KEYS = ("age", "gender", "occupation", "job", "location", "income", "education",
                    "household", "family", "experience", "industry", "company_size")

_ALIAS_LOOKUP = {alias: canonical for canonical, aliases in FIELD_ALIASES.items()
                 for alias in aliases}
_TEXT_KEYS = ("text", "description", "value", "content", "statement", "quote", "item", "name")


def canonical_key(key: str) -> str | None:
    """The persona field a key means, or ``None`` for keys we have no field for."""
    return _ALIAS_LOOKUP.get(re.sub(r"[\s_\-]", "", key).lower())


def _as_text(item: Any) -> str | None:
    if item is None:
        return None
    if isinstance(item, str):
        return item.strip() or None
    if isinstance(item, (int, float, bool)):
        return str(item)
    if isinstance(item, dict):
        for key in _TEXT_KEYS:
            value = item.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
        parts = [f"{k}: {v}" for k, v in item.items() if isinstance(v, (str, int, float))]
        return "; ".join(parts) or None
    return str(item)


def _as_text_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (str, int, float, dict)):
        value = [value]
    if not isinstance(value, (list, tuple)):
        raise ValueError("expected a list of strings")
    return [text for text in (_as_text(item) for item in value) if text]


def slugify(text: str, *, fallback: str = "persona") -> str:
    normalized = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", normalized.lower()).strip("-")
    return slug[:48] or fallback


class EvidenceLink(BaseModel):
    """Links one persona attribute (``goals[0]``) to the source excerpt that supports it.

    ``verified`` is true only when the excerpt really occurs in the named source (whitespace,
    case and quote style normalised); it is set by verification, never trusted from a model.
    """

    model_config = ConfigDict(extra="ignore")

    attribute: str
    source_id: str = ""
    excerpt: str = ""
    verified: bool = False
    location: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _aliases(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        for target, names in (("attribute", ("attribute", "field", "path", "claim", "for")),
                              ("source_id", ("source_id", "source", "document", "doc_id",
                                             "document_id", "sourceId", "file")),
                              ("excerpt", ("excerpt", "quote", "text", "snippet", "evidence"))):
            if target not in data or data.get(target) in (None, ""):
                for name in names:
                    if data.get(name) not in (None, ""):
                        data[target] = data[name]
                        break
        for key in ("attribute", "source_id", "excerpt"):
            if key in data and not isinstance(data[key], str) and data[key] is not None:
                data[key] = str(data[key])
        return data


class Persona(BaseModel):
    """An evidence-backed user persona. ``PersonaModel`` in the public API."""

    model_config = ConfigDict(extra="ignore", validate_assignment=True)

    id: str = ""
    name: str = Field(min_length=1)
    title: str = ""
    demographics: dict[str, Any] = Field(default_factory=dict)
    goals: list[str] = Field(default_factory=list)
    pain_points: list[str] = Field(default_factory=list)
    behaviours: list[str] = Field(default_factory=list)
    motivations: list[str] = Field(default_factory=list)
    quotes: list[str] = Field(default_factory=list)
    evidence: list[EvidenceLink] = Field(default_factory=list)
    additional: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _normalise(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            raise ValueError("a persona must be a JSON object")
        # model text reaches terminals, Markdown and JSON files: every string is cleaned of
        # escape sequences and lone surrogates once, here, whichever way the persona came in
        data = clean_tree(data)
        result: dict[str, Any] = {}
        additional: dict[str, Any] = dict(data.get("additional") or {}) \
            if isinstance(data.get("additional"), dict) else {}
        demographics: dict[str, Any] = {}
        for key, value in data.items():
            if not isinstance(key, str):
                continue
            canonical = canonical_key(key)
            if canonical == "additional":
                continue
            if canonical is None:
                if key.lower() in DEMOGRAPHIC_KEYS:
                    demographics[key.lower()] = value
                else:
                    additional[key] = value
            elif canonical not in result:
                result[canonical] = value
        demo = result.get("demographics")
        if isinstance(demo, str):
            demo = {"summary": demo}
        elif not isinstance(demo, dict):
            demo = {}
        result["demographics"] = {**demographics, **demo}
        for name in ("id", "name", "title"):
            if name in result and not isinstance(result[name], str):
                result[name] = _as_text(result[name]) or ""
        if isinstance(result.get("name"), str):
            result["name"] = result["name"].strip()
        evidence = result.get("evidence")
        if isinstance(evidence, dict):  # {"goals[0]": {"source": .., "excerpt": ..}, ...}
            flat = []
            for attribute, link in evidence.items():
                for item in link if isinstance(link, list) else [link]:
                    if isinstance(item, dict):
                        flat.append({"attribute": attribute, **item})
                    elif isinstance(item, str):
                        flat.append({"attribute": attribute, "excerpt": item})
            result["evidence"] = flat
        elif evidence is not None and not isinstance(evidence, list):
            result["evidence"] = []
        if isinstance(result.get("evidence"), list):
            result["evidence"] = [e for e in result["evidence"]
                                  if isinstance(e, (dict, EvidenceLink))]
        result["additional"] = additional
        return result

    @field_validator(*LIST_FIELDS, mode="before")
    @classmethod
    def _lists(cls, value: Any) -> list[str]:
        return _as_text_list(value)

    @field_validator("evidence", mode="after")
    @classmethod
    def _drop_empty_evidence(cls, value: list[EvidenceLink]) -> list[EvidenceLink]:
        return [link for link in value if link.excerpt.strip()]

    def attribute_count(self) -> int:
        """How many list attributes this persona states (what evidence coverage is out of)."""
        return sum(len(getattr(self, name)) for name in LIST_FIELDS if name != "quotes")


__all__ = ["DEMOGRAPHIC_KEYS", "FIELD_ALIASES", "LIST_FIELDS", "EvidenceLink", "Persona",
           "canonical_key", "slugify"]
