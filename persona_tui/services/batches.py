"""Batch jobs for the app: the estimate both ways, submitting a study "as a batch", the
pending jobs, and checking on or collecting one — all through :mod:`persona_tui.sdk.batch`
on the one application context (keys, URLs, settings and folders come from it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from persona_tui.core.batch import BATCH_PROVIDERS
from persona_tui.core.models.options import PersonaConfig
from persona_tui.core.models.result import GenerationResultModel
from persona_tui.sdk.batch import BatchEstimate, BatchJob, aestimate_batch, asubmit_batch
from persona_tui.services.context import AppContext

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
        return await aestimate_batch(data, config, provider=provider, model=model or None,
                                     context=self.context)

    async def submit(self, data: list[Any], provider: str, model: str | None,
                     config: PersonaConfig, *, experiment: str | None = None) -> JobSummary:
        job = await asubmit_batch(data, config, provider=provider, model=model or None,
                                  experiment=experiment, context=self.context)
        return _summary(job)

    def jobs(self) -> list[JobSummary]:
        from persona_tui.sdk.batch import list_batches

        return [_summary(job) for job in list_batches(context=self.context)]

    def pending(self) -> list[JobSummary]:
        return [job for job in self.jobs() if job.pending]

    async def refresh(self, job_id: str) -> JobSummary:
        job = BatchJob.load(job_id, context=self.context)
        return _summary(await job.arefresh())

    async def collect(self, job_id: str) -> list[GenerationResultModel]:
        return await BatchJob.load(job_id, context=self.context).acollect()


__all__ = ["HOSTED_BATCH", "BatchService", "JobSummary"]
