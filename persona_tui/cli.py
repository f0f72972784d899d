"""Command line: argument parsing only; each command imports what it needs when it runs.

``--version`` and ``--help`` must answer instantly and without a terminal UI, so nothing heavy
is imported at module level. Expected failures print the error's message and hint, never a
traceback (``--debug`` shows one), through :func:`persona_tui.commands.errors.report_error`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from persona_tui._version import __version__
from persona_tui.core.providers.registry import PROVIDER_NAMES

EXIT_OK = 0
EXIT_PROBLEM = 1
EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """argparse, except that a usage error under ``--json`` is the error object on stdout
    (what a script reads), as every other failure with ``--json`` is; exit status 2 still."""

    json_errors = False  # set by main() for this run; sub-commands' parsers share the class

    def error(self, message: str):
        if not _Parser.json_errors:
            super().error(message)
        from persona_tui.commands.errors import report_error
        from persona_tui.core.errors import ValidationError

        report_error(ValidationError(f"{self.prog}: {message}",
                                     hint=f"See `{self.prog} --help`."), json_output=True)
        self.exit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="persona-tui",
        description="Evidence-backed user personas, character cards and privacy audits from "
                    "research data. Run without a command to open the app.",
    )
    parser.add_argument("--version", action="version", version=f"persona-tui {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = commands.add_parser("check", help="diagnose the setup (config, keys, connections)",
                                description="Diagnose config, credentials, folders and the "
                                            "configured providers' connections. Exit status 1 "
                                            "when a problem is found.")
    check.add_argument("--json", action="store_true", help="print the report as JSON")
    check.add_argument("--offline", action="store_true",
                       help="local checks only: make no network request")

    models = commands.add_parser(
        "models", help="compare installed Ollama models with qualification records",
        description="List Ollama's models: tested, untested, and tested but no longer "
                    "installed. Exit status 1 when Ollama cannot be reached.")
    models.add_argument("--json", action="store_true", help="print the comparison as JSON")

    generate = commands.add_parser(
        "generate", help="generate personas from research data",
        description="Generate personas, save the run as an experiment, print a summary with "
                    "the run's quality (ok, partial and why, failed). Exit status: 0 ok, 1 "
                    "failed or partial (0 for partial with --allow-partial), 2 usage or data "
                    "error.")
    generate.add_argument("--from", dest="paths", action="append", required=True,
                          metavar="PATH", help="data file or folder (repeat for several); "
                                               "'sample' is the bundled study")
    generate.add_argument("--provider", choices=PROVIDER_NAMES,
                          help="default: [generation] default_provider of config.toml")
    generate.add_argument("--base-url", metavar="URL",
                          help="the provider's server (default: environment, config.toml)")
    generate.add_argument("--model", help="model name (default: the provider's default)")
    generate.add_argument("--count", type=int, default=3, help="how many personas (1-50)")
    generate.add_argument("--budget", type=float, metavar="USD",
                          help="refuse or stop when the cost would pass this")
    generate.add_argument("--experiment", metavar="NAME", help="experiment to save the run in")
    generate.add_argument("--complexity", default="moderate",
                          choices=["simple", "moderate", "complex"])
    generate.add_argument("--detail", default="standard",
                          choices=["minimal", "standard", "detailed"])
    generate.add_argument("--allow-unpriced", action="store_true",
                          help="run a budgeted job on a model whose price is unknown")
    generate.add_argument("--max-tokens", type=int, metavar="N",
                          help="cap on the reply's tokens (default: config.toml's "
                               "generation.max_tokens, else sized to the persona count)")
    generate.add_argument("--temperature", type=float, metavar="T",
                          help="sampling temperature, 0-2 (default: config.toml's "
                               "generation.temperature, else 0.7)")
    generate.add_argument("--seed", type=int, metavar="N",
                          help="sampling seed for repeatable runs (vendors that take one: "
                               "OpenAI and compatible servers, Ollama, Gemini)")
    generate.add_argument("--allow-partial", action="store_true",
                          help="exit 0 when the run is partial (fewer personas than asked, "
                               "claims without verified evidence, a renamed persona)")
    generate.add_argument("--json", action="store_true", help="print the result as JSON")

    audit = commands.add_parser(
        "audit", help="audit a character card against its source data",
        description="Check a card for verbatim or near-verbatim source text, personal data "
                    "and names. Exit status: 0 pass or warn, 1 blocked, 2 usage or data error.")
    audit.add_argument("card", help="card file (.json, Character Card V2/V3 .json or .png, .charx)")
    audit.add_argument("--source", "-s", action="append", metavar="PATH",
                       help="source data file or folder (repeat for several); 'sample' is "
                            "the bundled study (default: the sources in the card's audit "
                            "log)")
    audit.add_argument("--json", action="store_true", help="print the report as JSON")
    audit.add_argument("--report", action="store_true",
                       help="print the report as text instead of opening the audit viewer "
                            "(the default when not on a terminal)")

    edit = commands.add_parser(
        "edit", help="open a character card in the editor",
        description="Open the app's card editor on CARD (.json, Character Card V2/V3 .json or "
                    ".png, .charx). Exit status 2 when the card cannot be read.")
    edit.add_argument("card", help="card file")

    from persona_tui.core.scripts.format_names import FORMATS  # names only: --help stays cheap

    export = commands.add_parser(
        "export", help="export a character card in another format",
        description="Write CARD (our JSON, Character Card V2/V3 .json or .png, or .charx) as "
                    "FMT. Exit status: 0 written, 1 the write failed, 2 usage or data error.")
    export.add_argument("card", help="card file")
    export.add_argument("--format", "-f", dest="fmt", required=True, choices=FORMATS,
                        metavar="FMT", help=f"one of: {', '.join(FORMATS)}")
    export.add_argument("--out", "-o", metavar="PATH",
                        help="file or folder to write (default: <card id>.<ext> in the current "
                             "folder; - for stdout)")

    from persona_tui.commands.batch import add_parser as add_batch_parser

    add_batch_parser(commands)

    chat = commands.add_parser(
        "chat", help="role-play trial: talk to a card, every reply audited for leaks",
        description="Talk to CARD played by a model, line by line on stdin; each reply "
                    "streams, checked against the card's sources as it comes, leaking text "
                    "withheld. The trial is saved next to the card. Exit status: 0 done, 1 a "
                    "reply failed, 2 usage or data error.")
    chat.add_argument("card", help="card file")
    _roleplay_arguments(chat, provider_required=False)
    chat.add_argument("--no-withhold", action="store_true",
                      help="show leaking replies in full (they are still flagged)")

    probe = commands.add_parser(
        "probe", help="measure how often a role-played card invents answers",
        description="Put questions the card's data can and cannot answer to the card played "
                    "by a model; judge each reply grounded, declined or invented; score = mean "
                    "of the share of unanswerable questions declined and of answerable ones "
                    "grounded. Exit status: 0 score >= --min-score, 1 below or a provider "
                    "failure, 2 usage or data error.")
    probe.add_argument("card", help="card file")
    _roleplay_arguments(probe, provider_required=True)
    probe.add_argument("--min-score", type=float, default=0.8, metavar="X",
                       help="pass mark between 0 and 1 (default 0.8)")
    probe.add_argument("--judge-model", metavar="M",
                       help="judge replies with this model (same provider) instead of rules")
    probe.add_argument("--json", action="store_true", help="print the result as JSON")
    return parser


def _roleplay_arguments(parser: argparse.ArgumentParser, *, provider_required: bool) -> None:
    parser.add_argument("--source", "-s", action="append", metavar="PATH",
                        help="source data to check replies against (repeat for several; "
                             "default: the sources in the card's audit log)")
    parser.add_argument("--provider", required=provider_required,
                        default=None if provider_required else "ollama",
                        choices=PROVIDER_NAMES)
    parser.add_argument("--model", help="model name (default: the provider's default)")
    parser.add_argument("--base-url", metavar="URL", help="the provider's URL")


def main(argv: Sequence[str] | None = None) -> int:
    from persona_tui.core.utils.sanitize import SafeStream

    arguments = sys.argv[1:] if argv is None else list(argv)
    _Parser.json_errors = "--json" in arguments
    if arguments:
        args = build_parser().parse_args(arguments)
    else:
        # ``persona-tui`` alone opens the app, which is all parse_args([]) would say: the
        # parser (every command's, batch's module and its imports) is not built before the
        # app's first paint
        args = argparse.Namespace(command=None, debug=False)
    # Everything a command prints passes the sanitiser: text from files, models and vendors
    # can never write escape sequences to the user's terminal (the app draws on its own).
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = SafeStream(sys.stdout), SafeStream(sys.stderr)
    try:
        return _run(args)
    finally:
        sys.stdout, sys.stderr = saved


def _run(args: argparse.Namespace) -> int:
    try:
        if args.command == "check":
            from persona_tui.commands.check import run_check

            return run_check(json_output=args.json, offline=args.offline)
        if args.command == "models":
            from persona_tui.commands.models import run_models

            return run_models(json_output=args.json)
        if args.command == "generate":
            from persona_tui.commands.generate import run_generate

            return run_generate(args.paths, provider=args.provider, model=args.model,
                                count=args.count, budget=args.budget,
                                experiment=args.experiment, json_output=args.json,
                                complexity=args.complexity, detail=args.detail,
                                allow_unpriced=args.allow_unpriced, base_url=args.base_url,
                                max_tokens=args.max_tokens, temperature=args.temperature,
                                seed=args.seed, allow_partial=args.allow_partial)
        if args.command == "audit":
            from persona_tui.commands.audit import run_audit

            interactive = not (args.json or args.report) and _on_terminal()
            return run_audit(args.card, args.source, json_output=args.json,
                             viewer=interactive)
        if args.command == "batch":
            from persona_tui.commands.batch import run_batch

            return run_batch(args)
        if args.command == "edit":
            from persona_tui.commands.edit import run_edit

            return run_edit(args.card)
        if args.command == "export":
            from persona_tui.commands.export import run_export

            return run_export(args.card, args.fmt, args.out)
        if args.command == "chat":
            from persona_tui.commands.chat import run_chat

            return run_chat(args.card, args.source, provider=args.provider, model=args.model,
                            base_url=args.base_url, withhold=not args.no_withhold)
        if args.command == "probe":
            from persona_tui.commands.probe import run_probe

            return run_probe(args.card, args.source, provider=args.provider, model=args.model,
                             base_url=args.base_url, min_score=args.min_score,
                             judge_model=args.judge_model, json_output=args.json)
        return _open_app(debug=args.debug)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # unexpected ones too: one report, never a traceback
        from persona_tui.commands.errors import report_error

        if args.debug:
            raise
        report_error(exc, json_output=getattr(args, "json", False))
        return EXIT_PROBLEM


def _on_terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def _open_app(*, debug: bool = False) -> int:
    from persona_tui.tui.app import run_app

    return run_app(debug=debug)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
