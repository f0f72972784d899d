"""The privacy auditor against a hand-made corpus with planted leaks of every kind, and clean
cards written from the same sources."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from persona_tui.core.data import DataLoader
from persona_tui.core.privacy.audit_log import AuditLog
from persona_tui.core.privacy.findings import FindingKind, PrivacyConfig, Severity
from persona_tui.core.privacy.text import normalized_words, sentence_spans, word_spans
from persona_tui.core.scripts.models import CharacterCard, get_field, iter_text_fields
from persona_tui.core.scripts.privacy import PrivacyAuditor, redact
from persona_tui.resources import sample_project

CORPUS = Path(__file__).parent / "corpus"
DOCS = DataLoader().load([CORPUS, sample_project() / "data"])
AUDITOR = PrivacyAuditor()

CLEAN_CARD = {
    "id": "weekend-baker",
    "identity": {"name": "Noor Haddad", "title": "The weekend baker",
                 "demographics_summary": "Runs a small food business with a partner; "
                                         "mixes household and shop admin."},
    "psychological_profile": {
        "goals": ["Keep shop money and home money apart without extra work",
                  "Settle shared costs on a predictable rhythm"],
        "motivations": ["Calm at home", "A clear picture of who owes what"],
        "pain_points": ["Business and household spending blur together",
                        "Distrusts tools that want bank access"],
        "personality_traits": ["practical", "sociable"],
        "flaws": ["Lets reconciliation slide until it is urgent"]},
    "communication_style": {"tone": "warm, chatty", "vocabulary_level": "everyday",
                            "speech_patterns": ["medium-length sentences", "tells stories"]},
    "knowledge_boundaries": {"knows": ["running a small shop"],
                             "doesnt_know": ["accounting software in depth"],
                             "can_infer": ["how a partner would react to a new routine"]},
    "guidelines": {"response_style": "Concrete and anecdotal.",
                   "uncertainty_handling": "Admits when unsure.",
                   "character_maintenance": "Stay in character as a synthetic persona.",
                   "additional_rules": ["Never claim to be a real person"]},
}


def card_with(path: str, text: str) -> CharacterCard:
    data = copy.deepcopy(CLEAN_CARD)
    section, rest = path.split(".")
    if "[" in rest:
        name, index = rest[:-1].split("[")
        data[section][name][int(index)] = text
    else:
        data[section][rest] = text
    return CharacterCard.model_validate(data)


def the_finding(result, kind):
    found = [f for f in result.findings if f.kind == kind]
    assert found, f"no {kind} finding in {[(f.kind, f.text) for f in result.findings]}"
    return found[0]


def test_clean_cards_pass():
    assert AUDITOR.audit(CharacterCard.model_validate(CLEAN_CARD), DOCS).verdict == "pass"
    for path in (sample_project() / "cards").glob("*.json"):
        result = AUDITOR.audit(CharacterCard.model_validate_json(path.read_text()), DOCS)
        assert result.findings == [], (path.name, [(f.kind, f.text) for f in result.findings])


def test_verbatim_run_is_reported_as_the_maximal_run_with_both_spans():
    copied = ("every quarter we sit down with a pot of tea and settle up whatever is left "
              "over")
    text = f"Likes rituals: {copied}, more or less."
    result = AUDITOR.audit(card_with("psychological_profile.motivations[0]", text), DOCS)
    finding = the_finding(result, FindingKind.VERBATIM)
    assert finding.field == "psychological_profile.motivations[0]"
    assert (finding.start, finding.end) == (text.index(copied), text.index(copied) + len(copied))
    assert finding.severity == Severity.HIGH  # 16 words
    source = next(d for d in DOCS if d.id == finding.source_id)
    assert source.id == "interview-sofia.md"
    assert source.text[finding.source_start:finding.source_end] == copied
    assert "speaker Sofia" in finding.source_location
    assert result.blocked


def test_short_verbatim_run_is_medium_and_case_and_punctuation_do_not_hide_it():
    text = "Says the SPREADSHEET works... as long as nobody touches formulas!"
    result = AUDITOR.audit(card_with("communication_style.tone", text), DOCS)
    finding = the_finding(result, FindingKind.VERBATIM)
    assert finding.severity == Severity.MEDIUM
    assert finding.source_location == "row 4, column 'comment'"


@pytest.mark.parametrize("edited", [
    # a word swapped, one dropped
    "I would never give an app access to my bank account since I was burned before by a "
    "budgeting tool that leaked data",
    # contractions expanded and a word added
    "I'd really never give an app access to my bank account because I've been burned before "
    "by a budgeting tool that leaked data",
    # clauses reordered
    "Because I have been burned before by a budgeting tool that leaked data, I would never "
    "give an app access to my bank account",
])
def test_near_verbatim_edits_are_caught(edited):
    result = AUDITOR.audit(card_with("psychological_profile.pain_points[1]", edited), DOCS)
    kinds = {f.kind for f in result.findings}
    assert kinds & {FindingKind.NEAR_VERBATIM, FindingKind.VERBATIM}
    finding = next(f for f in result.findings
                   if f.kind in (FindingKind.NEAR_VERBATIM, FindingKind.VERBATIM))
    assert finding.source_id == "responses.csv"
    assert finding.field == "psychological_profile.pain_points[1]"


def test_near_verbatim_reports_similarity_and_the_source_cell():
    # one word swapped and one dropped: no seven-word run survives, so only near-verbatim
    # matching can see it
    edited = "The spreadsheet works as long as no one touches formulas."
    finding = the_finding(AUDITOR.audit(card_with("identity.demographics_summary", edited),
                                        DOCS), FindingKind.NEAR_VERBATIM)
    assert finding.similarity >= 85
    assert finding.source_text == "The spreadsheet works as long as nobody touches the formulas"
    assert finding.source_location == "row 4, column 'comment'"
    assert (finding.start, finding.end) == (0, len(edited))


@pytest.mark.parametrize(("text", "kind", "value"), [
    ("Write to sofia.marquez@example.org for details.", FindingKind.EMAIL,
     "sofia.marquez@example.org"),
    ("Phone 020 7946 0018 after six.", FindingKind.PHONE, "020 7946 0018"),
    ("Call +44 (0)20-7946-0018.", FindingKind.PHONE, "+44 (0)20-7946-0018"),
    ("Pays with 4539-1488-0343-6467.", FindingKind.CARD_NUMBER, "4539-1488-0343-6467"),
    ("Her laptop is 192.168.4.21.", FindingKind.IP_ADDRESS, "192.168.4.21"),
    ("Born 14/02/1988 in a small town.", FindingKind.DATE_OF_BIRTH, "14/02/1988"),
    # a staff number is a reference a system issued (kind identifier since issue 15)
    ("Staff number AB123456C.", FindingKind.IDENTIFIER, "AB123456C"),
])
def test_personal_data_from_the_sources_is_high(text, kind, value):
    finding = the_finding(AUDITOR.audit(card_with("guidelines.response_style", text), DOCS),
                          kind)
    assert finding.text == value
    assert (finding.start, finding.end) == (text.index(value), text.index(value) + len(value))
    assert finding.severity == Severity.HIGH
    assert finding.source_id == "interview-sofia.md"


def test_personal_data_not_in_the_sources_still_warns():
    result = AUDITOR.audit(card_with("guidelines.response_style",
                                     "Reach them at someone@example.net."), DOCS)
    finding = the_finding(result, FindingKind.EMAIL)
    assert finding.severity == Severity.MEDIUM and finding.source_id is None
    assert result.verdict == "warn"


def test_luhn_invalid_numbers_are_not_card_numbers():
    result = AUDITOR.audit(card_with("guidelines.response_style",
                                     "Order 4539 1488 0343 6468 arrived."), DOCS)
    assert not [f for f in result.findings if f.kind == FindingKind.CARD_NUMBER]


@pytest.mark.parametrize(("path", "text", "name", "source"), [
    ("identity.name", "Sofia Marquez", "Sofia Marquez", "interview-sofia.md"),  # own name
    ("psychological_profile.goals[0]", "Get Tobias to pay on time", "Tobias",
     "interview-sofia.md"),  # relation: "my partner Tobias"
    ("knowledge_boundaries.knows[0]", "What Priya thinks of banks", "Priya",
     "responses.csv"),  # a name column
    ("guidelines.response_style", "Signs emails like Greta does.", "Greta", "responses.csv"),
    ("communication_style.speech_patterns[0]", "Mentions Anselm a lot", "Anselm",
     "email.txt"),  # "my brother Anselm"
    ("identity.title", "Friend of Maya", "Maya", "interviews/p01-maya.md"),  # speaker label
])
def test_names_the_sources_reveal(path, text, name, source):
    finding = the_finding(AUDITOR.audit(card_with(path, text), DOCS), FindingKind.NAME)
    assert finding.text == name and finding.field == path
    assert finding.severity == Severity.HIGH
    assert finding.source_id == source
    assert get_field(card_with(path, text), path)[finding.start:finding.end] == name


def test_role_labels_and_generic_words_are_not_names():
    text = "The Interviewer asked about March; the Participant and the Researcher agreed."
    result = AUDITOR.audit(card_with("guidelines.response_style", text), DOCS)
    assert [f for f in result.findings if f.kind == FindingKind.NAME] == []


def test_common_phrases_are_not_findings():
    text = ("I do not know what to do about it. It is what it is. At the end of the day, "
            "we just want something that works.")
    assert AUDITOR.check_leakage(text, DOCS) == []


def test_check_leakage_on_plain_text_and_string_sources():
    findings = AUDITOR.check_leakage(
        "The chat is a terrible ledger, messages get buried under memes every day",
        ["Tomás: the chat is a terrible ledger. Messages get buried under memes."])
    assert findings and findings[0].field is None and findings[0].source_id == "source-1"


def test_redaction_applies_suggestions_and_the_card_then_passes():
    data = copy.deepcopy(CLEAN_CARD)
    data["identity"]["name"] = "Sofia Marquez"
    data["guidelines"]["response_style"] = ("Answers like: every quarter we sit down with a pot "
                                            "of tea and settle up whatever is left over. "
                                            "Email sofia.marquez@example.org.")
    card = CharacterCard.model_validate(data)
    result = AUDITOR.audit(card, DOCS)
    assert result.blocked
    cleaned = redact(card, result.findings)
    assert "[rephrase]" in cleaned.guidelines.response_style
    assert "[email]" in cleaned.guidelines.response_style
    assert cleaned.identity.name == "[name]"
    assert AUDITOR.audit(cleaned, DOCS).findings == []


def test_accepted_findings_stay_quiet_until_the_text_changes(tmp_path):
    card_path = tmp_path / "card.json"
    card = card_with("guidelines.response_style", "Call +44 20 7946 0018 for the shop.")
    log = AuditLog.for_card(card_path)
    first = AUDITOR.audit(card, DOCS, accepted=log)
    phone = the_finding(first, FindingKind.PHONE)
    log.accept(phone, "it is the bakery's public number, printed on its sign")
    again = AUDITOR.audit(card, DOCS, accepted=AuditLog.for_card(card_path))
    assert [f.kind for f in again.accepted] == [FindingKind.PHONE]
    assert again.accepted[0].accepted_reason.startswith("it is the bakery")
    assert not [f for f in again.findings if f.kind == FindingKind.PHONE]
    # editing around the flagged text keeps it accepted; changing the flagged text does not
    reworded = card_with("guidelines.response_style", "Ring +44 20 7946 0018 for the flat.")
    assert not AUDITOR.audit(reworded, DOCS, accepted=log).findings
    changed = card_with("guidelines.response_style", "Call +44 20 7946 0019 for the shop.")
    assert the_finding(AUDITOR.audit(changed, DOCS, accepted=log), FindingKind.PHONE)
    with pytest.raises(ValueError):
        log.accept(phone, "  ")


def test_config_thresholds():
    text = "as long as nobody touches the formulas"
    strict = PrivacyAuditor(PrivacyConfig(verbatim_min_words=5))
    lenient = PrivacyAuditor(PrivacyConfig(verbatim_min_words=10))
    assert strict.check_leakage(text, DOCS)
    assert not [f for f in lenient.check_leakage(text, DOCS) if f.kind == FindingKind.VERBATIM]


def test_result_summary_fields():
    result = AUDITOR.audit(card_with("identity.name", "Sofia Marquez"), DOCS)
    summary = result.to_dict()
    assert summary["verdict"] == "blocked" and summary["blocked"] and not summary["passed"]
    assert 0 <= summary["score"] < 1
    assert summary["findings"][0]["fingerprint"]


def test_fast_and_span_tokenisers_agree_on_real_text():
    for doc in DOCS:
        assert normalized_words(doc.text) == word_spans(doc.text)[0]


@given(st.text(max_size=300))
@settings(max_examples=200, deadline=None)
def test_tokenisers_agree_on_arbitrary_text(text):
    assert normalized_words(text) == word_spans(text)[0]


@given(st.text(max_size=400), st.text(max_size=400))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_auditing_never_crashes_on_arbitrary_text(card_text, source_text):
    # the source as {id: text}: a bare string that names an existing path ("." or "tests")
    # is loaded from disk, by design, and an arbitrary text is meant here
    sources = {"source-1": source_text or "x"}
    auditor = PrivacyAuditor()
    for finding in auditor.check_leakage(card_text, sources):
        assert 0 <= finding.start <= finding.end <= len(card_text)
    card = card_with("guidelines.response_style", card_text.strip() or "x")
    auditor.audit(card, sources)


SOURCE_SENTENCES = [
    doc.text[a:b].strip() for doc in DOCS for a, b in sentence_spans(doc.text)
    if len(normalized_words(doc.text[a:b])) >= 8 and doc.format in ("markdown", "text")
]
FIELDS = [path for path, _ in iter_text_fields(CharacterCard.model_validate(CLEAN_CARD))]


@given(sentence=st.sampled_from(SOURCE_SENTENCES), path=st.sampled_from(FIELDS),
       prefix=st.sampled_from(["", "They say: ", "Often — "]))
@settings(max_examples=120, deadline=None)
def test_any_sentence_copied_from_a_source_into_any_field_is_found(sentence, path, prefix):
    text = prefix + sentence
    if path == "identity.name":
        text = text[:120]
    card = card_with(path, text)
    result = AUDITOR.audit(card, DOCS)
    assert any(f.field == path and f.kind in (FindingKind.VERBATIM, FindingKind.NEAR_VERBATIM,
                                              FindingKind.NAME) for f in result.findings), \
        (path, text)
