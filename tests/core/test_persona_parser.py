"""The persona parser: shapes, aliases, bad personas, cut-off output, evidence checks."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from persona_tui.core.data import DataLoader
from persona_tui.core.generation.parser import PersonaParser
from persona_tui.resources import sample_project
from persona_tui.sdk.models import PersonaModel

parser = PersonaParser()
ANA = {"name": "Ana", "title": "Planner", "goals": ["save time"], "pain_points": ["slow apps"]}


def test_accepts_personas_key_bare_list_and_single_object():
    for text in (json.dumps({"personas": [ANA]}), json.dumps([ANA]), json.dumps(ANA)):
        result = parser.parse(text)
        assert [p.name for p in result.personas] == ["Ana"], text
        assert result.errors == []


def test_field_aliases_map_onto_the_schema():
    text = json.dumps({"personas": [{
        "name": "Bo", "painPoints": ["a"], "behaviors": ["b"], "Motivation": "c",
        "representative_quotes": ["d"], "age": 41, "favourite_colour": "green",
    }]})
    persona = parser.parse(text).personas[0]
    assert persona.pain_points == ["a"]
    assert persona.behaviours == ["b"]
    assert persona.motivations == ["c"]
    assert persona.quotes == ["d"]
    assert persona.demographics == {"age": 41}
    assert persona.additional == {"favourite_colour": "green"}


def test_frustrations_alias():
    persona = parser.parse('[{"name": "C", "frustrations": ["x", "y"]}]').personas[0]
    assert persona.pain_points == ["x", "y"]


def test_keeps_good_personas_and_reports_each_bad_one():
    text = json.dumps({"personas": [ANA, {"title": "nameless"}, "just a string",
                                    {"name": "Dee", "goals": "one goal"}]})
    result = parser.parse(text)
    assert [p.name for p in result.personas] == ["Ana", "Dee"]
    assert result.personas[1].goals == ["one goal"]
    assert len(result.errors) == 2
    assert result.errors[0].startswith("persona 2")
    assert result.errors[1].startswith("persona 3")


def test_salvages_complete_personas_from_a_cut_off_list():
    full = json.dumps({"personas": [ANA, {**ANA, "name": "Bea"}, {**ANA, "name": "Cy"}]})
    cut = full[: full.index('"Cy"') + 3]
    result = parser.parse("```json\n" + cut)
    assert [p.name for p in result.personas] == ["Ana", "Bea"]
    assert result.truncated
    assert any("cut off" in w and "kept 2" in w and "dropped 1" in w for w in result.warnings)


def test_cut_off_before_any_persona_is_an_error_not_an_exception():
    result = parser.parse('{"personas": [{"name": "A", "go')
    assert result.personas == []
    assert result.errors and "cut off" in result.errors[0]


def test_ids_are_generated_and_unique():
    result = parser.parse(json.dumps([ANA, ANA, {"name": "Zoë Ng"}]))
    assert [p.id for p in result.personas] == ["ana", "ana-2", "zoe-ng"]


def test_evidence_is_verified_against_named_sources():
    sources = {"p01.md": "Maya: I just round it down and   eat the DIFFERENCE.",
               "survey.csv": "unrelated"}
    text = json.dumps([{**ANA, "evidence": [
        {"attribute": "behaviours[0]", "source_id": "p01.md",
         "excerpt": "just round it down and eat the difference"},
        {"attribute": "goals[0]", "source": "p01.md", "quote": "a sentence nobody said"},
        {"attribute": "goals[0]", "source_id": "survey.csv",
         "excerpt": "round it down and eat the difference"},  # real text, wrong source
    ]}])
    persona = parser.parse(text, sources=sources).personas[0]
    assert [e.verified for e in persona.evidence] == [True, False, False]
    assert persona.evidence[0].location == "speaker Maya, line 1"


def test_verification_ignores_typography_but_not_wording():
    sources = {"a": "She said: \u201cI don\u2019t trust it\u201d \u2014 twice."}
    ok = parser.parse(json.dumps([{"name": "A", "evidence": [
        {"attribute": "x", "source_id": "a", "excerpt": '"I don\'t trust it" - twice'}]}]),
        sources=sources)
    bad = parser.parse(json.dumps([{"name": "A", "evidence": [
        {"attribute": "x", "source_id": "a", "excerpt": "I do not trust it"}]}]),
        sources=sources)
    assert ok.personas[0].evidence[0].verified
    assert not bad.personas[0].evidence[0].verified
    assert any("not found" in w for w in bad.warnings)


def test_model_verified_flag_is_never_trusted():
    text = json.dumps([{"name": "A", "evidence": [
        {"attribute": "x", "source_id": "a", "excerpt": "invented", "verified": True}]}])
    assert not parser.parse(text, sources={"a": "real words"}).personas[0].evidence[0].verified


def test_sample_personas_all_verify_against_sample_data():
    docs = DataLoader().load(sample_project() / "data")
    result = parser.parse((sample_project() / "personas.json").read_text("utf-8"), sources=docs)
    assert len(result.personas) == 3
    links = [link for p in result.personas for link in p.evidence]
    assert links and all(link.verified for link in links)
    assert result.warnings == []


def test_persona_round_trips_through_json():
    persona = parser.parse(json.dumps([{**ANA, "evidence": [
        {"attribute": "goals[0]", "source_id": "s", "excerpt": "e"}]}])).personas[0]
    again = PersonaModel.model_validate_json(persona.model_dump_json())
    assert again == persona


def test_no_json_and_empty_output_are_errors():
    assert parser.parse("I cannot help with that.").errors == [
        "no JSON with personas was found in the output"]
    assert parser.parse("").errors == ["the model returned no text"]
    assert parser.parse(None).errors


@given(st.text())
@settings(max_examples=300, deadline=None)
def test_arbitrary_text_never_raises(text):
    result = parser.parse(text, sources={"s": "some source text"})
    assert isinstance(result.personas, list)
    assert result.raw == text


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=10),
                    lambda c: st.lists(c, max_size=3)
                    | st.dictionaries(st.sampled_from(["name", "goals", "evidence", "personas",
                                                       "painPoints", "demographics", "x"]),
                                      c, max_size=4), max_leaves=15))
@settings(max_examples=300, deadline=None)
def test_arbitrary_json_never_raises(value):
    result = parser.parse(json.dumps(value), sources=["free text source"])
    for persona in result.personas:
        assert persona.name
