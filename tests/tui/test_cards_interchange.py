"""The editor exports every format (a PNG carrying the card, CHARX) by keys, and shows the
last groundedness probe score, as the audit viewer does."""

from __future__ import annotations

from textual.widgets import OptionList

from persona_tui.core.scripts.cards_io import load_card
from persona_tui.core.scripts.format_names import FORMATS
from persona_tui.resources import sample_project
from persona_tui.services.cards import FORMAT_LABELS
from persona_tui.tui.app import PersonaApp
from persona_tui.tui.screens.dialogs import Pick
from tests.tui.terminal import visible_lines
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
        shown = "\n".join(visible_lines(pilot.app))  # at 80×24: every format and the keys
        for label in FORMAT_LABELS.values():
            assert label in shown
        assert "PNG with the card inside" in shown
        assert "↑/↓ move · Enter exports · Esc cancels" in shown
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


async def test_the_last_probe_score_shows_in_the_editor_and_the_viewer(paths, tmp_path):
    import shutil

    from textual.widgets import Static

    from persona_tui.core.privacy.audit_log import AuditLog

    card = tmp_path / "ledger-keeper.json"
    shutil.copy(SAMPLE_CARD, card)
    log = AuditLog.for_card(card)
    log.sources = ["sample"]
    log.record_probe({"score": 0.7571, "questions": 12})
    async with PersonaApp(start="cards", card=str(card)).run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        title = str(pilot.app.screen.query_one("#card-title", Static).render())
        assert title.endswith("groundedness 0.76")
        await pilot.press("f6")
        await settle(pilot, 4)
        summary = str(pilot.app.screen.query_one("#audit-title", Static).render())
        assert "groundedness 0.76" in summary
