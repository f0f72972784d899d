"""``persona-tui probe CARD --provider P``: how often does the role-played card invent?

The groundedness probe (:mod:`persona_tui.core.scripts.probe`) asks the card questions its
data answers and questions it cannot; each reply is judged grounded, declined or invented.
Every reply is also checked against the card's sources for leaks. Progress goes to stderr,
the report (or ``--json``) to stdout, and the score to the card's audit log (not for the
bundled samples, which are read-only). Exit status: 0 when the score meets ``--min-score``,
1 below it or when the provider fails, 2 for a usage or data error.
"""

from __future__ import annotations

import json
import sys

from persona_tui.commands.roleplay_setup import is_packaged, load_stage, report_error
from persona_tui.core.errors import ConfigurationError, DataError, PersonaError, ValidationError
from persona_tui.core.utils.async_helpers import run_sync
from persona_tui.core.utils.sanitize import strip_control
from persona_tui.services.context import AppContext
from persona_tui.services.trial import DEFAULT_MIN_SCORE, TrialService


def _line(text: str, limit: int = 110) -> str:
    text = " ".join(strip_control(text).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


async def _probe(service: TrialService, stage, opened, judge_model: str | None, check,
                 progress: bool):
    """The app's probe (:meth:`TrialService.probe`), each reply checked for leaks; the
    score is recorded by the caller (never for a bundled sample's read-only file)."""
    leaks: dict[int, list] = {}

    def answered(answer) -> None:
        if check is not None:
            found = check(answer.reply)
            if found:
                leaks[id(answer)] = found
        if progress:
            print(f"  [{answer.judgement}] {_line(answer.question.question, 70)}",
                  file=sys.stderr)

    result = await service.probe(stage.card, stage.card_path, opened=opened,
                                 judge_model=judge_model, on_answer=answered, record=False)
    return result, leaks


def run_probe(card_path: str, sources: list[str] | None, *, provider: str,
              model: str | None = None, base_url: str | None = None,
              min_score: float = DEFAULT_MIN_SCORE, judge_model: str | None = None,
              json_output: bool = False) -> int:
    if not 0.0 <= min_score <= 1.0:
        report_error(ValidationError("--min-score must be between 0 and 1",
                                     field="min_score", hint="Give a score such as 0.8."),
                     json_output=json_output)
        return 2
    try:
        service = TrialService(AppContext.default())
        stage = load_stage(card_path, sources)
        check = service.leak_check(stage.sources)
        opened = service.open(provider, model, base_url)
        model = opened[1]
    except (DataError, ValidationError, ConfigurationError) as exc:
        report_error(exc, json_output=json_output)
        return 2
    if not json_output:
        print(f"probing {_line(stage.card.identity.name, 60)} with {provider}/{model}…",
              file=sys.stderr)
    try:
        result, leaks = run_sync(_probe(service, stage, opened, judge_model, check,
                                        progress=not json_output))
    except ConfigurationError as exc:
        report_error(exc, json_output=json_output)
        return 2
    except PersonaError as exc:
        report_error(exc, json_output=json_output)
        return 1
    if not is_packaged(stage.card_path):
        try:
            service.record_probe(stage.card, stage.card_path, result)
        except OSError as exc:
            print(f"warning: the score was not recorded: {exc.strerror or exc}",
                  file=sys.stderr)
    passed = result.score >= min_score
    if json_output:
        payload = result.to_dict()
        payload.update({"card": stage.card.id, "min_score": min_score, "passed": passed,
                        "sources": stage.sources})
        for entry, answer in zip(payload["questions"], result.answers, strict=True):
            entry["leaks"] = [f.to_dict() for f in leaks.get(id(answer), [])]
        print(json.dumps(payload, indent=2, ensure_ascii=False))
        return 0 if passed else 1
    unanswerable = [a for a in result.answers if not a.question.answerable]
    answerable = [a for a in result.answers if a.question.answerable]
    for number, answer in enumerate(result.answers, start=1):
        kind = "answerable" if answer.question.answerable else "unanswerable"
        print(f"{number:2}. [{answer.judgement}] ({kind}) {_line(answer.question.question)}")
        print(f"    reply: {_line(answer.reply) or '(none)'}")
        print(f"    why:   {_line(answer.reason)}")
        for finding in leaks.get(id(answer), []):
            print(f"    LEAK:  {finding.kind} ({finding.severity}): {_line(finding.text, 80)}")
    declined = sum(a.judgement == "declined" for a in unanswerable)
    grounded = sum(a.judgement == "grounded" for a in answerable)
    print(f"\ngroundedness {result.score:.2f}: declined {declined}/{len(unanswerable)} "
          f"unanswerable, grounded {grounded}/{len(answerable)} answerable "
          f"({'meets' if passed else 'below'} {min_score:.2f}; judged by "
          f"{judge_model or 'rules'})")
    if leaks:
        print(f"{len(leaks)} repl{'y' if len(leaks) == 1 else 'ies'} leaked source material",
              file=sys.stderr)
    return 0 if passed else 1
