from __future__ import annotations

import json

import pytest

from persona_tui.core.data import DataLoader
from persona_tui.core.errors import ConfigurationError
from persona_tui.core.hybrid import (
    DraftStage,
    FilterStage,
    HybridPipeline,
    RefineStage,
    StageConfig,
)
from persona_tui.core.hybrid.stages.base import StageData
from persona_tui.core.models.persona import EvidenceLink, Persona
from persona_tui.core.providers.ollama import OllamaProvider
from persona_tui.core.providers.openai import OpenAIProvider
from persona_tui.core.quality.registry import (
    get_metric,
    load_metric_plugin,
    register_metric,
    registry,
)
from tests.generation.conftest import DATA
from tests.vendor_server.wire import OPENAI_KEY

FULL = Persona(name="A", title="t", demographics={"age": 30}, goals=["g"], pain_points=["p"],
               behaviours=["b"], motivations=["m"], quotes=["q"])
EMPTY = Persona(name="B")


def test_completeness_known_values():
    metric = get_metric("completeness")
    assert metric.compute([FULL]) == 1.0
    assert metric.compute([EMPTY]) == 0.0
    assert metric.compute([FULL, EMPTY]) == 0.5
    assert metric.compute([]) == 0.0


def test_evidence_coverage_counts_only_verified_links():
    persona = Persona(name="C", goals=["g1", "g2"], pain_points=["p1", "p2"], evidence=[
        EvidenceLink(attribute="goals[0]", source_id="s", excerpt="x", verified=True),
        EvidenceLink(attribute="goals[1]", source_id="s", excerpt="y", verified=False),
        EvidenceLink(attribute="pain_points[1]", source_id="s", excerpt="z", verified=True)])
    assert get_metric("evidence_coverage").compute([persona]) == 0.5


def test_distinctiveness_known_values():
    metric = get_metric("distinctiveness")
    twin = FULL.model_copy(update={"name": "A2"})
    assert metric.compute([FULL, twin]) == 0.0
    other = Persona(name="D", goals=["travel abroad every summer"],
                    pain_points=["expensive flights"])
    mine = Persona(name="E", goals=["saving money monthly"], pain_points=["splitting bills"])
    assert metric.compute([other, mine]) == 1.0
    assert metric.compute([mine]) == 1.0


def test_user_metrics_register_and_load_as_plugins():
    @register_metric("name_length")
    class NameLength:
        def compute(self, personas, **_):
            return min(1.0, sum(len(p.name) for p in personas) / 100)

    assert "name_length" in registry.names()
    assert registry.score([FULL], ["name_length"]) == {"name_length": 0.01}
    name = load_metric_plugin("persona_tui.core.quality.metrics:Completeness", "copy")
    assert get_metric(name).compute([FULL]) == 1.0
    with pytest.raises(ConfigurationError, match="unknown quality metric"):
        get_metric("nope")
    with pytest.raises(TypeError):
        register_metric("broken")(type("Broken", (), {}))


async def test_hybrid_draft_filter_refine(server):
    documents = DataLoader().load(DATA)
    data = json.loads(server.reply)
    data["personas"][2]["evidence"] = []  # the third draft has no evidence: filtered out
    data["personas"][2]["goals"] = []
    server.reply = json.dumps(data)
    async with OllamaProvider(server.url) as local, \
            OpenAIProvider(f"{server.url}/v1", OPENAI_KEY) as strong:
        pipeline = HybridPipeline([
            DraftStage(StageConfig("draft", local, "llama3.2")),
            FilterStage(StageConfig("filter", params={"threshold": 0.6})),
            RefineStage(StageConfig("refine", strong, "gpt-4o-mini")),
        ])
        server.reply = json.dumps(data)
        result = await pipeline.run(StageData(documents=documents))
    names = [name for name, _ in result.stages]
    assert names == ["draft", "filter", "refine"]
    metrics = result.metrics()
    assert metrics["draft"]["drafted"] == 3
    assert metrics["filter"]["kept"] == 2 and metrics["filter"]["dropped"] == 1
    assert metrics["refine"]["refined"] == 2
    assert len(result.output.personas) == 2
    assert result.cost_usd == 0.0  # local and loopback servers cost nothing
    refine_calls = [r for r in server.requests if r.path == "/v1/chat/completions"]
    assert len(refine_calls) == 2
    assert "Draft persona" in refine_calls[0].body["messages"][0]["content"]


async def test_stages_compose_in_any_order(server):
    documents = DataLoader().load(DATA)
    async with OllamaProvider(server.url) as local:
        only_filter = await HybridPipeline([
            FilterStage(StageConfig("filter", params={"threshold": 0.0})),
            DraftStage(StageConfig("draft", local, "llama3.2")),
        ]).run(StageData(documents=documents))
    assert len(only_filter.output.personas) == 3
    assert only_filter.metrics()["filter"]["kept"] == 0
