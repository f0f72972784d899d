"""Card model, schema, exports, and generation from personas."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from persona_tui.core.data import DataLoader
from persona_tui.core.errors import GenerationError, ValidationError
from persona_tui.core.generation.parser import PersonaParser
from persona_tui.core.models.persona import Persona
from persona_tui.core.providers.openai import OpenAIProvider
from persona_tui.core.scripts.cards_io import load_card, save_card
from persona_tui.core.scripts.formats import (
    embed_in_png,
    extract_from_png,
    from_character_card_v2,
    render,
    to_character_card_v2,
    to_markdown,
    to_system_prompt,
)
from persona_tui.core.scripts.generator import PrivacyBlockedError, ScriptGenerator
from persona_tui.core.scripts.models import (
    CARD_SCHEMA_VERSION,
    CharacterCard,
    card_json_schema,
    get_field,
    iter_text_fields,
    set_field,
)
from persona_tui.resources import resource_path, sample_project
from tests.vendor_server.wire import OPENAI_KEY

DOCS = DataLoader().load(sample_project() / "data")
PERSONAS = PersonaParser().parse((sample_project() / "personas.json").read_text("utf-8"),
                                 sources=DOCS).personas
SAMPLE_CARD = load_card(sample_project() / "cards" / "ledger-keeper.json")


def test_minimal_card_and_defaults():
    card = CharacterCard.model_validate({"id": "x", "identity": {"name": "Ana"}})
    assert card.schema_version == CARD_SCHEMA_VERSION
    assert card.psychological_profile.goals == []
    assert card.provenance.synthetic_marker.startswith("SYNTHETIC")


@pytest.mark.parametrize(("data", "field"), [
    ({"id": "x", "identity": {}}, "identity.name"),
    ({"id": "x", "identity": {"name": "A"}, "psycological_profile": {}},
     "psycological_profile"),
    ({"id": "has space", "identity": {"name": "A"}}, "id"),
    ({"id": "x", "identity": {"name": "A"}, "guidelines": {"additional_rules": 3}},
     "guidelines.additional_rules"),
])
def test_strict_validation_names_the_field(tmp_path, data, field):
    path = tmp_path / "card.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ValidationError) as err:
        load_card(path)
    assert field in str(err.value)


def test_shipped_schema_matches_the_models():
    shipped = json.loads(resource_path("schemas", "character_card.schema.json").read_text())
    assert shipped == card_json_schema()


def test_field_paths_get_and_set():
    paths = dict(iter_text_fields(SAMPLE_CARD))
    assert paths["identity.name"] == "Alex Brennan"
    assert "psychological_profile.goals[1]" in paths
    changed = set_field(SAMPLE_CARD, "psychological_profile.goals[1]", "new goal")
    assert get_field(changed, "psychological_profile.goals[1]") == "new goal"
    assert get_field(SAMPLE_CARD, "psychological_profile.goals[1]") != "new goal"
    with pytest.raises(KeyError):
        get_field(SAMPLE_CARD, "nonsense")


def test_json_round_trip_and_atomic_save(tmp_path):
    path = save_card(SAMPLE_CARD, tmp_path / "c.json")
    assert load_card(path) == SAMPLE_CARD


def test_system_prompt_and_markdown_render_every_section():
    prompt = to_system_prompt(SAMPLE_CARD)
    assert prompt.startswith("You are Alex Brennan, The self-appointed ledger keeper.")
    assert "SYNTHETIC PERSONA" in prompt and "never claim to be a real individual" in prompt
    for goal in SAMPLE_CARD.psychological_profile.goals:
        assert f"- {goal}" in prompt
    markdown = to_markdown(SAMPLE_CARD)
    assert markdown.startswith("# Alex Brennan")
    assert "## Knowledge boundaries" in markdown
    assert render(SAMPLE_CARD, "markdown") == markdown
    with pytest.raises(ValidationError):
        render(SAMPLE_CARD, "docx")


def test_character_card_v2_export_and_import():
    v2 = to_character_card_v2(SAMPLE_CARD)
    assert v2["spec"] == "chara_card_v2" and v2["spec_version"] == "2.0"
    data = v2["data"]
    for key in ("name", "description", "personality", "scenario", "first_mes", "mes_example",
                "creator_notes", "system_prompt", "post_history_instructions",
                "alternate_greetings", "tags", "creator", "character_version", "extensions"):
        assert key in data
    assert data["name"] == "Alex Brennan"
    assert from_character_card_v2(json.loads(render(SAMPLE_CARD, "chara_card_v2"))) == \
        SAMPLE_CARD


def test_foreign_v2_card_is_mapped():
    foreign = {"spec": "chara_card_v2", "spec_version": "2.0", "data": {
        "name": "Captain Rowe", "description": "A retired sailor.",
        "personality": "gruff, loyal", "scenario": "At the harbour.", "first_mes": "Ahoy.",
        "mes_example": "", "creator_notes": "", "system_prompt": "",
        "post_history_instructions": "", "alternate_greetings": [], "tags": [],
        "creator": "someone", "character_version": "1", "extensions": {}}}
    card = from_character_card_v2(foreign)
    assert card.id == "captain-rowe"
    assert card.psychological_profile.personality_traits == ["gruff", "loyal"]
    with pytest.raises(ValidationError, match="chara_card_v2"):
        from_character_card_v2({"spec": "something else"})


def test_png_embedding_round_trip(tmp_path):
    png = embed_in_png(SAMPLE_CARD)
    assert png.startswith(b"\x89PNG") and b"tEXtchara" in png
    assert extract_from_png(png) == SAMPLE_CARD
    (tmp_path / "card.png").write_bytes(png)
    assert load_card(tmp_path / "card.png") == SAMPLE_CARD


def test_deterministic_generation_describes_speech_and_never_copies_quotes():
    generator = ScriptGenerator()
    for persona in PERSONAS:
        card = generator.generate(persona, sources=DOCS)
        assert generator.last_audit.verdict == "pass"
        texts = " ".join(text for _, text in iter_text_fields(card)).casefold()
        for quote in persona.quotes:
            assert quote.casefold().strip(".") not in texts
        assert card.communication_style.speech_patterns
        assert card.provenance.source_persona_id == persona.id
        assert card.identity.name == persona.name


def test_generation_formats_and_batch():
    generator = ScriptGenerator()
    assert generator.generate(PERSONAS[0], format="system_prompt").startswith("You are Jess")
    cards = generator.batch_generate(PERSONAS, sources=DOCS)
    assert [c.id for c in cards] == ["reluctant-collector", "ledger-keeper", "careful-steward"]


def test_leaky_persona_is_blocked_unless_configured_not_to():
    leaky = Persona.model_validate({
        "name": "Maya Okafor", "goals": ["It comes out of my account because I set it up "
                                         "years ago, and then I have to chase two people"]})
    with pytest.raises(PrivacyBlockedError) as err:
        ScriptGenerator().generate(leaky, sources=DOCS)
    assert err.value.code == "E5001" and err.value.audit.blocked
    card = ScriptGenerator(block_on_audit=False).generate(leaky, sources=DOCS)
    assert card.identity.name == "Maya Okafor"


@pytest.fixture
def server(vendor_server):
    vendor_server.reset()
    yield vendor_server
    vendor_server.reset()


async def test_generation_with_a_provider(server):
    server.reply = json.dumps({
        "identity": {"name": "Jess Morgan", "title": "The reluctant collector",
                     "demographics_summary": "Late twenties, shift worker."},
        "psychological_profile": {"goals": ["Be repaid without asking"]},
        "communication_style": {"tone": "warm", "vocabulary_level": "everyday",
                                "speech_patterns": ["short sentences"]},
        "knowledge_boundaries": {}, "guidelines": {}})
    async with OpenAIProvider(f"{server.url}/v1", OPENAI_KEY) as provider:
        generator = ScriptGenerator(provider, model="gpt-4o-mini")
        card = await generator.agenerate(PERSONAS[0], sources=DOCS)
        assert card.identity.title == "The reluctant collector"
        assert card.provenance.source_persona_id == "reluctant-collector"
        prompt = server.requests[-1].body["messages"][0]["content"]
        assert "Jess Morgan" in prompt and "Abstract, never quote" in prompt
        assert "I hate being the one who chases" not in prompt  # quotes are not sent
        server.reply = '{"identity": {"nam": "x"}}'
        with pytest.raises(GenerationError, match="identity"):
            await generator.agenerate(PERSONAS[0])
        server.reply = "Sorry, I cannot do that."
        with pytest.raises(GenerationError, match="did not return a card"):
            await generator.agenerate(PERSONAS[0])


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "persona_tui", *args], capture_output=True,
                          text=True, timeout=120)


def test_audit_command_exit_statuses(tmp_path):
    data = str(sample_project() / "data")
    clean = _cli("audit", str(sample_project() / "cards" / "ledger-keeper.json"),
                 "--source", data)
    assert clean.returncode == 0 and "PASS" in clean.stdout
    leaky = SAMPLE_CARD.model_copy(update={"identity": SAMPLE_CARD.identity.model_copy(
        update={"name": "Tomás \x1b]0;pwned\x07Ribeiro"})})
    path = save_card(leaky, tmp_path / "leaky.json")
    blocked = _cli("audit", str(path), "--source", data)
    assert blocked.returncode == 1 and "BLOCKED" in blocked.stdout
    assert "\x1b" not in blocked.stdout  # control sequences from data never reach the terminal
    as_json = _cli("audit", str(path), "--source", data, "--json")
    report = json.loads(as_json.stdout)
    assert as_json.returncode == 1 and report["verdict"] == "blocked"
    assert report["findings"][0]["kind"] == "name"
    assert _cli("audit", str(tmp_path / "missing.json"), "--source", data).returncode == 2
    assert _cli("audit", str(path)).returncode == 2  # no --source and none in its audit log
