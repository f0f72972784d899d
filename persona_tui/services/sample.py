"""The bundled sample study, named ``sample`` wherever the user types data paths.

Cards and runs record the word rather than the package's install path, so they stay valid
when the app is reinstalled elsewhere (and screenshots show no machine's folders).
"""

from __future__ import annotations

from pathlib import Path

from persona_tui.resources import sample_project

SAMPLE = "sample"


def sample_data() -> Path:
    return sample_project() / "data"


def resolve_data(path: str) -> str:
    """``sample`` is the bundled study's data; anything else is a path as typed."""
    return str(sample_data()) if path.strip() == SAMPLE else path


def is_packaged(path: Path) -> bool:
    """A bundled sample card: its folder belongs to the installed package, never written."""
    try:
        return path.resolve().is_relative_to(sample_project().resolve())
    except OSError:
        return False
