"""Large studies on the vendors' batch engines (half price, resumable) or a vLLM batch file.

    job = submit_batch(["study-a/", "study-b/"], provider="openai")   # prints nothing, sends
    job.id                     # ours; BatchJob.load(job.id) resumes it in any process
    job.refresh().status       # validating, in_progress, finalizing, completed, failed, …
    results = job.collect()    # one GenerationResultModel per study, as an interactive run

The engines queue, run and expire the requests; we keep no scheduler and poll only when asked.
Keys are never stored with a job: a resumed job finds its key where the generator does (the
environment, then ``credentials.toml``) unless one is passed.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from persona_tui.core.batch.collect import Reply, study_result
from persona_tui.core.batch.engines import BATCH_PROVIDERS, BatchEngine, Outcome, engine_for
from persona_tui.core.batch.engines.base import vendor_request
from persona_tui.core.batch.format import read_request_lines
from persona_tui.core.batch.planning import (
    BatchEstimate,
    batch_pricing,
    check_batch_budget,
    estimate_plan,
    plan_batch,
)
from persona_tui.core.batch.store import (
    TERMINAL,
    BatchStore,
    EstimateRecord,
    JobRecord,
    RequestCounts,
    RequestState,
    StudyRecord,
    new_job_id,
)
from persona_tui.core.context import AppContext
from persona_tui.core.cost import PricingData
from persona_tui.core.errors import (
    ConfigurationError,
    GenerationError,
    PersonaError,
    ValidationError,
)
from persona_tui.core.experiments import ExperimentStore
from persona_tui.core.fileio import atomic_write
from persona_tui.core.generation.prompts import output_budget
from persona_tui.core.models.options import ExperimentConfig, PersonaConfig
from persona_tui.core.models.result import GenerationResultModel
from persona_tui.core.providers.openai import OpenAIProvider
from persona_tui.core.providers.registry import context_tokens as default_context_tokens
from persona_tui.core.utils.async_helpers import run_sync
from persona_tui.sdk.async_generator import AsyncPersonaGenerator

FAILED_OUTCOMES = frozenset({"errored", "expired", "cancelled"})
#: vllm-file builds requests with the OpenAI provider but never connects anywhere
_NOWHERE = "http://127.0.0.1:9/v1"


class _Connection:
    """What talking to one engine needs: the provider (keys, base URL, pool) and prices."""

    def __init__(self, provider: str, model: str | None, base_url: str | None,
                 api_key: str | None, context: AppContext) -> None:
        if provider not in BATCH_PROVIDERS:
            raise ConfigurationError(f"'{provider}' has no batch engine", code="E1005",
                                     hint=f"Use one of: {', '.join(BATCH_PROVIDERS)}.")
        if provider == "vllm-file":
            if not model:
                raise ValidationError("vllm-file needs the model vLLM will serve",
                                      field="model", hint="Pass --model NAME (as given to "
                                                          "`vllm run-batch --model`).")
            self.model, self.base_url = model, None
            self.client = OpenAIProvider(base_url=_NOWHERE)
            self.pricing, self.allow_unpriced = context.pricing, True
            self.default_budget = None
        else:
            generator = AsyncPersonaGenerator(provider, model, base_url=base_url,
                                              api_key=api_key, context=context)
            self.model, self.base_url = generator.model, generator.base_url
            self.client = generator._provider()
            self.pricing, self.allow_unpriced = generator.pricing, generator.allow_unpriced
            self.default_budget = context.settings.generation.budget_usd
        self.provider = provider
        self.data_loader = context.data_loader
        self.engine: BatchEngine = engine_for(provider, self.client)
        self.body_builder = OpenAIProvider(base_url=_NOWHERE)

    async def body_for(self, messages, schema: dict | None, persona: PersonaConfig
                       ) -> dict[str, Any]:
        """The job-format body: OpenAI's own request (its structured-output dialect) for an
        OpenAI job, else a Chat Completions body with the schema as is, from which the
        engine's adapter builds its vendor's request."""
        builder = self.client if self.provider == "openai" else self.body_builder
        return await vendor_request(builder, messages, model=self.model, schema=schema,
                                    temperature=persona.temperature,
                                    max_tokens=output_budget(persona), seed=persona.seed)

    async def aclose(self) -> None:
        await self.client.aclose()
        await self.body_builder.aclose()


def _store(base_dir: str | os.PathLike[str] | None, context: AppContext
           ) -> tuple[ExperimentStore, BatchStore]:
    experiments = ExperimentStore(base_dir or context.paths.experiments_dir)
    return experiments, BatchStore(experiments.base)


class BatchJob:
    """One submitted job. Every method reads the freshest copy on disk first."""

    def __init__(self, record: JobRecord, *, base_dir: str | os.PathLike[str] | None = None,
                 api_key: str | None = None, base_url: str | None = None,
                 context: AppContext | None = None) -> None:
        self._record = record
        self._context = context = context or AppContext.default()
        self._base_dir = base_dir
        self._api_key = api_key
        self._base_url = base_url
        self.experiments, self.store = _store(base_dir, context)

    def __repr__(self) -> str:
        return (f"BatchJob(id={self.id!r}, provider={self.provider!r}, model={self.model!r}, "
                f"status={self.status!r})")

    # --- what it is --------------------------------------------------------------------------

    @property
    def id(self) -> str:
        return self._record.id

    @property
    def provider(self) -> str:
        return self._record.provider

    @property
    def model(self) -> str:
        return self._record.model

    @property
    def status(self) -> str:
        return self._record.status

    @property
    def request_counts(self) -> RequestCounts:
        return self._record.request_counts

    @property
    def experiment(self) -> str:
        return self._record.experiment

    @property
    def estimate(self) -> EstimateRecord:
        return self._record.estimate

    @property
    def record(self) -> JobRecord:
        return self._record

    @property
    def folder(self) -> Path:
        return self.store.folder(self.experiment, self.id)

    def failed_requests(self) -> dict[str, RequestState]:
        """Requests that errored, expired or were cancelled (known once collected)."""
        return {cid: r for cid, r in self._record.requests.items()
                if r.outcome in FAILED_OUTCOMES}

    # --- resuming ----------------------------------------------------------------------------

    @classmethod
    def load(cls, job_id: str, *, base_dir: str | os.PathLike[str] | None = None,
             api_key: str | None = None, base_url: str | None = None,
             context: AppContext | None = None) -> BatchJob:
        """The job ``job_id`` as last saved, from any process. Its key comes from
        ``api_key`` or the application context (the environment, then credentials.toml)."""
        context = context or AppContext.default()
        record, _ = _store(base_dir, context)[1].load(job_id)
        return cls(record, base_dir=base_dir, api_key=api_key, base_url=base_url,
                   context=context)

    @contextlib.asynccontextmanager
    async def _connect(self) -> AsyncIterator[_Connection]:
        connection = _Connection(self.provider, self.model,
                                 self._base_url or self._record.base_url, self._api_key,
                                 self._context)
        try:
            yield connection
        finally:
            await connection.aclose()

    def _reload(self) -> JobRecord:
        self._record, _ = self.store.load(self.id)
        return self._record

    # --- polling and cancelling --------------------------------------------------------------

    async def arefresh(self) -> BatchJob:
        """Ask the engine where the job stands (a finished job is not asked again)."""
        record = self._reload()
        if record.engine.get("submitting"):
            raise GenerationError(
                f"batch job {self.id} was never accepted by {self.provider} (the process "
                "submitting it stopped first)", hint="Submit the studies again.")
        if record.finished or not record.engine.get("batch_id") and \
                self.provider != "vllm-file":
            return self
        async with self._connect() as connection:
            status = await connection.engine.status(record.engine)
        with self.store.update(self.id) as record:
            self._apply(record, status)
        self._record = record
        return self

    def refresh(self) -> BatchJob:
        return run_sync(self.arefresh())

    @staticmethod
    def _apply(record: JobRecord, status) -> None:
        record.status = status.status  # type: ignore[assignment]
        if status.total:
            record.request_counts = RequestCounts(total=status.total,
                                                  completed=status.completed,
                                                  failed=status.failed)
        record.engine.update(status.engine)
        record.warnings += [w for w in status.warnings if w not in record.warnings]

    async def acancel(self) -> BatchJob:
        """Cancel at the engine; requests that finished before it stopped are kept."""
        record = self._reload()
        if record.finished:
            return self
        async with self._connect() as connection:
            status = await connection.engine.cancel(record.engine)
        with self.store.update(self.id) as record:
            self._apply(record, status)
        self._record = record
        return self

    def cancel(self) -> BatchJob:
        return run_sync(self.acancel())

    # --- the vLLM file -----------------------------------------------------------------------

    def write_requests(self, path: str | os.PathLike[str]) -> Path:
        """The job's requests as OpenAI batch JSONL (``vllm run-batch -i PATH``)."""
        source = self.folder / "requests.jsonl"
        return atomic_write(path, source.read_bytes())

    # --- results -----------------------------------------------------------------------------

    async def _fetch(self, results_path: str | os.PathLike[str] | None) -> None:
        """Download the engine's results once, keep them as sent, then map every request."""
        record = self._reload()
        if (self.folder / "results.jsonl").exists() and results_path is None:
            return
        if self.provider == "vllm-file":
            if results_path is None:
                raise ValidationError(
                    f"job {self.id} is a vLLM batch file; its results are in the file "
                    "`vllm run-batch -o` wrote", field="results_path",
                    hint=f"Pass --results FILE (run: vllm run-batch -i "
                         f"{self.folder / 'requests.jsonl'} -o results.jsonl --model "
                         f"{self.model}).")
            with self.store.update(self.id) as record:
                record.engine["results_path"] = str(Path(results_path).resolve())
                record.status = "completed"
        elif not record.finished:
            await self.arefresh()
            record = self._record
            if not record.finished:
                raise GenerationError(
                    f"batch job {self.id} is {record.status}, not finished",
                    hint=f"Check again later: persona-tui batch status {self.id}")
        async with self._connect() as connection:
            results = await connection.engine.results(record.engine)
        for name, data in results.raw.items():
            atomic_write(self.folder / "raw" / name, data)
        with self.store.update(self.id) as record:
            found = {o.custom_id: o for o in results.outcomes if o.custom_id in record.requests}
            lines = []
            for custom_id, request in record.requests.items():
                outcome = found.get(custom_id) or self._missing(custom_id, record.status)
                request.outcome = outcome.outcome  # type: ignore[assignment]
                request.error = outcome.error
                lines.append(outcome)
            self.store.write_lines(self.folder, "results.jsonl",
                                   [json.dumps(o.to_dict(), ensure_ascii=False) for o in lines])
            record.request_counts = record.counts_from_outcomes()
            record.warnings += [w for w in results.warnings if w not in record.warnings]
        self._record = record

    @staticmethod
    def _missing(custom_id: str, status: str) -> Outcome:
        if status == "expired":
            return Outcome(custom_id, "expired", error="the batch expired before this request "
                                                       "ran")
        if status == "cancelled":
            return Outcome(custom_id, "cancelled", error="the batch was cancelled before this "
                                                         "request ran")
        return Outcome(custom_id, "errored", error="the engine returned no result for this "
                                                   "request")

    def _lineage(self) -> list[BatchJob]:
        """This job, then the job it resubmitted, and so on back to the first."""
        chain, job = [self], self
        while job._record.parent:
            job = BatchJob.load(job._record.parent, base_dir=self._base_dir,
                                api_key=self._api_key, base_url=self._base_url,
                                context=self._context)
            chain.append(job)
        return chain

    async def acollect(self, results_path: str | os.PathLike[str] | None = None
                       ) -> list[GenerationResultModel]:
        """One result per study, parsed and checked exactly as an interactive run is, and
        recorded as runs of the job's experiment at the batch price."""
        await self._fetch(results_path)
        chain = self._lineage()
        for older in chain[1:]:
            if not (older.folder / "results.jsonl").exists():
                await older._fetch(None)
        stored = [job.store.read_results(job.folder) for job in chain]
        record = self._record
        async with self._connect() as connection:
            pricing = batch_pricing(connection.pricing, self.provider)
        results = []
        for study in record.studies:
            replies: dict[str, Reply] = {}
            problems: list[str] = []
            root = chain[-1]._record
            for custom_id, request in root.requests.items():
                if request.study != study.index:
                    continue
                found = next((s[custom_id] for s in stored
                              if s.get(custom_id, {}).get("outcome") == "succeeded"), None)
                if found is not None:
                    replies[request.digest] = Reply(found.get("text", ""),
                                                    found.get("input_tokens"),
                                                    found.get("output_tokens"),
                                                    found.get("finish_reason"))
                    continue
                last = next((s[custom_id] for s in stored if custom_id in s), {})
                replies[request.digest] = Reply("", 0, 0)
                problems.append(
                    f"chunk {request.chunk + 1} of {study.chunks} "
                    f"{last.get('outcome', 'errored')}: {last.get('error') or 'no result'} "
                    f"(resubmit it alone: persona-tui batch resubmit {self.id})")
            results.append(await self._study(study, replies, problems, pricing))
        runs = dict(self._record.runs)
        with self.store.update(self.id) as fresh:  # one write for all the studies' runs
            fresh.runs.update(runs)
        self._record = fresh
        return results

    def collect(self, results_path: str | os.PathLike[str] | None = None
                ) -> list[GenerationResultModel]:
        return run_sync(self.acollect(results_path))

    async def _study(self, study: StudyRecord, replies: dict[str, Reply], problems: list[str],
                     pricing: PricingData) -> GenerationResultModel:
        record = self._record
        local = self.provider == "vllm-file"
        started = datetime.now(UTC)
        result, error = await study_result(
            provider=self.provider, model=self.model, base_url=record.base_url,
            persona=record.persona, context_tokens=record.context_tokens, pricing=pricing,
            study=study.index, data_paths=study.data_paths, replies=replies,
            problems=problems, data_loader=self._context.data_loader)
        if result is not None and local:
            result.cost_usd = 0.0
        config = ExperimentConfig(name=record.experiment, provider=self.provider,
                                  model=self.model, persona=record.persona,
                                  data_paths=study.data_paths)
        run_dir = Path(record.runs.get(study.index) or self.experiments.new_run_dir(
            record.experiment).with_name(f"{started:%Y%m%dT%H%M%S%fZ}-{self.id}-s{study.index}"))
        extra: dict[str, Any] = {"pricing": "local" if local else "batch",
                                 "batch_job": self.id, "study": study.index,
                                 "failed_requests": problems}
        spent = self._spent(replies, pricing, local) if result is None else {}
        raw = "\n".join(r.text for r in replies.values() if r.text)
        self.experiments.record_run(record.experiment, run_dir, config, result=result,
                                    error=error, started=started, extra={**extra, **spent},
                                    partial_text=getattr(error, "partial_text", "") or raw)
        self._record.runs[study.index] = str(run_dir)
        if result is not None:
            return result.to_model(output_dir=str(run_dir))
        # nothing usable came back, but what the engine returned was paid for: say how much
        return GenerationResultModel(
            provider=self.provider, model=self.model, input_tokens=spent["input_tokens"],
            output_tokens=spent["output_tokens"], tokens_estimated=spent["tokens_estimated"],
            cost_usd=spent["cost_usd"], warnings=problems, errors=[str(error)],
            output_dir=str(run_dir), raw_output=raw)

    def _spent(self, replies: dict[str, Reply], pricing: PricingData, local: bool
               ) -> dict[str, Any]:
        """Tokens and batch cost of a study's replies, from the engine's own counts."""
        from persona_tui.core.cost import CostEstimator
        from persona_tui.core.data.tokens import estimate_tokens

        answered = [r for r in replies.values() if r.text]
        inputs = sum(r.input_tokens or 0 for r in answered)
        outputs = sum(r.output_tokens if r.output_tokens is not None
                      else estimate_tokens(r.text) for r in answered)
        estimated = any(r.input_tokens is None or r.output_tokens is None for r in answered)
        cost = 0.0 if local else CostEstimator(pricing).estimate(
            self.provider, self.model, input_tokens=inputs, output_tokens=outputs,
            base_url=self._record.base_url).total_cost
        return {"input_tokens": inputs, "output_tokens": outputs,
                "tokens_estimated": estimated, "cost_usd": cost}

    # --- resubmitting ------------------------------------------------------------------------

    async def aresubmit(self) -> BatchJob:
        """A new job holding only the requests that errored, expired or were cancelled;
        collecting it merges them with what this job already returned."""
        record = self._reload()
        if not (self.folder / "results.jsonl").exists():
            await self._fetch(None)
            record = self._record
        failed = self.failed_requests()
        if not failed:
            raise ValidationError(f"job {self.id} has no failed requests to resubmit",
                                  hint="Collect its results: persona-tui batch collect "
                                       f"{self.id}")
        lines = [line for line in read_request_lines(
            (self.folder / "requests.jsonl").read_text("utf-8"))
            if line["custom_id"] in failed]
        touched = {r.study for r in failed.values()}
        child = record.model_copy(deep=True, update={
            "id": new_job_id(), "status": "validating", "parent": self.id, "children": [],
            "runs": {}, "warnings": [], "engine": {},
            "request_counts": RequestCounts(total=len(lines)),
            "studies": [s for s in record.studies if s.index in touched],
            "requests": {cid: r.model_copy(update={"outcome": "pending", "error": None})
                         for cid, r in failed.items()},
            "created_at": datetime.now(UTC).isoformat()})
        job = await _send(child, lines, base_dir=self._base_dir, api_key=self._api_key,
                          base_url=self._base_url, context=self._context)
        with self.store.update(self.id) as fresh:
            fresh.children.append(job.id)
        self._record = fresh
        return job

    def resubmit(self) -> BatchJob:
        return run_sync(self.aresubmit())


async def _send(record: JobRecord, lines: list[dict[str, Any]], *,
                base_dir: str | os.PathLike[str] | None, api_key: str | None,
                base_url: str | None, context: AppContext) -> BatchJob:
    """Persist the job, then hand it to the engine; the record exists before anything is
    sent, so a crash mid-submit leaves a job that says it was never accepted."""
    job = BatchJob(record, base_dir=base_dir, api_key=api_key, base_url=base_url,
                   context=context)
    folder = job.folder
    job.store.write_lines(folder, "requests.jsonl",
                          [json.dumps(line, ensure_ascii=False, separators=(",", ":"))
                           for line in lines])
    record.engine = {"submitting": True}
    job.store.save(record, folder)
    try:
        async with job._connect() as connection:
            engine_id, status = await connection.engine.submit(lines, model=record.model,
                                                               job_id=record.id)
    except PersonaError as exc:  # refused: say so on the job, which stays listed
        with job.store.update(record.id) as fresh:
            fresh.engine, fresh.status = {}, "failed"
            fresh.warnings.append(f"not accepted: {exc}")
        raise
    with job.store.update(record.id) as fresh:
        fresh.engine = {"batch_id": engine_id} if engine_id else {}
        BatchJob._apply(fresh, status)
        if not fresh.request_counts.total:
            fresh.request_counts = RequestCounts(total=len(lines))
    job._record = fresh
    return job


async def aestimate_batch(data_paths: list[Any], config: PersonaConfig | None = None, *,
                          provider: str, model: str | None = None,
                          base_url: str | None = None, api_key: str | None = None,
                          context_tokens: int | None = None,
                          context: AppContext | None = None) -> BatchEstimate:
    """The interactive and the batch price of a job, side by side; nothing is sent."""
    persona = config or PersonaConfig()
    connection = _Connection(provider, model, base_url, api_key,
                             context or AppContext.default())
    try:
        plan = await plan_batch(
            list(data_paths), persona, context_tokens or default_context_tokens(provider),
            model=connection.model, body_for=lambda m, s: connection.body_for(m, s, persona),
            data_loader=connection.data_loader)
        return estimate_plan(plan, provider=provider, model=connection.model,
                             pricing=connection.pricing, base_url=connection.base_url,
                             local=connection.engine.local)
    finally:
        await connection.aclose()


def estimate_batch(data_paths: list[Any], config: PersonaConfig | None = None, **kwargs: Any
                   ) -> BatchEstimate:
    return run_sync(aestimate_batch(data_paths, config, **kwargs))


async def asubmit_batch(data_paths: list[Any], config: PersonaConfig | None = None, *,
                        provider: str, model: str | None = None, base_url: str | None = None,
                        api_key: str | None = None, experiment: str | None = None,
                        base_dir: str | os.PathLike[str] | None = None,
                        context_tokens: int | None = None, allow_unpriced: bool = False,
                        on_estimate=None, context: AppContext | None = None) -> BatchJob:
    """Plan every study (one request per chunk), price it both ways, check the budget, then
    submit. ``on_estimate(BatchEstimate)`` is called before anything is sent. Keys, base
    URLs, default model, budget, prices and data limits not given here come from
    ``context`` (the application context; the process's default when None)."""
    app = context or AppContext.default()
    persona = config or PersonaConfig()
    connection = _Connection(provider, model, base_url, api_key, app)
    if persona.budget is None and connection.default_budget is not None:
        persona = persona.model_copy(update={"budget": connection.default_budget})
    context_size = context_tokens or default_context_tokens(provider)
    try:
        plan = await plan_batch(list(data_paths), persona, context_size,
                                model=connection.model,
                                body_for=lambda m, s: connection.body_for(m, s, persona),
                                data_loader=connection.data_loader)
        estimate = estimate_plan(plan, provider=provider, model=connection.model,
                                 pricing=connection.pricing, base_url=connection.base_url,
                                 local=connection.engine.local)
    finally:
        await connection.aclose()
    if on_estimate is not None:
        on_estimate(estimate)
    check_batch_budget(estimate, persona.budget,
                       allow_unpriced=allow_unpriced or connection.allow_unpriced)
    experiments, _ = _store(base_dir, app)
    job_id = new_job_id()
    name = experiment or job_id
    if not (experiments.folder(name) / "experiment.json").exists():
        experiments.create(ExperimentConfig(
            name=name, provider=provider, model=connection.model, persona=persona,
            data_paths=[p for s in plan.studies for p in s.data_paths]))
    record = JobRecord(
        id=job_id, provider=provider, model=connection.model,
        base_url=connection.base_url, experiment=name, persona=persona,
        context_tokens=context_size,
        studies=[StudyRecord(index=s.index, data_paths=s.data_paths, chunks=s.chunks,
                             mode=s.mode) for s in plan.studies],
        requests={r.key.custom_id: RequestState(study=r.key.study, chunk=r.key.chunk,
                                                step=r.key.step, digest=r.digest)
                  for r in plan.requests},
        estimate=EstimateRecord(input_tokens=plan.input_tokens,
                                output_tokens=plan.output_tokens,
                                interactive_usd=estimate.interactive.total_cost,
                                batch_usd=estimate.batch.total_cost,
                                price_as_of=estimate.batch.price_as_of),
        warnings=[w for s in plan.studies for w in s.warnings])
    lines = [{"custom_id": r.key.custom_id, "method": "POST", "url": "/v1/chat/completions",
              "body": r.body} for r in plan.requests]
    return await _send(record, lines, base_dir=base_dir, api_key=api_key, base_url=base_url,
                       context=app)


def submit_batch(data_paths: list[Any], config: PersonaConfig | None = None, *, provider: str,
                 model: str | None = None, base_url: str | None = None,
                 api_key: str | None = None, experiment: str | None = None,
                 **options: Any) -> BatchJob:
    """Each item of ``data_paths`` is one study: a file, a folder, or a list of them."""
    return run_sync(asubmit_batch(data_paths, config, provider=provider, model=model,
                                  base_url=base_url, api_key=api_key, experiment=experiment,
                                  **options))


def list_batches(*, base_dir: str | os.PathLike[str] | None = None,
                 context: AppContext | None = None) -> list[BatchJob]:
    """Every job on disk, oldest first, as last seen (no engine is asked)."""
    context = context or AppContext.default()
    _, store = _store(base_dir, context)
    return [BatchJob(record, base_dir=base_dir, context=context) for record in store.list()]


__all__ = ["TERMINAL", "BatchEstimate", "BatchJob", "aestimate_batch", "asubmit_batch",
           "estimate_batch", "list_batches", "submit_batch"]
