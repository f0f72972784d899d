"""``persona-tui generate``: personas from data without the UI.

Progress goes to stderr (a live line on a terminal, plain lines otherwise), the run is saved
as an experiment, and stdout gets a summary — or the result as JSON with ``--json``. Exit
status: 0 ok, 1 generation failed or partial (0 for partial with ``--allow-partial``), 2 usage
or data error. Partial means the quality gate found a problem: fewer personas than asked,
claims without verified evidence, a persona renamed because it was named after a participant.
"""

from __future__ import annotations

import sys
from datetime import datetime

from pydantic import ValidationError as PydanticValidationError

from persona_tui.commands.errors import report_error
from persona_tui.core.errors import (
    ConfigurationError,
    DataError,
    PersonaError,
    ValidationError,
    from_pydantic,
)
from persona_tui.core.generation.events import (
    GenerationWarning,
    PersonaParsed,
    RetryWait,
    UsageUpdate,
)
from persona_tui.core.models.options import ExperimentConfig
from persona_tui.core.utils.async_helpers import run_sync
from persona_tui.core.utils.sanitize import json_safe, strip_control, write_control
from persona_tui.sdk.async_experiment import AsyncExperimentSDK
from persona_tui.sdk.async_generator import AsyncPersonaGenerator
from persona_tui.services.context import AppContext
from persona_tui.services.sample import resolve_data


class _Progress:
    def __init__(self) -> None:
        self.live = sys.stderr.isatty()
        self.personas = 0

    def __call__(self, event) -> None:
        if isinstance(event, UsageUpdate) and self.live:
            cost = "unknown" if event.cost_usd is None else f"${event.cost_usd:.4f}"
            rate = f"{event.tokens_per_s:.0f} tok/s" if event.tokens_per_s else "…"
            write_control(sys.stderr, "\r")
            approx = "≈" if event.estimated else ""
            sys.stderr.write(f"  {approx}{event.output_tokens:,} tokens · {rate} · "
                             f"{event.elapsed_s:.1f} s · {cost} · {self.personas} personas   ")
            sys.stderr.flush()
        elif isinstance(event, PersonaParsed):
            self.personas += 1
            self._line(f"persona {event.index + 1}: {event.persona.name}")
        elif isinstance(event, RetryWait):
            self._line(event.message)
        elif isinstance(event, GenerationWarning):
            self._line(f"warning: {event.message}")
        # a Failed event is not printed: the run raises its error next, and the command
        # reports it once (report_error), on stdout as JSON with --json

    def _line(self, text: str) -> None:
        if self.live:
            write_control(sys.stderr, "\r\x1b[K")  # our own: clear the live line
        sys.stderr.write(f"{strip_control(text)}\n")
        sys.stderr.flush()


def run_generate(paths: list[str], *, provider: str | None, model: str | None, count: int,
                 budget: float | None, experiment: str | None, json_output: bool,
                 complexity: str = "moderate", detail: str = "standard",
                 allow_unpriced: bool = False, base_url: str | None = None,
                 max_tokens: int | None = None, temperature: float | None = None,
                 seed: int | None = None, allow_partial: bool = False,
                 context: AppContext | None = None) -> int:
    """``provider`` None: ``[generation] default_provider``; ``sample`` names the bundled
    study, as in the app."""
    context = context or AppContext.default()
    provider = provider or context.default_provider
    try:
        generator = AsyncPersonaGenerator(provider, model, base_url=base_url,
                                          allow_unpriced=allow_unpriced, context=context)
        persona = generator.persona_config(
            count=count, budget=budget, complexity=complexity, detail_level=detail,
            max_tokens=max_tokens, temperature=temperature, seed=seed)
        name = experiment or f"generate-{datetime.now():%Y%m%d-%H%M%S}"
        config = ExperimentConfig(name=name, provider=provider, model=generator.model,
                                  persona=persona, data_paths=[resolve_data(p) for p in paths])
    except PydanticValidationError as exc:  # out-of-range count, budget, name: plain words
        report_error(from_pydantic(exc, what="invalid option"), json_output=json_output)
        return 2
    except (ValidationError, ConfigurationError) as exc:
        report_error(exc, json_output=json_output)
        return 2
    sdk = AsyncExperimentSDK(generator_factory=lambda _: generator, context=context)
    try:
        sdk.store.create(config, overwrite=True)
        result = run_sync(sdk.run(name, on_progress=_Progress()))
    except (DataError, ValidationError) as exc:
        report_error(exc, json_output=json_output)
        return 2
    except PersonaError as exc:  # --json: the error object on stdout, as every command does
        report_error(exc, json_output=json_output)
        return 1
    code = 0 if result.status == "ok" or allow_partial else 1
    if json_output:
        print(json_safe(result.model_dump_json(indent=2)))
        return code
    cost = "unknown (no price for this model)" if result.cost_usd is None else \
        f"${result.cost_usd:.4f}"
    counts = {"estimate": " (estimated)", "tokenizer": " (counted by the server's tokenizer)"}
    print(f"{result.status}: {len(result.personas)} persona(s) from {provider}/{result.model} "
          f"in {result.duration_s:.1f} s; {result.input_tokens:,} tokens in, "
          f"{result.output_tokens:,} out{counts.get(result.token_source, '')}; cost {cost}")
    for reason in result.reasons:
        print(f"  partial: {strip_control(reason)}")
    for persona in result.personas:
        verified = sum(e.verified for e in persona.evidence)
        rate = result.unsupported_rate.get(persona.id)
        support = f", {rate:.0%} of claims unsupported" if rate else ""
        print(f"  - {strip_control(persona.name)}: {strip_control(persona.title)} "
              f"({verified}/{len(persona.evidence)} evidence verified{support})")
    for warning in result.warnings:
        print(f"warning: {strip_control(warning)}", file=sys.stderr)
    print(f"saved to {result.output_dir}")
    if code and result.status == "partial":
        print("the run is partial (see above); --allow-partial accepts it", file=sys.stderr)
    return code


