"""Experiments on disk: a named, repeatable generation and the record of every run.

Layout under the data folder::

    experiments/NAME/experiment.json
    experiments/NAME/runs/RUN_ID/run.json        config, provider, model, prompt version,
                                                 input file hashes, tokens, cost, timings,
                                                 status (and the error when it failed)
    experiments/NAME/runs/RUN_ID/raw_output.txt
    experiments/NAME/runs/RUN_ID/personas.json
    experiments/NAME/runs/RUN_ID/personas.md

Every file is written atomically, and ``run.json`` last, so a crash leaves either no run or a
complete one; a failed run leaves a record saying why.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from persona_tui._version import __version__
from persona_tui.core.errors import DataError, PersonaError, ValidationError
from persona_tui.core.fileio import atomic_write, hash_regular, remove_orphans
from persona_tui.core.models.options import ExperimentConfig
from persona_tui.core.models.persona import Persona
from persona_tui.core.names import child_path
from persona_tui.core.platform import PathManager
from persona_tui.core.utils.sanitize import dumps as safe_dumps


def persona_markdown(personas: list[Persona]) -> str:
    lines = []
    for persona in personas:
        lines += [f"# {persona.name}", ""]
        if persona.title:
            lines += [f"*{persona.title}*", ""]
        for key, value in persona.demographics.items():
            lines.append(f"- **{key.replace('_', ' ')}:** {value}")
        if persona.demographics:
            lines.append("")
        for name in ("goals", "pain_points", "behaviours", "motivations", "quotes"):
            items = getattr(persona, name)
            if items:
                lines += [f"## {name.replace('_', ' ').capitalize()}", ""]
                for index, item in enumerate(items):
                    marks = [e for e in persona.evidence if e.attribute == f"{name}[{index}]"]
                    note = "".join(f" [{'✓' if e.verified else '?'} {e.source_id}]"
                                   for e in marks)
                    lines.append(f"- {item}{note}")
                lines.append("")
    return "\n".join(lines)


def file_hashes(paths: list[str], *, max_bytes: int | None = None) -> dict[str, str]:
    """SHA-256 of every input file the data loader would read, streamed block by block.

    The same files as the loader: hidden files, unsupported types, pipes, sockets and files
    over the size limit are skipped without being opened (a 2 GB sparse file costs a stat,
    not 2 GB of memory).
    """
    from persona_tui.core.data.loader import DEFAULT_MAX_FILE_MB, SUPPORTED_SUFFIXES

    limit = max_bytes if max_bytes is not None else int(DEFAULT_MAX_FILE_MB * 1024 * 1024)
    hashes = {}
    for root in paths:
        root_path = Path(root).expanduser()
        if root_path.is_dir():
            files = []
            for folder, dirs, names in os.walk(root_path, followlinks=False):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                files += [Path(folder) / n for n in sorted(names) if not n.startswith(".")
                          and Path(n).suffix.lower() in SUPPORTED_SUFFIXES]
        else:
            files = [root_path]
        for path in files:
            digest = hash_regular(path, max_bytes=limit)
            if digest is not None:
                hashes[str(path)] = digest
    return hashes


def _write_personas(run_dir: Path, personas: list[Persona]) -> None:
    atomic_write(run_dir / "personas.json", safe_dumps(
        [json.loads(p.model_dump_json()) for p in personas], indent=2))
    atomic_write(run_dir / "personas.md", persona_markdown(personas))


def run_pricer(generator: Any, config: ExperimentConfig) -> Callable[[int, int], float | None]:
    """Cost of a token count for a run's provider and model (None when not priced)."""
    from persona_tui.core.cost import CostEstimator

    pricing = getattr(generator, "pricing", None)
    base_url = getattr(generator, "base_url", None)
    model = getattr(generator, "model", None) or config.model or ""

    def price(input_tokens: int, output_tokens: int) -> float | None:
        return CostEstimator(pricing).estimate(config.provider, model,
                                               input_tokens=input_tokens,
                                               output_tokens=output_tokens,
                                               base_url=base_url).total_cost

    return price


class RunObserver:
    """What a run has produced so far, kept from its progress events.

    The SDK hands every event through one of these (and on to the caller's ``on_progress``),
    so a run that fails, is cancelled or is interrupted by Ctrl-C is recorded with its raw
    text, the personas announced while it streamed, the tokens and cost so far and how long
    it ran, whatever stopped it and wherever.
    """

    def __init__(self, forward: Callable[[Any], Any] | None = None, *,
                 price: Callable[[int, int], float | None] | None = None) -> None:
        self._forward = forward
        self._price = price
        self._parts: list[str] = []
        self.personas: list[Persona] = []
        self.input_tokens: int | None = None
        self.output_tokens: int | None = None
        self.cost_usd: float | None = None
        self.started = time.monotonic()

    def __call__(self, event: Any) -> Any:
        from persona_tui.core.generation.events import PersonaParsed, TextDelta, UsageUpdate

        if isinstance(event, TextDelta):
            self._parts.append(event.text)
        elif isinstance(event, PersonaParsed):
            if event.index >= len(self.personas):
                self.personas.append(event.persona)
        elif isinstance(event, UsageUpdate):
            self.input_tokens, self.output_tokens = event.input_tokens, event.output_tokens
            self.cost_usd = event.cost_usd
        return self._forward(event) if self._forward is not None else None

    @property
    def text(self) -> str:
        return "".join(self._parts)

    @property
    def produced(self) -> bool:
        """Whether the run got anything from the model: text, a persona or a token count
        (what a vendor may bill for). A run that produced nothing has nothing to keep."""
        return bool(self._parts or self.personas or self.input_tokens or self.output_tokens)

    def usage(self) -> dict[str, Any]:
        """Tokens (our estimate where the vendor's count never came), cost and duration."""
        from persona_tui.core.data.tokens import estimate_tokens

        output = max(self.output_tokens or 0, estimate_tokens(self.text) if self._parts else 0)
        inputs = self.input_tokens or 0
        cost = self.cost_usd
        if self._price is not None and (output != self.output_tokens or cost is None):
            try:
                cost = self._price(inputs, output)
            except Exception:  # a price we cannot compute is recorded as unknown
                cost = None
        return {"input_tokens": inputs, "output_tokens": output, "tokens_estimated": True,
                "cost_usd": cost, "duration_s": round(time.monotonic() - self.started, 3)}


def write_run(run_dir: Path, config: ExperimentConfig, *, experiment: str | None,
               result: Any | None = None, error: BaseException | None = None,
               started: datetime, partial_text: str = "",
               observed: RunObserver | None = None, status: str | None = None,
               extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Write one run's files and its ``run.json`` (last) into ``run_dir``; the record.

    ``status`` for a run that finished is the quality gate's: ``ok`` or ``partial`` (with
    ``reasons``).

    A run that did not finish (``error``: failed, cancelled or interrupted) keeps what was
    paid for: the raw output, the personas announced while it streamed, tokens, cost and
    duration as far as ``observed`` saw them, and why it ended. ``extra`` adds fields to
    ``run.json`` (a batch run names its job and pricing).
    """
    status = status or (getattr(result, "status", "ok") if error is None else "failed")
    record: dict[str, Any] = {
        "run_id": run_dir.name, "experiment": experiment, "status": status,
        "started_at": started.isoformat(),
        "finished_at": datetime.now(UTC).isoformat(), "app_version": __version__,
        "config": json.loads(config.model_dump_json()), "provider": config.provider,
        "model": config.model, "input_files": file_hashes(config.data_paths),
    }
    if result is not None:
        atomic_write(run_dir / "raw_output.txt", result.raw_output)
        _write_personas(run_dir, result.personas)
        record.update({
            "reasons": list(getattr(result, "reasons", [])),
            "prompt_version": result.prompt_version, "input_tokens": result.input_tokens,
            "output_tokens": result.output_tokens,
            "tokens_estimated": result.tokens_estimated,
            "token_counts": "estimated" if result.tokens_estimated else
            getattr(result, "token_source", "vendor"),
            "output_mode": getattr(result, "output_mode", None), "cost_usd": result.cost_usd,
            "duration_s": round(result.duration_s, 3), "ttft_s": result.ttft_s,
            "warnings": result.warnings, "errors": result.errors, "metrics": result.metrics,
            "unsupported_claims": getattr(result, "unsupported_claims", {}),
            "unsupported_rate": getattr(result, "unsupported_rate", {}),
            "renamed": getattr(result, "renamed", []),
            "persona_count": len(result.personas),
            "output_files": ["raw_output.txt", "personas.json", "personas.md"]})
    if error is not None:
        raw = partial_text
        if observed is not None and len(observed.text) > len(raw):
            raw = observed.text
        files = []
        if raw:
            atomic_write(run_dir / "raw_output.txt", raw)
            files.append("raw_output.txt")
        # the personas announced while it streamed (checked by the pipeline, participants'
        # names replaced); the raw text keeps the rest for the user to see
        personas = list(observed.personas) if observed is not None else []
        if personas:
            _write_personas(run_dir, personas)
            files += ["personas.json", "personas.md"]
        message = error.message if isinstance(error, PersonaError) else (
            str(error) or type(error).__name__)
        record.update({"error": message, "error_code": getattr(error, "code", None),
                       "hint": getattr(error, "hint", None), "output_files": files,
                       "persona_count": len(personas)})
        if observed is not None:
            record.update(observed.usage())
    record.update(extra or {})
    # parser errors and vendor words quote model text: DEL and C1 are written escaped
    atomic_write(run_dir / "run.json", safe_dumps(record, indent=2))
    return record


class ExperimentStore:
    def __init__(self, base_dir: str | Path | None = None) -> None:
        self.base = Path(base_dir) if base_dir else PathManager.default().experiments_dir
        for folder in (self.base.glob("*") if self.base.exists() else ()):
            remove_orphans(folder)  # temporary files of writes killed mid-way
            for run in (folder / "runs").glob("*") if (folder / "runs").exists() else ():
                remove_orphans(run)

    def folder(self, name: str) -> Path:
        """The experiment's folder; a name that is not a valid experiment name (``..``, a
        slash, anything but a slug) raises E1102 before any path is made from it."""
        return child_path(self.base, name, "experiment")

    def create(self, config: ExperimentConfig, *, overwrite: bool = False) -> ExperimentConfig:
        folder = self.folder(config.name)
        if (folder / "experiment.json").exists() and not overwrite:
            raise ValidationError(f"experiment '{config.name}' already exists", field="name",
                                  hint="Pick another name, or delete the old experiment.")
        atomic_write(folder / "experiment.json", config.model_dump_json(indent=2))
        return config

    def get(self, name: str) -> ExperimentConfig:
        path = self.folder(name) / "experiment.json"
        try:
            return ExperimentConfig.model_validate_json(path.read_text("utf-8"))
        except FileNotFoundError:
            raise ValidationError(f"no experiment named '{name}'", field="name",
                                  hint="List experiments with ExperimentSDK().list().") from None
        except (OSError, ValueError) as exc:  # unreadable, not UTF-8, not JSON, wrong fields
            raise DataError(f"{path} cannot be read as an experiment ({type(exc).__name__})",
                            path=str(path), code="E2006",
                            hint="Repair the file, or delete the experiment's folder.") from None

    def list(self) -> list[ExperimentConfig]:
        if not self.base.exists():
            return []
        found = []
        for path in sorted(self.base.glob("*/experiment.json")):
            try:
                found.append(ExperimentConfig.model_validate_json(path.read_text("utf-8")))
            except (OSError, ValueError):
                continue
        return found

    def delete(self, name: str) -> None:
        self.get(name)
        folder = self.folder(name)
        if folder.is_symlink():  # remove the link, never what it points at
            folder.unlink()
            return
        shutil.rmtree(folder)

    def new_run_dir(self, name: str) -> Path:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        return self.folder(name) / "runs" / stamp

    def record_run(self, name: str, run_dir: Path, config: ExperimentConfig, *,
                   result: Any | None = None, error: BaseException | None = None,
                   started: datetime, partial_text: str = "",
                   observed: RunObserver | None = None, status: str | None = None,
                   extra: dict[str, Any] | None = None) -> dict[str, Any]:
        """Write one run's files and its ``run.json`` (see :func:`write_run`)."""
        return write_run(run_dir, config, experiment=name, result=result, error=error,
                         started=started, partial_text=partial_text, observed=observed,
                         status=status, extra=extra)

    def runs(self, name: str) -> list[dict[str, Any]]:
        self.get(name)
        records = []
        for path in sorted((self.folder(name) / "runs").glob("*/run.json")):
            try:
                records.append(json.loads(path.read_text("utf-8")))
            except (OSError, json.JSONDecodeError):
                continue
        return records


__all__ = ["ExperimentStore", "PersonaError", "RunObserver", "file_hashes", "persona_markdown",
           "run_pricer", "write_run"]
