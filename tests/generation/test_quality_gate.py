"""Each run ends ok, partial or failed with its reasons; evidence by passage number;
participants' names never survive in a persona. Against the local vendor server."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from persona_tui import AsyncPersonaGenerator, PersonaConfig, PersonaGenerator
from persona_tui.cli import main as cli_main
from persona_tui.core.data import DataLoader
from persona_tui.core.errors import GenerationError
from persona_tui.core.generation.names import NameGuard, ParticipantNames
from persona_tui.core.generation.passages import PassageIndex
from persona_tui.core.models.persona import Persona
from persona_tui.core.utils.fold import fold
from tests.generation.conftest import DATA, SAMPLE_REPLY
from tests.vendor_server.wire import OPENAI_KEY

DOCUMENTS = DataLoader().load(DATA)
PASSAGES = PassageIndex(DOCUMENTS)


def passage(containing: str) -> int:
    return next(p.number for p in PASSAGES.passages if containing in p.text)


def cited_persona(name: str, **overrides) -> dict:
    persona = {
        "name": name, "title": "The reluctant collector",
        "demographics": {"age_band": "25-34", "occupation": "nurse", "household": "flat"},
        "goals": [{"text": "Log costs in seconds from a phone",
                   "passages": [passage("on my phone at four in the morning")]}],
        "pain_points": [{"text": "Chasing flatmates for their share",
                         "passages": [passage("I hate being the one who chases")]}],
        "behaviours": [{"text": "Rounds down lost receipts", "passages": [9999]}],
        "motivations": [{"text": "Keeping the peace", "passages": []}],
        "quotes": [passage("I hate being the one who chases")],
    }
    persona.update(overrides)
    return persona


def generator(server, **kwargs):
    return AsyncPersonaGenerator("openai", "gpt-4o-mini", base_url=f"{server.url}/v1",
                                 api_key=OPENAI_KEY, **kwargs)


async def test_the_sample_reply_is_ok(server):
    result = await generator(server).agenerate(DATA, PersonaConfig(count=3))
    assert result.status == "ok" and result.reasons == []
    assert result.output_mode == "json_schema" and result.token_source == "vendor"
    # motivations without evidence are listed, not hidden: Alex Brennan has two of ten
    assert result.unsupported_claims["ledger-keeper"] == ["motivations[0]", "motivations[1]"]
    assert result.unsupported_rate["ledger-keeper"] == 0.2


async def test_claims_cite_passages_and_get_them_as_verified_excerpts(server):
    server.reply = json.dumps({"personas": [cited_persona("Iris Vance")]})
    result = await generator(server).agenerate(DATA, PersonaConfig(count=1))
    (persona,) = result.personas
    links = {e.attribute: e for e in persona.evidence}
    assert set(links) == {"goals[0]", "pain_points[0]", "quotes[0]"}  # 9999 names nothing
    assert all(link.verified for link in links.values())
    assert links["goals[0]"].source_id == "interviews/p01-maya.md"
    assert "four in the morning" in links["goals[0]"].excerpt
    # the passage's first sentence of six words or more, verbatim
    assert persona.quotes == ["It comes out of my account because I set it up years ago, and "
                              "then I have to chase two people for their share."]
    assert persona.goals == ["Log costs in seconds from a phone"]
    assert result.status == "ok"
    assert result.unsupported_claims[persona.id] == ["behaviours[0]", "motivations[0]"]
    assert result.unsupported_rate[persona.id] == 0.5


async def test_fewer_personas_than_asked_is_partial(server):
    server.reply = json.dumps({"personas": [cited_persona("Iris Vance")]})
    result = await generator(server).agenerate(DATA, PersonaConfig(count=3))
    assert result.status == "partial"
    assert result.reasons == ["1 of 3 personas asked for"]


async def test_a_persona_without_verified_evidence_is_partial(server):
    persona = cited_persona("Iris Vance", goals=[{"text": "Save time", "passages": [0]}],
                            pain_points=["Chasing people"], quotes=["Something never said"])
    server.reply = json.dumps({"personas": [persona]})
    result = await generator(server).agenerate(DATA, PersonaConfig(count=1))
    assert result.status == "partial"
    assert result.reasons == ["persona 'Iris Vance' has no verified evidence"]


async def test_goals_or_pain_points_without_support_are_partial(server):
    persona = cited_persona("Iris Vance")
    persona["pain_points"].append({"text": "Hates spreadsheets", "passages": []})
    server.reply = json.dumps({"personas": [persona]})
    result = await generator(server).agenerate(DATA, PersonaConfig(count=1))
    assert result.status == "partial"
    assert result.reasons == ["persona 'Iris Vance': 1 of 3 goals and pain points have no "
                              "verified evidence (pain_points[1])"]


async def test_missing_fields_and_unreadable_personas_are_partial(server):
    broken = {"title": "no name at all"}
    thin = cited_persona("Iris Vance", goals=[], title="")
    server.reply = json.dumps({"personas": [thin, broken]})
    result = await generator(server).agenerate(DATA, PersonaConfig(count=2))
    assert result.status == "partial"
    assert "1 of 2 personas asked for" in result.reasons
    assert "persona 'Iris Vance' has no title and no goals" in result.reasons
    assert any(r.startswith("dropped persona 2") and "name" in r for r in result.reasons)


async def test_nothing_readable_fails(server):
    server.reply = "I cannot help with that."
    with pytest.raises(GenerationError) as caught:
        await generator(server).agenerate(DATA)
    assert "--temperature" in caught.value.hint


async def test_persona_named_after_a_participant_is_renamed_and_the_run_partial(server):
    persona = cited_persona("Tomas Ribeiro", title="Like Maya, a reluctant collector",
                            quotes=["Jonah flatly refused, said Tomas"])
    server.reply = json.dumps({"personas": [persona]})
    result = await generator(server).agenerate(DATA, PersonaConfig(count=1))
    (renamed,) = result.personas
    assert fold("Tomas") not in fold(renamed.name) and "Ribeiro" not in renamed.name
    first = renamed.name.split()[0]
    assert renamed.title == "Like [name], a reluctant collector"
    assert renamed.quotes == [f"[name] flatly refused, said {first}"]
    assert result.status == "partial"
    assert result.reasons[0] == (f"persona 'Tomas Ribeiro' was named after a participant "
                                 f"(Tomás, interviews/p02-tomas.md); renamed to "
                                 f"'{renamed.name}'")
    fields = {(r["field"], r["found"], r["replaced_with"]) for r in result.renamed}
    assert ("name", "Tomas", renamed.name) in fields
    assert ("title", "Maya", "[name]") in fields
    assert ("quotes[0]", "Jonah", "[name]") in fields


async def test_renamed_personas_are_announced_renamed_while_streaming(server):
    server.reply = json.dumps({"personas": [cited_persona("Priya Okafor")]})
    server.delay = 0.001
    events = [e async for e in generator(server).astream(DATA, PersonaConfig(count=1))]
    announced = [e.persona.name for e in events if type(e).__name__ == "PersonaParsed"]
    final = events[-1].result.personas[0].name
    assert announced == [final] and "Priya" not in final and "Okafor" not in final


@pytest.mark.parametrize("written, participant", [
    ("Tomas", "Tomás"), ("TOMÁS", "Tomás"), ("tom", "Tomás"), ("okafor", "Maya Okafor"),
    ("Lindqvist", "Ruth Lindqvist"), ("Erik", "Erik"), ("priya", "Priya Shah"),
    ("Jonah", "Jonah"), ("Anand", "Dev Anand"),
])
def test_names_match_without_accents_case_nicknames_or_first_names(written, participant):
    found = ParticipantNames(DOCUMENTS).match(written)
    assert found is not None and found.name == participant


@pytest.mark.parametrize("written", ["Jess", "Morgan", "Alex", "Hale", "Eric", "Margaret",
                                     "Survey", "Interviewer"])
def test_other_names_and_words_are_not_participants(written):
    assert ParticipantNames(DOCUMENTS).match(written) is None


_NAMES = ParticipantNames(DOCUMENTS)


@given(st.one_of(st.sampled_from(sorted(_NAMES._by_fold)).map(
    lambda w: w[:max(2, len(w) - 2)]), st.sampled_from(sorted(_NAMES._by_fold)),
    st.text(alphabet="abcdeilmnorstuyá", min_size=2, max_size=9)))
def test_the_indexed_prefix_look_up_finds_what_a_scan_of_every_word_finds(key):
    """A word is looked up in a sorted index of the sources' words (a range for the words
    it begins, a dict look-up for each of its prefixes) instead of a scan of them all; the
    candidates must be the same as that scan's."""
    from persona_tui.core.generation.names import _MIN_PREFIX, NICKNAMES

    key = fold(key)
    scan = list(_NAMES._by_fold.get(key, ()))
    for formal in NICKNAMES.get(key, ()):
        scan += _NAMES._by_fold.get(formal, ())
    if len(key) >= _MIN_PREFIX:
        for other, words in _NAMES._by_fold.items():
            if other != key and len(other) >= _MIN_PREFIX and (
                    other.startswith(key) or key.startswith(other)):
                scan += words
    assert sorted(_NAMES._candidates(key)) == sorted(scan)


def test_synthetic_names_never_clash_and_a_rename_is_stable():
    guard = NameGuard(DOCUMENTS)
    names = guard.suggestions(12)
    assert len(set(names)) == 12
    assert not any(ParticipantNames(DOCUMENTS).match(p) for n in names for p in n.split())
    persona = Persona(name="Ruth Lindqvist", goals=["Ruth wants large print"])
    first, again = guard.check(persona), guard.check(persona)
    assert first.name == again.name != "Ruth Lindqvist"
    assert first.goals == [f"{first.name.split()[0]} wants large print"]


async def test_run_json_records_status_reasons_mode_and_token_source(server, tmp_path):
    server.reply = json.dumps({"personas": [cited_persona("Iris Vance")]})
    server.openai_usage = False
    result = await generator(server).agenerate(DATA, PersonaConfig(count=2),
                                               output_dir=tmp_path)
    (run_dir,) = list(tmp_path.iterdir())
    assert result.output_dir == str(run_dir)
    record = json.loads((run_dir / "run.json").read_text())
    assert record["status"] == "partial" and record["reasons"] == ["1 of 2 personas asked for"]
    assert record["output_mode"] == "json_schema"
    assert record["tokens_estimated"] is True and record["token_counts"] == "estimated"
    assert record["unsupported_claims"] == result.unsupported_claims
    saved = json.loads((run_dir / "personas.json").read_text())
    assert [p["name"] for p in saved] == ["Iris Vance"]


def test_sync_sdk_saves_runs_and_failed_runs_too(server, tmp_path):
    generate = PersonaGenerator("openai", "gpt-4o-mini", base_url=f"{server.url}/v1",
                                api_key=OPENAI_KEY)
    result = generate.generate(DATA, output_dir=tmp_path / "runs")
    assert result.status == "ok" and (tmp_path / "runs").is_dir()
    server.reply = "no personas here"
    with pytest.raises(GenerationError):
        generate.generate(DATA, output_dir=tmp_path / "runs")
    records = [json.loads((d / "run.json").read_text()) for d in (tmp_path / "runs").iterdir()]
    assert sorted(r["status"] for r in records) == ["failed", "ok"]


def test_sdk_package_exports_the_sdk_classes():
    from persona_tui.sdk import (  # noqa: F401
        AsyncExperimentSDK,
        AsyncPersonaGenerator,
        ExperimentSDK,
        GenerationResultModel,
        PersonaConfig,
        PersonaError,
        PersonaGenerator,
        PersonaModel,
    )

    assert PersonaGenerator.__module__ == "persona_tui.sdk.generator"


def _cli(server, *extra):
    return cli_main(["generate", "--from", str(DATA), "--provider", "openai", "--model",
                     "gpt-4o-mini", "--base-url", f"{server.url}/v1", *extra])


def test_cli_exits_1_for_partial_unless_allowed(server, monkeypatch, capsys):
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
    server.reply = json.dumps({"personas": [cited_persona("Iris Vance")]})
    assert _cli(server, "--count", "2") == 1
    out = capsys.readouterr()
    assert "partial: 1 of 2 personas asked for" in out.out
    assert "--allow-partial" in out.err
    assert _cli(server, "--count", "2", "--allow-partial") == 0
    assert _cli(server, "--count", "1") == 0
    server.reply = SAMPLE_REPLY
    capsys.readouterr()
    assert _cli(server, "--count", "3") == 0
    assert capsys.readouterr().out.startswith("ok: 3 persona(s)")


def test_cli_json_carries_the_status(server, monkeypatch, capsys):
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
    server.reply = json.dumps({"personas": [cited_persona("Iris Vance")]})
    assert _cli(server, "--count", "2", "--json") == 1
    printed = json.loads(capsys.readouterr().out)
    assert printed["status"] == "partial" and printed["reasons"]


def test_cli_controls_and_config_defaults_reach_the_request(server, monkeypatch, paths):
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
    paths.config_file.parent.mkdir(parents=True, exist_ok=True)
    paths.config_file.write_text("[generation]\nmax_tokens = 900\ntemperature = 0.2\n"
                                 "seed = 5\n")
    assert _cli(server) == 0
    body = [r.body for r in server.requests if r.path.endswith("completions")][-1]
    assert (body["max_tokens"], body["temperature"], body["seed"]) == (900, 0.2, 5)
    assert _cli(server, "--max-tokens", "700", "--temperature", "1.1", "--seed", "9") == 0
    body = [r.body for r in server.requests if r.path.endswith("completions")][-1]
    assert (body["max_tokens"], body["temperature"], body["seed"]) == (700, 1.1, 9)


def test_cli_rejects_bad_controls(server, capsys):
    assert _cli(server, "--temperature", "5") == 2
    assert "temperature" in capsys.readouterr().err
