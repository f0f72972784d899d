"""The role-play trial: a conversation with a card, every reply audited as it streams.

:class:`LiveAudit` follows one streamed reply. It checks the text against the card's sources
with the same :class:`~persona_tui.core.scripts.privacy.PrivacyAuditor` the card audit uses
(verbatim, near-verbatim, personal data, names, identifiers), at each sentence end, so a
leak is caught while the model is still talking. With ``withhold`` on (the default) only
text that has been checked is shown, and the spans of findings above low severity are
masked: flagged text never appears in full. With it off, text shows as it arrives and
leaks are only flagged.

:class:`TrialRecord` is what is saved next to the card: the turns as they were shown (a
withheld span stays withheld on disk), each finding's kind, severity and source location but
not the source text, the provider and model names, and never a key or a URL.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from persona_tui.core.fileio import atomic_write
from persona_tui.core.privacy.findings import LeakageFinding
from persona_tui.core.scripts.privacy import PrivacyAuditor

#: what a withheld span is shown as
WITHHELD = "[withheld]"
#: audit at a sentence end once this many new characters came, or at this many anyway
SENTENCE_STEP, FORCED_STEP = 24, 240
_SENTENCE_END = re.compile(r"[.!?…]['\")\]]?\s|\n")


def leaking(findings: list[LeakageFinding]) -> list[LeakageFinding]:
    """The findings that make a reply a leak (above low severity)."""
    return [f for f in findings if str(f.severity) != "low"]


def mask(text: str, findings: list[LeakageFinding]) -> str:
    """``text`` with the span of every leaking finding replaced by :data:`WITHHELD`."""
    spans = sorted((max(0, f.start), min(len(text), f.end)) for f in leaking(findings))
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        elif end > start:
            merged.append([start, end])
    out, cursor = [], 0
    for start, end in merged:
        out += [text[cursor:start], WITHHELD]
        cursor = end
    return "".join(out) + text[cursor:]


@dataclass
class LiveAudit:
    """One reply, audited as it grows. ``sources`` is a prepared index (or None: no check)."""

    auditor: PrivacyAuditor
    sources: Any
    withhold: bool = True
    text: str = ""
    audited: int = 0
    findings: list[LeakageFinding] = field(default_factory=list)
    complete: bool = False

    def feed(self, delta: str) -> bool:
        """Add streamed text; True when what should be shown changed."""
        if not delta:
            return False
        self.text += delta
        fresh = self.text[self.audited:]
        boundary = None
        if len(fresh) >= SENTENCE_STEP:
            ends = list(_SENTENCE_END.finditer(fresh))
            boundary = self.audited + ends[-1].end() if ends else None
        if boundary is None and len(fresh) >= FORCED_STEP:
            boundary = len(self.text)
        if boundary is not None:
            self._check(boundary)
            return True
        return not self.withhold

    def finish(self) -> None:
        self._check(len(self.text))
        self.complete = True

    def _check(self, upto: int) -> None:
        if self.sources is not None and self.text[:upto].strip():
            self.findings = self.auditor.check_leakage(self.text[:upto], self.sources)
        self.audited = upto

    @property
    def flagged(self) -> bool:
        return bool(leaking(self.findings))

    @property
    def withheld(self) -> bool:
        return self.withhold and self.flagged

    @property
    def visible(self) -> str:
        """What may be shown now."""
        if not self.withhold:
            return self.text
        return mask(self.text[:self.audited], self.findings)

    @property
    def pending(self) -> int:
        """Characters streamed but not shown yet (waiting for their check)."""
        return len(self.text) - self.audited if self.withhold else 0


def finding_record(finding: LeakageFinding) -> dict[str, Any]:
    """A finding as a trial keeps it: where and what kind, not the participant's words."""
    return {"kind": str(finding.kind), "severity": str(finding.severity),
            "start": finding.start, "end": finding.end, "source_id": finding.source_id,
            "source_location": finding.source_location}


@dataclass
class TrialTurn:
    role: str
    text: str
    findings: list[dict[str, Any]] = field(default_factory=list)
    withheld: bool = False
    cancelled: bool = False
    error: str | None = None


@dataclass
class TrialRecord:
    card_id: str
    card_name: str
    provider: str
    model: str
    withhold: bool = True
    sources: list[str] = field(default_factory=list)
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    turns: list[TrialTurn] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        flagged = [t for t in self.turns if t.role == "assistant" and t.findings]
        return {"version": 1, "card": self.card_id, "card_name": self.card_name,
                "provider": self.provider, "model": self.model, "withhold": self.withhold,
                "sources": self.sources, "started_at": self.started_at.isoformat(),
                "replies": sum(t.role == "assistant" for t in self.turns),
                "flagged_replies": len(flagged),
                "turns": [t.__dict__ for t in self.turns]}

    def path_beside(self, card_path: Path) -> Path:
        stem = card_path.name.split(".")[0] or self.card_id
        return card_path.with_name(f"{stem}.trial-{self.started_at:%Y%m%d-%H%M%S}.json")

    def save(self, path: Path) -> Path:
        return atomic_write(path, json.dumps(self.to_dict(), indent=2, ensure_ascii=False)
                            + "\n")


__all__ = ["FORCED_STEP", "SENTENCE_STEP", "WITHHELD", "LiveAudit", "TrialRecord",
           "TrialTurn", "finding_record", "leaking", "mask"]
