"""The README's screen table promises keys; every key a screen shows in its footer is there."""

from __future__ import annotations

from pathlib import Path

import pytest

from persona_tui.tui.navigation import DESTINATIONS

README = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
SHOWN_AS = {"alt+up": "alt+↑", "alt+down": "alt+↓", "slash": "/", "escape": "Esc"}


def _screens():
    from persona_tui.tui.screens.audit import AuditScreen
    from persona_tui.tui.screens.cards import CardsScreen
    from persona_tui.tui.screens.generate import GenerateScreen
    from persona_tui.tui.screens.home import HomeScreen
    from persona_tui.tui.screens.ollama import OllamaScreen
    from persona_tui.tui.screens.providers import ProvidersScreen
    from persona_tui.tui.screens.trial import TrialScreen
    from persona_tui.tui.widgets.fields import ItemsArea

    return {"providers": [ProvidersScreen], "ollama": [OllamaScreen],
            "generate": [GenerateScreen], "cards": [CardsScreen, ItemsArea],
            "audit": [AuditScreen], "trial": [TrialScreen], "home": [HomeScreen]}


@pytest.mark.parametrize("destination", DESTINATIONS, ids=lambda d: d.mode)
def test_readme_lists_every_key_of_each_screen(destination):
    row = next(line for line in README.splitlines()
               if line.startswith(f"| {destination.key.upper()} |"))
    assert destination.title in row
    for cls in _screens()[destination.mode]:
        for binding in cls.BINDINGS:
            if not binding.show:
                continue
            key = SHOWN_AS.get(binding.key, binding.key)
            assert f"`{key}`" in row, f"README's {destination.title} row lacks `{key}`"
