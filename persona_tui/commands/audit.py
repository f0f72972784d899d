"""``persona-tui audit CARD [--source PATH…]``: a privacy report for one card.

Without ``--source`` the card is audited against the sources its audit log records (stderr
says which), the bundled study for a bundled card; with none recorded, or recorded files
gone, it is a usage error with a hint. Exit status: 0 when the card passes (or only warns),
1 when it is blocked, 2 for a usage or data error (a missing file, an unreadable card); with
``--json`` an error is the error object on stdout. On a terminal, without ``--json`` or
``--report``, the app's audit viewer opens instead of the text report; the exit status is
then the verdict of the card as it is on disk when the viewer closes (an unsaved or
discarded redaction does not count).
"""

from __future__ import annotations

import sys

from persona_tui.commands.errors import report_error
from pathlib import Path

from persona_tui.core.errors import DataError, ValidationError
from persona_tui.core.utils.sanitize import dumps, strip_control
from persona_tui.services.audit import AuditService
from persona_tui.services.cards import CardService
from persona_tui.services.context import AppContext


def _quote(text: str | None, limit: int = 160) -> str:
    text = " ".join(strip_control(text or "").split())
    return f"“{text[:limit]}{'…' if len(text) > limit else ''}”"


def run_audit(card_path: str, sources: list[str] | None, *, json_output: bool = False,
              viewer: bool = False, context: AppContext | None = None) -> int:
    """``sample`` in ``sources`` names the bundled study, as in the app; ``sources`` empty or
    None: the ones the card's audit log records."""
    context = context or AppContext.default()
    service = AuditService(context)  # the app's audit: the same loader, log and auditor
    try:
        card = CardService.read(card_path)
        if not sources:
            sources, origin = AuditService.logged_sources(card_path)
            print(strip_control(f"no --source: auditing against {', '.join(sources)}, from "
                                f"{origin}"), file=sys.stderr)
        service.load_sources(list(sources))  # before the viewer: a missing file is exit 2
    except (DataError, ValidationError) as exc:
        report_error(exc, json_output=json_output)
        return 2
    if viewer:
        from persona_tui.tui.app import run_app

        return run_app("audit", card=card_path, sources=[str(s) for s in sources],
                       context=context)
    # accepted findings come from the card's audit log; a report records nothing there
    result = service.audit(card, list(sources), card_path=Path(card_path), record=False)
    if json_output:
        print(dumps({"card": card.id, **result.to_dict()}, indent=2))
    else:
        counts = result.counts()
        print(f"{strip_control(card.identity.name)} ({card.id}): {result.verdict.upper()} — "
              f"{counts['high']} high, {counts['medium']} medium, {counts['low']} low; "
              f"{len(result.accepted)} accepted earlier")
        for number, finding in enumerate(result.findings, start=1):
            print(f"\n{number}. [{finding.severity}] {finding.kind} in {finding.field} "
                  f"(chars {finding.start}-{finding.end})")
            print(f"   card:   {_quote(finding.text)}")
            if finding.source_id:
                where = f"{finding.source_id}" + (f", {finding.source_location}"
                                                  if finding.source_location else "")
                print(f"   source: {strip_control(where)}: {_quote(finding.source_text)}")
            print(f"   fix:    {strip_control(finding.suggestion)}")
        for warning in service.new_source_warnings():
            print(f"warning: {strip_control(warning)}", file=sys.stderr)
    return 1 if result.blocked else 0
