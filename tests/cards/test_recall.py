"""The issue's bar, on the planted corpus (tests/cards/planted.py): recall 100 % per kind for
verbatim, e-mail, phone, URL, name, identifier and quasi-identifier, >= 95 % near-verbatim,
everyday phrases never high, and the bundled sample cards clean."""

from __future__ import annotations

import pytest

from persona_tui.core.data import DataLoader
from persona_tui.core.privacy.findings import FindingKind, Severity
from persona_tui.core.scripts.models import CharacterCard
from persona_tui.core.scripts.privacy import PrivacyAuditor
from persona_tui.resources import sample_project
from tests.cards.planted import CORPUS, format_table, recall_table

DOCS = DataLoader().load([CORPUS, sample_project() / "data"])
AUDITOR = PrivacyAuditor()
TABLE = recall_table(AUDITOR, DOCS)


@pytest.mark.parametrize(("kind", "needed"), [
    ("verbatim", 1.0), ("near_verbatim", 0.95), ("email", 1.0), ("phone", 1.0), ("url", 1.0),
    ("name", 1.0), ("identifier", 1.0), ("quasi_identifier", 1.0),
    ("everyday (not high)", 1.0),
])
def test_recall_per_kind(kind, needed):
    hits, total, missed = TABLE[kind]
    assert total >= 3, format_table(TABLE)
    assert hits / total >= needed, (format_table(TABLE), [c.text for c in missed])


def test_sample_cards_have_no_finding_above_low_against_every_corpus():
    for path in (sample_project() / "cards").glob("*.json"):
        card = CharacterCard.model_validate_json(path.read_text())
        result = AUDITOR.audit(card, DOCS)
        assert [f for f in result.findings if f.severity != Severity.LOW] == [], path.name


def test_a_quasi_identifier_names_its_attributes_and_the_rows_it_fits():
    text = "A secondary school teacher in Leeds, in her thirties"
    finding = next(f for f in AUDITOR.check_leakage(text, DOCS)
                   if f.kind == FindingKind.QUASI_IDENTIFIER)
    assert finding.severity == Severity.MEDIUM
    assert "k = 3" in finding.suggestion and "occupation" in finding.suggestion
    assert finding.matches == ["form-export.csv row 6", "form-export.csv row 7",
                               "form-export.csv row 8"]


def test_a_common_combination_is_not_a_quasi_identifier():
    # 18-24 in a flat share: six survey respondents
    text = "Early twenties, postgraduate student in a four-person flat share."
    assert not [f for f in AUDITOR.check_leakage(text, DOCS)
                if f.kind == FindingKind.QUASI_IDENTIFIER]
    one = "Aged 65+, a couple, keeps a paper notebook"  # R11 only: 65+ and couple
    found = [f for f in AUDITOR.check_leakage(one, DOCS)
             if f.kind == FindingKind.QUASI_IDENTIFIER]
    assert found and found[0].matches == ["survey.csv row 12"]
