"""Card editing sessions and audit operations, as the card editor and audit viewer use them."""

from __future__ import annotations

import json
import os

import pytest

from persona_tui.core import fileio
from persona_tui.core.generation.parser import PersonaParser
from persona_tui.core.privacy.findings import FindingKind
from persona_tui.resources import sample_project
from persona_tui.services.audit import AuditService
from persona_tui.services.cards import CardService

SAMPLE_CARD = sample_project() / "cards" / "ledger-keeper.json"
DATA = sample_project() / "data"


@pytest.fixture
def cards(paths):
    return CardService(paths)


def test_list_includes_sample_cards(cards):
    names = {entry.name for entry in cards.list()}
    assert {"Alex Brennan", "Jess Morgan"} <= names


def test_edits_validate_as_you_type_and_name_the_field(cards):
    session = cards.open(SAMPLE_CARD)
    assert not session.dirty
    assert session.set("identity.name", "") is not None  # required
    assert "identity.name" in session.errors()
    assert session.dirty
    assert session.set("identity.name", "Alexa Brennan") is None
    assert session.errors() == {}


def test_list_items_added_removed_moved_and_undo_redo(cards):
    session = cards.open(SAMPLE_CARD)
    goals = list(session.data["psychological_profile"]["goals"])
    index = session.add_item("psychological_profile.goals", "A new goal")
    assert session.data["psychological_profile"]["goals"][index] == "A new goal"
    new = session.move_item("psychological_profile.goals", index, -1)
    assert new == index - 1
    assert session.data["psychological_profile"]["goals"][new] == "A new goal"
    session.remove_item("psychological_profile.goals", 0)
    assert session.undo() and session.undo() and session.undo()
    assert session.data["psychological_profile"]["goals"] == goals
    assert not session.dirty
    assert session.redo()
    assert "A new goal" in session.data["psychological_profile"]["goals"]
    assert session.move_item("psychological_profile.goals", 0, -1) == 0  # at the top


def test_save_is_atomic_and_clears_dirty(cards, paths, monkeypatch):
    session = cards.open(SAMPLE_CARD)
    session.set("identity.title", "Changed title")
    target = paths.cards_dir / "ledger-keeper.json"
    assert cards.save(session, target) == target
    assert not session.dirty
    saved = json.loads(target.read_text())
    assert saved["identity"]["title"] == "Changed title"

    session.set("identity.title", "Never written")

    def killed(src, dst):  # the process dies between the temp file and the rename
        raise KeyboardInterrupt

    monkeypatch.setattr(fileio.os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        cards.save(session)
    assert json.loads(target.read_text())["identity"]["title"] == "Changed title"
    # no temporary file left behind; the audit log records the sample's sources
    assert sorted(p.name for p in target.parent.iterdir()) == ["ledger-keeper.audit.json",
                                                               "ledger-keeper.json"]
    assert session.dirty  # still unsaved: leaving must ask


def test_invalid_card_is_not_saved(cards, paths):
    session = cards.open(SAMPLE_CARD)
    session.set("identity.name", "")
    with pytest.raises(Exception, match="identity"):
        cards.save(session, paths.cards_dir / "x.json")
    assert not (paths.cards_dir / "x.json").exists()
    assert cards.preview(session).startswith("identity.name:")


def test_new_card_from_a_persona_and_exports(cards, paths):
    persona = PersonaParser().parse((sample_project() / "personas.json").read_text()).personas[2]
    session = cards.new_from_persona(persona)
    assert session.dirty  # never saved
    assert session.data["identity"]["name"] == "Margaret Hale"
    assert cards.preview(session).startswith("You are Margaret Hale")
    for fmt, suffix in (("json", ".json"), ("system_prompt", ".txt"), ("markdown", ".md"),
                        ("chara_card_v2", ".v2.json")):
        path = cards.export(session, fmt, paths.data_dir / "out")
        assert path.name == f"careful-steward{suffix}" and path.stat().st_size > 100
    with pytest.raises(ValueError):
        cards.export(session, "pdf")


def test_audit_accept_redact_rerun_and_report(cards, paths, tmp_path):
    service = AuditService()
    session = cards.open(SAMPLE_CARD)
    session.set("identity.name", "Tomás Ribeiro")
    session.set("guidelines.response_style",
                "Says: the chat is a terrible ledger. Messages get buried under memes.")
    card_path = cards.save(session, paths.cards_dir / "leaky.json")
    result = service.audit(session.card(), DATA, card_path=card_path)
    assert result.blocked
    kinds = {f.kind for f in result.findings}
    assert FindingKind.NAME in kinds and FindingKind.VERBATIM in kinds
    name = next(f for f in result.findings if f.kind == FindingKind.NAME)
    service.accept(card_path, name, "the sample's own interviewee name, kept on purpose")
    again = service.audit(session.card(), DATA, card_path=card_path)
    assert [f.kind for f in again.accepted] == [FindingKind.NAME]
    cleaned = service.redact(session.card(), again.findings)
    assert "[rephrase]" in cleaned.guidelines.response_style
    final = service.audit(cleaned, DATA, card_path=card_path)
    assert not final.blocked
    report_md = service.export_report(cleaned, final, tmp_path / "report.md")
    report_json = service.export_report(session.card(), result, tmp_path / "report.json")
    assert report_md.read_text().startswith("# Privacy audit: Tomás Ribeiro")
    assert json.loads(report_json.read_text())["verdict"] == "blocked"
    log = json.loads((paths.cards_dir / "leaky.audit.json").read_text())
    assert len(log["runs"]) == 3 and len(log["accepted"]) == 1
    assert os.stat(card_path).st_size > 0


def test_the_service_hub_builds_every_service_lazily(paths):
    from persona_tui.services.hub import Services

    hub = Services.create(paths)
    assert "cards" not in hub.__dict__  # nothing built until asked for
    assert isinstance(hub.cards, CardService) and isinstance(hub.audit, AuditService)
    assert hub.providers and hub.generation and hub.ollama


def test_audit_service_takes_loaded_documents_too(cards):
    from persona_tui.core.data import DataLoader

    documents = DataLoader().load(DATA)
    result = AuditService().audit(cards.open(SAMPLE_CARD).card(), documents)
    assert result.verdict == "pass"


def test_a_sample_card_is_saved_as_the_users_copy_with_its_sources(cards, paths):
    session = cards.open(SAMPLE_CARD)
    assert session.path == paths.cards_dir / "ledger-keeper.json"
    assert session.sources == ["sample"]  # the bundled study, wherever it is installed
    before = SAMPLE_CARD.read_bytes()
    session.set("identity.title", "Mine now")
    cards.save(session)
    assert SAMPLE_CARD.read_bytes() == before
    reopened = cards.open(session.path)
    assert reopened.sources == ["sample"]  # kept in the audit log beside the copy


def test_typing_in_one_field_is_one_undo_step(cards):
    session = cards.open(SAMPLE_CARD)
    title = session.data["identity"]["title"]
    for end in range(1, 6):
        session.set("identity.title", "Hello"[:end])
    session.set("identity.name", "Someone")
    assert session.undo()  # the name
    assert session.undo()  # the whole title typing run
    assert session.data["identity"]["title"] == title
    assert not session.undo()


def test_personas_to_make_cards_from_include_the_sample(cards):
    entries = cards.personas()
    assert [e.persona.name for e in entries[:3]] == ["Jess Morgan", "Alex Brennan",
                                                     "Margaret Hale"]
    session = cards.new_from_persona(entries[0])
    assert session.sources == ["sample"] and session.dirty


def test_audit_context_shows_the_source_span(cards):
    service = AuditService()
    session = cards.open(SAMPLE_CARD)
    session.set("guidelines.response_style",
                "Says: the chat is a terrible ledger. Messages get buried under memes.")
    result = service.audit(session.card(), session.sources)
    verbatim = next(f for f in result.findings if f.kind == FindingKind.VERBATIM)
    context = service.source_context(verbatim)
    assert context is not None and context.document == verbatim.source_id
    assert context.match.casefold() == verbatim.source_text.casefold()
    assert context.before or context.after


def test_missing_source_path_is_a_clear_error(cards, tmp_path):
    from persona_tui.core.errors import DataError

    session = cards.open(SAMPLE_CARD)
    with pytest.raises(DataError, match="does not exist"):
        AuditService().audit(session.card(), [str(tmp_path / "nope")])


KEEP_SAVING = """
import sys
from persona_tui.core.platform import PathManager
from persona_tui.services.cards import CardService

cards = CardService(PathManager.default())
session = cards.open(sys.argv[1])
version = 0
while True:
    version += 1
    session.set("identity.demographics_summary", f"Version {version}. " + "x" * 1900)
    cards.save(session, sys.argv[2])
    if version == 1:
        print("saving", flush=True)
"""


def test_a_kill_during_save_leaves_the_old_or_the_new_card_never_half(cards, paths):
    """SIGKILL at random moments while a process saves a card in a loop: every time, the
    file on disk is a whole card, and no temporary file is taken for a card."""
    import random
    import signal
    import subprocess
    import sys
    import time

    from persona_tui.core.scripts.cards_io import load_card

    target = paths.cards_dir / "ledger-keeper.json"
    for attempt in range(5):
        process = subprocess.Popen([sys.executable, "-c", KEEP_SAVING, str(SAMPLE_CARD),
                                    str(target)], stdout=subprocess.PIPE, text=True)
        try:
            assert process.stdout.readline().strip() == "saving"
            time.sleep(random.uniform(0.02, 0.25))
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)
        card = load_card(target)  # parses: never a torn write
        assert card.identity.demographics_summary.startswith("Version ")
        assert len(card.identity.demographics_summary) > 1900
    names = [entry.path.name for entry in cards.list(include_samples=False)]
    assert names == ["ledger-keeper.json"]


def test_personas_of_experiment_runs_come_with_their_data(cards, paths, tmp_path):
    """A card made from a generated persona is audited against the data of that run."""
    from datetime import UTC, datetime
    from types import SimpleNamespace

    from persona_tui.core.experiments import ExperimentStore
    from persona_tui.core.models.options import ExperimentConfig

    personas = PersonaParser().parse((sample_project() / "personas.json").read_text()).personas
    store = ExperimentStore(paths.experiments_dir)
    config = store.create(ExperimentConfig(name="study-1", data_paths=[str(DATA)]))
    run_dir = store.new_run_dir("study-1")
    result = SimpleNamespace(raw_output="{}", personas=personas[:1], prompt_version="t",
                             input_tokens=1, output_tokens=1, tokens_estimated=False,
                             cost_usd=0.0, duration_s=0.1, ttft_s=0.01, warnings=[],
                             errors=[], metrics={})
    store.record_run("study-1", run_dir, config, result=result, started=datetime.now(UTC))
    entry = cards.personas()[-1]
    assert entry.persona.name == "Jess Morgan" and "study-1" in entry.label
    assert entry.sources == [str(DATA)]
    session = cards.new_from_persona(entry)
    assert session.sources == [str(DATA)]
    assert AuditService().audit(session.card(), session.sources).verdict == "pass"


def test_a_character_card_v2_file_is_never_overwritten_by_the_editor(cards, tmp_path):
    session = cards.open(SAMPLE_CARD)
    v2 = cards.export(session, "chara_card_v2", tmp_path)
    before = v2.read_bytes()
    opened = cards.open(v2)
    assert opened.path == tmp_path / "ledger-keeper.json"  # beside it, in our format
    opened.set("identity.title", "Edited")
    cards.save(opened)
    assert v2.read_bytes() == before


def test_saved_verdict_is_of_the_card_on_disk_not_of_an_unsaved_redaction(cards, paths):
    """What `persona-tui audit` exits by when its viewer closes (issue 16, point 10)."""
    card = json.loads(SAMPLE_CARD.read_text())
    card["identity"]["name"] = "Tomás Ribeiro"  # a participant: blocked
    path = paths.cards_dir / "leaky.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(card))
    audit = AuditService()
    session = cards.open(path)
    session.sources = ["sample"]
    result = audit.audit(session.card(), session.sources, card_path=path)
    assert result.blocked
    session.replace(cards.data_of(audit.redact(session.card(), result.findings)))
    assert not audit.audit(session.card(), session.sources, card_path=path).blocked
    assert audit.saved_verdict(session).blocked  # redacted, not saved: still blocked on disk
    cards.save(session)
    assert not audit.saved_verdict(session).blocked
    assert audit.saved_verdict(None) is None
