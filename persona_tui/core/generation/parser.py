"""Turn raw model output into personas, keeping every good one and saying why others failed.

Accepted shapes: ``{"personas": [...]}`` (or another key holding the list), a bare list, or a
single persona object — fenced, wrapped in prose, or with the usual JSON slips. When the output
was cut off mid-list, complete personas are kept and the loss is reported as a warning. The
parser never raises on model output: whatever the text, it returns a :class:`ParseResult`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError as PydanticValidationError

from persona_tui.core.data.sources import SourcesLike, coerce_sources
from persona_tui.core.generation.evidence import EvidenceVerifier
from persona_tui.core.generation.passages import PassageIndex
from persona_tui.core.models.persona import Persona, canonical_key, slugify
from persona_tui.core.utils.json_extractor import JSONExtractor
from persona_tui.core.utils.sanitize import MAX_DEPTH

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


@dataclass(frozen=True)
class _Item:
    """What one candidate object came to on its own: a persona (validated, its id set to
    ``slug``, its evidence verified) or the reason it was refused."""

    name: str | None  # for the error's label
    persona: Persona | None = None
    slug: str = ""  # the id it asks for, before duplicates are numbered
    #: whether its id was set after validation (which validates the persona again)
    renumbered: bool = False
    error: str | None = None
    verified: int = 0
    total: int = 0


class KnownItems:
    """Candidates already parsed in one reply, by their JSON text, for a later parse of the
    same reply (its whole text, once it has ended) to reuse.

    Only valid for one set of sources and one passage index: it forgets everything when
    handed others. A candidate's outcome depends on nothing else — its content, the passages
    and the sources — so reusing it gives what parsing it again would. The one thing that
    depends on its neighbours, its id (``alex``, ``alex-2``), is checked: a duplicate gets
    the id a parse from scratch would give it.

    ``check`` (the run's name guard) is applied to every persona a parse with these items
    returns, once per candidate: it must give a persona the same answer every time, and not
    look at its id.

    ``enough`` (the run's own limit) is asked before each candidate whether the personas
    read so far are all the caller can keep; once it says so, the rest of the reply is not
    read (a model asked for 3 that writes 74: validating, verifying and name-checking the
    other 71 was most of a run's parsing) and a warning says how many were left.
    """

    def __init__(self, check: Callable[[Persona], Persona] | None = None, *,
                 enough: Callable[[list[Persona]], bool] | None = None) -> None:
        self.check = check or (lambda persona: persona)
        self.enough = enough
        self._items: dict[str, _Item] = {}
        self._for: tuple[PassageIndex | None, EvidenceVerifier | None] | None = None

    def __len__(self) -> int:
        return len(self._items)

    def _scope(self, passages: PassageIndex | None, verifier: EvidenceVerifier | None) -> None:
        if self._for is None or self._for[0] is not passages or self._for[1] is not verifier:
            self._items.clear()
            self._for = (passages, verifier)


def _unread(count: int) -> str:
    """The warning for the candidates a parse left unread (see :class:`KnownItems`)."""
    return (f"the reply holds {count} more {'persona' if count == 1 else 'personas'} than "
            "were asked for; not read")


def _item_key(item: Any) -> str | None:
    """The candidate's identity: its JSON text, keys in their order (a persona with "name"
    before "Name" reads the first). None when it has none (too deep to write)."""
    try:
        return json.dumps(item)
    except (TypeError, ValueError, RecursionError):
        return None


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
              passages: PassageIndex | None = None,
              known: KnownItems | None = None) -> ParseResult:
        """Personas from ``text``. With ``passages`` (the prompt's numbered passages), claims
        that cite passage numbers get those passages as evidence. With ``known``, candidates
        it holds are reused and the others are added to it, and its ``check`` is applied to
        the personas; the result is the same as without, then checked."""
        raw = text if isinstance(text, str) else ("" if text is None else str(text))
        if known is not None:
            try:
                return self._parse_reusing(raw, sources, passages, known)
            except Exception:  # noqa: BLE001 - the plain parse below says what went wrong
                pass
        result = ParseResult(raw=raw)
        try:
            self._parse(raw, result, passages)
            if sources is not None and result.personas:
                self._verify(result, self._verifier_for(coerce_sources(sources)))
        except Exception as exc:  # the contract: never raise on model output
            result.errors.append(f"could not parse the output ({type(exc).__name__}: {exc})")
        if known is not None:
            result.personas = [known.check(persona) for persona in result.personas]
        return result

    def _candidates(self, text: str, result: ParseResult
                    ) -> tuple[list[tuple[Any, tuple[Any, ...]]],
                               tuple[tuple[Any, ...], ...]] | None:
        """The persona candidates of the reply with their paths, and the paths cut off by
        its end; None (and the reason in ``result``) when it holds no persona list."""
        if not text.strip():
            result.errors.append("the model returned no text")
            return None
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
            return None
        return found, cut_paths

    def _parse(self, text: str, result: ParseResult, passages: PassageIndex | None = None
               ) -> None:
        candidates = self._candidates(text, result)
        if candidates is None:
            return
        found, cut_paths = candidates
        dropped = 0
        for index, (item, path) in enumerate(found):
            if path in cut_paths:
                dropped += 1
                continue
            self._one(item, index, result, passages)
        self._report_cut(result, dropped)
        self._assign_ids(result.personas)

    @staticmethod
    def _report_cut(result: ParseResult, dropped: int) -> None:
        if result.truncated and not result.personas and not result.errors:
            result.errors.append("the output was cut off before any complete persona")
        elif result.truncated:
            result.warnings.append(
                f"the output was cut off (token limit?): kept {len(result.personas)} complete "
                f"persona(s), dropped {dropped} incomplete")

    def _parse_reusing(self, text: str, sources: SourcesLike, passages: PassageIndex | None,
                       known: KnownItems) -> ParseResult:
        """:meth:`_parse` then :meth:`_verify`, step for step, with each candidate's own
        work (validating, numbering, verifying) taken from ``known`` when it is there."""
        result = ParseResult(raw=text)
        verifier = self._verifier_for(coerce_sources(sources)) if sources is not None else None
        known._scope(passages, verifier)
        candidates = self._candidates(text, result)
        if candidates is None:
            return result
        found, cut_paths = candidates
        dropped = verified_total = total = unread = 0
        seen: set[str] = set()
        for index, (item, path) in enumerate(found):
            if path in cut_paths:
                dropped += 1
                continue
            if known.enough is not None and known.enough(result.personas):
                rest = [p for _, p in found[index:]]
                unread = sum(p not in cut_paths for p in rest)
                dropped += len(rest) - unread
                break
            key = _item_key(item)
            done = known._items.get(key) if key is not None else None
            if done is None:
                done = self._item(item, passages, verifier, known.check)
                if key is not None:
                    known._items[key] = done
            if done.persona is None:
                result.errors.append(f"{_label(index, done.name)}: {done.error}")
                continue
            candidate = _unique(done.slug, seen)
            persona, verified, count = done.persona, done.verified, done.total
            if candidate != done.slug:  # a second "Alex": its id is "alex-2"
                if done.renumbered or not _nested(persona.demographics, persona.additional):
                    persona = persona.model_copy(update={"id": candidate})
                else:
                    persona, verified, count = self._finished(item, passages, verifier,
                                                              candidate)
                    persona = known.check(persona)
            result.personas.append(persona)
            verified_total += verified
            total += count
        self._report_cut(result, dropped)
        if total and verified_total < total:
            result.warnings.append(_unverified(total - verified_total, total))
        if unread:
            result.warnings.append(_unread(unread))
        return result

    def _item(self, item: Any, passages: PassageIndex | None,
              verifier: EvidenceVerifier | None, check: Callable[[Persona], Persona]) -> _Item:
        """One candidate parsed on its own, as :meth:`_parse` and :meth:`_verify` would,
        then checked."""
        name, persona, error = self._validate(item, passages)
        if persona is None:
            return _Item(name, error=error)
        slug = slugify(persona.id or persona.name)
        renumbered = persona.id != slug
        if renumbered:
            if _nested(persona.demographics, persona.additional):
                persona.id = slug  # validates it again, as the plain parse does
            else:  # what validating again gives, without the work (see _nested)
                persona = persona.model_copy(update={"id": slug})
        verified = count = 0
        if verifier is not None:
            persona, verified, count = verifier.verify(persona)
        return _Item(name, check(persona), slug, renumbered, verified=verified, total=count)

    def _finished(self, item: Any, passages: PassageIndex | None,
                  verifier: EvidenceVerifier | None, id_: str) -> tuple[Persona, int, int]:
        _, persona, error = self._validate(item, passages)
        if persona is None:  # it validated before; should it not now, the plain parse decides
            raise RuntimeError(error)
        if persona.id != id_:
            persona.id = id_
        if verifier is None:
            return persona, 0, 0
        return verifier.verify(persona)

    def _one(self, item: Any, index: int, result: ParseResult,
             passages: PassageIndex | None = None) -> None:
        name, persona, error = self._validate(item, passages)
        if persona is not None:
            result.personas.append(persona)
        else:
            result.errors.append(f"{_label(index, name)}: {error}")

    @staticmethod
    def _validate(item: Any, passages: PassageIndex | None
                  ) -> tuple[str | None, Persona | None, str | None]:
        """``(name, persona, None)`` or ``(name, None, why not)`` for one candidate."""
        if not isinstance(item, dict):
            return None, None, f"expected an object, got {type(item).__name__}"
        if passages is not None:
            item = passages.attach(item)
        name = next((v for k, v in item.items() if isinstance(k, str)
                     and canonical_key(k) == "name" and isinstance(v, str)), None)
        try:
            return name, Persona.model_validate(item), None
        except PydanticValidationError as exc:
            return name, None, _describe(exc)
        except ValueError as exc:
            return name, None, str(exc)

    @staticmethod
    def _assign_ids(personas: list[Persona]) -> None:
        seen: set[str] = set()
        for persona in personas:
            candidate = _unique(slugify(persona.id or persona.name), seen)
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
            result.warnings.append(_unverified(total - verified_total, total))


def _nested(*values: Any, limit: int = MAX_DEPTH - 3) -> bool:
    """Whether a container sits ``limit`` levels deep in ``values``.

    Setting a persona's id validates it again. On a validated persona that changes nothing,
    except that :func:`clean_tree` cuts containers nested past its depth limit, and
    validation moved some values one level down (a top-level ``age`` into ``demographics``):
    a value that deep can be cut once more. Only then is a renumbered duplicate parsed again
    instead of copied with its new id."""
    stack = [(value, 1) for value in values]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            value = list(value.values())
        if isinstance(value, (list, tuple)):
            if depth >= limit:
                return True
            stack += [(item, depth + 1) for item in value]
    return False


def _label(index: int, name: str | None) -> str:
    return f"persona {index + 1}" + (f" ({name[:40]})" if name else "")


def _unique(base: str, seen: set[str]) -> str:
    """``base``, or ``base-2``, ``base-3``… if taken; the one returned is taken from now on."""
    candidate, n = base, 2
    while candidate in seen:
        candidate = f"{base}-{n}"
        n += 1
    seen.add(candidate)
    return candidate


def _unverified(missing: int, total: int) -> str:
    return (f"{missing} of {total} evidence excerpts were not found in their sources (kept, "
            "marked unverified)")


__all__ = ["KnownItems", "ParseResult", "PersonaParser"]
