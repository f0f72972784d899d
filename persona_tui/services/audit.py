"""Privacy audits for the app: audit a card against its sources, accept a finding with a
reason (kept in the audit log beside the card), apply redactions, export the report."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from persona_tui.core.data import SourceDocument
from persona_tui.core.errors import DataError
from persona_tui.core.fileio import atomic_write
from persona_tui.core.privacy.audit_log import AuditLog
from persona_tui.core.privacy.findings import LeakageFinding, PrivacyAuditResult
from persona_tui.core.scripts.models import CharacterCard
from persona_tui.core.scripts.privacy import PrivacyAuditor, redact
from persona_tui.services.context import AppContext
from persona_tui.services.sample import SAMPLE, is_packaged, resolve_data

if TYPE_CHECKING:  # pragma: no cover
    from persona_tui.services.cards import EditSession


@dataclass
class SourceContext:
    """A finding's source text with some of what surrounds it, for side-by-side display."""

    document: str
    location: str | None
    before: str
    match: str
    after: str
    #: text was left out before ``before`` / after ``after`` (the viewer shows "…" there)
    clipped_before: bool = False
    clipped_after: bool = False


class AuditService:
    def __init__(self, context: AppContext | None = None) -> None:
        self.context = context or AppContext.default()
        self.paths = self.context.paths
        #: the last recorded audit, as the viewer showed it (``persona-tui audit`` exits by it)
        self.last_result: PrivacyAuditResult | None = None
        self.auditor = PrivacyAuditor()  # keeps the last source index: re-runs are fast
        self._documents: tuple[tuple[str, ...], list[SourceDocument]] | None = None
        self._warnings: list[str] = []  # the loader's, about files it skipped
        # the editor's badge and the viewer audit from worker threads; one at a time
        self._lock = threading.Lock()

    def load_sources(self, paths: list[str]) -> list[SourceDocument]:
        """Documents for ``paths``, loaded once while they stay the same (the live badge
        re-audits after every pause in typing)."""
        key = tuple(paths)
        if self._documents is None or self._documents[0] != key:
            loader = self.context.data_loader()
            self._documents = (key, loader.load([resolve_data(p) for p in paths]))
            self._warnings = list(loader.warnings)
        return self._documents[1]

    def new_source_warnings(self) -> list[str]:
        """What the loader said about the sources (a file skipped, and why), once."""
        warnings, self._warnings = self._warnings, []
        return warnings

    def audit(self, card: CharacterCard, sources: Any, *, card_path: Path | None = None,
              record: bool = True) -> PrivacyAuditResult:
        """``sources``: a list of path strings (a missing one is a clear DataError), or
        paths, texts or documents as :meth:`PrivacyAuditor.audit` takes them.

        With ``card_path``, accepted findings are read from its audit log and (unless
        ``record`` is false, as for the editor's live badge) the run is recorded there."""
        with self._lock:
            if isinstance(sources, list) and all(isinstance(s, str) for s in sources):
                sources = self.load_sources(sources)  # in the app, strings are paths
            log = AuditLog.for_card(card_path) if card_path else None
            result = self.auditor.audit(card, sources, accepted=log)
        if log is not None and record:
            log.record(result)
            self.last_result = result
        return result

    def saved_verdict(self, session: EditSession | None) -> PrivacyAuditResult | None:
        """The verdict of the open card as it is on disk, by which ``persona-tui audit``
        exits when the viewer closes: a redaction the user discarded (or never saved) must
        not turn a blocked file into a pass. Audited afresh (the sources' index is kept, so
        this is quick) with the accepted findings of its audit log; not recorded. None when
        no card is open or it was never saved; a missing source raises its DataError."""
        card = session.saved_card() if session is not None else None
        if card is None:
            return None
        return self.audit(card, list(session.sources), card_path=session.path, record=False)

    @staticmethod
    def logged_sources(card_path: str | Path) -> tuple[list[str], str]:
        """The sources to audit a card against when none are given, and where they come
        from in words: those its audit log records (the app keeps them there), or the
        bundled study for a bundled card.

        Raises a DataError with a hint when the log has none, or names files that are gone:
        a guess would give a verdict against the wrong data."""
        path = Path(card_path)
        log = AuditLog.for_card(path)
        if not log.sources:
            if is_packaged(path):
                return [SAMPLE], "the bundled study (a bundled card)"
            raise DataError(f"no sources to audit {path.name} against: its audit log "
                            f"({log.path.name}) records none", path=str(log.path),
                            code="E2005",
                            hint="Give the data the card was made from with --source PATH "
                                 "(repeat for several; 'sample' is the bundled study).")
        missing = [s for s in log.sources if s.strip() != SAMPLE and not Path(s).exists()]
        if missing:
            raise DataError(f"the sources {log.path.name} records are missing: "
                            f"{', '.join(missing)}", path=missing[0], code="E2001",
                            hint="Give the card's data with --source PATH (relative paths "
                                 "count from the folder you run in).")
        return list(log.sources), f"the card's audit log ({log.path.name})"

    def source_context(self, finding: LeakageFinding, width: int = 240
                       ) -> SourceContext | None:
        """The source span of ``finding`` inside its document, from the last loaded sources."""
        if not finding.source_id or self._documents is None:
            return None
        document = next((d for d in self._documents[1] if d.id == finding.source_id), None)
        if document is None or not finding.source_text:
            return None
        start, end = finding.source_start, finding.source_end
        if start is None or end is None:
            start = document.text.casefold().find(finding.source_text.casefold())
            if start < 0:
                return None
            end = start + len(finding.source_text)
        # less before than after (the viewer scrolls the match to the middle of its pane)
        before = document.text[max(0, start - width // 2):start]
        if start - width // 2 > 0 and " " in before:
            before = before[before.index(" ") + 1:]  # start on a whole word
        return SourceContext(document.id, finding.source_location, before,
                             document.text[start:end], document.text[end:end + width],
                             clipped_before=start - len(before) > 0,
                             clipped_after=end + width < len(document.text))

    def report_path(self, card_id: str, suffix: str) -> Path:
        """Where an exported report goes: the audits folder, one file per card and format."""
        folder = self.paths.audit_dir
        return folder / f"{card_id}-privacy-audit.{suffix}"

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
