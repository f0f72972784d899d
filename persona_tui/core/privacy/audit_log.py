"""Accepted findings, past audit runs and groundedness probe runs, kept next to the card
(``NAME.audit.json``).

An accepted finding is matched by fingerprint (kind, field and the flagged text), so it stays
quiet while the text is unchanged and comes back as soon as the text is edited.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from persona_tui.core.fileio import atomic_write
from persona_tui.core.privacy.findings import LeakageFinding, PrivacyAuditResult


class AuditLog:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.accepted: dict[str, dict] = {}
        self.runs: list[dict] = []
        #: the data files the card is audited against, so a re-run needs no retyping
        self.sources: list[str] = []
        #: groundedness probe runs, newest last (their scores, not their replies)
        self.probes: list[dict] = []
        if self.path.exists():
            try:
                data = json.loads(self.path.read_text("utf-8"))
            except (OSError, json.JSONDecodeError, UnicodeDecodeError):
                self.path.replace(self.path.with_suffix(".json.broken"))  # keep, start anew
                data = {}
            self.accepted = dict(data.get("accepted", {}))
            self.runs = list(data.get("runs", []))
            self.sources = [str(s) for s in data.get("sources", []) if isinstance(s, str)]
            self.probes = [p for p in data.get("probes", []) if isinstance(p, dict)]

    @classmethod
    def for_card(cls, card_path: str | Path) -> AuditLog:
        card_path = Path(card_path)
        return cls(card_path.with_name(f"{card_path.stem}.audit.json"))

    def accept(self, finding: LeakageFinding, reason: str) -> None:
        if not reason.strip():
            raise ValueError("an accepted finding needs a reason")
        self.accepted[finding.fingerprint] = {
            "kind": str(finding.kind), "field": finding.field, "text": finding.text,
            "reason": reason.strip(), "accepted_at": datetime.now(UTC).isoformat()}
        self.save()

    def revoke(self, fingerprint: str) -> None:
        self.accepted.pop(fingerprint, None)
        self.save()

    def reason(self, fingerprint: str) -> str | None:
        entry = self.accepted.get(fingerprint)
        return entry["reason"] if entry else None

    def record(self, result: PrivacyAuditResult) -> None:
        self.runs.append({"at": datetime.now(UTC).isoformat(), "verdict": result.verdict,
                          "counts": result.counts(), "accepted": len(result.accepted)})
        self.runs = self.runs[-100:]
        self.save()

    def record_probe(self, summary: dict) -> None:
        """Keep a groundedness probe's score (``ProbeResult.summary()``) with its date."""
        self.probes.append({"at": datetime.now(UTC).isoformat(), **summary})
        self.probes = self.probes[-100:]
        self.save()

    @property
    def last_probe(self) -> dict | None:
        return self.probes[-1] if self.probes else None

    def save(self) -> None:
        data = {"version": 1, "sources": self.sources, "accepted": self.accepted,
                "runs": self.runs}
        if self.probes:
            data["probes"] = self.probes
        atomic_write(self.path, json.dumps(data, indent=2, ensure_ascii=False))
