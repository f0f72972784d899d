"""No key conflicts: every screen, every focusable widget on it, and every key the app or the
screen binds. A conflict is an app or screen binding whose key a focused widget also binds
for editing: either the widget wins and the action silently does not run (ctrl+u "copy
personas" cleared the Input instead), or the binding wins and the widget's own key is gone.
The few deliberate overrides are listed with their reason."""

from __future__ import annotations

import importlib
import pkgutil

from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Input, TextArea

import persona_tui.tui
from persona_tui.core.errors import MissingKeyError
from persona_tui.resources import sample_project
from persona_tui.tui.app import PersonaApp
from persona_tui.tui.navigation import DESTINATIONS
from persona_tui.tui.screens.dialogs import AskText, Pick, UnsavedChanges
from persona_tui.tui.screens.help import HelpScreen

SAMPLE_CARD = sample_project() / "cards" / "ledger-keeper.json"

#: (app or screen binding id, widget action it overrides): why that is right
INTENDED = {
    ("cards.undo", "undo"): "the card's undo: one history for every field, redactions too",
    ("cards.redo", "redo"): "the card's redo, as above",
    ("app.screen.audit", "select_line"): "F6 goes to the audit everywhere; shift+↑/↓ select",
    ("app.screen.trial", "select_all"): "F7 goes to the trial everywhere; shift+arrows and "
                                        "shift+home/end still select in a field",
    ("generate.cancel", "dismiss"): "Esc first closes an open provider list, then stops a run",
    ("trial.cancel", "dismiss"): "Esc first closes an open provider list, then stops a reply",
}


def _own_keys(node) -> dict[str, str]:
    """key -> action of the node's own bindings (keymap applied by the caller's app)."""
    return {key: binding.action for key, binding in node._bindings}


def _conflicts(screen: Screen, widget: Widget) -> list[str]:
    app = screen.app
    upper = {}  # key -> (binding id, priority) of the screen's and the app's bindings
    for node in (app, screen):
        for key, binding in node._bindings:
            if binding.show or binding.id:
                upper[app._keymap.get(binding.id, key) if binding.id else key] = \
                    (binding.id or binding.action, binding.priority)
    found = []
    for node in widget.ancestors_with_self:
        if node is screen:
            break
        for key, action in _own_keys(node).items():
            if key in upper:
                binding_id, priority = upper[key]
                if (binding_id, action) in INTENDED:
                    continue
                how = "shadows" if priority else "is shadowed by"
                found.append(f"{type(screen).__name__}: {binding_id} ({key}) {how} "
                             f"{type(node).__name__}.{action}")
    return found


async def test_no_app_or_screen_key_collides_with_a_widget_key_on_any_screen():
    problems: list[str] = []
    walked = 0
    app = PersonaApp(start="cards", card=str(SAMPLE_CARD))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for place in DESTINATIONS:
            await pilot.press(place.key)
            await app.workers.wait_for_complete()
            await pilot.pause()
            screen = app.screen
            assert screen.name == place.mode
            for widget in screen.query("*"):
                if widget.focusable or (widget.can_focus and not widget.disabled):
                    walked += 1
                    problems += _conflicts(screen, widget)
    assert walked > 20  # the walk really went through the fields of every screen
    assert sorted(set(problems)) == []


def _modal_screens() -> set[type]:
    """Every dialog the app defines (private bases such as ``_Dialog`` aside), found by
    importing the whole ``tui`` package: a new dialog is walked, or this test says so."""
    for module in pkgutil.walk_packages(persona_tui.tui.__path__, "persona_tui.tui."):
        importlib.import_module(module.name)
    found, stack = set(), [ModalScreen]
    while stack:
        for cls in stack.pop().__subclasses__():
            stack.append(cls)
            if cls.__module__.startswith("persona_tui.") and not cls.__name__.startswith("_"):
                found.add(cls)
    return found


def _typed_over(screen: Screen, widget: Widget) -> list[str]:
    """A dialog's one-character key (``s`` save, ``c`` copy) while a field that types it has
    focus: the field takes the letter and the dialog's action is out of reach (a dialog has
    no palette entry to fall back on)."""
    if not isinstance(widget, (Input, TextArea)):
        return []
    return [f"{type(screen).__name__}: {binding.id or binding.action} ({key}) is typed by "
            f"{type(widget).__name__}" for key, binding in screen._bindings
            if len(key) == 1 and key.isprintable()]


async def test_no_app_or_dialog_key_collides_with_a_widget_key_in_any_dialog():
    """Each dialog as the app opens it, every focusable widget in it; and Esc backs out of
    every one (the promise each dialog's hint line makes)."""
    problems: list[str] = []
    walked: dict[type, int] = {}
    app = PersonaApp(start="home")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        home = app.screen
        openers = [
            lambda: app.push_screen(UnsavedChanges("Ledger keeper")),
            lambda: app.push_screen(Pick("Open a card", ["a.json", "b.json"],
                                         details=["/x/a.json", "/x/b.json"], verb="opens")),
            lambda: app.push_screen(AskText("Accept the finding", "Why is it fine?")),
            lambda: app.show_error(MissingKeyError("no API key for openai",
                                                   provider="openai")),
            app.action_help,
        ]
        for open_dialog in openers:
            open_dialog()
            await pilot.pause()
            dialog = app.screen
            assert isinstance(dialog, ModalScreen)
            walked[type(dialog)] = 0
            for widget in dialog.query("*"):
                if widget.focusable:
                    walked[type(dialog)] += 1
                    problems += _conflicts(dialog, widget) + _typed_over(dialog, widget)
            # a question waits for its answer (the picker is browsing: F2 from it goes on,
            # tests/tui/test_cards_bugs.py; F1 help is a page of its own)
            if not isinstance(dialog, (HelpScreen, Pick)):
                await pilot.press("f3")
                await pilot.pause()
                assert app.screen is dialog and app.current_mode == "home", \
                    f"F3 left {type(dialog).__name__} unanswered"
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is home, f"Esc did not close {type(dialog).__name__}"
    assert set(walked) == _modal_screens()  # every dialog the app has was opened
    assert all(walked.values()), walked  # and each had a focusable widget to walk
    assert sorted(set(problems)) == []


async def test_the_palette_offers_a_screen_action_while_a_field_has_focus():
    """``t`` types into a field; the palette must still offer the connection test."""
    app = PersonaApp(start="providers")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.screen.query_one("#base-url").focus()
        await pilot.pause()
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Test connection" in titles and "Forget key" in titles


async def test_copy_personas_key_works_from_a_focused_input():
    app = PersonaApp(start="generate")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        field = app.screen.query_one("#model")
        field.focus()
        await pilot.pause()
        before = field.value
        assert before
        await pilot.press("ctrl+o")  # no run yet: the screen says so; the field is untouched
        await pilot.pause()
        assert field.value == before
        assert any("No personas yet" in str(n.message) for n in app._notifications)
