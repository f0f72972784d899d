"""The quality gate: every run ends ``ok``, ``partial`` or ``failed``, with its reasons.

A run that produced personas is not "done" because it produced personas. It is ``partial``
when it gave fewer personas than asked, when a persona could not be read or lacks a
required field, when (evidence asked for) a persona has no verified evidence or a goal or
pain point has none behind it, when a persona was named after a participant (renamed), or
when the budget stopped it. It is ``failed`` when nothing usable came back. The reasons are
written for the user, and every claim without support is listed per persona, with the
share of its claims that are unsupported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from persona_tui.core.generation.names import NameClash
from persona_tui.core.models.options import PersonaConfig
from persona_tui.core.models.persona import Persona

Status = Literal["ok", "partial", "failed"]
CLAIMS = ("goals", "pain_points", "behaviours", "motivations")
#: the claims that must each have verified evidence when evidence is asked for
GATED = ("goals", "pain_points")
REQUIRED = ("goals", "pain_points")


@dataclass
class QualityReport:
    status: Status
    reasons: list[str] = field(default_factory=list)
    #: persona id -> attribute paths ("goals[1]") without verified evidence
    unsupported: dict[str, list[str]] = field(default_factory=dict)
    #: persona id -> unsupported claims / claims (0.0 = every claim supported)
    unsupported_rate: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def unsupported_claims(persona: Persona) -> tuple[list[str], int]:
    """The claims of ``persona`` without verified evidence, and how many claims it has."""
    supported = {link.attribute for link in persona.evidence if link.verified}
    missing, total = [], 0
    for name in CLAIMS:
        for index in range(len(getattr(persona, name))):
            total += 1
            if f"{name}[{index}]" not in supported:
                missing.append(f"{name}[{index}]")
    return missing, total


def assess(personas: list[Persona], config: PersonaConfig, *, asked: int | None = None,
           errors: list[str] | None = None, clashes: list[NameClash] | None = None,
           stopped: str | None = None) -> QualityReport:
    """Judge a run's personas against what was asked for."""
    if not personas:
        return QualityReport("failed", ["no personas could be read from the reply"]
                             + [f"{e}" for e in (errors or [])[:3]])
    reasons: list[str] = []
    wanted = asked if asked is not None else config.count
    if len(personas) < wanted:
        reasons.append(f"{len(personas)} of {wanted} personas asked for")
    for error in (errors or [])[:5]:
        if error.startswith("persona "):
            reasons.append(f"dropped {error}")
    report = QualityReport("ok")
    for persona in personas:
        label = f"persona '{persona.name}'"
        empty = [name.replace("_", " ") for name in REQUIRED if not getattr(persona, name)]
        if not persona.title.strip():
            empty.insert(0, "title")
        if empty:
            reasons.append(f"{label} has no {' and no '.join(empty)}")
        missing, total = unsupported_claims(persona)
        report.unsupported[persona.id] = missing
        report.unsupported_rate[persona.id] = round(len(missing) / total, 3) if total else 0.0
        if not config.include_evidence:
            continue
        if not any(link.verified for link in persona.evidence):
            reasons.append(f"{label} has no verified evidence")
            continue
        gated = [m for m in missing if m.split("[")[0] in GATED]
        if gated:
            count = sum(len(getattr(persona, name)) for name in GATED)
            reasons.append(f"{label}: {len(gated)} of {count} goals and pain points have no "
                           f"verified evidence ({', '.join(gated)})")
    for clash in clashes or []:
        reasons.append(clash.describe())
    if stopped == "budget":
        reasons.append("the budget stopped the run before it finished")
    report.reasons = reasons
    report.status = "partial" if reasons else "ok"
    return report


__all__ = ["CLAIMS", "GATED", "QualityReport", "Status", "assess", "unsupported_claims"]
