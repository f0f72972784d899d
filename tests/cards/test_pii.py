"""Personal data found in card text and matched against the sources whatever the format:
phones as numbers, references with and without separators, links with and without scheme,
handles; and everyday tokens with digits that are not references."""

from __future__ import annotations

import pytest

from persona_tui.core.privacy.findings import DEFAULT_PHONE_REGIONS, FindingKind, Severity
from persona_tui.core.privacy.pii import find_pii
from persona_tui.core.scripts.privacy import PrivacyAuditor

AUDITOR = PrivacyAuditor()


def kinds(text: str) -> list[tuple[str, str]]:
    return [(str(m.kind), m.text) for m in find_pii(text, regions=("GB", "US"))]


def only(findings, kind):
    found = [f for f in findings if f.kind == kind]
    assert len(found) == 1, [(str(f.kind), f.text) for f in findings]
    return found[0]


@pytest.mark.parametrize("source", ["Call me on 07700 900461.", "Mobile: +44 7700 900461",
                                    "tel (0)7700-900-461", "ring 0044 7700900461 please"])
@pytest.mark.parametrize("card", ["+44 7700 900461", "07700900461", "0044 7700 900 461",
                                  "+44 (0) 7700 900461"])
def test_phones_are_compared_as_numbers_whatever_either_side_writes(source, card):
    finding = only(AUDITOR.check_leakage(f"Text {card} after six", [source]),
                   FindingKind.PHONE)
    assert finding.text == card and finding.severity == Severity.HIGH
    assert finding.source_id == "source-1"
    assert "7700" in finding.source_text


@pytest.mark.parametrize("text", [
    "We met on 2017-03-08 at noon.", "on 08.03.2017", "03-08-2017", "on 2017.03.08",
    "20170308", "2017-03-08T14:30:00Z", "at 14:30:05", "2017-03", "between 1999-2003",
    "from 2001-2017 and 2018-2020", "09.30-10.45", "12:00-13:30", "on 08-Mar-2017",
    "version 2.10.3", "v1.2.3.4", "build 10.0.19045.3803", "0.5.12", "£1,250,000",
    "$1,234,567.89", "€ 1.234.567,89", "1 234 567 kr", "cost £12,500.50"])
def test_dates_times_ranges_versions_and_money_are_not_phones(text):
    """Some region's numbering plan accepts each of these (with the default eleven regions,
    2017-03-08 read as a phone, 14:30:05 gave "05"); none is a phone, IP or reference."""
    found = find_pii(text, regions=DEFAULT_PHONE_REGIONS)
    assert not [m for m in found if m.kind in (FindingKind.PHONE, FindingKind.IP_ADDRESS,
                                               FindingKind.IDENTIFIER)], found


@pytest.mark.parametrize(("text", "phone"), [
    ("Tel:07700 900461", "07700 900461"), ("tel. 07700 900461", "07700 900461"),
    ("(07700) 900461 after six", "(07700) 900461"), ("Call 07700 900461, thanks", "07700 900461"),
    ("ring +49 30 901820", "+49 30 901820"), ("Tel: 01 23 45 67 89", "01 23 45 67 89"),
    ("555.123.4567", "555.123.4567"), ("at 10:30 call 07700 900461", "07700 900461")])
def test_phones_next_to_dates_and_punctuation_are_still_phones(text, phone):
    found = find_pii(text, regions=DEFAULT_PHONE_REGIONS)
    assert [m.text for m in found if m.kind == FindingKind.PHONE] == [phone]


def test_two_phones_split_by_a_slash_are_both_found():
    found = find_pii("07700 900461/07700 900462", regions=DEFAULT_PHONE_REGIONS)
    assert [m.text for m in found if m.kind == FindingKind.PHONE] == [
        "07700 900461", "07700 900462"]


def test_a_different_phone_is_not_the_source_one():
    finding = only(AUDITOR.check_leakage("Text +44 7700 900462", ["Call 07700 900461"]),
                   FindingKind.PHONE)
    assert finding.severity == Severity.MEDIUM and finding.source_id is None


@pytest.mark.parametrize(("card", "source"), [
    ("Rent reference LDG0442", "the reference is LDG-0442 on the agreement"),
    ("booking BK-7Q4-22918", "My booking reference: bk 7q4 22918"),
    ("Patient number 4471203", "patient no. 4471203 at the practice"),
    ("Order 88120457", "My order number was 88120457"),
])
def test_references_with_a_context_word_are_high_identifiers(card, source):
    finding = only(AUDITOR.check_leakage(card, [source]), FindingKind.IDENTIFIER)
    assert finding.severity == Severity.HIGH and finding.source_id == "source-1"


def test_a_column_header_is_context_for_a_reference(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("ResponseId,comment\nR_3kTq9ZpL0aXv1mB,fine\n", "utf-8")
    finding = only(AUDITOR.check_leakage("Seen as R_3kTq9ZpL0aXv1mB", [path]),
                   FindingKind.IDENTIFIER)
    assert finding.severity == Severity.HIGH
    assert finding.source_location == "row 2, column 'ResponseId'"


def test_postcodes_in_the_sources_are_identifiers():
    finding = only(AUDITOR.check_leakage("Lives near M15 5RN", ["wrote to her at M155RN"]),
                   FindingKind.IDENTIFIER)
    assert finding.text == "M15 5RN" and finding.severity == Severity.HIGH


@pytest.mark.parametrize("text", [
    "Meets at 10am on the 2nd Saturday", "Lost work in the COVID-19 years", "Works 24/7",
    "Aged 18-24, born in the 1990s", "Updated 2024/03/04", "Listens to MP3s on a 4K screen",
    "Splits fifty-fifty, about 40 each", "Has an iPhone12 and Windows11",
])
def test_everyday_tokens_with_digits_are_not_identifiers(text):
    assert [k for k in kinds(text) if k[0] == "identifier"] == []


@pytest.mark.parametrize(("card", "source"), [
    ("Shop: knitwithhenny.com/patterns", "my shop is knitwithhenny.com/patterns"),
    ("See https://knitwithhenny.com/patterns.", "my shop is knitwithhenny.com/patterns"),
    ("Sells at www.knitwithhenny.com", "my shop is knitwithhenny.com/patterns"),
    ("Runs tinylantern.studio", "mail kit@tinylantern.studio"),
    ("Posts as @hennyknits", "find me through @hennyknits."),
    ("Posts as @hennyknits", "instagram.com/hennyknits"),
])
def test_links_domains_and_handles_from_the_sources_are_high(card, source):
    finding = only(AUDITOR.check_leakage(card, [source]), FindingKind.URL)
    assert finding.severity == Severity.HIGH


def test_a_shared_host_alone_is_not_a_participant_link():
    findings = AUDITOR.check_leakage("Uses gmail.com like everyone", ["mail me at a@gmail.com"])
    assert all(f.severity == Severity.LOW for f in findings)


@pytest.mark.parametrize("text", ["Reads notes.md and e.g. file.py", "Paid £3.50, i.e. cheap",
                                  "Email a.b@c.org"])
def test_file_names_and_abbreviations_are_not_links(text):
    assert [k for k in kinds(text) if k[0] == "url"] == []
