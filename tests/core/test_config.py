"""Paths, config.toml, credentials.toml and key resolution."""

from __future__ import annotations

import os
import stat

import pytest

from persona_tui.core.config import (
    Settings,
    load_credentials,
    load_settings,
    patch_config,
    resolve_api_key,
    resolve_base_url,
    save_credential,
)
from persona_tui.core.errors import ConfigurationError
from persona_tui.core.platform import PathManager, get_config_dir, get_data_dir


def test_home_override_puts_everything_under_one_folder(isolated_home):
    assert get_config_dir() == isolated_home / "config"
    assert get_data_dir() == isolated_home / "data"
    paths = PathManager.default().ensure()
    assert paths.cards_dir.is_dir() and paths.experiments_dir.is_dir()
    assert stat.S_IMODE(paths.config_dir.stat().st_mode) == 0o700


def test_platform_folders_without_override(monkeypatch):
    monkeypatch.delenv("PERSONA_TUI_HOME")
    assert "persona-tui" in str(get_config_dir())
    assert "persona-tui" in str(get_data_dir())


def test_missing_config_gives_defaults(paths):
    loaded = load_settings(paths)
    assert loaded.settings == Settings()
    assert loaded.warnings == ()


def test_settings_round_trip(paths):
    patch_config(paths, {("ui", "theme"): "nord", ("data", "max_file_mb"): 50,
                         ("providers", "ollama", "base_url"): "http://box:11434",
                         ("providers", "ollama", "default_model"): "llama3.2"})
    again = load_settings(paths).settings
    assert again.ui.theme == "nord"
    assert again.provider("ollama").default_model == "llama3.2"
    assert again.data.max_file_mb == 50


def test_unknown_keys_are_reported_not_dropped(paths):
    paths.config_dir.mkdir(parents=True)
    paths.config_file.write_text('colour = "x"\n[ui]\nthme = "nord"\n'
                                 '[providers.openai]\nbase_ulr = "http://x"\n')
    warnings = load_settings(paths).warnings
    assert len(warnings) == 3
    assert any("'ui.thme'" in w for w in warnings)
    assert any("'providers.openai.base_ulr'" in w for w in warnings)
    assert any("'colour'" in w for w in warnings)


def test_bad_values_name_the_key(paths):
    paths.config_dir.mkdir(parents=True)
    paths.config_file.write_text("[data]\nmax_file_mb = -3\n")
    with pytest.raises(ConfigurationError, match=r"data\.max_file_mb"):
        load_settings(paths)


def test_invalid_toml_is_a_configuration_error(paths):
    paths.config_dir.mkdir(parents=True)
    paths.config_file.write_text("[ui\n")
    with pytest.raises(ConfigurationError, match="not valid TOML") as err:
        load_settings(paths)
    assert err.value.hint


def test_credentials_written_private_and_read_back(paths):
    save_credential("openai", "sk-test-1234567890abcd", paths)
    mode = stat.S_IMODE(paths.credentials_file.stat().st_mode)
    assert mode == 0o600
    keys = load_credentials(paths)
    assert keys["openai"].get_secret_value() == "sk-test-1234567890abcd"
    assert "sk-test" not in repr(keys)
    save_credential("openai", None, paths)
    assert load_credentials(paths) == {}


def test_credentials_readable_by_others_are_refused(paths):
    save_credential("anthropic", "sk-ant-secret-value-9999", paths)
    os.chmod(paths.credentials_file, 0o644)
    with pytest.raises(ConfigurationError, match="can be read by other users") as err:
        load_credentials(paths)
    assert err.value.code == "E1002"
    assert "chmod 600" in err.value.hint
    assert "sk-ant" not in str(err.value)


def test_environment_wins_over_credentials_file(paths, monkeypatch):
    save_credential("gemini", "file-key-abcdefgh", paths)
    stored = load_credentials(paths)
    assert resolve_api_key("gemini", stored).source == "file"
    monkeypatch.setenv("GOOGLE_API_KEY", "google-key-12345678")
    assert resolve_api_key("gemini", stored).source == "env:GOOGLE_API_KEY"
    monkeypatch.setenv("GEMINI_API_KEY", "gemini-key-12345678")
    resolved = resolve_api_key("gemini", stored)
    assert resolved.source == "env:GEMINI_API_KEY"
    assert resolved.masked == "…5678"
    assert resolve_api_key("openai", stored).key is None


def test_base_url_resolution(monkeypatch):
    settings = Settings.model_validate({"providers": {"openai": {"base_url": "http://lm:1234/v1/"}}})
    assert resolve_base_url("openai", settings) == "http://lm:1234/v1"
    assert resolve_base_url("ollama") == "http://127.0.0.1:11434"
    monkeypatch.setenv("OLLAMA_HOST", "gpu-box:11434")
    assert resolve_base_url("ollama") == "http://gpu-box:11434"
    with pytest.raises(ConfigurationError, match="unknown provider"):
        resolve_base_url("nope")
