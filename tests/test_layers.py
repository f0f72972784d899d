"""The architecture holds: imports point downwards and only the TUI imports Textual."""

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
