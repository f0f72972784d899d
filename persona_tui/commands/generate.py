"""``persona-tui generate``: personas from data without the UI.

Progress goes to stderr (a live line on a terminal, plain lines otherwise), the run is saved
as an experiment, and stdout gets a summary — or the result as JSON with ``--json``. The run
is the app's (:meth:`GenerationService.run`): a run that fails before the model produced
anything is not saved unless ``--experiment`` names where to record it. Exit
status: 0 ok, 1 generation failed or partial (0 for partial with ``--allow-partial``), 2 usage
or data error. Partial means the quality gate found a problem: fewer personas than asked,
claims without verified evidence, a persona renamed because it was named after a participant.
"""

from __future__ import annotations

import sys

from persona_tui.commands.errors import report_error
from persona_tui.core.errors import ConfigurationError, DataError, ValidationError
from persona_tui.core.utils.async_helpers import run_sync
from persona_tui.core.utils.sanitize import json_safe, strip_control, write_control
from persona_tui.services.context import AppContext
from persona_tui.services.generation import (
    GenerationService,
    GenerationWarning,
    PersonaParsed,
    RetryWait,
    RunEnded,
    RunRequest,
    UsageUpdate,
)


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
            self.line(f"persona {event.index + 1}: {event.persona.name}")
        elif isinstance(event, RetryWait):
            self.line(event.message)
        elif isinstance(event, GenerationWarning):
            self.line(f"warning: {event.message}")

    def line(self, text: str) -> None:
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
    study, as in the app. The run is the app's: :meth:`GenerationService.run`."""
    context = context or AppContext.default()
    service = GenerationService(context)
    provider = provider or context.default_provider
    try:
        config = service.persona_config(
            count=count, budget=budget, complexity=complexity, detail_level=detail,
            max_tokens=max_tokens, temperature=temperature, seed=seed)
        prepared = service.prepare(RunRequest(
            tuple(paths), provider, model or "", config, experiment=experiment,
            prefix="generate", base_url=base_url, allow_unpriced=allow_unpriced))
    except (ValidationError, ConfigurationError) as exc:  # usage: plain words, a code
        report_error(exc, json_output=json_output)
        return 2
    progress = _Progress()
    ended = run_sync(_relay(service.run(prepared), progress))
    if not ended.finished:
        error = ended.error
        report_error(error, json_output=json_output)
        if not json_output:
            progress.line(_where(ended))
        return 2 if isinstance(error, (DataError, ValidationError)) else 1
    if ended.save_error is not None:
        report_error(ended.save_error, json_output=json_output)
        return 1
    result = ended.result_model()
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


def _where(ended: RunEnded) -> str:
    if ended.saved_to is not None:
        return f"what the run produced is saved to {ended.saved_to}"
    return f"not saved: {ended.not_saved}"


async def _relay(events, progress: _Progress) -> RunEnded:
    """Every event to the progress line; the run's end (recorded by the service, also on
    Ctrl-C, before the interruption goes on)."""
    async for event in events:
        if isinstance(event, RunEnded):
            ended = event
            if event.status == "cancelled":  # Ctrl-C: said before the interruption goes on
                progress.line(f"cancelled; {_where(event)}")
        else:
            progress(event)
    return ended
