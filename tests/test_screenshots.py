"""screenshots/ holds an SVG of every screen, produced by screenshots/make.py."""

from __future__ import annotations

from pathlib import Path

from persona_tui.tui.navigation import DESTINATIONS

SHOTS = Path(__file__).resolve().parents[1] / "screenshots"
NAMES = {"ollama": "ollama-models"}


def test_every_screen_has_a_screenshot():
    missing = [d.mode for d in DESTINATIONS
               if not (SHOTS / f"{NAMES.get(d.mode, d.mode)}.svg").is_file()]
    assert missing == [], f"run `uv run python screenshots/make.py`; missing: {missing}"


def test_screenshots_are_terminal_svgs_made_by_textual():
    for svg in SHOTS.glob("*.svg"):
        text = svg.read_text("utf-8")
        assert text.lstrip().startswith("<svg"), svg.name
        assert "Generated with Rich" in text and "Persona" in text, svg.name
