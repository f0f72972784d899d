"""Which local models are fit for persona work, and which have not been tried yet.

"Tested" is earned: a qualification run sends the standard persona task to a model and
records whether it wrote valid JSON, whether that JSON held a valid persona, the time to first
token and the output speed. Records persist in the data folder, so a model stays tested across
sessions — and a tested model that was since removed from Ollama shows as missing.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from persona_tui._version import __version__
from persona_tui.core.errors import DataError, ProviderError
from persona_tui.core.fileio import atomic_write, locked, remove_orphans
from persona_tui.core.generation.parser import PersonaParser
from persona_tui.core.platform import PathManager
from persona_tui.core.providers import ModelInfo
from persona_tui.core.providers.ollama import OllamaProvider, normalize_tag
from persona_tui.core.utils.async_helpers import run_sync
from persona_tui.core.utils.json_extractor import extract_json

QUALIFICATION_MAX_TOKENS = 1024


def _strings(most: int) -> dict:
    return {"type": "array", "items": {"type": "string", "maxLength": 200}, "minItems": 1,
            "maxItems": most}


#: the one persona the qualification prompt asks for, as a schema (sent through Ollama's
#: ``format``, so the record says whether the server enforces schemas)
QUALIFICATION_SCHEMA = {
    "type": "object", "additionalProperties": False,
    "required": ["name", "title", "goals", "pain_points", "behaviours", "evidence"],
    "properties": {
        "name": {"type": "string", "maxLength": 60},
        "title": {"type": "string", "maxLength": 80},
        "goals": _strings(4), "pain_points": _strings(4), "behaviours": _strings(4),
        "evidence": {"type": "array", "maxItems": 6, "items": {
            "type": "object", "additionalProperties": False,
            "required": ["attribute", "source_id", "excerpt"],
            "properties": {"attribute": {"type": "string", "maxLength": 40},
                           "source_id": {"type": "string", "maxLength": 40},
                           "excerpt": {"type": "string", "maxLength": 300}}}},
    },
}


@dataclass
class QualificationRecord:
    model: str
    json_valid: bool
    schema_valid: bool
    ttft_s: float | None
    tokens_per_s: float | None
    output_tokens: int
    duration_s: float
    date: str
    app_version: str
    error: str | None = None
    #: how the model was held to the persona schema (json_schema: Ollama's ``format`` with
    #: the schema; json_object: ``format: "json"`` only, an older server); None in records
    #: made before modes were recorded
    output_mode: str | None = None

    @property
    def passed(self) -> bool:
        return self.json_valid and self.schema_valid and self.error is None


class OllamaModelRegistry:
    """Qualification records, one history per model tag, in ``ollama_models.json``."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path else PathManager.default().ollama_registry_file
        self._records: dict[str, list[QualificationRecord]] | None = None
        remove_orphans(self.path.parent)  # temporary files of a write killed mid-way

    def _load(self) -> dict[str, list[QualificationRecord]]:
        if self._records is None:
            self._records = self._read()
        return self._records

    def _read(self) -> dict[str, list[QualificationRecord]]:
        """The records on disk now. A file that is not JSON is moved aside (kept for the user)
        and a fresh registry starts; JSON of another shape is an error naming the file."""
        try:
            raw = json.loads(self.path.read_text("utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, RecursionError):
            broken = self.path.with_suffix(".json.broken")
            try:
                self.path.replace(broken)  # keep it for the user; start a fresh registry
            except OSError:
                pass
            return {}
        return _records_from(raw, self.path)

    def add(self, record: QualificationRecord) -> None:
        """Append one record. The file is re-read under a lock and written before the lock
        is let go, so processes qualifying models at once never lose each other's records."""
        with locked(self.path):
            self._records = self._read()
            self._records.setdefault(normalize_tag(record.model), []).append(record)
            self._write()

    def save(self) -> None:
        with locked(self.path):
            self._write()

    def _write(self) -> None:
        data = {"version": 1, "models": {m: [asdict(r) for r in rs]
                                         for m, rs in self._load().items()}}
        atomic_write(self.path, json.dumps(data, indent=2))

    def latest(self, model: str) -> QualificationRecord | None:
        history = self._load().get(normalize_tag(model))
        return history[-1] if history else None

    def history(self, model: str) -> list[QualificationRecord]:
        return list(self._load().get(normalize_tag(model), []))

    def tested(self) -> list[str]:
        return sorted(m for m, rs in self._load().items() if rs)

    def forget(self, model: str) -> None:
        with locked(self.path):
            self._records = self._read()
            self._records.pop(normalize_tag(model), None)
            self._write()


_RECORD_TYPES: dict[str, tuple[type, ...]] = {
    "model": (str,), "json_valid": (bool,), "schema_valid": (bool,),
    "ttft_s": (int, float, type(None)), "tokens_per_s": (int, float, type(None)),
    "output_tokens": (int,), "duration_s": (int, float), "date": (str,),
    "app_version": (str,), "error": (str, type(None)), "output_mode": (str, type(None)),
}
#: fields older records may lack
_OPTIONAL_FIELDS = ("error", "output_mode")


def _records_from(raw: object, path: Path) -> dict[str, list[QualificationRecord]]:
    """Records from the registry's JSON; :class:`DataError` (E2006) for another shape."""
    def wrong(what: str) -> DataError:
        return DataError(f"{path} is not a qualification registry ({what})", path=str(path),
                         code="E2006",
                         hint="Move the file away (or delete it) to start a fresh registry; "
                              "models then show as untested until qualified again.")

    if not isinstance(raw, dict) or not isinstance(raw.get("models", {}), dict):
        raise wrong("expected an object with a 'models' object")
    records: dict[str, list[QualificationRecord]] = {}
    for model, items in raw.get("models", {}).items():
        if not isinstance(items, list):
            raise wrong(f"the history of {model!r} is not a list")
        history = []
        for item in items:
            if not isinstance(item, dict):
                raise wrong(f"a record of {model!r} is not an object")
            values = {k: item.get(k) for k in _RECORD_TYPES if k in item}
            missing = [k for k in _RECORD_TYPES if k not in values and k not in _OPTIONAL_FIELDS]
            bad = [k for k, v in values.items() if not isinstance(v, _RECORD_TYPES[k])]
            if missing or bad:
                raise wrong(f"a record of {model!r} has missing or wrong fields: "
                            f"{', '.join(missing + bad)}")
            history.append(QualificationRecord(**values))
        records[model] = history
    return records


def qualification_prompt() -> str:
    from persona_tui.resources import resource_path

    return resource_path("prompts", "qualification.txt").read_text("utf-8")


async def qualify_model(provider: OllamaProvider, model: str, *,
                        registry: OllamaModelRegistry | None = None,
                        on_text=None) -> QualificationRecord:
    """Run the standard persona task on ``model`` and record how it did.

    ``on_text`` receives each streamed delta (the Ollama models screen shows them live).
    """
    started = time.monotonic()
    ttft = None
    parts: list[str] = []
    output_tokens = 0
    error = None
    mode = None
    try:
        async for chunk in provider.stream(qualification_prompt(), model=model, json_mode=True,
                                           temperature=0.2,
                                           max_tokens=QUALIFICATION_MAX_TOKENS,
                                           response_schema=QUALIFICATION_SCHEMA):
            if chunk.text:
                if ttft is None:
                    ttft = time.monotonic() - started
                parts.append(chunk.text)
                if on_text is not None:
                    on_text(chunk.text)
            if chunk.done:
                mode = chunk.output_mode
                if chunk.usage:
                    output_tokens = chunk.usage.output_tokens
    except ProviderError as exc:
        error = exc.message
        parts = [exc.partial_text] if exc.partial_text else parts
    duration = time.monotonic() - started
    text = "".join(parts)
    json_valid = extract_json(text) is not None
    parsed = PersonaParser().parse(text) if json_valid else None
    schema_valid = bool(parsed and parsed.personas and not parsed.errors)
    generating = duration - (ttft or 0.0)
    tps = output_tokens / generating if output_tokens and generating > 0 else None
    record = QualificationRecord(normalize_tag(model), json_valid, schema_valid, ttft, tps,
                                 output_tokens, duration, datetime.now(UTC).isoformat(),
                                 __version__, error, mode)
    if registry is not None:
        registry.add(record)
    return record


@dataclass
class ModelComparisonResult:
    """Installed models joined with qualification records.

    ``missing_models`` were tested once but are no longer installed. When Ollama cannot be
    reached, ``reachable`` is False, ``error`` says why, and nothing is called missing.
    """

    available_models: list[str] = field(default_factory=list)
    tested_models: list[str] = field(default_factory=list)
    untested_models: list[str] = field(default_factory=list)
    missing_models: list[str] = field(default_factory=list)
    details: dict[str, ModelInfo] = field(default_factory=dict)
    records: dict[str, QualificationRecord] = field(default_factory=dict)
    reachable: bool = True
    error: str | None = None
    hint: str | None = None
    code: str | None = None  # the error's code (E3003: nothing answered at the URL)

    @property
    def has_untested_models(self) -> bool:
        return bool(self.untested_models)

    def to_dict(self) -> dict:
        return {
            "reachable": self.reachable, "error": self.error, "hint": self.hint,
            "code": self.code,
            "available_models": self.available_models, "tested_models": self.tested_models,
            "untested_models": self.untested_models, "missing_models": self.missing_models,
            "models": {name: {**({"size_bytes": info.size_bytes, "family": info.family,
                                  "parameter_size": info.parameter_size,
                                  "quantization": info.quantization,
                                  "modified_at": info.modified_at}
                                 if (info := self.details.get(name)) else {}),
                              "record": asdict(r) if (r := self.records.get(name)) else None}
                       for name in sorted(set(self.available_models) | set(self.records))},
        }


async def acompare_ollama_models(base_url: str | None = None, *,
                                 registry: OllamaModelRegistry | None = None
                                 ) -> ModelComparisonResult:
    """``base_url`` None: where the context says Ollama runs (OLLAMA_HOST, config.toml)."""
    if base_url is None:
        from persona_tui.core.context import AppContext

        base_url = AppContext.default().base_url("ollama")
    registry = registry or OllamaModelRegistry()
    tested = registry.tested()
    records = {m: r for m in tested if (r := registry.latest(m)) is not None}
    async with OllamaProvider(base_url) as provider:
        try:
            infos = await provider.list_models()
        except ProviderError as exc:
            return ModelComparisonResult(tested_models=tested, records=records, reachable=False,
                                         error=exc.message, hint=exc.hint, code=exc.code)
    details = {normalize_tag(i.id): i for i in infos}
    available = sorted(details)
    return ModelComparisonResult(
        available_models=available,
        tested_models=[m for m in tested if m in details],
        untested_models=[m for m in available if m not in records],
        missing_models=[m for m in tested if m not in details],
        details=details, records=records)


def compare_ollama_models(base_url: str | None = None, *,
                          registry: OllamaModelRegistry | None = None) -> ModelComparisonResult:
    """Sync twin of :func:`acompare_ollama_models` (works inside a running loop too)."""
    return run_sync(acompare_ollama_models(base_url, registry=registry))


def get_untested_models(base_url: str | None = None, *,
                        registry: OllamaModelRegistry | None = None) -> list[str]:
    return compare_ollama_models(base_url, registry=registry).untested_models


__all__ = ["ModelComparisonResult", "OllamaModelRegistry", "QualificationRecord",
           "acompare_ollama_models", "compare_ollama_models", "get_untested_models",
           "qualification_prompt", "qualify_model"]
