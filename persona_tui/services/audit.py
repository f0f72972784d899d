"""Privacy audits for the app: audit a card against its sources, accept a finding with a
reason (kept in the audit log beside the card), apply redactions, export the report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from persona_tui.core.fileio import atomic_write
from persona_tui.core.privacy.audit_log import AuditLog
from persona_tui.core.privacy.findings import LeakageFinding, PrivacyAuditResult
from persona_tui.core.scripts.models import CharacterCard
from persona_tui.core.scripts.privacy import PrivacyAuditor, redact


class AuditService:
    def __init__(self) -> None:
        self.auditor = PrivacyAuditor()  # keeps the last source index: re-runs are fast

    def audit(self, card: CharacterCard, sources: Any, *, card_path: Path | None = None
              ) -> PrivacyAuditResult:
        """``sources``: paths, texts or documents, as :meth:`PrivacyAuditor.audit` takes."""
        log = AuditLog.for_card(card_path) if card_path else None
        result = self.auditor.audit(card, sources, accepted=log)
        if log is not None:
            log.record(result)
        return result

    @staticmethod
    def accept(card_path: Path, finding: LeakageFinding, reason: str) -> None:
        AuditLog.for_card(card_path).accept(finding, reason)

    @staticmethod
    def redact(card: CharacterCard, findings: list[LeakageFinding]) -> CharacterCard:
        return redact(card, findings)

    @staticmethod
    def export_report(card: CharacterCard, result: PrivacyAuditResult, path: str | Path
                      ) -> Path:
        """JSON when ``path`` ends in .json, Markdown otherwise."""
        path = Path(path)
        if path.suffix == ".json":
            return atomic_write(path, json.dumps({"card": card.id, **result.to_dict()},
                                                 indent=2, ensure_ascii=False))
        counts = result.counts()
        lines = [f"# Privacy audit: {card.identity.name} ({card.id})", "",
                 f"**Verdict:** {result.verdict} — {counts['high']} high, {counts['medium']} "
                 f"medium, {counts['low']} low; {len(result.accepted)} accepted", ""]
        for number, finding in enumerate(result.findings, start=1):
            lines += [f"## {number}. {finding.kind} ({finding.severity}) in `{finding.field}`",
                      "", f"- card: “{finding.text}”"]
            if finding.source_id:
                lines.append(f"- source: {finding.source_id}"
                             + (f", {finding.source_location}" if finding.source_location
                                else "") + f": “{finding.source_text}”")
            lines += [f"- fix: {finding.suggestion}", ""]
        for finding in result.accepted:
            lines.append(f"- accepted: {finding.kind} in `{finding.field}` — "
                         f"{finding.accepted_reason}")
        return atomic_write(path, "\n".join(lines) + "\n")
