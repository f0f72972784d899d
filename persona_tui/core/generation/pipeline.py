"""Load -> prompt -> stream -> parse -> verify evidence -> score, as one cancellable stream.

The provider's stream runs in a task that feeds an inbox, so the consumer sees retry waits
while they happen ("rate limited, retrying in 4 s") rather than after, and cancelling the
consumer cancels the task, which closes the HTTP stream at once. Personas are announced as
soon as they are complete in the text, and a budget stops the run the moment the cost so far
would pass it, keeping what was produced.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from persona_tui.core.cost import CostEstimate, CostEstimator, PricingData, check_budget
from persona_tui.core.data import DataLoader, SourceDocument
from persona_tui.core.data.tokens import estimate_tokens
from persona_tui.core.errors import GenerationError, PersonaError, ProviderError
from persona_tui.core.generation.events import (
    Failed,
    Finished,
    GenerationEvent,
    GenerationWarning,
    PersonaParsed,
    RetryWait,
    TextDelta,
    UsageUpdate,
)
from persona_tui.core.generation.figures import data_paths, exceeds, plan_figures
from persona_tui.core.generation.incremental import ObjectScanner
from persona_tui.core.generation.names import NameGuard, offered_names
from persona_tui.core.generation.parser import KnownItems, PersonaParser
from persona_tui.core.generation.passages import PassageIndex
from persona_tui.core.generation.prompts import (
    PROMPT_VERSION,
    PromptPlan,
    build_messages,
    output_budget,
    plan_prompts,
)
from persona_tui.core.generation.quality import assess
from persona_tui.core.generation.schema import persona_schema
from persona_tui.core.models.options import PersonaConfig
from persona_tui.core.models.persona import Persona
from persona_tui.core.models.result import GenerationResultModel
from persona_tui.core.providers.base import LLMProvider, RetryNotice
from persona_tui.core.providers.registry import context_tokens as default_context_tokens
from persona_tui.core.quality.registry import registry as metric_registry
from persona_tui.core.utils.child_process import call_in_child

PARSE_EVERY_S = 0.25
USAGE_EVERY_S = 0.2


@dataclass
class GenerationConfig:
    model: str
    persona: PersonaConfig = field(default_factory=PersonaConfig)
    provider_name: str | None = None
    base_url: str | None = None
    #: the model's context window in tokens; None asks the provider or uses a default
    context_tokens: int | None = None
    allow_unpriced: bool = False
    pricing: PricingData | None = None
    #: builds the loader for the data (``[data]`` limits of config.toml); None: the defaults
    data_loader: Callable[[], DataLoader] | None = None
    #: send the persona schema through the vendor's structured-output mechanism
    structured_output: bool = True


@dataclass
class GenerationResult:
    personas: list[Persona]
    provider: str
    model: str
    raw_output: str = ""
    input_tokens: int = 0
    output_tokens: int = 0
    tokens_estimated: bool = False
    cost_usd: float | None = 0.0
    duration_s: float = 0.0
    ttft_s: float | None = None
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    prompt_version: str = PROMPT_VERSION
    mode: str = "whole"
    chunks: int = 1
    metrics: dict[str, float] = field(default_factory=dict)
    stopped: str | None = None  # "budget" when the budget stopped the run
    documents: list[SourceDocument] = field(default_factory=list, repr=False)
    #: the quality gate's verdict: "ok" or "partial" (a failed run raises instead)
    status: str = "ok"
    reasons: list[str] = field(default_factory=list)
    unsupported_claims: dict[str, list[str]] = field(default_factory=dict)
    unsupported_rate: dict[str, float] = field(default_factory=dict)
    #: participants' names found in personas and what replaced them
    renamed: list[dict[str, str]] = field(default_factory=list)
    #: how the reply was held to the schema (see ``StreamChunk.output_mode``)
    output_mode: str | None = None
    #: "vendor", "tokenizer" or "estimate"
    token_source: str = "vendor"

    def to_model(self, output_dir: str | None = None) -> GenerationResultModel:
        return GenerationResultModel(
            personas=self.personas, provider=self.provider, model=self.model,
            input_tokens=self.input_tokens, output_tokens=self.output_tokens,
            tokens_estimated=self.tokens_estimated, cost_usd=self.cost_usd,
            duration_s=round(self.duration_s, 3), warnings=self.warnings, errors=self.errors,
            output_dir=output_dir, raw_output=self.raw_output, status=self.status,
            reasons=self.reasons, unsupported_claims=self.unsupported_claims,
            unsupported_rate=self.unsupported_rate, renamed=self.renamed,
            output_mode=self.output_mode, token_source=self.token_source)


def chunk_prompt(documents: list[SourceDocument], persona: PersonaConfig, *,
                 structured: bool = True) -> tuple[list, dict | None, PassageIndex]:
    """One chunk's messages, its reply schema (None without structured output) and the
    numbered passages evidence refers to — built one way for a live run and a batch."""
    passages = PassageIndex(documents)
    names = offered_names(documents, persona.count, seed=persona.seed)
    messages = build_messages(documents, persona, passages=passages, names=names)
    schema = persona_schema(persona, passages=len(passages), names=names) \
        if structured else None
    return messages, schema, passages


#: the longest the stream's reader runs before letting the event loop do other work
PUMP_SLICE_S = 0.01


def _loop_has_work() -> bool:
    """Whether something else waits for the running loop: a callback ready (a key posted
    from the terminal's thread, a message) or a timer due (the next frame). Handing the loop
    on when nothing waits costs a wake-up, and with a worker thread running, the wait to
    get the GIL back. Without CPython's loop internals: always."""
    loop = asyncio.get_running_loop()
    ready, scheduled = getattr(loop, "_ready", None), getattr(loop, "_scheduled", None)
    if ready is None or scheduled is None:
        return True
    return bool(ready) or bool(scheduled) and scheduled[0].when() <= loop.time()


class _Stop(Exception):
    pass


class _Inbox:
    """What the stream's reader hands the run, in order, with one wake-up per batch.

    A fast reply is tens of thousands of chunks a second. Handing each one over (a queue's
    put, a get, a task switch) cost more than reading it: the run alone took 1.3-1.4x the
    bare stream. Here a chunk's text is appended to a list and the reader wakes the run only
    when it was waiting; the run takes everything that arrived since its last look, with
    the texts between two other items joined into one piece."""

    def __init__(self) -> None:
        self._items: collections.deque[tuple[str, Any]] = collections.deque()
        #: texts that arrived after the last item, joined when the run looks
        self._texts: list[str] = []
        self._waiting: asyncio.Future | None = None

    def text(self, text: str) -> None:
        self._texts.append(text)
        self._wake()

    def put(self, kind: str, item: Any) -> None:
        self._close_text()
        self._items.append((kind, item))
        self._wake()

    def _close_text(self) -> None:
        if self._texts:
            self._items.append(("text", "".join(self._texts)))
            self._texts = []

    def _wake(self) -> None:
        waiting, self._waiting = self._waiting, None
        if waiting is not None and not waiting.done():
            waiting.set_result(None)

    async def get(self) -> tuple[str, Any]:
        """The next item: ("text", str), ("chunk", the final chunk), ("retry", notice),
        ("error", exception) or ("end", None)."""
        while True:
            self._close_text()
            if self._items:
                return self._items.popleft()
            self._waiting = asyncio.get_running_loop().create_future()
            await self._waiting


class GenerationPipeline:
    def __init__(self, provider: LLMProvider, config: GenerationConfig) -> None:
        self.provider = provider
        self.config = config
        self.provider_name = config.provider_name or provider.name
        self.estimator = CostEstimator(config.pricing)
        self.parser = PersonaParser()

    # --- preparation -------------------------------------------------------------------------

    def load(self, data: Any) -> tuple[list[SourceDocument], list[str]]:
        if isinstance(data, list) and data and all(isinstance(d, SourceDocument) for d in data):
            return data, []
        loader = (self.config.data_loader or DataLoader)()
        documents = loader.load(data)
        return documents, list(loader.warnings)

    async def context_tokens(self) -> int:
        if self.config.context_tokens:
            return self.config.context_tokens
        length = None
        context_length = getattr(self.provider, "context_length", None)
        if context_length is not None:
            length = await context_length(self.config.model)
        return length or default_context_tokens(self.provider_name)

    def estimate(self, plan: PromptPlan) -> CostEstimate:
        return self.estimator.estimate(
            self.provider_name, self.config.model, input_tokens=plan.input_tokens,
            output_tokens=output_budget(self.config.persona) * len(plan.chunks),
            base_url=self.config.base_url, tokens_estimated=True)

    async def plan(self, data: Any, *, figures_only: bool = False
                   ) -> tuple[list[SourceDocument], PromptPlan, list[str]]:
        """The data's documents, the prompt plan and the warnings of both.

        ``figures_only`` (an estimate): when ``data`` is more than a few MB on disk, it is
        loaded and planned in a child process and only the plan's figures come back (no
        documents; see :mod:`persona_tui.core.generation.figures`)."""
        paths = data_paths(data) if figures_only else None
        if paths is not None and await asyncio.to_thread(exceeds, paths):
            context_tokens = await self.context_tokens()
            loader = (self.config.data_loader or DataLoader)()
            plan, warnings = await call_in_child(plan_figures, paths, loader,
                                                 self.config.persona, context_tokens)
            return [], plan, warnings + plan.warnings
        # reading and decoding the files blocks: a thread keeps the caller's event loop free
        # (a 12.5 MB folder froze the app for a quarter of a second per estimate)
        documents, warnings = await asyncio.to_thread(self.load, data)
        context_tokens = await self.context_tokens()
        plan = await asyncio.to_thread(plan_prompts, documents, self.config.persona,
                                       context_tokens)
        return documents, plan, warnings + plan.warnings

    # --- running -----------------------------------------------------------------------------

    async def run(self, data: Any, *, on_event: Callable[[GenerationEvent], Any] | None = None
                  ) -> GenerationResult:
        result = None
        async for event in self.stream(data):
            if on_event is not None:
                outcome = on_event(event)
                if asyncio.iscoroutine(outcome):
                    await outcome
            if isinstance(event, Finished):
                result = event.result
            elif isinstance(event, Failed):
                raise event.error
        assert result is not None
        return result

    async def stream(self, data: Any) -> AsyncIterator[GenerationEvent]:
        started = time.monotonic()
        try:
            documents, plan, warnings = await self.plan(data)
            check_budget(self.estimate(plan), self.config.persona.budget,
                         allow_unpriced=self.config.allow_unpriced)
        except PersonaError as exc:
            yield Failed(exc)
            return
        for warning in warnings:
            yield GenerationWarning(warning)
        # the run's name guard reads every capitalised word of the documents: in a thread,
        # like loading them (on a large folder it held the caller's loop for a second)
        run = await asyncio.to_thread(_Run, self, documents, plan, started, warnings)
        async for event in run.events():
            yield event


class _Run:
    """One generation run's mutable state (kept out of the pipeline, which is reusable)."""

    def __init__(self, pipeline: GenerationPipeline, documents: list[SourceDocument],
                 plan: PromptPlan, started: float, warnings: list[str]) -> None:
        self.p = pipeline
        self.documents = documents
        self.plan = plan
        self.started = started
        self.warnings = list(warnings)
        self.errors: list[str] = []
        self.raw: list[str] = []
        self.personas: list[Persona] = []
        self.announced = 0
        self._scanner = ObjectScanner()
        self._found: list[Persona] = []
        self.guard = NameGuard(documents, seed=pipeline.config.persona.seed)
        #: the candidates parsed while the chunk streams, each checked by the name guard
        #: once; its final parse reuses them
        self._known = KnownItems(self.guard.check, enough=self._enough)
        self.input_tokens = 0
        self.output_tokens = 0
        self.estimated = False
        self.ttft: float | None = None
        self.stopped: str | None = None
        self.passages: PassageIndex | None = None
        self.output_mode: str | None = None
        self.token_source = "vendor"
        self.cut_off = False

    def _price(self, input_tokens: int, output_tokens: int) -> float | None:
        return self.p.estimator.estimate(self.p.provider_name, self.p.config.model,
                                         input_tokens=input_tokens,
                                         output_tokens=output_tokens,
                                         base_url=self.p.config.base_url).total_cost

    def _usage(self, chunk_text: str, chunk_input: int) -> UsageUpdate:
        output = self.output_tokens + estimate_tokens(chunk_text)
        inputs = self.input_tokens + chunk_input
        elapsed = time.monotonic() - self.started
        generating = elapsed - (self.ttft or 0.0)
        return UsageUpdate(inputs, output, self._price(inputs, output), elapsed,
                           output / generating if generating > 0 and output else None,
                           estimated=True)

    async def events(self) -> AsyncIterator[GenerationEvent]:
        budget = self.p.config.persona.budget
        config = self.p.config
        for number, chunk_docs in enumerate(self.plan.chunks):
            # building, parsing and scoring run in threads: they read templates, import the
            # parser's and scorers' modules on first use and parse the whole reply, and the
            # caller's event loop (the app's) must stay free for keys and frames
            messages, schema, self.passages = await asyncio.to_thread(
                chunk_prompt, chunk_docs, config.persona, structured=config.structured_output)
            chunk_input = sum(estimate_tokens(m.content) + 4 for m in messages)
            inbox = _Inbox()
            task = asyncio.create_task(self._pump(messages, inbox, schema))
            self._scanner, self._found = ObjectScanner(), []
            self._known = KnownItems(self.guard.check, enough=self._enough)
            text_parts: list[str] = []
            last_parse = last_usage = 0.0
            final = None
            try:
                while True:
                    kind, item = await inbox.get()
                    if kind == "retry":
                        yield RetryWait(item.describe(), item.wait_s)
                    elif kind == "error":
                        raise item
                    elif kind == "end":
                        break
                    elif kind == "chunk":
                        final = item
                    else:  # text: every piece that arrived since the last look, joined
                        if self.ttft is None:
                            self.ttft = time.monotonic() - self.started
                        text_parts.append(item)
                        yield TextDelta(item, number)
                        now = time.monotonic()
                        if now - last_usage >= USAGE_EVERY_S:
                            last_usage = now
                            update = self._usage("".join(text_parts), chunk_input)
                            yield update
                            if budget is not None and update.cost_usd is not None \
                                    and update.cost_usd > budget:
                                self.stopped = "budget"
                                raise _Stop
                        if "}" in item and now - last_parse >= PARSE_EVERY_S:
                            last_parse = now
                            for event in await asyncio.to_thread(self._announce,
                                                                 "".join(text_parts)):
                                yield event
            except _Stop:
                self.warnings.append(f"stopped: the ${budget:.4f} budget was reached; "
                                     "the personas completed so far are kept")
            except ProviderError as exc:
                self.raw.append("".join(text_parts))
                yield Failed(exc, "\n".join(self.raw))
                return
            finally:
                if not task.done():
                    task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            text = "".join(text_parts)
            self.raw.append(text)
            await asyncio.to_thread(self._absorb, text, final, chunk_input)
            for event in self._announce_all():
                yield event
            if self.stopped:
                break
        yield await asyncio.to_thread(self._finish)

    async def _pump(self, messages, inbox: _Inbox, schema: dict | None = None) -> None:
        config = self.p.config
        seed = config.persona.seed if getattr(self.p.provider, "supports_seed", True) else None

        def on_retry(notice: RetryNotice) -> None:
            inbox.put("retry", notice)

        # A fast reply arrives faster than it is parsed: the socket's buffer then always holds
        # the next chunk, the stream never suspends, and this task kept the event loop to
        # itself for hundreds of milliseconds (no frame drawn, no key handled). It hands the
        # loop on at least every PUMP_SLICE_S.
        hand_on = time.perf_counter() + PUMP_SLICE_S
        try:
            async for chunk in self.p.provider.stream(
                    messages, model=config.model, temperature=config.persona.temperature,
                    max_tokens=output_budget(config.persona), json_mode=True,
                    on_retry=on_retry, response_schema=schema, seed=seed):
                if chunk.text and not chunk.done:
                    inbox.text(chunk.text)
                elif chunk.done:
                    inbox.put("chunk", chunk)
                if time.perf_counter() >= hand_on:
                    if _loop_has_work():
                        await asyncio.sleep(0)
                    hand_on = time.perf_counter() + PUMP_SLICE_S
        except Exception as exc:  # handed to the consumer, which decides what it means
            inbox.put("error", exc)
        else:
            inbox.put("end", None)

    def _announce(self, text: str) -> list[GenerationEvent]:
        """Personas newly complete in the text so far (of the chunk being streamed): only
        the objects closed since the last look are parsed, so a long reply is not parsed
        over and over while it streams.

        Only those the run can keep are announced, as :meth:`_absorb` will keep them (a
        name once, at most ``count`` per chunk): a model asked for 3 that writes 74 showed
        74 while it streamed and kept 3. Once the run has all it keeps, nothing more is
        read (see :class:`KnownItems`' ``enough``)."""
        for raw in self._scanner.feed(text):
            if self._enough(self._found):
                break  # the run keeps no more: the final parse does not read the rest either
            self._found += self._parse_live(raw)
        kept = _merge(self.personas, self._found, self._limit)
        events = [PersonaParsed(kept[index], index)
                  for index in range(self.announced, len(kept))]
        self.announced = max(self.announced, len(kept))
        return events

    def _parse_live(self, raw: str) -> list[Persona]:
        """The personas of one object closed while the reply streams, name-checked once
        (:attr:`_known` keeps them for the final parse)."""
        return self.p.parser.parse(raw, sources=self.documents, passages=self.passages,
                                   known=self._known).personas

    def _enough(self, personas: list[Persona]) -> bool:
        """Whether ``personas`` (of the chunk being read) fill what the run keeps."""
        return len(_merge(self.personas, personas, self._limit)) >= self._limit

    @property
    def _limit(self) -> int:
        """How many personas the run keeps from its chunks, all together, before the best
        ``count`` are chosen."""
        return self.p.config.persona.count * len(self.plan.chunks)

    def _absorb(self, text: str, final, chunk_input: int) -> None:
        # the whole reply is the authority; what was parsed (and name-checked) while it
        # streamed is reused: the same result for a fraction of the work, and this runs
        # while the app draws. Copies: what was announced stays apart from the result.
        result = self.p.parser.parse(text, sources=self.documents, passages=self.passages,
                                     known=self._known)
        self.warnings += [w for w in result.warnings if w not in self.warnings]
        self.errors += result.errors
        checked = [p.model_copy() for p in result.personas]
        self.personas = _merge(self.personas, checked, self._limit)
        if final is not None:
            self.output_mode = final.output_mode or self.output_mode
            if final.finish_reason in ("length", "max_tokens", "MAX_TOKENS"):
                self.cut_off = True
        if final is not None and final.usage is not None:
            self.input_tokens += final.usage.input_tokens
            self.output_tokens += final.usage.output_tokens
            self.estimated = self.estimated or final.usage.estimated
            if final.usage.source != "vendor" and self.token_source != "estimate":
                self.token_source = final.usage.source
        else:  # stopped early: our own estimate
            self.input_tokens += chunk_input
            self.output_tokens += estimate_tokens(text)
            self.estimated = True
            self.token_source = "estimate"

    def _announce_all(self) -> list[GenerationEvent]:
        events = [PersonaParsed(p, i) for i, p in enumerate(self.personas)
                  if i >= self.announced]
        self.announced = max(self.announced, len(self.personas))
        return events

    def _finish(self) -> GenerationEvent:
        count = self.p.config.persona.count
        personas = _best(self.personas, count)
        if len(self.plan.chunks) > 1 and len(self.personas) > count:
            self.warnings.append(f"{len(self.personas)} personas came from "
                                 f"{len(self.plan.chunks)} chunks; kept the {count} with the "
                                 "most verified evidence")
        config = self.p.config.persona
        cap = output_budget(config)
        if self.cut_off:
            self.warnings.append(f"the reply reached the {cap:,}-token cap and was cut off: "
                                 "raise max tokens (--max-tokens, or Max tokens on the "
                                 "Generate screen)")
        fixed = getattr(self.p.provider, "base_url_fixed", None)
        if fixed:
            self.warnings.append(f"the base URL {fixed[0]} has no /v1; used {fixed[1]} "
                                 "(save it on the Providers screen)")
        if config.seed is not None and not getattr(self.p.provider, "supports_seed", True):
            self.warnings.append(f"{self.p.provider_name} takes no seed; it was not sent")
        if not personas:
            hint = ("Raise max tokens (--max-tokens, or Max tokens on the Generate screen), "
                    "retry, or try a larger model." if self.cut_off else
                    "Retry, lower the temperature (--temperature), or try a model that "
                    "follows JSON instructions.")
            error = GenerationError(
                "no personas could be read from the model's reply"
                + (f": {self.errors[0]}" if self.errors else ""),
                partial_text="\n".join(self.raw), hint=hint)
            return Failed(error, "\n".join(self.raw))
        unverified = sum(1 for p in personas for e in p.evidence if not e.verified)
        cost = self._price(self.input_tokens, self.output_tokens)
        result = GenerationResult(
            personas=personas, provider=self.p.provider_name, model=self.p.config.model,
            raw_output="\n".join(self.raw), input_tokens=self.input_tokens,
            output_tokens=self.output_tokens, tokens_estimated=self.estimated, cost_usd=cost,
            duration_s=time.monotonic() - self.started, ttft_s=self.ttft,
            warnings=self.warnings, errors=self.errors, mode=self.plan.mode,
            chunks=len(self.plan.chunks), metrics=metric_registry.score(personas),
            stopped=self.stopped, documents=self.documents, output_mode=self.output_mode,
            token_source="estimate" if self.estimated else self.token_source)
        kept = {p.name for p in personas}
        clashes = [c for c in self.guard.clashes
                   if c.replaced_with in kept or c.field != "name"]
        report = assess(personas, config, asked=config.count, errors=self.errors,
                        clashes=clashes, stopped=self.stopped)
        result.status, result.reasons = report.status, report.reasons
        result.unsupported_claims = report.unsupported
        result.unsupported_rate = report.unsupported_rate
        result.renamed = [c.to_dict() for c in clashes]
        if unverified and not any("not found in their sources" in w for w in self.warnings):
            result.warnings.append(f"{unverified} evidence excerpts are unverified")
        return Finished(result)


def _key(persona: Persona) -> str:
    return " ".join(persona.name.casefold().split())


def _merge(existing: list[Persona], new: list[Persona], limit: int) -> list[Persona]:
    seen = {_key(p) for p in existing}
    merged = list(existing)
    for persona in new:
        if _key(persona) not in seen:
            merged.append(persona)
            seen.add(_key(persona))
    return merged[:max(limit, len(existing))]


def _best(personas: list[Persona], count: int) -> list[Persona]:
    if len(personas) <= count:
        return personas
    ranked = sorted(personas, key=lambda p: -sum(e.verified for e in p.evidence))
    keep = {id(p) for p in ranked[:count]}
    return [p for p in personas if id(p) in keep]


__all__ = ["GenerationConfig", "GenerationPipeline", "GenerationResult", "chunk_prompt"]
