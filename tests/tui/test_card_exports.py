"""The editor's export offers every format: a PNG carrying the card, and CHARX, by keys."""

from __future__ import annotations

from textual.widgets import OptionList

from persona_tui.core.scripts.cards_io import load_card
from persona_tui.core.scripts.format_names import FORMATS
from persona_tui.resources import sample_project
from persona_tui.services.cards import FORMAT_LABELS
from persona_tui.tui.app import PersonaApp
from persona_tui.tui.screens.dialogs import Pick
from tests.tui.test_cards import settle

SAMPLE_CARD = sample_project() / "cards" / "ledger-keeper.json"


async def test_editor_exports_every_format_including_png_and_charx(paths):
    assert list(FORMAT_LABELS) == list(FORMATS)
    async with PersonaApp(start="cards", card=str(SAMPLE_CARD)).run_test(size=(80, 24)) \
            as pilot:
        await settle(pilot)
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(pilot.app.screen, Pick)
        options = pilot.app.screen.query_one(OptionList)
        assert options.option_count == len(FORMATS)
        await pilot.press(*["down"] * FORMATS.index("png"), "enter")
        await pilot.pause()
        await pilot.press("ctrl+l")
        await pilot.pause()
        await pilot.press(*["down"] * FORMATS.index("charx"), "enter")
        await pilot.pause()
    exports = paths.data_dir / "exports"
    original = load_card(SAMPLE_CARD)
    assert load_card(exports / "ledger-keeper.png") == original
    assert load_card(exports / "ledger-keeper.charx") == original
