"""Package data: the sample study, prompt templates, price table, schemas."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def resource_path(*parts: str) -> Path:
    """Path of a packaged resource file (resources ship as plain files in the wheel)."""
    return Path(str(resources.files("persona_tui.resources").joinpath(*parts)))


def sample_project() -> Path:
    """Folder of the bundled sample study (``data/``, ``personas.json``, ``cards/``)."""
    return resource_path("sample")
