"""``persona-tui chat CARD [--source PATH…] [--provider P --model M]``: a role-play trial in
the terminal.

Each line read from stdin is put to the card; the reply streams to stdout, audited against
the card's sources as it comes (see :mod:`persona_tui.core.scripts.trial`). With withholding
on (the default; ``--no-withhold`` turns it off) text is printed a sentence at a time once
checked, and a leaking span is printed as ``[withheld]``. ctrl+c stops the reply being
written (what came is kept, marked cancelled); ctrl+d, ``/quit`` or the end of input ends the
trial. The trial is saved next to the card after every reply. Exit status: 0 done, 1 a reply
failed, 2 usage or data error.
"""

from __future__ import annotations

import asyncio
import sys

from persona_tui.commands.roleplay_setup import load_stage, report_error
from persona_tui.core.errors import ConfigurationError, DataError, PersonaError, ValidationError
from persona_tui.core.utils.sanitize import strip_control
from persona_tui.services.context import AppContext
from persona_tui.services.trial import TrialService, TrialSession


def _where(finding) -> str:
    place = finding.source_id or "the sources"
    return place + (f", {finding.source_location}" if finding.source_location else "")


async def _turn(session: TrialSession, text: str, out) -> bool:
    """One reply; True when it finished, False when it failed."""
    shown = ""
    try:
        async for update in session.reply(text):
            visible = strip_control(update.visible)
            if visible.startswith(shown):
                out.write(visible[len(shown):])
            else:  # a later check masked text already printed: say so, never reprint it
                out.write(f"\n[withheld: the reply above leaked; {len(update.findings)} "
                          "finding(s)]\n")
            out.flush()
            shown = visible
            if update.done:
                out.write("\n")
                for finding in update.findings:
                    out.write(f"  ! {finding.kind} ({finding.severity}) matches "
                              f"{strip_control(_where(finding))}\n")
                if update.withheld:
                    out.write("  (leaking text withheld; --no-withhold shows it)\n")
                out.flush()
    except PersonaError as exc:
        out.write("\n")
        report_error(exc, json_output=False)
        return False
    return True


def run_chat(card_path: str, sources: list[str] | None, *, provider: str = "ollama",
             model: str | None = None, base_url: str | None = None,
             withhold: bool = True) -> int:
    try:
        stage = load_stage(card_path, sources)
        service = TrialService(AppContext.default())
        session = service.start(stage.card, stage.card_path, stage.sources, provider=provider,
                                model=model, base_url=base_url, withhold=withhold)
    except (DataError, ValidationError, ConfigurationError) as exc:
        report_error(exc, json_output=False)
        return 2
    interactive = sys.stdin.isatty()
    name = strip_control(stage.card.identity.name)
    checked = "checked against " + ", ".join(stage.sources) if stage.sources else \
        "not checked for leaks (no --source, none in its audit log)"
    print(f"talking to {name} via {provider}/{session.model}; replies {checked}. "
          "ctrl+d ends.", file=sys.stderr)
    failed = False
    with asyncio.Runner() as runner:
        try:
            while True:
                if interactive:
                    sys.stderr.write("you> ")
                    sys.stderr.flush()
                line = sys.stdin.readline()
                if not line or line.strip() in ("/quit", "/exit"):
                    break
                if not line.strip():
                    continue
                try:
                    failed |= not runner.run(_turn(session, line.strip(), sys.stdout))
                except KeyboardInterrupt:
                    sys.stdout.write("\n[cancelled]\n")
                    sys.stdout.flush()
        except KeyboardInterrupt:
            pass
        finally:
            runner.run(session.aclose())
    if session.record.turns:
        print(f"trial saved to {strip_control(str(session.path))}", file=sys.stderr)
    return 1 if failed else 0
