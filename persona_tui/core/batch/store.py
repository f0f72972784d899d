"""A batch job on disk, so any process can pick it up: ``BatchJob.load(job_id)``.

Layout, inside the experiment the job belongs to::

    experiments/NAME/batches/JOB_ID/job.json        the job and its request map
    experiments/NAME/batches/JOB_ID/requests.jsonl  what was sent (OpenAI batch JSONL)
    experiments/NAME/batches/JOB_ID/results.jsonl   every request's outcome, once fetched
    experiments/NAME/batches/JOB_ID/raw/…           the engine's result files as downloaded

Every file is written atomically. ``job.json`` is rewritten under the project's one lock,
so two processes refreshing one job never lose each other's update. No key is ever stored:
a resumed job takes its key from where the SDK finds keys.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from persona_tui.core.errors import ValidationError
from persona_tui.core.fileio import atomic_write, locked
from persona_tui.core.models.options import PersonaConfig

Status = Literal["validating", "in_progress", "finalizing", "completed", "failed", "expired",
                 "cancelled"]
TERMINAL: frozenset[str] = frozenset({"completed", "failed", "expired", "cancelled"})
Outcome = Literal["pending", "succeeded", "errored", "expired", "cancelled"]


class RequestCounts(BaseModel):
    total: int = 0
    completed: int = 0
    failed: int = 0


class RequestState(BaseModel):
    """One request of the map: where it belongs and how it ended."""

    study: int
    chunk: int
    step: str
    #: the prompt's digest; collecting checks the data still builds the same prompt
    digest: str
    outcome: Outcome = "pending"
    error: str | None = None


class StudyRecord(BaseModel):
    index: int
    data_paths: list[str]
    chunks: int
    mode: str = "whole"


class EstimateRecord(BaseModel):
    input_tokens: int = 0
    output_tokens: int = 0
    interactive_usd: float | None = None
    batch_usd: float | None = None
    price_as_of: str | None = None


class JobRecord(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str
    provider: str
    model: str
    base_url: str | None = None
    experiment: str
    status: Status = "validating"
    request_counts: RequestCounts = Field(default_factory=RequestCounts)
    persona: PersonaConfig = Field(default_factory=PersonaConfig)
    context_tokens: int
    studies: list[StudyRecord] = Field(default_factory=list)
    requests: dict[str, RequestState] = Field(default_factory=dict)
    #: the engine's own ids and links (batch id, file ids, results URL); never a secret
    engine: dict[str, Any] = Field(default_factory=dict)
    estimate: EstimateRecord = Field(default_factory=EstimateRecord)
    parent: str | None = None
    children: list[str] = Field(default_factory=list)
    #: study index -> run folder, once collected
    runs: dict[int, str] = Field(default_factory=dict)
    warnings: list[str] = Field(default_factory=list)
    created_at: str = Field(default_factory=lambda: datetime.now(UTC).isoformat())
    updated_at: str = Field(default_factory=lambda: datetime.now(UTC).isoformat())

    @property
    def finished(self) -> bool:
        return self.status in TERMINAL

    def counts_from_outcomes(self) -> RequestCounts:
        states = [r.outcome for r in self.requests.values()]
        return RequestCounts(total=len(states), completed=states.count("succeeded"),
                             failed=sum(s in ("errored", "expired", "cancelled")
                                        for s in states))


def new_job_id() -> str:
    return f"batch-{datetime.now(UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


class BatchStore:
    """Batch jobs inside the experiments folder (``base`` is that folder)."""

    def __init__(self, base: str | os.PathLike[str]) -> None:
        self.base = Path(base)

    def folder(self, experiment: str, job_id: str) -> Path:
        return self.base / experiment / "batches" / job_id

    def find(self, job_id: str) -> Path:
        if not job_id or "/" in job_id or "\\" in job_id or job_id.startswith("."):
            raise ValidationError(f"not a batch job id: {job_id[:80]!r}", field="job_id",
                                  hint="List jobs with `persona-tui batch list`.")
        for path in self.base.glob(f"*/batches/{job_id}/job.json"):
            return path.parent
        raise ValidationError(f"no batch job '{job_id}'", field="job_id",
                              hint="List jobs with `persona-tui batch list`.")

    def load(self, job_id: str) -> tuple[JobRecord, Path]:
        folder = self.find(job_id)
        return self._read(folder), folder

    @staticmethod
    def _read(folder: Path) -> JobRecord:
        try:
            return JobRecord.model_validate_json((folder / "job.json").read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise ValidationError(f"the batch job file in {folder} cannot be read "
                                  f"({type(exc).__name__})", code="E2006",
                                  hint="Restore the folder from a backup, or submit the study "
                                       "again.") from None

    def save(self, record: JobRecord, folder: Path) -> None:
        record.updated_at = datetime.now(UTC).isoformat()
        atomic_write(folder / "job.json", record.model_dump_json(indent=1))

    @contextlib.contextmanager
    def update(self, job_id: str) -> Iterator[JobRecord]:
        """Read, change and write one job under its lock (the freshest copy is changed)."""
        folder = self.find(job_id)
        with locked(folder / "job.json"):
            record = self._read(folder)
            yield record
            self.save(record, folder)

    def list(self) -> list[JobRecord]:
        found = []
        for path in sorted(self.base.glob("*/batches/*/job.json")):
            try:
                found.append(JobRecord.model_validate_json(path.read_text("utf-8")))
            except (OSError, ValueError):
                continue
        return sorted(found, key=lambda r: r.created_at)

    # --- files beside the record -------------------------------------------------------------

    @staticmethod
    def write_lines(folder: Path, name: str, lines: list[str]) -> Path:
        return atomic_write(folder / name, "".join(f"{line}\n" for line in lines))

    @staticmethod
    def read_results(folder: Path) -> dict[str, dict[str, Any]]:
        path = folder / "results.jsonl"
        if not path.exists():
            return {}
        results = {}
        for raw in path.read_text("utf-8").splitlines():
            if raw.strip():
                item = json.loads(raw)
                results[item["custom_id"]] = item
        return results


__all__ = ["TERMINAL", "BatchStore", "EstimateRecord", "JobRecord", "RequestCounts",
           "RequestState", "Status", "StudyRecord", "new_job_id"]
