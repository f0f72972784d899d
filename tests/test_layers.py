"""The architecture holds: imports point downwards and only the TUI imports Textual.

``commands/`` (what ``persona-tui CMD`` runs) go through services, as the app does, so a
command and its screen share one context, one ``sample`` alias and one set of errors. The
rule :func:`_command_violations` enforces: a command imports ``persona_tui.services.*`` and
other commands; from ``core`` only ``core.errors`` (the error types every layer raises, by
which a command picks its exit status) and two utilities without I/O or state,
``core.utils.sanitize`` (terminal-safe text) and ``core.utils.async_helpers`` (``run_sync``);
nothing of ``sdk`` or the rest of ``core``; from ``tui`` only ``run_app`` of
``persona_tui.tui.app``, the one function that starts the app (``edit`` and the audit viewer);
and never Textual. (``cli.py``, the argument parser, names the providers and formats from
core's name tables to keep ``--help`` cheap; it runs no command itself.)
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "persona_tui"
ORDER = ["core", "sdk", "services", "tui"]
NO_TEXTUAL = {"core", "sdk", "services"}


def _layer(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "persona_tui" or len(parts) < 2:
        return None
    return parts[1] if parts[1] in ORDER else None


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
        elif isinstance(node, ast.ImportFrom) and node.level:
            raise AssertionError(f"{path}: relative imports hide the layer; use absolute ones")
    return found


def _violations(package: Path = PACKAGE) -> list[str]:
    problems = []
    for layer in ORDER:
        for path in (package / layer).rglob("*.py"):
            for module in _imports(path):
                target = _layer(module)
                if target is not None and ORDER.index(target) > ORDER.index(layer):
                    problems.append(f"{path.relative_to(package)} imports {module}")
                if layer in NO_TEXTUAL and module.split(".")[0] == "textual":
                    problems.append(f"{path.relative_to(package)} imports {module}")
                if layer == "tui" and target in ("core", "sdk"):  # the UI talks to services
                    problems.append(f"{path.relative_to(package)} imports {module}")
    return problems


COMMANDS_MAY_IMPORT_FROM_CORE = {"persona_tui.core.errors", "persona_tui.core.utils.sanitize",
                                 "persona_tui.core.utils.async_helpers"}
APP_ENTRY = ("persona_tui.tui.app", "run_app")


def _imported(path: Path) -> list[tuple[str, list[str]]]:
    """Every absolute import in ``path``: (module, names) — names empty for ``import m``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, [alias.name for alias in node.names]))
        elif isinstance(node, ast.ImportFrom) and node.level:
            raise AssertionError(f"{path}: relative imports hide the layer; use absolute ones")
    return found


def _command_violations(package: Path = PACKAGE) -> list[str]:
    problems = []
    for path in (package / "commands").rglob("*.py"):
        where = path.relative_to(package)
        for module, names in _imported(path):
            top = module.split(".")
            if top[0] == "textual":
                problems.append(f"{where} imports {module}")
            if top[0] != "persona_tui" or len(top) < 2 or top[1] in ("services", "commands"):
                continue
            if top[1] == "core" and module in COMMANDS_MAY_IMPORT_FROM_CORE:
                continue
            if module == APP_ENTRY[0] and names == [APP_ENTRY[1]]:
                continue
            problems.append(f"{where} imports {module}"
                            + (f" ({', '.join(names)})" if names else ""))
    return problems


def test_commands_go_through_services():
    assert _command_violations() == []


def test_command_checker_catches_what_skips_the_services(tmp_path):
    """The check itself can fail: plant every kind of violation in a copy of the layout."""
    (tmp_path / "commands").mkdir()
    (tmp_path / "commands" / "planted.py").write_text(
        "from persona_tui.sdk.batch import submit_batch\n"
        "from persona_tui.core.scripts.cards_io import load_card\n"
        "import persona_tui.core.privacy.audit_log\n"
        "from persona_tui.tui.app import PersonaApp\n"
        "from persona_tui.tui.screens.audit import AuditScreen\n"
        "from textual.app import App\n")
    (tmp_path / "commands" / "fine.py").write_text(
        "from persona_tui.services.cards import CardService\n"
        "from persona_tui.core.errors import DataError\n"
        "from persona_tui.core.utils.sanitize import strip_control\n"
        "from persona_tui.commands.errors import report_error\n"
        "from persona_tui.tui.app import run_app\n"
        "import json\n")
    problems = _command_violations(tmp_path)
    assert not any("fine.py" in p for p in problems), problems
    for planted in ("persona_tui.sdk.batch", "persona_tui.core.scripts.cards_io",
                    "persona_tui.core.privacy.audit_log", "persona_tui.tui.app (PersonaApp)",
                    "persona_tui.tui.screens.audit", "textual.app"):
        assert any(p.startswith(f"commands/planted.py imports {planted}") for p in problems), \
            (planted, problems)


def test_imports_point_downwards():
    assert _violations() == []


def test_checker_catches_an_upward_import(tmp_path):
    """The check itself can fail: plant bad imports in a copy of the layout."""
    for layer in ORDER:
        (tmp_path / layer).mkdir()
    (tmp_path / "core" / "_planted_violation.py").write_text(
        "from persona_tui.tui import app\nimport textual\n")
    (tmp_path / "sdk" / "fine.py").write_text("from persona_tui.core import errors\n")
    (tmp_path / "tui" / "skips.py").write_text("from persona_tui.core.config import x\n")
    problems = _violations(tmp_path)
    assert any("skips.py imports persona_tui.core.config" in p for p in problems)
    assert not any("fine.py" in p for p in problems)
    assert any("_planted_violation.py imports persona_tui.tui" in p for p in problems)
    assert any("_planted_violation.py imports textual" in p for p in problems)


@pytest.mark.parametrize("layer", sorted(NO_TEXTUAL))
def test_lower_layers_do_not_load_textual_at_runtime(layer):
    modules = [
        ".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts)
        for p in (PACKAGE / layer).rglob("*.py") if p.name != "__init__.py"
    ]
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}:\n"
        "    importlib.import_module(m)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == ""
