"""Turn raw model output into personas, keeping every good one and saying why others failed.

Accepted shapes: ``{"personas": [...]}`` (or another key holding the list), a bare list, or a
single persona object — fenced, wrapped in prose, or with the usual JSON slips. When the output
was cut off mid-list, complete personas are kept and the loss is reported as a warning. The
parser never raises on model output: whatever the text, it returns a :class:`ParseResult`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError as PydanticValidationError

from persona_tui.core.data.sources import SourcesLike, coerce_sources
from persona_tui.core.generation.evidence import EvidenceVerifier
from persona_tui.core.generation.passages import PassageIndex
from persona_tui.core.models.persona import Persona, canonical_key, slugify
from persona_tui.core.utils.json_extractor import JSONExtractor

_LIST_KEYS = ("personas", "persona", "userpersonas", "users", "profiles", "results", "items",
              "data")


@dataclass
class ParseResult:
    personas: list[Persona] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    raw: str = ""
    truncated: bool = False

    @property
    def ok(self) -> bool:
        return bool(self.personas)


def _persona_list(value: Any) -> list[tuple[Any, tuple[Any, ...]]] | None:
    """The persona candidates in ``value``, each with its path inside it, or None."""
    if isinstance(value, list):
        if value and all(isinstance(item, dict) for item in value):
            return [(item, (i,)) for i, item in enumerate(value)]
        return None
    if not isinstance(value, dict):
        return None
    for key, item in value.items():
        if isinstance(key, str) and key.lower().replace("_", "") in _LIST_KEYS:
            if isinstance(item, list):
                return [(entry, (key, i)) for i, entry in enumerate(item)]
            if isinstance(item, dict):
                return [(item, (key,))]
    if any(isinstance(k, str) and canonical_key(k) == "name" for k in value):
        return [(value, ())]
    lists = [(k, v) for k, v in value.items() if isinstance(v, list) and v
             and all(isinstance(i, dict) for i in v)]
    if len(lists) == 1:
        key, items = lists[0]
        return [(entry, (key, i)) for i, entry in enumerate(items)]
    return None


def _describe(exc: PydanticValidationError) -> str:
    messages = []
    for err in exc.errors()[:3]:
        where = ".".join(str(p) for p in err["loc"])
        messages.append(f"{where}: {err['msg']}" if where else err["msg"])
    return "; ".join(messages)


class PersonaParser:
    def __init__(self, extractor: JSONExtractor | None = None) -> None:
        self.extractor = extractor or JSONExtractor()
        self._verifier: tuple[tuple[int, ...], EvidenceVerifier] | None = None

    def parse(self, text: Any, *, sources: SourcesLike = None,
              passages: PassageIndex | None = None) -> ParseResult:
        """Personas from ``text``. With ``passages`` (the prompt's numbered passages), claims
        that cite passage numbers get those passages as evidence."""
        raw = text if isinstance(text, str) else ("" if text is None else str(text))
        result = ParseResult(raw=raw)
        try:
            self._parse(raw, result, passages)
            if sources is not None and result.personas:
                self._verify(result, self._verifier_for(coerce_sources(sources)))
        except Exception as exc:  # the contract: never raise on model output
            result.errors.append(f"could not parse the output ({type(exc).__name__}: {exc})")
        return result

    def _parse(self, text: str, result: ParseResult, passages: PassageIndex | None = None
               ) -> None:
        if not text.strip():
            result.errors.append("the model returned no text")
            return
        found = None
        for value in self.extractor.extract_all(text):
            found = _persona_list(value)
            if found is not None:
                break
        cut_paths: tuple[tuple[Any, ...], ...] = ()
        if found is None:
            salvaged = self.extractor.salvage(text)
            if salvaged is not None:
                found = _persona_list(salvaged.value)
                cut_paths = salvaged.cut_paths
                result.truncated = True
        if found is None:
            result.errors.append(
                "the output was cut off before any complete persona" if result.truncated else
                "no JSON with personas was found in the output")
            return
        dropped = 0
        for index, (item, path) in enumerate(found):
            if path in cut_paths:
                dropped += 1
                continue
            self._one(item, index, result, passages)
        if result.truncated and not result.personas and not result.errors:
            result.errors.append("the output was cut off before any complete persona")
        elif result.truncated:
            result.warnings.append(
                f"the output was cut off (token limit?): kept {len(result.personas)} complete "
                f"persona(s), dropped {dropped} incomplete")
        self._assign_ids(result.personas)

    def _one(self, item: Any, index: int, result: ParseResult,
             passages: PassageIndex | None = None) -> None:
        label = f"persona {index + 1}"
        if not isinstance(item, dict):
            result.errors.append(f"{label}: expected an object, got {type(item).__name__}")
            return
        if passages is not None:
            item = passages.attach(item)
        name = next((v for k, v in item.items() if isinstance(k, str)
                     and canonical_key(k) == "name" and isinstance(v, str)), None)
        if name:
            label += f" ({name[:40]})"
        try:
            result.personas.append(Persona.model_validate(item))
        except PydanticValidationError as exc:
            result.errors.append(f"{label}: {_describe(exc)}")
        except ValueError as exc:
            result.errors.append(f"{label}: {exc}")

    @staticmethod
    def _assign_ids(personas: list[Persona]) -> None:
        seen: set[str] = set()
        for persona in personas:
            base = slugify(persona.id or persona.name)
            candidate, n = base, 2
            while candidate in seen:
                candidate = f"{base}-{n}"
                n += 1
            seen.add(candidate)
            if persona.id != candidate:
                persona.id = candidate

    def _verifier_for(self, documents: list) -> EvidenceVerifier:
        """One verifier per set of documents, kept while they stay the same: a streamed
        reply is re-parsed as it grows, against the same sources every time."""
        key = tuple(id(doc) for doc in documents)
        if self._verifier is None or self._verifier[0] != key:
            self._verifier = (key, EvidenceVerifier(documents))
        return self._verifier[1]

    @staticmethod
    def _verify(result: ParseResult, verifier: EvidenceVerifier) -> None:
        checked, verified_total, total = [], 0, 0
        for persona in result.personas:
            persona, verified, count = verifier.verify(persona)
            checked.append(persona)
            verified_total += verified
            total += count
        result.personas = checked
        if total and verified_total < total:
            result.warnings.append(
                f"{total - verified_total} of {total} evidence excerpts were not found in their "
                "sources (kept, marked unverified)")


__all__ = ["ParseResult", "PersonaParser"]
