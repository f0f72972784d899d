"""The package installs, exposes the public names and answers --version/--help cheaply."""

from __future__ import annotations

import subprocess
import sys

import persona_tui


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "persona_tui", *args], capture_output=True,
                          text=True, timeout=60)


def test_version_flag_prints_version():
    result = _run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"persona-tui {persona_tui.__version__}"


def test_help_lists_commands():
    result = _run("--help")
    assert result.returncode == 0
    assert "check" in result.stdout
    assert "usage: persona-tui" in result.stdout


def test_version_does_not_import_heavy_modules():
    code = ("import sys; from persona_tui.cli import main\n"
            "try:\n    main(['--version'])\nexcept SystemExit:\n    pass\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'textual', 'pydantic', 'httpx', 'rich'}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip().endswith("[]")


def test_top_level_exports():
    from persona_tui import (  # noqa: F401
        ExperimentConfig,
        GenerationResultModel,
        PersonaConfig,
        PersonaModel,
        __version__,
    )

    assert PersonaModel.__name__ == "Persona"
    assert PersonaConfig().count == 3


def test_unknown_attribute_raises():
    import pytest

    with pytest.raises(AttributeError):
        persona_tui.NoSuchThing  # noqa: B018


def test_check_command_reports_and_exits_zero_when_fine(isolated_home):
    result = _run("check", "--offline")
    assert result.returncode == 0, result.stderr
    assert "config.toml" in result.stdout
    assert str(isolated_home) in result.stdout


def test_check_command_fails_on_broken_config(isolated_home):
    config = isolated_home / "config" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("[ui\ntheme = 1\n")
    result = _run("check", "--offline")
    assert result.returncode == 1
    assert "not valid TOML" in result.stdout
    assert "Traceback" not in result.stderr


def test_readme_error_table_matches_the_codes():
    from pathlib import Path

    from persona_tui.core.errors import ERROR_CODES

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    for entry in ERROR_CODES.values():
        assert f"| `{entry.code}` | {entry.title} | {entry.hint} |" in readme, entry.code


def test_readme_quick_start_is_the_two_commands():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    quick = readme.split("## Quick start", 1)[1].split("##", 1)[0]
    commands = [line.split("#")[0].strip() for line in quick.splitlines()
                if line.startswith("uv run")]
    assert commands == ["uv run persona-tui", "uv run pytest"]
