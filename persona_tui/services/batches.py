"""Batch jobs for the app: the estimate both ways, submitting a study "as a batch", the
pending jobs, and checking on or collecting one — all through :mod:`persona_tui.sdk.batch`
on the one application context (keys, URLs, settings and folders come from it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from persona_tui.core.batch import BATCH_PROVIDERS
from persona_tui.services.context import AppContext

if TYPE_CHECKING:  # pragma: no cover - imported where used: the CLI's --help names the
    # batch providers from here without loading the SDK (pydantic, httpx)
    from persona_tui.core.models.options import PersonaConfig
    from persona_tui.core.models.result import GenerationResultModel
    from persona_tui.sdk.batch import BatchEstimate, BatchJob

#: hosted vendors whose batch engine the Generate screen offers ("as a batch")
HOSTED_BATCH = tuple(p for p in BATCH_PROVIDERS if p != "vllm-file")


@dataclass(frozen=True)
class JobSummary:
    """What a list of jobs shows: no I/O behind it."""

    id: str
    provider: str
    model: str
    status: str
    total: int
    completed: int
    failed: int
    collected: bool
    experiment: str

    @property
    def pending(self) -> bool:
        return not self.collected and self.status not in ("failed",)


def _summary(job: BatchJob) -> JobSummary:
    counts = job.request_counts
    return JobSummary(job.id, job.provider, job.model, job.status, counts.total,
                      counts.completed, counts.failed, bool(job.record.runs), job.experiment)


class BatchService:
    def __init__(self, context: AppContext) -> None:
        self.context = context

    @staticmethod
    def offers_batch(provider: str) -> bool:
        return provider in HOSTED_BATCH

    @staticmethod
    def batch_price(provider: str, interactive_usd: float | None) -> float | None:
        """What the vendor's batch engine charges for work priced ``interactive_usd`` live."""
        from persona_tui.core.batch.planning import BATCH_DISCOUNT

        if interactive_usd is None or provider not in BATCH_DISCOUNT:
            return None
        return interactive_usd * BATCH_DISCOUNT[provider]

    async def check(self) -> list[tuple[JobSummary, list[GenerationResultModel] | None]]:
        """Ask the engine about every pending job; collect those that finished."""
        checked = []
        for job in self.pending():
            summary = await self.refresh(job.id)
            results = await self.collect(job.id) if summary.status in (
                "completed", "expired", "cancelled") else None
            if results is not None:
                summary = next(j for j in self.jobs() if j.id == job.id)
            checked.append((summary, results))
        return checked

    async def estimate(self, data: list[Any], provider: str, model: str | None,
                       config: PersonaConfig) -> BatchEstimate:
        from persona_tui.sdk.batch import aestimate_batch

        return await aestimate_batch(data, config, provider=provider, model=model or None,
                                     context=self.context)

    async def submit(self, data: list[Any], provider: str, model: str | None,
                     config: PersonaConfig, *, experiment: str | None = None) -> JobSummary:
        from persona_tui.sdk.batch import asubmit_batch

        job = await asubmit_batch(data, config, provider=provider, model=model or None,
                                  experiment=experiment, context=self.context)
        return _summary(job)

    def jobs(self) -> list[JobSummary]:
        return [_summary(job) for job in self.list_jobs()]

    def pending(self) -> list[JobSummary]:
        return [job for job in self.jobs() if job.pending]

    async def refresh(self, job_id: str) -> JobSummary:
        job = self.load(job_id)
        return _summary(await job.arefresh())

    async def collect(self, job_id: str) -> list[GenerationResultModel]:
        return await self.load(job_id).acollect()

    # --- the command line's (``persona-tui batch``): sync, on the SDK's job objects --------

    @staticmethod
    def persona_config(**options: Any) -> PersonaConfig:
        """Persona options for a batch; an out-of-range value raises pydantic's error (the
        command says it in plain words)."""
        from persona_tui.core.models.options import PersonaConfig

        return PersonaConfig(**options)

    def submit_job(self, data: list[Any], config: PersonaConfig, *, provider: str,
                   model: str | None = None, base_url: str | None = None,
                   experiment: str | None = None, allow_unpriced: bool = False,
                   on_estimate: Callable[[Any], None] | None = None) -> BatchJob:
        from persona_tui.sdk.batch import submit_batch

        return submit_batch(data, config, provider=provider, model=model, base_url=base_url,
                            experiment=experiment, allow_unpriced=allow_unpriced,
                            on_estimate=on_estimate, context=self.context)

    def load(self, job_id: str, *, base_url: str | None = None) -> BatchJob:
        from persona_tui.sdk.batch import BatchJob

        return BatchJob.load(job_id, base_url=base_url, context=self.context)

    def list_jobs(self) -> list[BatchJob]:
        from persona_tui.sdk.batch import list_batches

        return list_batches(context=self.context)


__all__ = ["BATCH_PROVIDERS", "HOSTED_BATCH", "BatchService", "JobSummary"]
