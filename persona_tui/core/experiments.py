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

import hashlib
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from persona_tui._version import __version__
from persona_tui.core.errors import PersonaError, ValidationError
from persona_tui.core.fileio import atomic_write
from persona_tui.core.models.options import ExperimentConfig
from persona_tui.core.models.persona import Persona
from persona_tui.core.platform import PathManager


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


def file_hashes(paths: list[str]) -> dict[str, str]:
    hashes = {}
    for root in paths:
        root_path = Path(root)
        files = sorted(p for p in root_path.rglob("*") if p.is_file()) if root_path.is_dir() \
            else [root_path]
        for path in files:
            if any(part.startswith(".") for part in path.parts[-3:]):
                continue
            try:
                hashes[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                continue
    return hashes


class ExperimentStore:
    def __init__(self, base_dir: str | Path | None = None) -> None:
        self.base = Path(base_dir) if base_dir else PathManager.default().experiments_dir

    def folder(self, name: str) -> Path:
        return self.base / name

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
        shutil.rmtree(self.folder(name))

    def new_run_dir(self, name: str) -> Path:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        return self.folder(name) / "runs" / stamp

    def record_run(self, name: str, run_dir: Path, config: ExperimentConfig, *,
                   result: Any | None = None, error: Exception | None = None,
                   started: datetime, partial_text: str = "",
                   extra: dict[str, Any] | None = None) -> dict[str, Any]:
        """``extra`` adds fields to ``run.json`` (a batch run names its job and pricing)."""
        record: dict[str, Any] = {
            "run_id": run_dir.name, "experiment": name, "status": "ok" if error is None
            else "failed", "started_at": started.isoformat(),
            "finished_at": datetime.now(UTC).isoformat(), "app_version": __version__,
            "config": json.loads(config.model_dump_json()), "provider": config.provider,
            "model": config.model, "input_files": file_hashes(config.data_paths),
        }
        if result is not None:
            atomic_write(run_dir / "raw_output.txt", result.raw_output)
            atomic_write(run_dir / "personas.json", json.dumps(
                [json.loads(p.model_dump_json()) for p in result.personas], indent=2,
                ensure_ascii=False))
            atomic_write(run_dir / "personas.md", persona_markdown(result.personas))
            record.update({
                "prompt_version": result.prompt_version, "input_tokens": result.input_tokens,
                "output_tokens": result.output_tokens,
                "tokens_estimated": result.tokens_estimated, "cost_usd": result.cost_usd,
                "duration_s": round(result.duration_s, 3), "ttft_s": result.ttft_s,
                "warnings": result.warnings, "errors": result.errors, "metrics": result.metrics,
                "persona_count": len(result.personas),
                "output_files": ["raw_output.txt", "personas.json", "personas.md"]})
        if error is not None:
            if partial_text:
                atomic_write(run_dir / "raw_output.txt", partial_text)
            record.update({"error": str(error), "error_code": getattr(error, "code", None),
                           "hint": getattr(error, "hint", None),
                           "output_files": ["raw_output.txt"] if partial_text else []})
        record.update(extra or {})
        atomic_write(run_dir / "run.json", json.dumps(record, indent=2, ensure_ascii=False))
        return record

    def runs(self, name: str) -> list[dict[str, Any]]:
        self.get(name)
        records = []
        for path in sorted((self.folder(name) / "runs").glob("*/run.json")):
            try:
                records.append(json.loads(path.read_text("utf-8")))
            except (OSError, json.JSONDecodeError):
                continue
        return records


__all__ = ["ExperimentStore", "PersonaError", "file_hashes", "persona_markdown"]
