"""The card editor driven by keys only: every kind of field, lists, undo/redo, save, the
unsaved-changes guard, new cards from personas, preview, the live audit badge, export."""

from __future__ import annotations

import json

import pytest
from textual.widgets import Input, Static, TextArea

from persona_tui.resources import sample_project
from persona_tui.tui.app import PersonaApp
from persona_tui.tui.screens.cards import CardsScreen
from persona_tui.tui.screens.dialogs import ErrorDialog, Pick, UnsavedChanges
from persona_tui.tui.screens.providers import ProvidersScreen
from persona_tui.tui.widgets.audit_badge import AuditBadge
from persona_tui.tui.widgets.fields import ItemsArea
from tests.tui.terminal import assert_no_text_under_the_keys, help_rows, visible_lines

SAMPLE_CARD = sample_project() / "cards" / "ledger-keeper.json"
GOALS = "psychological_profile.goals"


async def settle(pilot, rounds: int = 2) -> None:
    for _ in range(rounds):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def wait_badge(pilot, word: str, tries: int = 40) -> str:
    """The badge re-audits a moment after typing stops; wait for it as a user would."""
    text = ""
    for _ in range(tries):
        await pilot.pause(0.1)
        await pilot.app.workers.wait_for_complete()
        text = str(pilot.app.screen.query_one(AuditBadge).render())
        if word in text:
            return text
    raise AssertionError(f"badge never showed {word!r}; last: {text!r}")


def session(app):
    return app.services.cards.current


def title(app) -> str:
    return str(app.screen.query_one("#card-title", Static).render())


async def focus(pilot, widget_id: str) -> None:
    pilot.app.screen.query_one(f"#{widget_id}").focus()
    await pilot.pause()


async def test_opens_on_a_card_and_single_line_edits_undo_and_redo():
    async with PersonaApp(start="cards").run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(pilot.app.screen, CardsScreen)
        assert title(pilot.app) == "Alex Brennan — ledger-keeper.json"
        assert pilot.app.focused.id == "f-identity--name"
        await pilot.press("down")  # ↑/↓ walk the fields
        assert pilot.app.focused.id == "f-identity--title"
        await pilot.press("end", *" (edited)")
        assert session(pilot.app).data["identity"]["title"].endswith("keeper (edited)")
        assert "● unsaved" in title(pilot.app)
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert session(pilot.app).data["identity"]["title"] == "The self-appointed ledger keeper"
        assert pilot.app.focused.value == "The self-appointed ledger keeper"
        assert "unsaved" not in title(pilot.app)
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert pilot.app.focused.value.endswith("(edited)")


async def test_validation_shows_the_error_next_to_the_field_and_blocks_save(paths):
    async with PersonaApp(start="cards").run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("end", "ctrl+u")  # clear the name
        await pilot.pause()
        field = pilot.app.screen._fields["identity.name"]
        error = field.query_one(".field-error", Static)
        assert error.display and "identity.name" in str(error.render())
        assert field.has_class("-invalid")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not (paths.cards_dir / "ledger-keeper.json").exists()
        await pilot.press(*"Alex B")
        await pilot.pause()
        assert not error.display
        await pilot.press("ctrl+s")
        await pilot.pause()
        saved = json.loads((paths.cards_dir / "ledger-keeper.json").read_text())
        assert saved["identity"]["name"] == "Alex B"
        assert "unsaved" not in title(pilot.app)


async def test_multi_line_text_field():
    async with PersonaApp(start="cards").run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await focus(pilot, "f-guidelines--response_style")
        assert isinstance(pilot.app.focused, TextArea)
        await pilot.press("ctrl+e", "enter", *"Second line.")
        await pilot.pause()
        text = session(pilot.app).data["guidelines"]["response_style"]
        assert text.endswith("\nSecond line.")
        await pilot.press("ctrl+z")  # the whole typing run in one step
        await pilot.pause()
        assert "\n" not in session(pilot.app).data["guidelines"]["response_style"]


async def test_list_items_added_edited_moved_and_removed_by_keys():
    async with PersonaApp(start="cards").run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        goals = list(session(pilot.app).data["psychological_profile"]["goals"])
        await focus(pilot, "f-psychological_profile--goals")
        assert isinstance(pilot.app.focused, ItemsArea)
        await pilot.press("end", "enter")  # a new item below the first
        await pilot.press(*"Split bills fairly")
        await pilot.pause()
        assert session(pilot.app).data["psychological_profile"]["goals"] == [
            goals[0], "Split bills fairly", *goals[1:]]
        await pilot.press("alt+up")
        await pilot.pause()
        assert session(pilot.app).data["psychological_profile"]["goals"][0] == \
            "Split bills fairly"
        area = pilot.app.focused
        assert area.cursor_location[0] == 0  # the cursor moves with its item
        assert area.document.get_line(0) == "Split bills fairly"
        await pilot.press("alt+down", "alt+down")
        await pilot.pause()
        assert session(pilot.app).data["psychological_profile"]["goals"][2] == \
            "Split bills fairly"
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert session(pilot.app).data["psychological_profile"]["goals"] == goals
        assert area.text.splitlines() == goals
        await pilot.press("ctrl+z")  # the removal, then the two moves, one step each
        assert session(pilot.app).data["psychological_profile"]["goals"][2] == \
            "Split bills fairly"
        for _ in range(3):  # down, down, up: back to where it was typed
            await pilot.press("ctrl+z")
        await pilot.pause()
        assert session(pilot.app).data["psychological_profile"]["goals"][1] == \
            "Split bills fairly"
        await pilot.press("ctrl+z")  # the typing run, new line included
        await pilot.pause()
        assert session(pilot.app).data["psychological_profile"]["goals"] == goals
        assert area.text.splitlines() == goals


async def test_an_emptied_list_gets_its_first_item_by_typing_and_enter_makes_new_ones():
    async with PersonaApp(start="cards").run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await focus(pilot, "f-knowledge_boundaries--can_infer")
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert session(pilot.app).data["knowledge_boundaries"]["can_infer"] == []
        await pilot.press(*"Rent splits")
        await pilot.pause()
        assert session(pilot.app).data["knowledge_boundaries"]["can_infer"] == ["Rent splits"]
        # Enter at the start of an item: a new item above it, and the cursor in the new one,
        # so what is typed fills it and ctrl+r removes it, not the item with the text
        await pilot.press("home", "enter")
        await pilot.pause()
        area = pilot.app.focused
        assert session(pilot.app).data["knowledge_boundaries"]["can_infer"] == [
            "", "Rent splits"]
        assert area.cursor_location == (0, 0)
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert session(pilot.app).data["knowledge_boundaries"]["can_infer"] == ["Rent splits"]
        await pilot.press("home", "enter", *"Bills")
        await pilot.pause()
        assert session(pilot.app).data["knowledge_boundaries"]["can_infer"] == [
            "Bills", "Rent splits"]
        await pilot.press("end", "enter", *"Chores")  # at the end: a new item below
        await pilot.pause()
        assert session(pilot.app).data["knowledge_boundaries"]["can_infer"] == [
            "Bills", "Chores", "Rent splits"]


async def test_unsaved_changes_guard_on_leaving_and_quitting(paths):
    async with PersonaApp(start="cards").run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*"!")
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(pilot.app.screen, UnsavedChanges)
        await pilot.press("escape")  # stay
        await pilot.pause()
        assert isinstance(pilot.app.screen, CardsScreen)
        assert session(pilot.app).dirty
        await pilot.press("f6")  # the audit of this card is not leaving it
        await pilot.pause()
        assert pilot.app.current_mode == "audit"
        await pilot.press("f5", "f2")
        await pilot.pause()
        await pilot.press("d")  # discard
        await settle(pilot)
        assert isinstance(pilot.app.screen, ProvidersScreen)
        assert not session(pilot.app).dirty
        assert session(pilot.app).data["identity"]["name"] == "Alex Brennan"
        await pilot.press("f5")
        await settle(pilot)
        assert pilot.app.screen.query_one("#f-identity--name", Input).value == "Alex Brennan"
        pilot.app.screen.query_one("#f-identity--name", Input).focus()
        await pilot.press("end", *"e")
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(pilot.app.screen, UnsavedChanges)
        await pilot.press("s")  # save, then quit
        await pilot.pause()
    saved = json.loads((paths.cards_dir / "ledger-keeper.json").read_text())
    assert saved["identity"]["name"] == "Alex Brennane"


async def test_new_card_from_a_persona_preview_and_export(paths):
    async with PersonaApp(start="cards").run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(pilot.app.screen, Pick)
        await pilot.press("down", "down", "enter")  # Margaret Hale
        await settle(pilot)
        assert session(pilot.app).data["identity"]["name"] == "Margaret Hale"
        assert title(pilot.app) == "Margaret Hale — careful-steward.json  ● unsaved"
        await pilot.press("ctrl+t")
        await pilot.pause()
        preview = pilot.app.screen.query_one("#preview", TextArea).text
        assert preview.startswith("You are Margaret Hale")
        await pilot.press("end", *" Jr")
        await pilot.pause(0.4)
        preview = pilot.app.screen.query_one("#preview", TextArea).text
        assert preview.startswith("You are Margaret Hale Jr")
        await pilot.press("ctrl+l")
        await pilot.pause()
        await pilot.press("down", "down", "enter")  # Markdown
        await pilot.pause()
        exported = paths.data_dir / "exports" / "careful-steward.md"
        assert "Margaret Hale Jr" in exported.read_text()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert (paths.cards_dir / "careful-steward.json").exists()
        log = json.loads((paths.cards_dir / "careful-steward.audit.json").read_text())
        assert log["sources"] == ["sample"]


async def test_audit_badge_follows_typing_and_opens_the_viewer():
    async with PersonaApp(start="cards").run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "audit: pass" in await wait_badge(pilot, "pass")
        await focus(pilot, "f-guidelines--response_style")
        await pilot.press("ctrl+e", *" I started keeping my own notes in a text file, just date, what, how much, who paid.")
        text = await wait_badge(pilot, "blocked")
        assert "high" in text
        pilot.app.screen.query_one(AuditBadge).focus()
        await pilot.press("enter")
        await settle(pilot, 3)
        assert pilot.app.current_mode == "audit"


async def test_text_from_a_card_is_shown_literally(paths):
    card = json.loads(SAMPLE_CARD.read_text())
    card["identity"]["name"] = "[bold]Mallory[/] \x1b]0;pwned\x07"
    path = paths.cards_dir / "odd.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(card))
    async with PersonaApp(start="cards", card=str(path)).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert title(pilot.app) == "[bold]Mallory[/] — odd.json"
        assert pilot.app.screen.query_one("#f-identity--name", Input).value == "[bold]Mallory[/]"


async def test_a_broken_card_file_is_an_error_dialog_not_a_crash(paths, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"\x00\x01 not json")
    async with PersonaApp(start="cards", card=str(bad)).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(pilot.app.screen, ErrorDialog) and "bad.json" in pilot.app.screen.text
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CardsScreen)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_snapshot_cards_editor(snap_compare, size):
    async def audited(pilot):
        await wait_badge(pilot, "pass")
        pilot.app.focused.cursor_blink = False  # the blink phase would make it flaky
        await pilot.pause()

    assert snap_compare(PersonaApp(start="cards"), terminal_size=size, run_before=audited)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_snapshot_export_dialog_with_its_keys(snap_compare, size):
    async def exporting(pilot):
        await wait_badge(pilot, "pass")
        pilot.app.focused.cursor_blink = False  # it shows behind the dialog at 160×48
        await pilot.press("ctrl+l")
        await pilot.pause()

    assert snap_compare(PersonaApp(start="cards"), terminal_size=size, run_before=exporting)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_snapshot_cards_invalid_with_preview(snap_compare, size):
    async def broken(pilot):
        await settle(pilot)
        await pilot.press("end", "ctrl+u", "ctrl+t")
        await wait_badge(pilot, "fix the errors")
        pilot.app.focused.cursor_blink = False  # the blink phase would make it flaky
        await pilot.pause()

    assert snap_compare(PersonaApp(start="cards"), terminal_size=size, run_before=broken)


async def test_palette_lists_the_screens_actions_and_runs_them():
    """alt+↑/↓ may be swallowed by a terminal over SSH; the palette always works."""
    app = PersonaApp(start="cards")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await focus(pilot, "f-psychological_profile--goals")
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for title in ("Save", "Undo", "Redo", "Preview", "Export", "New from persona",
                      "Move up", "Move down", "Remove item", "Go to Privacy audit"):
            assert title in titles
        await pilot.press("f1")  # F1 names the list's keys first, then the screen's
        await pilot.pause()
        rows = help_rows(app.screen)
        assert rows[0] == ("At the cursor", "^r", "Remove the item under the cursor")
        assert [g for g in dict.fromkeys(r[0] for r in rows)] == [
            "At the cursor", "Cards", "Everywhere", "Go to a screen"]
        assert_no_text_under_the_keys(app.screen, visible_lines(app))
        await pilot.press("escape")
        await pilot.pause()
        assert app.focused.id == "f-psychological_profile--goals"
        first = session(app).data["psychological_profile"]["goals"][0]
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Move down")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert session(app).data["psychological_profile"]["goals"][1] == first


async def test_arrow_keys_walk_the_card_like_one_document():
    async with PersonaApp(start="cards").run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        walk = []
        for _ in range(6):
            await pilot.press("down")
            walk.append((pilot.app.focused.id, getattr(pilot.app.focused, "cursor_location",
                                                       None)))
        assert [w[0] for w in walk] == [
            "f-identity--title", "f-identity--demographics_summary",
            "f-psychological_profile--goals", "f-psychological_profile--goals",
            "f-psychological_profile--goals", "f-psychological_profile--motivations"]
        assert [w[1][0] for w in walk[2:5]] == [0, 1, 2]  # item by item through the list
        await pilot.press("up")
        assert pilot.app.focused.id == "f-psychological_profile--goals"
