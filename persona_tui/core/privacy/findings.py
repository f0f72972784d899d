"""What the auditor reports, and how it is configured."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class FindingKind(StrEnum):
    VERBATIM = "verbatim"
    NEAR_VERBATIM = "near_verbatim"
    EMAIL = "email"
    PHONE = "phone"
    URL = "url"
    IP_ADDRESS = "ip_address"
    CARD_NUMBER = "card_number"
    DATE_OF_BIRTH = "date_of_birth"
    NUMBER = "number"
    #: a reference number, ID or postcode that a system issued to someone
    IDENTIFIER = "identifier"
    NAME = "name"
    #: a combination of attributes (age, occupation, town, household…) that fits fewer
    #: than five participants
    QUASI_IDENTIFIER = "quasi_identifier"


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        return {"low": 0, "medium": 1, "high": 2}[self.value]


DEFAULT_PHONE_REGIONS = ("US", "GB", "CA", "AU", "IE", "DE", "FR", "ES", "IT", "NL", "IN")


class PrivacyConfig(BaseModel):
    """Thresholds for the audit. The defaults aim at "never miss a copied sentence, never flag
    a common phrase"."""

    model_config = ConfigDict(extra="forbid")

    verbatim_min_words: int = Field(default=7, ge=3, le=50)
    #: a copied run this long (in words) is high severity; shorter ones are medium
    verbatim_high_words: int = Field(default=12, ge=4)
    near_verbatim: bool = True
    #: similarity (0-100) above which a lightly edited sentence counts as reused
    near_verbatim_threshold: float = Field(default=85.0, ge=50, le=100)
    near_verbatim_min_words: int = Field(default=6, ge=3)
    check_personal_data: bool = True
    check_names: bool = True
    phone_regions: tuple[str, ...] = DEFAULT_PHONE_REGIONS
    #: word-frequency languages that say what is everyday wording (wordfreq codes)
    languages: tuple[str, ...] = ("en",)
    #: report rare capitalised words a card shares with the sources (possible names)
    check_rare_words: bool = True
    #: report combinations of attributes that fit fewer than this many participants
    check_quasi_identifiers: bool = True
    quasi_identifier_k: int = Field(default=5, ge=2)
    #: names never reported (e.g. the product's own name)
    ignore_names: tuple[str, ...] = ()
    #: shingles occurring more often than this are too common to seed a match
    max_shingle_hits: int = Field(default=200, ge=1)
    block_severity: str = "high"


@dataclass
class LeakageFinding:
    """One leak: where it is in the card text and where it came from in the sources."""

    kind: FindingKind
    severity: Severity
    field: str | None
    start: int
    end: int
    text: str
    source_id: str | None = None
    source_location: str | None = None
    source_text: str | None = None
    source_start: int | None = None
    source_end: int | None = None
    suggestion: str = ""
    #: what :func:`redact` puts in place of the span
    replacement: str = "[removed]"
    similarity: float | None = None
    accepted: bool = False
    accepted_reason: str | None = None
    #: for a quasi-identifier: where each participant it fits is (document id and location)
    matches: list[str] = field(default_factory=list)

    @property
    def fingerprint(self) -> str:
        """Stable across runs while the flagged text is unchanged: accepted findings are
        matched by it, so editing the text brings the finding back."""
        key = f"{self.kind}|{self.field or ''}|{' '.join(self.text.casefold().split())}"
        return hashlib.sha256(key.encode()).hexdigest()[:16]

    def to_dict(self) -> dict:
        return {"kind": str(self.kind), "severity": str(self.severity), "field": self.field,
                "start": self.start, "end": self.end, "text": self.text,
                "source_id": self.source_id, "source_location": self.source_location,
                "source_text": self.source_text, "suggestion": self.suggestion,
                "similarity": self.similarity, "accepted": self.accepted,
                "accepted_reason": self.accepted_reason, "matches": list(self.matches),
                "fingerprint": self.fingerprint}


@dataclass
class PrivacyAuditResult:
    findings: list[LeakageFinding] = field(default_factory=list)
    #: findings the user accepted earlier (with a reason); they do not count
    accepted: list[LeakageFinding] = field(default_factory=list)
    block_severity: Severity = Severity.HIGH

    @property
    def blocked(self) -> bool:
        return any(f.severity.rank >= self.block_severity.rank for f in self.findings)

    @property
    def passed(self) -> bool:
        return all(f.severity == Severity.LOW for f in self.findings)

    @property
    def verdict(self) -> str:
        return "blocked" if self.blocked else "pass" if self.passed else "warn"

    @property
    def score(self) -> float:
        """1.0 for a clean card, falling with each finding by severity."""
        weight = {Severity.HIGH: 0.4, Severity.MEDIUM: 0.15, Severity.LOW: 0.03}
        return round(max(0.0, 1.0 - sum(weight[f.severity] for f in self.findings)), 3)

    def counts(self) -> dict[str, int]:
        counts = {s.value: 0 for s in Severity}
        for finding in self.findings:
            counts[finding.severity.value] += 1
        return counts

    def to_dict(self) -> dict:
        return {"verdict": self.verdict, "passed": self.passed, "blocked": self.blocked,
                "score": self.score, "counts": self.counts(),
                "findings": [f.to_dict() for f in self.findings],
                "accepted": [f.to_dict() for f in self.accepted]}
