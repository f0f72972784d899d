"""The application context: loaded once, the only reader and writer of config.toml and
credentials.toml, patching only its own keys; every option reaches the code it configures."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

import persona_tui.core.config as config_module
from persona_tui.core.context import AppContext
from persona_tui.core.errors import BudgetExceededError, ConfigurationError, DataError
from persona_tui.core.platform import PathManager
from persona_tui.resources import sample_project
from persona_tui.sdk.async_generator import AsyncPersonaGenerator
from persona_tui.services.generation import GenerationService
from tests.config_files import write_config

PACKAGE = Path(__file__).resolve().parents[2] / "persona_tui"
#: the modules allowed to read or write config.toml / credentials.toml
CONTEXT_MODULES = {"core/config.py", "core/context.py"}
#: what reading or writing those files looks like in code
FILE_ACCESS = {"load_settings", "read_settings", "load_credentials", "patch_config",
               "save_credential", "_read_raw", "read_config_data", "validate_config",
               "config_file", "credentials_file"}


def _file_access(package: Path) -> list[str]:
    found = []
    for path in package.rglob("*.py"):
        where = path.relative_to(package).as_posix()
        if where in CONTEXT_MODULES:
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            name = (node.attr if isinstance(node, ast.Attribute) else
                    node.id if isinstance(node, ast.Name) else None)
            if isinstance(node, ast.ImportFrom):
                names = [alias.name for alias in node.names]
                name = next((n for n in names if n in FILE_ACCESS), None)
            if name in FILE_ACCESS:
                found.append(f"{where}:{node.lineno} uses {name}")
    return found


def test_only_the_context_reads_or_writes_config_and_credentials():
    assert _file_access(PACKAGE) == []


def test_the_file_access_check_can_fail(tmp_path):
    (tmp_path / "core").mkdir()
    (tmp_path / "services").mkdir()
    (tmp_path / "core" / "context.py").write_text("x = paths.config_file\n")
    (tmp_path / "services" / "sneaky.py").write_text(
        "from persona_tui.core.config import load_settings\n")
    (tmp_path / "services" / "writer.py").write_text("open(paths.credentials_file, 'w')\n")
    found = _file_access(tmp_path)
    assert any(f.startswith("services/sneaky.py:1 uses load_settings") for f in found)
    assert any(f.startswith("services/writer.py:1 uses credentials_file") for f in found)
    assert not any(f.startswith("core/context.py") for f in found)


def _read(paths: PathManager) -> dict:
    return tomllib.loads(paths.config_file.read_text("utf-8"))


def test_a_change_patches_its_own_keys_and_keeps_the_rest_of_the_file(paths):
    write_config({"ui": {"theme": "nord"}, "data": {"max_file_mb": 10},
                  "experimental": {"kept": True}}, paths)
    context = AppContext.load(paths)
    # someone else (a text editor, another window) changes the file meanwhile
    write_config({"ui": {"theme": "nord"}, "data": {"max_file_mb": 99},
                  "experimental": {"kept": True}}, paths)
    context.update_provider("openai", base_url="http://lm:1234/v1/")
    on_disk = _read(paths)
    assert on_disk["providers"]["openai"]["base_url"] == "http://lm:1234/v1"
    assert on_disk["data"]["max_file_mb"] == 99  # not the stale 10 the context read
    assert on_disk["experimental"] == {"kept": True}  # unknown keys are not dropped
    assert context.settings.data.max_file_mb == 99  # and the context now holds the file
    context.update_provider("openai", base_url="https://api.openai.com/v1")
    assert "providers" not in _read(paths)  # the vendor default is not written out


def test_a_change_that_would_make_the_file_invalid_writes_nothing(paths):
    write_config({"ui": {"theme": "nord"}}, paths)
    before = paths.config_file.read_bytes()
    context = AppContext.load(paths)
    with pytest.raises(ConfigurationError, match="max_file_mb"):
        context.patch({("data", "max_file_mb"): -1})
    assert paths.config_file.read_bytes() == before
    assert context.settings.data.max_file_mb == 25


def test_a_broken_file_is_never_overwritten(paths):
    paths.config_dir.mkdir(parents=True)
    paths.config_file.write_text("[ui\n")
    with pytest.raises(ConfigurationError):
        AppContext(paths).set_theme("nord")
    assert paths.config_file.read_text() == "[ui\n"


def test_keys_are_written_privately_and_other_keys_survive(paths):
    context = AppContext.load(paths, env={})
    context.set_api_key("openai", "sk-first-key-00001111")
    context.set_api_key("anthropic", "sk-ant-second-2222")
    context.set_api_key("openai", None)
    assert context.api_key("openai").source == "none"
    assert context.api_key("anthropic").masked == "…2222"
    assert oct(paths.credentials_file.stat().st_mode & 0o777) == "0o600"


def test_the_default_context_is_loaded_once_per_process(paths, monkeypatch):
    write_config({"providers": {"openai": {"default_model": "gpt-4.1-nano"}}}, paths)
    reads = []
    real = config_module.read_settings
    monkeypatch.setattr("persona_tui.core.context.read_settings",
                        lambda p: reads.append(p) or real(p))
    for _ in range(3):
        assert AsyncPersonaGenerator("openai").model == "gpt-4.1-nano"
    assert len(reads) == 1
    assert AppContext.default() is AppContext.default(PathManager.default())


def test_a_generation_service_on_other_paths_uses_their_settings(tmp_path):
    other = PathManager.under(tmp_path / "elsewhere")
    write_config({"providers": {"ollama": {"default_model": "qwen2.5:7b",
                                           "base_url": "http://other-box:11434"}}}, other)
    service = GenerationService(AppContext.load(other))
    assert service.default_model("ollama") == "qwen2.5:7b"
    generator = service._generator("ollama", "")
    assert (generator.model, generator.base_url) == ("qwen2.5:7b", "http://other-box:11434")


# --- every option in config.toml reaches the code it configures --------------------------------


def _context(paths, data) -> AppContext:
    write_config(data, paths)
    return AppContext.load(paths, env={})


def test_option_providers_base_url(paths):
    context = _context(paths, {"providers": {"anthropic": {"base_url": "http://a:1/"}}})
    assert AsyncPersonaGenerator("anthropic", context=context).base_url == "http://a:1"


def test_option_providers_default_model(paths):
    context = _context(paths, {"providers": {"gemini": {"default_model": "gemini-2.5-pro"}}})
    assert AsyncPersonaGenerator("gemini", context=context).model == "gemini-2.5-pro"
    assert GenerationService(context).default_model("gemini") == "gemini-2.5-pro"


def test_option_data_max_file_mb(paths, tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("Interviewer: hello\nP1: " + "words " * 200_000)  # about 1.2 MB
    context = _context(paths, {"data": {"max_file_mb": 1}})
    with pytest.raises(DataError) as err:
        context.data_loader().load(big)
    assert err.value.code == "E2003"
    assert AppContext.load(PathManager.under(tmp_path / "x")).data_loader().load(big)


async def test_option_data_max_file_mb_reaches_generation(paths, tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("P1: " + "words " * 200_000)
    context = _context(paths, {"data": {"max_file_mb": 1}})
    with pytest.raises(DataError, match="max_file_mb|too large|MB"):
        await AsyncPersonaGenerator("ollama", context=context).aestimate_cost(big)


def test_option_data_fallback_encoding(paths, tmp_path):
    legacy = tmp_path / "legacy.txt"
    legacy.write_bytes("P1: Привет, мир — это тест\n".encode("cp1251"))
    context = _context(paths, {"data": {"fallback_encoding": "cp1251"}})
    documents = context.data_loader().load(legacy)
    assert "Привет" in documents[0].text


def test_option_generation_default_provider(paths):
    context = _context(paths, {"generation": {"default_provider": "anthropic"}})
    assert GenerationService(context).default_provider == "anthropic"
    with pytest.raises(ConfigurationError, match="unknown provider 'nope'"):
        _context(paths, {"generation": {"default_provider": "nope"}})


async def test_option_generation_budget_usd(paths):
    context = _context(paths, {"generation": {"budget_usd": 0.000001}})
    generator = AsyncPersonaGenerator("openai", "gpt-4o", api_key="sk-test-1234567890",
                                      context=context)
    with pytest.raises(BudgetExceededError):
        await generator.agenerate(sample_project() / "data")


async def test_option_generation_allow_unpriced(paths):
    context = _context(paths, {"generation": {"allow_unpriced": True}})
    assert AsyncPersonaGenerator("openai", "brand-new-model", context=context).allow_unpriced


def test_option_pricing(paths):
    context = _context(paths, {"pricing": {"openai": {"my-finetune": {
        "input_per_mtok": 7.0, "output_per_mtok": 9.0}}}})
    generator = AsyncPersonaGenerator("openai", "my-finetune", context=context)
    price = generator.pricing.price("openai", "my-finetune")
    assert (price.input_per_mtok, price.output_per_mtok, price.source) == (7.0, 9.0, "config")

# ui.theme and ui.keymap reach the app: tests/tui/test_app.py (theme persists and is applied at
# start; keys remapped by binding id, F1 shows the remapped key).
