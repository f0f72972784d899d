"""Bugs found by trying the editor as a new user would (issue 12): each fails on the code
before the fix."""

from __future__ import annotations

from persona_tui.tui.app import PersonaApp
from persona_tui.tui.screens.cards import CardsScreen
from persona_tui.tui.screens.dialogs import Pick
from persona_tui.tui.screens.providers import ProvidersScreen
from persona_tui.tui.widgets.fields import TextField


async def settle(pilot, rounds: int = 3) -> None:
    for _ in range(rounds):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def name_fields(app) -> list[TextField]:
    return [w for w in app.screen.query(TextField) if w.path == "identity.name"]


async def test_f2_from_the_card_picker_goes_to_providers():
    async with PersonaApp(start="cards").run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(pilot.app.screen, Pick)
        await pilot.press("f2")  # crashed: 'Pick' object has no attribute 'ask_unsaved'
        await settle(pilot)
        assert pilot.app.current_mode == "providers"
        assert isinstance(pilot.app.screen, ProvidersScreen)


async def test_f2_from_the_picker_with_unsaved_changes_asks_first():
    async with PersonaApp(start="cards").run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*"X")  # an edit in the name
        await pilot.press("ctrl+o")
        await pilot.pause()
        await pilot.press("f2")
        await settle(pilot)
        from persona_tui.tui.screens.dialogs import UnsavedChanges

        assert isinstance(pilot.app.screen, UnsavedChanges)
        await pilot.press("escape")  # cancel: stay
        await settle(pilot)
        assert pilot.app.current_mode == "cards"


async def _one_form_after(pilot, key: str) -> None:
    await pilot.press(key)
    await pilot.pause()
    assert isinstance(pilot.app.screen, Pick)
    await pilot.press("down", "enter")  # the second entry
    await settle(pilot, 5)
    assert isinstance(pilot.app.screen, CardsScreen)
    fields = name_fields(pilot.app)
    assert len(fields) == 1, f"the card form is on the page {len(fields)} times"
    assert pilot.app.focused is fields[0].editor


async def test_one_card_form_after_opening_a_card():
    async with PersonaApp(start="cards").run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await _one_form_after(pilot, "ctrl+o")


async def test_one_card_form_after_a_new_card_and_save_writes_what_is_shown(paths):
    async with PersonaApp(start="cards").run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await _one_form_after(pilot, "ctrl+n")
        await pilot.press("home", *"GHOST")
        for _ in range(30):  # Tab through the whole form: it never reaches a hidden copy
            await pilot.press("tab")
        await pilot.press("ctrl+s")
        await settle(pilot)
        session = pilot.app.services.cards.current
        shown = {w.path: w for w in pilot.app.screen.query(TextField)}
        assert session.data["identity"]["name"].startswith("GHOST")
        assert str(shown["identity.name"].editor.value) == session.data["identity"]["name"]
        saved = session.path.read_text("utf-8")
        assert "GHOSTG" not in saved.replace(session.data["identity"]["name"], "")
