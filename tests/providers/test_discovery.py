from __future__ import annotations

import json
import socket

import pytest

from persona_tui.core.config import LoadedSettings, Settings, save_credential
from persona_tui.core.context import AppContext
from persona_tui.core.discovery import ModelChecker, ModelDiscovery, VendorDiscovery
from persona_tui.core.discovery.ollama_models import (
    QUALIFICATION_SCHEMA,
    OllamaModelRegistry,
    QualificationRecord,
    acompare_ollama_models,
    compare_ollama_models,
    get_untested_models,
    qualify_model,
)
from persona_tui.core.providers.ollama import OllamaProvider
from tests.config_files import write_config
from tests.vendor_server.wire import OPENAI_KEY


def _context(server, paths, env) -> AppContext:
    settings = Settings.model_validate({"providers": {
        name: {"base_url": f"{server.url}/v1" if name == "openai" else server.url}
        for name in ("ollama", "openai", "anthropic", "gemini")}})
    return AppContext(paths, LoadedSettings(settings), env=env)


async def test_vendor_discovery_states(server, paths):
    env = {"OPENAI_API_KEY": OPENAI_KEY, "ANTHROPIC_API_KEY": "sk-ant-wrong-key-5678"}
    statuses = {s.provider: s for s in
                await VendorDiscovery(_context(server, paths, env)).discover()}
    assert statuses["openai"].state == "available"
    assert statuses["openai"].model_count == 3 and statuses["openai"].key_valid
    assert statuses["openai"].key_source == "env:OPENAI_API_KEY"
    assert statuses["openai"].latency_s is not None
    anthropic = statuses["anthropic"]
    assert anthropic.state == "key invalid"  # configured, but never "available"
    assert anthropic.configured and anthropic.key_valid is False
    assert "ANTHROPIC_API_KEY" in anthropic.hint
    assert anthropic.key_hint == "…5678"
    assert statuses["gemini"].state == "not configured"
    assert statuses["ollama"].state == "available" and statuses["ollama"].model_count == 2


async def test_a_base_url_without_v1_is_detected_and_the_fix_suggested(server, paths):
    settings = Settings.model_validate({"providers": {"openai": {"base_url": server.url}}})
    context = AppContext(paths, LoadedSettings(settings), env={"OPENAI_API_KEY": OPENAI_KEY})
    status = await VendorDiscovery(context).check("openai")
    assert status.state == "available" and status.model_count == 3
    assert status.message == f"the server answers at {server.url}/v1, not at {server.url}"
    assert status.hint == f"Save {server.url}/v1 as the base URL."


async def test_vendor_discovery_uses_the_credentials_file(server, paths):
    save_credential("openai", OPENAI_KEY, paths)
    status = await VendorDiscovery(_context(server, paths, {})).check("openai")
    assert (status.state, status.key_source) == ("available", "file")


async def test_unreachable_vendor(paths):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = Settings.model_validate({"providers": {"ollama": {
        "base_url": f"http://127.0.0.1:{port}"}}})
    status = await VendorDiscovery(AppContext(paths, LoadedSettings(settings), env={})
                                   ).check("ollama")
    assert status.state == "unreachable" and status.reachable is False
    assert "not reachable" in status.message and "ollama serve" in status.hint


async def test_model_discovery_merges_prices(server):
    models = await ModelDiscovery().models("gemini", base_url=server.url,
                                           api_key="gemini-test-key-0123456789")
    flash = next(m for m in models if m.id == "gemini-2.5-flash")
    assert flash.price is not None and flash.price.input_per_mtok == 0.30
    local = await ModelDiscovery().models("ollama", base_url=server.url)
    assert all(m.is_local and m.price is None for m in local)


def test_model_checker_suggests_near_names():
    checker = ModelChecker()
    assert checker.check("llama3.2", ["llama3.2:latest"], provider="ollama").available
    miss = checker.check("gpt-4o-mni", ["gpt-4o-mini", "gpt-4o", "o3"])
    assert not miss.available and miss.suggestions[0] == "gpt-4o-mini"
    assert "did you mean gpt-4o-mini" in miss.describe()
    assert checker.check("zzz", ["gpt-4o"]).suggestions == []


async def test_model_checker_against_a_server(server):
    check = await ModelChecker().acheck("ollama", "qwen2.5:7", base_url=server.url)
    assert not check.available and check.suggestions == ["qwen2.5:7b"]


PERSONA_JSON = json.dumps({"name": "Sam", "title": "The chaser", "goals": ["be repaid"],
                           "pain_points": ["lost receipts"], "behaviours": ["batches admin"],
                           "evidence": []})


async def test_qualification_records_json_and_schema_validity(server, paths):
    registry = OllamaModelRegistry(paths.ollama_registry_file)
    server.reply = PERSONA_JSON
    seen: list[str] = []
    async with OllamaProvider(server.url) as provider:
        good = await qualify_model(provider, "llama3.2", registry=registry, on_text=seen.append)
        server.reply = '{"name": "Sam", "goals": ["x"'  # cut off: not JSON
        bad = await qualify_model(provider, "qwen2.5:7b", registry=registry)
    assert good.passed and good.json_valid and good.schema_valid
    assert good.model == "llama3.2:latest"
    assert good.ttft_s is not None and good.tokens_per_s and good.output_tokens > 0
    assert "".join(seen) == PERSONA_JSON
    assert not bad.json_valid and not bad.schema_valid
    request = [r for r in server.requests if r.path == "/api/chat"][0]
    assert request.body["format"] == QUALIFICATION_SCHEMA  # the schema through Ollama's format
    assert good.output_mode == "json_schema"
    again = OllamaModelRegistry(paths.ollama_registry_file)  # persisted
    assert again.latest("llama3.2").passed
    assert again.latest("llama3.2").output_mode == "json_schema"
    assert again.tested() == ["llama3.2:latest", "qwen2.5:7b"]


async def test_qualification_records_a_server_that_takes_only_json(server, paths):
    registry = OllamaModelRegistry(paths.ollama_registry_file)
    server.reply = PERSONA_JSON
    server.ollama_schema_format = False  # an Ollama before 0.5
    async with OllamaProvider(server.url) as provider:
        record = await qualify_model(provider, "llama3.2", registry=registry)
    assert record.passed and record.output_mode == "json_object"
    assert [r.body["format"] for r in server.requests if r.path == "/api/chat"] == \
        [QUALIFICATION_SCHEMA, "json"]


async def test_comparison_joins_registry_and_installed_models(server, paths):
    registry = OllamaModelRegistry(paths.ollama_registry_file)
    registry.add(QualificationRecord("llama3.2", True, True, 0.2, 40.0, 100, 3.0,
                                     "2026-11-01T00:00:00+00:00", "0.1.0"))
    registry.add(QualificationRecord("mistral:7b", True, False, 0.3, 30.0, 90, 4.0,
                                     "2026-11-01T00:00:00+00:00", "0.1.0"))
    result = await acompare_ollama_models(server.url, registry=registry)
    assert result.reachable
    assert result.available_models == ["llama3.2:latest", "qwen2.5:7b"]
    assert result.tested_models == ["llama3.2:latest"]
    assert result.untested_models == ["qwen2.5:7b"]
    assert result.missing_models == ["mistral:7b"]
    assert result.has_untested_models
    assert result.details["qwen2.5:7b"].parameter_size == "7.6B"
    assert result.to_dict()["models"]["mistral:7b"]["record"]["schema_valid"] is False


def test_sync_comparison_and_untested(server, paths):
    registry = OllamaModelRegistry(paths.ollama_registry_file)
    assert compare_ollama_models(server.url, registry=registry).untested_models == [
        "llama3.2:latest", "qwen2.5:7b"]
    assert get_untested_models(server.url, registry=registry) == ["llama3.2:latest",
                                                                  "qwen2.5:7b"]


async def test_comparison_when_ollama_is_down(paths):
    registry = OllamaModelRegistry(paths.ollama_registry_file)
    registry.add(QualificationRecord("llama3.2", True, True, 0.2, 40.0, 100, 3.0, "d", "v"))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = await acompare_ollama_models(f"http://127.0.0.1:{port}", registry=registry)
    assert not result.reachable and "not reachable" in result.error
    assert "ollama serve" in result.hint and "ollama serve" not in result.error
    assert result.missing_models == []  # unknown, not missing
    assert result.tested_models == ["llama3.2:latest"]


def test_corrupt_registry_is_kept_aside_not_lost(paths):
    paths.ollama_registry_file.parent.mkdir(parents=True)
    paths.ollama_registry_file.write_text("{not json")
    registry = OllamaModelRegistry(paths.ollama_registry_file)
    assert registry.tested() == []
    assert paths.ollama_registry_file.with_suffix(".json.broken").read_text() == "{not json"


@pytest.mark.parametrize("tag", ["llama3.2", "llama3.2:latest"])
def test_tag_without_colon_means_latest(paths, tag):
    registry = OllamaModelRegistry(paths.ollama_registry_file)
    registry.add(QualificationRecord(tag, True, True, None, None, 0, 0.0, "d", "v"))
    assert registry.latest("llama3.2") is not None and registry.latest("llama3.2:latest")


def _cli(*args, env=None):
    import os
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "persona_tui", *args], capture_output=True,
                          text=True, timeout=120, env={**os.environ, **(env or {})})


def test_models_command(server, paths):
    registry = OllamaModelRegistry(paths.ollama_registry_file)
    registry.add(QualificationRecord("llama3.2", True, True, 0.25, 41.5, 100, 3.0, "d", "v"))
    registry.add(QualificationRecord("gone:7b", True, False, 0.3, 30.0, 90, 4.0, "d", "v"))
    table = _cli("models", env={"OLLAMA_HOST": server.url})
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert any(line.startswith("llama3.2:latest") and "tested" in line and "41.5" in line
               for line in lines)
    assert any(line.startswith("qwen2.5:7b") and "untested" in line for line in lines)
    assert any(line.startswith("gone:7b") and "missing" in line for line in lines)
    data = json.loads(_cli("models", "--json", env={"OLLAMA_HOST": server.url}).stdout)
    assert data["untested_models"] == ["qwen2.5:7b"] and data["missing_models"] == ["gone:7b"]


def test_models_command_when_ollama_is_down():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    down = _cli("models", env={"OLLAMA_HOST": f"127.0.0.1:{port}"})
    assert down.returncode == 1 and down.stderr.count("ollama serve") == 1  # advice once


def test_check_command_tests_connections(server, paths):
    write_config({"providers": {
        "openai": {"base_url": f"{server.url}/v1"}}}, paths)
    env = {"OLLAMA_HOST": server.url, "OPENAI_API_KEY": OPENAI_KEY}
    ok = _cli("check", env=env)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "✓ ollama connection: reachable, 2 models" in ok.stdout  # it takes no key
    assert "✓ openai connection: reachable, key accepted, 3 models" in ok.stdout
    bad = _cli("check", "--json", env={**env, "OPENAI_API_KEY": "sk-wrong-key-2222"})
    report = json.loads(bad.stdout)
    assert bad.returncode == 1 and not report["ok"]
    failing = [i for i in report["items"] if i["status"] == "fail"]
    assert failing[0]["name"] == "openai connection" and "OPENAI_API_KEY" in failing[0]["hint"]
    assert "sk-wrong" not in bad.stdout
