"""Property tests across the whole path: arbitrary model output through parse, save, render
and export never raises and never emits a control sequence (and every JSON written still
parses). ``raw_output.txt`` is the one file kept verbatim (the record of what the model sent);
everything else that reaches a terminal or a text file is checked byte by byte."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from persona_tui.core.experiments import ExperimentStore, persona_markdown
from persona_tui.core.generation.parser import PersonaParser
from persona_tui.core.generation.pipeline import GenerationResult
from persona_tui.core.models.options import ExperimentConfig
from persona_tui.core.scripts.format_names import BINARY_FORMATS, FORMATS
from persona_tui.core.scripts.formats import export_bytes, render
from persona_tui.core.scripts.generator import ScriptGenerator
from persona_tui.core.utils.sanitize import SafeStream, json_safe
from tests.hostile.conftest import assert_clean
from tests.vendor_server import hostile

HOSTILE_PIECES = [hostile.ESCAPES, hostile.SURROGATE, hostile.CLIPBOARD, hostile.TITLE,
                  hostile.CLEAR, hostile.C1, hostile.MARKUP, "\x00", "\r", "\u2028", "\ufeff"]
text = st.one_of(st.text(st.characters(exclude_categories=()), max_size=30),
                 st.sampled_from(HOSTILE_PIECES),
                 st.lists(st.sampled_from(HOSTILE_PIECES + ["a", " ", "é"]), max_size=6)
                 .map("".join))
scalars = st.one_of(text, st.integers(), st.floats(allow_nan=True), st.booleans(), st.none())
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(text, inner, max_size=3), max_leaves=8)
persona = st.fixed_dictionaries(
    {"name": text}, optional={
        "title": text, "id": text, "demographics": st.dictionaries(text, values, max_size=3),
        "goals": st.lists(text, max_size=3) | values, "pain_points": st.lists(text, max_size=3),
        "behaviours": values, "quotes": st.lists(text, max_size=2),
        "evidence": st.lists(st.fixed_dictionaries({"attribute": text, "source_id": text,
                                                    "excerpt": text}), max_size=2) | values,
        "extra": values})


@st.composite
def model_output(draw) -> str:
    """What a model might send: persona JSON (escaped or raw), wrapped in prose, cut off
    anywhere, or anything at all."""
    kind = draw(st.sampled_from(["json", "wrapped", "cut", "anything"]))
    if kind == "anything":
        return draw(st.text(st.characters(exclude_categories=()), max_size=200))
    body = json.dumps({"personas": draw(st.lists(persona, min_size=1, max_size=3))},
                      ensure_ascii=draw(st.booleans()))
    if kind == "wrapped":
        return f"{draw(text)}```json\n{body}\n```{draw(text)}"
    if kind == "cut":
        return body[:draw(st.integers(0, len(body)))]
    return body


@pytest.fixture
def no_fsync(monkeypatch):
    """Content, not durability, is the property here: skip the disk flushes (seconds on a
    busy disk) so many examples fit in the default suite."""
    from persona_tui.core import fileio

    monkeypatch.setattr(fileio.os, "fsync", lambda fd: None)


PROPERTY_SETTINGS = settings(max_examples=25, deadline=None,
                             suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                    HealthCheck.too_slow])


@PROPERTY_SETTINGS
@given(output=model_output())
def test_parse_never_raises_and_personas_are_clean(output):
    result = PersonaParser().parse(output)
    for found in result.personas:
        assert_clean(found.model_dump_json(), "persona JSON")
        assert_clean(persona_markdown([found]), "personas.md")


@PROPERTY_SETTINGS
@given(output=model_output())
def test_save_render_and_export_never_raise_nor_emit_controls(tmp_path_factory, no_fsync,
                                                              output):
    parsed = PersonaParser().parse(output)
    store = ExperimentStore(tmp_path_factory.mktemp("store"))
    config = ExperimentConfig(name="prop", provider="ollama", data_paths=[])
    store.create(config)
    result = GenerationResult(personas=parsed.personas, provider="ollama", model="m",
                              raw_output=output, warnings=list(parsed.warnings),
                              errors=list(parsed.errors))
    run_dir = store.new_run_dir("prop")
    store.record_run("prop", run_dir, config, result=result, started=datetime.now(UTC))
    for name in ("run.json", "personas.json", "personas.md"):
        data = (run_dir / name).read_bytes()
        assert_clean(data, name)
        if name.endswith(".json"):
            json.loads(data)
    (run_dir / "raw_output.txt").read_bytes().decode("utf-8")  # kept verbatim, but encodable
    # a failed run with the text as its partial output is recorded too
    store.record_run("prop", store.new_run_dir("prop"), config, error=RuntimeError(output),
                     started=datetime.now(UTC), partial_text=output)
    # the CLI's output: --json and the summary lines, through its stream
    model = result.to_model(output_dir=str(run_dir))
    shown = json_safe(model.model_dump_json(indent=2))
    assert_clean(shown, "generate --json")
    json.loads(shown)
    stream = io.StringIO()
    safe = SafeStream(stream)
    for found in parsed.personas:
        safe.write(f"  - {found.name}: {found.title}\n")
    safe.write(f"warning: {output}\n")
    assert_clean(stream.getvalue(), "generate summary")
    # cards made from the personas, exported in every format
    for found in parsed.personas:
        card = ScriptGenerator.from_persona(found)
        for fmt in FORMATS:
            if fmt in BINARY_FORMATS:
                assert export_bytes(card, fmt)
            else:
                rendered = render(card, fmt)
                assert_clean(rendered, fmt)
