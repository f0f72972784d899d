"""Hostile state and unlucky users: registry files of another shape, names that climb out of
the store, out-of-range options, malformed keys, a badly protected credentials file, runs
that fail, are cut or interrupted, and two sessions saving one card."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from persona_tui import AsyncPersonaGenerator, ExperimentConfig, PersonaConfig, PersonaGenerator
from persona_tui.core.errors import ConfigurationError, DataError, PersonaError, ValidationError
from persona_tui.sdk.async_experiment import AsyncExperimentSDK
from persona_tui.sdk.experiment import ExperimentSDK
from tests.hostile.conftest import DATA, KEYS, SAMPLE_REPLY, assert_clean, runs_of
from tests.vendor_server import CutStream
from tests.vendor_server.server import tokens_of

# --- the qualification registry ------------------------------------------------------------

REGISTRY_SHAPES = {
    "list": [], "models-list": {"models": [1]}, "history-number": {"models": {"m": 5}},
    "record-number": {"models": {"m": [1]}},
    "record-wrong-types": {"models": {"m": [{"model": 5, "json_valid": "yes"}]}},
    "string": "registry",
}


@pytest.mark.parametrize("shape", sorted(REGISTRY_SHAPES))
def test_registry_of_another_shape_is_a_clear_error(cli, vendors, paths, shape):
    paths.ollama_registry_file.parent.mkdir(parents=True, exist_ok=True)
    paths.ollama_registry_file.write_text(json.dumps(REGISTRY_SHAPES[shape]), "utf-8")
    result = cli("models")
    assert result.code == 1
    assert b"error E2006" in result.err and b"qualification registry" in result.err
    result = cli("models", "--json")
    assert result.code == 1


# --- names -----------------------------------------------------------------------------------

TRAVERSALS = ["../../../x", "..", "../outside", "a/b", "/tmp/x", "x\x00y", "", "A" * 65,
              "UPPER", "name with space", "ok\x1b]0;t\x07"]


@pytest.mark.parametrize("name", TRAVERSALS)
def test_experiment_names_never_leave_the_store(tmp_path, name):
    store_dir = tmp_path / "store" / "experiments"
    victim = tmp_path / "x"
    victim.mkdir()
    (victim / "precious.txt").write_text("keep me")
    (tmp_path / "store" / "outside").mkdir(parents=True)
    sdk = ExperimentSDK(store_dir)
    for call in (sdk.get, sdk.delete, sdk.runs, sdk.run):
        with pytest.raises(ValidationError) as caught:
            call(name)
        assert caught.value.code == "E1102"
        assert_clean(caught.value.describe())
    assert (victim / "precious.txt").read_text() == "keep me"
    assert (tmp_path / "store" / "outside").is_dir()


def test_async_sdk_refuses_traversal_too(tmp_path):
    from persona_tui.core.utils.async_helpers import run_sync

    sdk = AsyncExperimentSDK(tmp_path / "experiments")
    with pytest.raises(ValidationError):
        run_sync(sdk.delete("../../etc"))


# --- out-of-range options --------------------------------------------------------------------


@pytest.mark.parametrize("args", [("--count", "0"), ("--count", "99"), ("--budget", "-1"),
                                  ("--experiment", "Bad/Name"), ("--experiment", "..")])
def test_out_of_range_options_are_plain_words_with_a_code(cli, vendors, args):
    result = cli("generate", "--from", DATA, "--provider", "ollama", *args)
    assert result.code == 2
    assert b"error E1101" in result.err
    assert b"pydantic" not in result.err.lower() and b"https://" not in result.err


# --- keys ------------------------------------------------------------------------------------

BAD_KEYS = ["sk-caf\u00e9-0123456789", "sk-\u00a0abc", "sk-abc\x1b]52;c;x\x07",
            "sk-with inner space", "sk-\u200bzero-width"]


@pytest.mark.parametrize("key", BAD_KEYS)
def test_malformed_key_in_the_environment(cli, vendors, monkeypatch, key):
    monkeypatch.setenv("OPENAI_API_KEY", key)
    result = cli("generate", "--from", DATA, "--provider", "openai")
    assert result.code == 2
    assert b"error E1006" in result.err
    assert key.encode("utf-8", "replace") not in result.err + result.out
    assert b"caf" not in result.err and b"abc" not in result.err
    check = cli("check", "--offline")
    assert check.code == 1 and b"API key from OPENAI_API_KEY holds" in check.out
    assert key.encode("utf-8", "replace") not in check.out


@pytest.mark.parametrize("key", BAD_KEYS)
def test_malformed_key_never_reaches_httpx(vendors, key):
    with pytest.raises(ConfigurationError) as caught:
        PersonaGenerator("openai", "gpt-4o-mini", base_url=f"{vendors.url}/v1",
                         api_key=key).generate(DATA, PersonaConfig(count=1))
    assert caught.value.code == "E1006"
    assert key not in caught.value.describe()
    assert not vendors.requests


def test_key_with_surrounding_spaces_in_credentials_file_is_stripped(cli, vendors, paths,
                                                                     monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY")
    paths.credentials_file.write_text(f'[openai]\napi_key = "  {KEYS["openai"]} \\n"\n')
    os.chmod(paths.credentials_file, 0o600)
    result = cli("generate", "--from", DATA, "--provider", "openai", "--count", "1")
    assert result.code == 0, result.text
    sent = [r.headers.get("authorization") for r in vendors.requests
            if r.path == "/v1/chat/completions"]
    assert sent and all(h == f"Bearer {KEYS['openai']}" for h in sent)


def test_credentials_file_with_a_wrong_mode_does_not_block_ollama(cli, vendors, paths,
                                                                  monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY")
    paths.credentials_file.write_text('[openai]\napi_key = "sk-x"\n')
    os.chmod(paths.credentials_file, 0o644)
    result = cli("generate", "--from", DATA, "--provider", "ollama", "--count", "1")
    assert result.code == 0, result.text
    result = cli("generate", "--from", DATA, "--provider", "openai", "--count", "1")
    assert result.code in (1, 2) and b"E1002" in result.err  # a keyed vendor is refused


def test_a_stall_hint_names_a_setting_that_exists(vendors, paths, monkeypatch):
    from persona_tui.core.config import load_settings
    from tests.vendor_server import Stall

    paths.config_file.write_text(f'[providers.openai]\nbase_url = "{vendors.url}/v1"\n'
                                 "read_timeout_s = 0.3\n")
    settings = load_settings(paths).settings
    assert settings.provider("openai").read_timeout_s == 0.3
    vendors.fail_next(Stall(2.0))
    generator = AsyncPersonaGenerator("openai", "gpt-4o-mini")
    from persona_tui.core.utils.async_helpers import run_sync

    started = time.monotonic()
    with pytest.raises(PersonaError) as caught:
        run_sync(generator.agenerate(DATA, PersonaConfig(count=1)))
    assert time.monotonic() - started < 1.9  # the configured timeout, not the default 120 s
    assert "read_timeout_s" in caught.value.hint


# --- lost work -------------------------------------------------------------------------------


def _sdk(vendors, vendor="openai"):
    url = f"{vendors.url}/v1" if vendor == "openai" else vendors.url
    model = {"openai": "gpt-4o-mini", "anthropic": "claude-haiku-4-5"}[vendor]
    return ExperimentSDK(generator_factory=lambda c: AsyncPersonaGenerator(
        vendor, model, base_url=url, api_key=KEYS[vendor]))


def test_stream_cut_after_a_persona_keeps_it(vendors, paths):
    reply = SAMPLE_REPLY
    first_end = reply.index("\n    },") + len("\n    }")
    vendors.tokens = [reply[:first_end], ",\n", reply[first_end + 2:first_end + 200],
                      reply[first_end + 200:]]
    vendors.fail_next(CutStream(after=3, abrupt=True))
    sdk = _sdk(vendors)
    sdk.create(ExperimentConfig(name="cut", provider="openai", data_paths=[str(DATA)]))
    with pytest.raises(PersonaError):
        sdk.run("cut")
    (run,) = sdk.runs("cut")
    folder = runs_of(paths, "cut")[0].parent
    personas = json.loads((folder / "personas.json").read_text("utf-8"))
    assert [p["name"] for p in personas] == ["Jess Morgan"]
    assert run["persona_count"] == 1 and "personas.md" in run["output_files"]
    assert run["output_tokens"] > 0 and run["duration_s"] >= 0 and "cost_usd" in run


def test_whole_reply_with_bad_json_records_tokens_cost_and_duration(vendors, paths):
    vendors.reply = "I am sorry, here are personas: {name: Jess, goals: [unquoted"
    sdk = _sdk(vendors, "anthropic")  # a priced vendor: the cost must be recorded
    sdk.create(ExperimentConfig(name="badjson", provider="anthropic", data_paths=[str(DATA)]))
    with pytest.raises(PersonaError):
        sdk.run("badjson")
    (run,) = sdk.runs("badjson")
    assert run["status"] == "failed"
    assert run["input_tokens"] > 0 and run["output_tokens"] > 0
    assert run["cost_usd"] is not None and run["cost_usd"] > 0
    assert run["duration_s"] >= 0 and run["error_code"] == "E4001"
    assert (runs_of(paths, "badjson")[0].parent / "raw_output.txt").read_text().startswith(
        "I am sorry")


def test_lone_surrogates_in_model_output_never_crash_saving(vendors, paths):
    from tests.vendor_server.hostile import persona_reply

    vendors.reply = persona_reply()
    sdk = _sdk(vendors)
    sdk.create(ExperimentConfig(name="surrogates", provider="openai", data_paths=[str(DATA)],
                                persona=PersonaConfig(count=1)))
    result = sdk.run("surrogates")
    assert result.personas and "\ufffd" in result.personas[0].name
    folder = runs_of(paths, "surrogates")[0].parent
    for name in ("run.json", "personas.json", "personas.md", "raw_output.txt"):
        assert_clean((folder / name).read_bytes(), name)
    # and when the run fails with a surrogate in the error text too
    vendors.reply = '{"personas": [{"goals": ["\\ud800"]}]} \ud800'
    with pytest.raises(PersonaError):
        sdk.run("surrogates")
    assert len(sdk.runs("surrogates")) == 2


def test_ctrl_c_in_generate_records_the_run(vendors, paths, tmp_path):
    vendors.delay = 0.05
    env = {**os.environ, "PERSONA_TUI_HOME": os.environ["PERSONA_TUI_HOME"]}
    child = subprocess.Popen(
        [sys.executable, "-m", "persona_tui", "generate", "--from", str(DATA),
         "--provider", "openai", "--experiment", "ctrlc"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not any(
            r.path == "/v1/chat/completions" for r in vendors.requests):
        time.sleep(0.05)
    time.sleep(0.6)  # some text has streamed
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=20)
    assert_clean(out, "stdout")
    assert_clean(err, "stderr")
    assert child.returncode == 130
    (record_path,) = runs_of(paths, "ctrlc")
    run = json.loads(record_path.read_text("utf-8"))
    assert run["status"] in ("cancelled", "interrupted")
    assert run["output_tokens"] > 0 and run["duration_s"] > 0.3
    assert (record_path.parent / "raw_output.txt").stat().st_size > 0


# --- two sessions, one card ------------------------------------------------------------------


def test_second_session_saving_the_same_card_detects_the_conflict(paths):
    from persona_tui.resources import sample_project
    from persona_tui.services.cards import CardService

    sample = sample_project() / "cards" / "ledger-keeper.json"
    first_service, second_service = CardService(paths), CardService(paths)
    first_service.save(first_service.open(sample))  # the user's own copy
    path = paths.cards_dir / "ledger-keeper.json"
    first, second = first_service.open(path), second_service.open(path)
    first.set("identity.title", "First session's title")
    first_service.save(first)
    second.set("identity.title", "Second session's title")
    with pytest.raises(DataError) as caught:
        second_service.save(second)
    assert caught.value.code == "E2008"
    assert json.loads(path.read_text())["identity"]["title"] == "First session's title"
    assert second.dirty  # nothing of the second session's edit is lost either
    second_service.save(second, overwrite=True)  # after the user chose to
    assert json.loads(path.read_text())["identity"]["title"] == "Second session's title"
