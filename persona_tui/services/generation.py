"""Generation for the app and the command line: cost estimates before spending, and whole
runs — one call plans the data, streams, records the run and says how it ended.

:meth:`GenerationService.run` is the one way a run is made outside the SDK. The Generate
screen relays its events as messages; ``persona-tui generate`` prints them. Everything that
blocks — building the generator (credentials, prices), reading and decoding the data,
hashing the inputs and writing the run — happens in threads, so the event loop (the app's
keys, the stream) never waits on a disk.

What is recorded, and where:

- A run that produced anything (text, tokens, personas) is recorded as an experiment run,
  through the experiment SDK, whether it finished, failed or was cancelled: nothing paid for
  is lost. Cancelling records the partial run before the cancellation goes on.
- A run that failed, or was cancelled, before the model produced anything (data that cannot
  be read, no key, a budget the estimate is over, a server that is not there) leaves nothing
  on disk: the error says why, and there is no experiment folder holding only the failure.
  A run into an experiment the user named (``persona-tui generate --experiment NAME``) is
  always recorded there, failures included: that experiment's history is what they asked for.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from functools import cached_property
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError as PydanticValidationError

from persona_tui.core.cost import CostEstimate
from persona_tui.core.errors import GenerationError, PersonaError, from_pydantic
from persona_tui.core.experiments import RunObserver, persona_markdown, run_pricer
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
from persona_tui.core.generation.figures import exceeds
from persona_tui.core.models.options import ExperimentConfig, PersonaConfig
from persona_tui.core.providers.registry import PROVIDER_NAMES
from persona_tui.sdk.async_experiment import AsyncExperimentSDK
from persona_tui.sdk.async_generator import AsyncPersonaGenerator
from persona_tui.services.context import AppContext
from persona_tui.services.documents import DocumentCache
from persona_tui.services.sample import SAMPLE, resolve_data, sample_data

PROVIDER_CHOICES = PROVIDER_NAMES


class RunCancelled(PersonaError):
    """Why a cancelled run ended, as its record says."""

    default_code = "E4001"


@dataclass(frozen=True)
class RunRequest:
    """What to run: the data as typed (``sample`` names the bundled study), the provider
    and model (blank: config.toml's), the persona options, and optionally the experiment
    to record it in (None: a new one named ``{prefix}-<date>-<time>``)."""

    data: str | tuple[str, ...]
    provider: str
    model: str = ""
    config: PersonaConfig = field(default_factory=PersonaConfig)
    experiment: str | None = None
    prefix: str = "app"
    base_url: str | None = None
    allow_unpriced: bool = False


@dataclass
class PreparedRun:
    """A request checked and ready: its generator and the experiment it is recorded in."""

    request: RunRequest
    generator: AsyncPersonaGenerator
    experiment: ExperimentConfig
    #: the user named the experiment: record the run there even if it produced nothing
    named: bool

    @property
    def model(self) -> str:
        return self.generator.model


@dataclass(frozen=True)
class RunEnded:
    """The last event of every run: how it ended and where it was recorded.

    ``status``: ``ok`` or ``partial`` (finished; see the result's reasons), ``failed`` or
    ``cancelled``. ``saved_to`` is the run's folder, or None when nothing was recorded;
    ``not_saved`` then says why (nothing was produced, or the write itself failed, with
    ``save_error``).
    """

    status: str
    result: Any = None  # the GenerationResult of a finished run
    error: BaseException | None = None  # why it failed or stopped
    partial_text: str = ""
    saved_to: Path | None = None
    not_saved: str = ""
    save_error: PersonaError | None = None

    @property
    def finished(self) -> bool:
        return self.result is not None

    def result_model(self):
        """The finished run as the SDK returns it (``output_dir``: the run's folder)."""
        return self.result.to_model(
            output_dir=str(self.saved_to) if self.saved_to is not None else None)


RunEvent = GenerationEvent | RunEnded

NOTHING_PRODUCED = "nothing was produced, so there is nothing to keep"


class GenerationService:
    def __init__(self, context: AppContext) -> None:
        self.context = context
        self.paths = context.paths
        self.documents = DocumentCache(lambda: context.data_loader())

    SAMPLE = SAMPLE
    sample_data = staticmethod(sample_data)

    @cached_property
    def experiments(self) -> AsyncExperimentSDK:
        """Where runs are recorded; first used by :meth:`prepare`, in a thread (opening the
        store tidies the temporary files of writes killed mid-way: a walk of the folder)."""
        return AsyncExperimentSDK(context=self.context)

    @staticmethod
    def resolve(data: str) -> str:
        return resolve_data(data)

    @staticmethod
    def data_paths(data: str | tuple[str, ...] | list[str]) -> list[str]:
        """The paths a run reads: one as typed, or several (``sample`` resolved in each)."""
        return [resolve_data(d) for d in ([data] if isinstance(data, str) else data)]

    def default_model(self, provider: str) -> str:
        return self.context.default_model(provider)

    @property
    def default_provider(self) -> str:
        return self.context.default_provider

    @property
    def default_budget(self) -> float | None:
        return self.context.settings.generation.budget_usd

    @staticmethod
    def persona_config(**options: Any) -> PersonaConfig:
        """Persona options given as values (the command line's): unset ones (None) stay
        unset so config.toml's defaults apply; an out-of-range value raises E1101 in plain
        words."""
        try:
            return PersonaConfig(**{k: v for k, v in options.items()
                                    if v is not None or k == "budget"})
        except PydanticValidationError as exc:
            raise from_pydantic(exc, what="invalid option") from None

    def _generator(self, provider: str, model: str, *, base_url: str | None = None,
                   allow_unpriced: bool = False) -> AsyncPersonaGenerator:
        return AsyncPersonaGenerator(provider, model or None, base_url=base_url,
                                     allow_unpriced=allow_unpriced, context=self.context)

    async def _agenerator(self, provider: str, model: str) -> AsyncPersonaGenerator:
        """Built in a thread: the first one reads credentials.toml and the price table."""
        return await asyncio.to_thread(self._generator, provider, model)

    async def _load(self, data: str | tuple[str, ...]) -> tuple[list, list[str]]:
        """The data's documents and the loader's warnings: read in a thread, and read again
        only when a file changed (see :mod:`persona_tui.services.documents`)."""
        return await asyncio.to_thread(self.documents.load, self.data_paths(data))

    async def estimate(self, data: str, provider: str, model: str,
                       config: PersonaConfig) -> CostEstimate:
        generator = await self._agenerator(provider, model)
        paths = self.data_paths(data)
        if await asyncio.to_thread(exceeds, paths):
            # a large data set: loaded and planned in a child process that a cancelled
            # estimate kills (a thread would slow the app's keys and load on after the user
            # typed past); only the figures come back (a run loads it again, in a thread)
            return await generator.aestimate_cost(paths, config=config)
        documents, _ = await self._load(data)
        return await generator.aestimate_cost(documents, config=config)

    # --- runs --------------------------------------------------------------------------------

    def prepare(self, request: RunRequest) -> PreparedRun:
        """Check a request and build what runs it; raises what the user must fix (a
        malformed key, an invalid experiment name). Blocks: reads credentials."""
        generator = self._generator(request.provider, request.model,
                                    base_url=request.base_url,
                                    allow_unpriced=request.allow_unpriced)
        name = request.experiment or f"{request.prefix}-{datetime.now():%Y%m%d-%H%M%S}"
        try:
            experiment = ExperimentConfig(
                name=name, provider=request.provider, model=generator.model or None,
                persona=generator.persona_defaults(request.config),
                data_paths=self.data_paths(request.data))
        except PydanticValidationError as exc:
            raise from_pydantic(exc, what="invalid option") from None
        # opens the store here, in the caller's thread, and refuses an unsafe name (E1102)
        self.experiments.store.folder(name)
        return PreparedRun(request, generator, experiment, named=request.experiment is not None)

    async def run(self, request: RunRequest | PreparedRun) -> AsyncIterator[RunEvent]:
        """One whole run: the generation's events (text, personas, usage, waits, warnings),
        then one :class:`RunEnded`. The finished or failed generation itself is reported
        only by ``RunEnded`` (the SDK's ``Finished``/``Failed`` are not passed on).

        Cancelling the consumer records what the run produced, yields ``RunEnded``
        (``cancelled``) and then lets the cancellation go on.
        """
        started = datetime.now(UTC)
        prepared: PreparedRun | None = None
        observed: RunObserver | None = None
        result, error = None, None
        try:
            prepared = request if isinstance(request, PreparedRun) else \
                await asyncio.to_thread(self.prepare, request)
            documents, warnings = await self._load(prepared.request.data)
            for warning in warnings:
                yield GenerationWarning(warning)
            observed = RunObserver(price=run_pricer(prepared.generator, prepared.experiment))
            async for event in prepared.generator.astream(documents,
                                                          prepared.request.config):
                observed(event)
                if isinstance(event, Finished):
                    result = event.result
                elif isinstance(event, Failed):
                    error = event.error
                else:
                    yield event
        except asyncio.CancelledError:
            ended = await self._record(prepared, started, observed, status="cancelled",
                                       error=RunCancelled("cancelled before the run finished"))
            yield ended  # the consumer hears where it went; then the cancellation goes on
            raise
        except PersonaError as exc:
            error = exc
        except Exception as exc:  # noqa: BLE001 - recorded and reported, never lost
            error = exc
        if result is not None:
            yield await self._record(prepared, started, observed, result=result,
                                     status=getattr(result, "status", "ok"))
        else:
            yield await self._record(prepared, started, observed, status="failed",
                                     error=error or GenerationError("the run ended without "
                                                                    "a result"))

    async def _record(self, prepared: PreparedRun | None, started: datetime,
                      observed: RunObserver | None, *, status: str, result: Any = None,
                      error: BaseException | None = None) -> RunEnded:
        partial = observed.text if observed is not None else ""
        produced = result is not None or (observed is not None and observed.produced)
        if prepared is None or not (produced or prepared.named):
            return RunEnded(status, result, error, partial, not_saved=NOTHING_PRODUCED)
        try:
            folder = await self.experiments.arecord_run(
                prepared.experiment, started=started, result=result, error=error,
                observed=observed if error is not None else None, status=status)
        except PersonaError as exc:
            return RunEnded(status, result, error, partial, not_saved=exc.message,
                            save_error=exc)
        except OSError as exc:  # a full disk, a folder that went away
            problem = GenerationError(f"the run could not be saved: {exc.strerror or exc}",
                                      hint="Free some space or check the data folder, then "
                                           "run again; the output is still on screen.")
            return RunEnded(status, result, error, partial, not_saved=problem.message,
                            save_error=problem)
        return RunEnded(status, result, error, partial, saved_to=folder)


__all__ = ["NOTHING_PRODUCED", "PROVIDER_CHOICES", "CostEstimate", "Failed", "Finished",
           "GenerationError", "GenerationEvent", "GenerationService", "GenerationWarning",
           "PersonaConfig", "PersonaParsed", "PreparedRun", "RetryWait", "RunCancelled",
           "RunEnded", "RunEvent", "RunRequest", "TextDelta", "UsageUpdate",
           "persona_markdown"]
