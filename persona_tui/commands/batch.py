"""``persona-tui batch …``: large studies on the vendors' batch engines or a vLLM file.

    batch submit --from PATH [--from PATH…] --provider P [--model M] [--count N]
                 [--experiment NAME] [--json]        prints the job id
    batch status JOB [--json]                        exit 0 whatever the job's state
    batch collect JOB [--results FILE] [--json]      0 when every study has personas
    batch cancel JOB
    batch resubmit JOB [--json]                      the failed requests, alone
    batch requests JOB --out FILE                    the JSONL for `vllm run-batch -i`
    batch list [--json]

Exit status: 0 success, 1 when the job failed or is not finished (or a provider failed),
2 for usage or data errors. The estimate (interactive and batch price) goes to stderr before
anything is sent. With ``--json`` a failure prints ``{"error": {code, message, hint}}`` on
stdout.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from persona_tui.commands.errors import report_error
from persona_tui.core.errors import (
    AuthenticationError,
    ConfigurationError,
    DataError,
    PersonaError,
    ValidationError,
    from_pydantic,
)
from persona_tui.core.utils.sanitize import dumps, strip_control

EXIT_OK, EXIT_PROBLEM, EXIT_USAGE = 0, 1, 2


def _fail(exc: Exception, json_output: bool) -> int:
    from pydantic import ValidationError as PydanticValidationError

    if isinstance(exc, PydanticValidationError):  # an out-of-range option: plain words
        exc = from_pydantic(exc, what="invalid option")
    usage = isinstance(exc, (DataError, ValidationError, ValueError)) or (
        isinstance(exc, ConfigurationError) and not isinstance(exc, AuthenticationError))
    if not isinstance(exc, PersonaError):  # a bad value from argparse's side: a usage error
        exc = ValidationError(str(exc), hint="Correct the value and try again.")
    report_error(exc, json_output=json_output)
    return EXIT_USAGE if usage else EXIT_PROBLEM


def _job_dict(job) -> dict[str, Any]:
    record = job.record
    return {"id": job.id, "provider": job.provider, "model": job.model, "status": job.status,
            "experiment": job.experiment,
            "request_counts": job.request_counts.model_dump(),
            "estimate": record.estimate.model_dump(), "parent": record.parent,
            "children": record.children,
            "failed_requests": {cid: r.error for cid, r in job.failed_requests().items()},
            "warnings": [strip_control(w) for w in record.warnings],
            "created_at": record.created_at}


def _line(job) -> str:
    counts = job.request_counts
    return (f"{job.id}  {job.provider}/{strip_control(job.model)}  {job.status}  "
            f"{counts.completed}/{counts.total} done, {counts.failed} failed  "
            f"experiment {job.experiment}")


def run_batch(args, context=None) -> int:
    """``context``: the application context (keys, URLs, settings, folders); the process's
    default when None."""
    json_output = getattr(args, "json", False)
    try:
        from persona_tui.services.batches import BatchService
        from persona_tui.services.context import AppContext

        args.service = BatchService(context or AppContext.default())  # the app's batches
        handler = {"submit": _submit, "status": _status, "collect": _collect,
                   "cancel": _cancel, "resubmit": _resubmit, "requests": _requests,
                   "list": _list}[args.batch_command]
        return handler(args)
    except (PersonaError, ValueError) as exc:
        return _fail(exc, json_output)


def _submit(args) -> int:
    from persona_tui.services.sample import resolve_data

    persona = args.service.persona_config(count=args.count, budget=args.budget)

    def show(estimate) -> None:
        print(f"estimate: {estimate.describe()}", file=sys.stderr)

    job = args.service.submit_job(
        [resolve_data(p) for p in args.paths], persona, provider=args.provider,
        model=args.model, base_url=args.base_url, experiment=args.experiment,
        allow_unpriced=args.allow_unpriced, on_estimate=show)
    if args.provider == "vllm-file":
        print(f"run: vllm run-batch -i {job.folder / 'requests.jsonl'} -o results.jsonl "
              f"--model {strip_control(job.model)}", file=sys.stderr)
        print(f"then: persona-tui batch collect {job.id} --results results.jsonl",
              file=sys.stderr)
    print(dumps(_job_dict(job), indent=2) if args.json else job.id)
    return EXIT_OK


def _load(args):
    return args.service.load(args.job, base_url=getattr(args, "base_url", None))


def _status(args) -> int:
    job = _load(args).refresh()
    if args.json:
        print(dumps(_job_dict(job), indent=2))
    else:
        print(_line(job))
        for warning in job.record.warnings:
            print(f"warning: {strip_control(warning)}", file=sys.stderr)
    return EXIT_OK


def _collect(args) -> int:
    job = _load(args)
    results = job.collect(results_path=args.results)
    complete = all(r.personas for r in results) and job.status == "completed"
    if args.json:
        print(dumps({"job": _job_dict(job), "studies": [
            json.loads(r.model_dump_json(exclude={"raw_output"})) for r in results]},
            indent=2))
        return EXIT_OK if complete else EXIT_PROBLEM
    print(_line(job))
    for study, result in zip(job.record.studies, results, strict=True):
        cost = "unknown" if result.cost_usd is None else f"${result.cost_usd:.4f}"
        where = ", ".join(strip_control(p) for p in study.data_paths)
        print(f"study {study.index + 1} ({where}): {len(result.personas)} persona(s), "
              f"{result.input_tokens:,} tokens in, {result.output_tokens:,} out, "
              f"batch cost {cost}")
        for persona in result.personas:
            verified = sum(e.verified for e in persona.evidence)
            print(f"  - {strip_control(persona.name)}: {strip_control(persona.title)} "
                  f"({verified}/{len(persona.evidence)} evidence verified)")
        for error in result.errors:
            print(f"  error: {strip_control(error)}")
        for warning in result.warnings:
            print(f"  warning: {strip_control(warning)}")
        print(f"  saved to {result.output_dir}")
    if job.failed_requests():
        print(f"{len(job.failed_requests())} request(s) failed; resubmit them alone: "
              f"persona-tui batch resubmit {job.id}", file=sys.stderr)
    return EXIT_OK if complete else EXIT_PROBLEM


def _cancel(args) -> int:
    job = _load(args).cancel()
    print(_line(job))
    return EXIT_OK


def _resubmit(args) -> int:
    child = _load(args).resubmit()
    print(dumps(_job_dict(child), indent=2) if args.json else child.id)
    return EXIT_OK


def _requests(args) -> int:
    path = _load(args).write_requests(args.out)
    print(path)
    return EXIT_OK


def _list(args) -> int:
    jobs = args.service.list_jobs()
    if args.json:
        print(dumps([_job_dict(job) for job in jobs], indent=2))
    elif not jobs:
        print("no batch jobs yet (persona-tui batch submit --from PATH --provider P)")
    else:
        for job in jobs:
            print(_line(job))
    return EXIT_OK


def add_parser(commands) -> None:
    """The ``batch`` command and its subcommands (declared here, beside their code)."""
    from persona_tui.services.batches import BATCH_PROVIDERS  # names only: --help stays cheap

    batch = commands.add_parser(
        "batch", help="large studies on the vendors' batch engines (half price) or vLLM",
        description="Submit studies to OpenAI's, Anthropic's or Gemini's batch engine (or "
                    "write a vLLM run-batch file), check on them, collect the personas. "
                    "Exit status: 0 success, 1 the job failed or is not finished, 2 usage "
                    "or data error.")
    sub = batch.add_subparsers(dest="batch_command", metavar="SUBCOMMAND", required=True)
    submit = sub.add_parser("submit", help="submit one or more studies; prints the job id")
    submit.add_argument("--from", dest="paths", action="append", required=True,
                        metavar="PATH", help="one study: a data file or folder, or 'sample' "
                                             "(repeat for several studies)")
    submit.add_argument("--provider", required=True, choices=list(BATCH_PROVIDERS))
    submit.add_argument("--model", help="model name (default: the provider's default)")
    submit.add_argument("--base-url", metavar="URL", help="the provider's API address")
    submit.add_argument("--count", type=int, default=3, help="personas per study (1-50)")
    submit.add_argument("--budget", type=float, metavar="USD",
                        help="refuse when the batch price would pass this")
    submit.add_argument("--allow-unpriced", action="store_true",
                        help="submit a budgeted job on a model whose price is unknown")
    submit.add_argument("--experiment", metavar="NAME", help="experiment to record runs in")
    submit.add_argument("--json", action="store_true", help="print the job as JSON")
    for name, text in (("status", "where a job stands (asks the engine)"),
                       ("collect", "fetch results: one persona set per study"),
                       ("cancel", "cancel a job; finished requests are kept"),
                       ("resubmit", "submit a job's failed requests again, alone"),
                       ("requests", "write a job's requests (for vllm run-batch -i)")):
        command = sub.add_parser(name, help=text)
        command.add_argument("job", metavar="JOB", help="the job id (batch list shows them)")
        command.add_argument("--base-url", metavar="URL",
                             help="the provider's API address, if it changed")
        if name in ("status", "collect", "resubmit"):
            command.add_argument("--json", action="store_true", help="print as JSON")
        if name == "collect":
            command.add_argument("--results", metavar="FILE",
                                 help="the output file of vllm run-batch (vllm-file jobs)")
        if name == "requests":
            command.add_argument("--out", required=True, metavar="FILE",
                                 help="where to write the JSONL")
    listing = sub.add_parser("list", help="every batch job, oldest first")
    listing.add_argument("--json", action="store_true", help="print as JSON")
