"""Hostile vendors: escape sequences in error text, model text and model metadata; odd wire
shapes; HTML error pages; enormous numbers. Entry points: the CLI (every byte checked), the
SDK (documented exceptions only, the run recorded)."""

from __future__ import annotations

import json

import pytest

from persona_tui import AsyncPersonaGenerator, PersonaConfig
from persona_tui.core.errors import PersonaError, ProviderError
from persona_tui.sdk.experiment import ExperimentSDK
from tests.hostile.conftest import DATA, KEYS, MODELS, assert_clean, runs_of
from tests.vendor_server import hostile
from tests.vendor_server.hostile import ESCAPES, VENDORS

ERROR_FAULTS = hostile.error_faults()


@pytest.fixture
def fast_retries(monkeypatch):
    from persona_tui.core.providers import http_base

    monkeypatch.setattr(http_base.HTTPConfig, "backoff", lambda self, attempt: 0.0)


@pytest.mark.parametrize("fault", sorted(ERROR_FAULTS))
@pytest.mark.parametrize("vendor", VENDORS)
def test_vendor_error_text_never_reaches_the_terminal(cli, vendors, paths, vendor, fault,
                                                       fast_retries):
    vendors.fail_next(*[ERROR_FAULTS[fault]] * 5)  # retried statuses fail every attempt
    vendors.delay = 0
    result = cli("generate", "--from", DATA, "--provider", vendor, "--model", MODELS[vendor],
                 "--experiment", "hostile")
    assert result.code == 1
    assert b"error E" in result.err  # a coded error, its text sanitised (checked by cli)
    record = json.loads(runs_of(paths, "hostile")[-1].read_text("utf-8"))
    assert record["status"] == "failed"
    assert "\x1b" not in record["error"] and "\x9b" not in record["error"]


@pytest.mark.parametrize("vendor", VENDORS)
def test_hostile_model_text_is_clean_in_every_output(cli, vendors, paths, vendor):
    vendors.reply = hostile.persona_reply()
    result = cli("generate", "--from", DATA, "--provider", vendor, "--model", MODELS[vendor],
                 "--experiment", "texts", "--count", "1")
    # the hostile persona has no verified evidence: the quality gate may call the run partial
    assert result.code in (0, 1) and "persona(s) from" in result.text, result.text
    assert "Ada" in result.text
    result = cli("generate", "--from", DATA, "--provider", vendor, "--model", MODELS[vendor],
                 "--experiment", "texts", "--count", "1", "--json")
    assert result.code in (0, 1)
    parsed = json.loads(result.out)
    assert parsed["personas"][0]["name"].startswith("Ada")
    run = runs_of(paths, "texts")[-1].parent
    for name in ("personas.md", "personas.json", "run.json"):
        assert_clean((run / name).read_bytes(), name)
    assert json.loads((run / "run.json").read_text("utf-8"))["status"] in ("ok", "partial")


@pytest.mark.parametrize("shape", sorted(hostile.openai_shapes()))
def test_odd_openai_wire_shapes_are_provider_errors_and_runs_are_recorded(cli, vendors, paths,
                                                                          shape):
    hostile.inject(vendors, hostile.openai_shapes()[shape])
    result = cli("generate", "--from", DATA, "--provider", "openai", "--experiment", "shapes")
    assert result.code == 1, result.text
    assert b"error E3004" in result.err
    record = json.loads(runs_of(paths, "shapes")[-1].read_text("utf-8"))
    assert record["status"] == "failed" and record["error_code"] == "E3004"


@pytest.mark.parametrize("shape", sorted(hostile.openai_usage_shapes()))
def test_usage_of_the_wrong_type_is_ignored_not_a_crash(vendors, shape):
    vendors.tokens = ["Hello ", "there"]
    hostile.inject(vendors, hostile.openai_usage_shapes()[shape], after=2, stop=False)
    from persona_tui.core.providers.openai import OpenAIProvider
    from persona_tui.core.utils.async_helpers import run_sync

    async def go():
        async with OpenAIProvider(f"{vendors.url}/v1", KEYS["openai"]) as provider:
            return await provider.complete("hi", model="gpt-4o-mini")

    response = run_sync(go())
    assert response.text == "Hello there"
    assert 0 <= response.input_tokens < 10**15 and 0 <= response.output_tokens < 10**15


@pytest.mark.parametrize("vendor,shape", sorted(hostile.other_vendor_shapes()))
def test_odd_shapes_of_other_vendors_are_provider_errors(vendors, vendor, shape):
    hostile.inject(vendors, hostile.other_vendor_shapes()[(vendor, shape)], stop=True)
    url = f"{vendors.url}/v1" if vendor == "openai" else vendors.url
    generator = AsyncPersonaGenerator(vendor, MODELS[vendor], base_url=url,
                                      api_key=KEYS[vendor])
    from persona_tui.core.utils.async_helpers import run_sync

    with pytest.raises(PersonaError) as caught:  # the documented exceptions only
        run_sync(generator.agenerate(DATA, PersonaConfig(count=1)))
    assert isinstance(caught.value, (ProviderError, PersonaError))
    assert_clean(caught.value.describe())


def test_sdk_experiment_with_odd_shape_records_the_run(vendors, paths):
    hostile.inject(vendors, hostile.openai_shapes()["numeric-content"])
    sdk = ExperimentSDK(generator_factory=lambda c: AsyncPersonaGenerator(
        "openai", "gpt-4o-mini", base_url=f"{vendors.url}/v1", api_key=KEYS["openai"]))
    from persona_tui import ExperimentConfig

    sdk.create(ExperimentConfig(name="sdk-shapes", provider="openai", data_paths=[str(DATA)]))
    with pytest.raises(ProviderError):
        sdk.run("sdk-shapes")
    (run,) = sdk.runs("sdk-shapes")
    assert run["status"] == "failed" and run["error_code"] == "E3004"
    assert run["duration_s"] >= 0 and "output_tokens" in run


def test_hostile_ollama_metadata_in_models(cli, vendors):
    vendors.ollama_models = hostile.hostile_ollama_models()
    result = cli("models")
    assert result.code == 0, result.text
    assert b"evil" in result.out
    result = cli("models", "--json")
    assert result.code == 0
    data = json.loads(result.out)
    assert any(name.startswith("evil") for name in data["available_models"])
    assert ESCAPES not in result.out.decode()


def test_hostile_text_in_check(cli, vendors, fast_retries):
    vendors.ollama_models = hostile.hostile_ollama_models()
    result = cli("check")
    assert result.code in (0, 1)
