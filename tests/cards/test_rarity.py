"""How distinctive a copied phrase is decides how severe it is; rare capitalised words shared
with the sources are possible names."""

from __future__ import annotations

import pytest

from persona_tui.core.privacy.findings import FindingKind, Severity
from persona_tui.core.privacy.rarity import distinctiveness, is_rare, zipf
from persona_tui.core.utils.fold import fold, strip_accents
from persona_tui.core.scripts.privacy import PrivacyAuditor

AUDITOR = PrivacyAuditor()
SOURCE = ["Honestly I really do not have time for that. We kept a jam jar on the fridge for "
          "her envelope. We moved to Stromness after the wedding."]


def test_word_frequencies_come_from_the_shipped_lists():
    assert zipf("the") > 7 and zipf("tea") > 4
    assert is_rare("Stromness") and not is_rare("bakery")
    assert zipf("café") > 3 and zipf("tomás") == zipf("tomas") > 3  # accents do not hide a word
    assert strip_accents("Zoë Ó Briain") == "Zoe O Briain"


def test_one_accent_folding_helper_for_names_rarity_and_quasi_identifiers():
    """The privacy audit and the generation name checks fold words the same way."""
    from persona_tui.core.privacy.names import name_key

    assert strip_accents("Søren Łukasz O’Brien") == "Soren Lukasz O'Brien"
    assert fold("SØREN ŁUKASZ O’Brien") == name_key("Soren   lukasz o'brien") == \
        "soren lukasz o'brien"
    assert distinctiveness("i really do not have time for that".split()) < 0.5
    assert distinctiveness("we kept a jam jar on the fridge for her envelope".split()) > 3


@pytest.mark.parametrize(("text", "severity"), [
    ("I really do not have time for that", Severity.LOW),  # everyday words, whole sentence
    ("We kept a jam jar on the fridge for her envelope", Severity.HIGH),  # distinctive
])
def test_verbatim_severity_weighs_distinctiveness(text, severity):
    found = [f for f in AUDITOR.check_leakage(text, SOURCE) if f.kind == FindingKind.VERBATIM]
    assert [f.severity for f in found] == [severity]


def test_a_rare_capitalised_word_shared_with_the_sources_is_a_possible_name():
    findings = AUDITOR.check_leakage("Retired and living quietly in Stromness", SOURCE)
    assert [(f.kind, f.severity, f.text) for f in findings] == \
        [(FindingKind.NAME, Severity.MEDIUM, "Stromness")]
    assert findings[0].source_text == "Stromness"
    # a rare word the sources do not hold is the card's own
    assert AUDITOR.check_leakage("Retired and living quietly in Kirkwall", SOURCE) == []
