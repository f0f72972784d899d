"""The app driven as a user would: keys only, against the local vendor server."""

from __future__ import annotations

import stat
import tomllib

import pytest
from textual.binding import Binding
from textual.widgets import DataTable, Input, Static

from persona_tui.core.config import load_credentials
from persona_tui.core.platform import PathManager
from persona_tui.services.context import AppContext
from persona_tui.tui.app import PersonaApp
from persona_tui.tui.navigation import DESTINATIONS
from persona_tui.tui.screens.audit import AuditScreen
from persona_tui.tui.screens.dialogs import ErrorDialog
from persona_tui.tui.screens.help import HelpScreen
from persona_tui.tui.screens.home import HomeScreen
from persona_tui.tui.screens.providers import ProvidersScreen
from tests.config_files import write_config
from tests.tui.terminal import assert_no_text_under_the_keys, help_rows, visible_lines
from tests.vendor_server.wire import OPENAI_KEY


def cell(app, provider: str, column: str) -> str:
    return str(app.screen.query_one(DataTable).get_cell(provider, column))


async def settle(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_first_run_lands_on_home_and_a_configured_one_on_providers(paths):
    async with PersonaApp().run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(pilot.app.screen, HomeScreen)
    write_config({"providers": {"ollama": {"default_model": "llama3.2"}}}, paths)
    # a new process: the context is read again (one process keeps its first context)
    async with PersonaApp(context=AppContext.load(paths)).run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(pilot.app.screen, ProvidersScreen)


async def test_providers_with_nothing_configured():
    async with PersonaApp(start="providers").run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(pilot.app.screen, ProvidersScreen)
        assert cell(pilot.app, "openai", "State") == "not configured"
        assert cell(pilot.app, "ollama", "Key") == "not needed"
        assert pilot.app.focused is pilot.app.screen.query_one(DataTable)
        for _ in range(3):
            await pilot.press("down")  # Gemini
        await pilot.pause()
        note = str(pilot.app.screen.query_one("#provider-note", Static).render())
        assert "set GEMINI_API_KEY in the environment" in note


def every_ordered_pair_once(items: list) -> list:
    """A walk through ``items`` in which every ordered pair (a screen to itself included)
    follows each other exactly once: a de Bruijn sequence of order 2. It checks each of the
    n² moves with n² + 1 key presses instead of 2·n² separate hops."""
    n = len(items)
    sequence: list[int] = []
    digits = [0] * (2 * n)

    def extend(t: int, p: int) -> None:  # the standard Lyndon-word construction
        if t > 2:
            if 2 % p == 0:
                sequence.extend(digits[1:p + 1])
            return
        digits[t] = digits[t - p]
        extend(t + 1, p)
        for j in range(digits[t - p] + 1, n):
            digits[t] = j
            extend(t + 1, t)

    extend(1, 1)
    walk = [items[i] for i in sequence]
    return walk + walk[:1]  # the cycle closed: its last pair is (last, first)


def test_the_walk_covers_every_ordered_pair_exactly_once():
    walk = every_ordered_pair_once(list("abcdef"))
    pairs = list(zip(walk, walk[1:]))
    assert len(pairs) == 36 and set(pairs) == {(a, b) for a in "abcdef" for b in "abcdef"}


async def test_every_screen_is_one_key_away_from_anywhere():
    async with PersonaApp().run_test(size=(80, 24)) as pilot:
        for destination in every_ordered_pair_once(list(DESTINATIONS)):
            await pilot.press(destination.key)
            await pilot.pause()
            assert pilot.app.current_mode == destination.mode
        await pilot.press("f6")
        await pilot.pause()
        assert isinstance(pilot.app.screen, AuditScreen)


async def test_command_palette_lists_every_screen():
    app = PersonaApp()
    async with app.run_test() as pilot:
        await pilot.pause()
        titles = [command.title for command in app.get_system_commands(app.screen)]
        for destination in DESTINATIONS:
            assert f"Go to {destination.title}" in titles


async def test_help_lists_the_keys_of_the_screen_laid_out_for_80x24():
    async with PersonaApp(start="providers").run_test(size=(80, 24)) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        help_screen = pilot.app.screen
        assert isinstance(help_screen, HelpScreen)
        rows = help_rows(help_screen)
        assert ("Providers", "t", "Make a real request to the selected provider") in rows
        assert [g for g in dict.fromkeys(r[0] for r in rows)] == [
            "Providers", "Everywhere", "Go to a screen"]
        assert ("Everywhere", "^p", "Command palette: every action of this screen, by name") \
            in rows
        lines = visible_lines(pilot.app)
        text = "\n".join(lines)
        assert "The vendors Persona TUI can use" in text  # the focused table explains itself
        # the box names the screen and says how to close it, without scrolling
        assert "Keys — Providers" in lines[0] and "Esc closes" in lines[-1]
        assert_no_text_under_the_keys(help_screen, lines)
        await pilot.press("end")  # the list scrolls; the way out stays in view
        await pilot.pause()
        lines = visible_lines(pilot.app)
        assert "Home — what Persona TUI does" in "\n".join(lines)
        assert "Esc closes" in lines[-1]
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ProvidersScreen)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_snapshot_help_over_the_card_editor(snap_compare, size):
    async def open_help(pilot):
        from tests.tui.test_cards import wait_badge

        await wait_badge(pilot, "pass")  # the badge shows through at 160×48
        pilot.app.screen.focus_field("psychological_profile.goals")
        await pilot.pause()
        pilot.app.focused.cursor_blink = False  # it shows through at 160×48
        await pilot.press("f1")
        await pilot.pause()

    assert snap_compare(PersonaApp(start="cards"), terminal_size=size, run_before=open_help)


async def test_saving_a_key_masks_it_and_writes_credentials_privately(paths):
    async with PersonaApp(start="providers").run_test(size=(100, 30)) as pilot:
        await pilot.press("down")  # OpenAI
        await pilot.pause()
        pilot.app.screen.query_one("#api-key", Input).focus()
        await pilot.press(*"sk-secret-typed-key-9876")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert pilot.app.screen.query_one("#api-key", Input).value == ""
        assert cell(pilot.app, "openai", "Key") == "…9876 (credentials.toml)"
        assert cell(pilot.app, "openai", "State") == "not tested"
        screen_text = " ".join(str(w.render()) for w in pilot.app.screen.query(Static))
        assert "sk-secret" not in screen_text
    assert load_credentials(paths)["openai"].get_secret_value() == "sk-secret-typed-key-9876"
    assert stat.S_IMODE(paths.credentials_file.stat().st_mode) == 0o600


async def test_test_connection_against_a_real_server(vendor_server, paths):
    vendor_server.reset()
    write_config({"providers": {
        "ollama": {"base_url": vendor_server.url},
        "openai": {"base_url": f"{vendor_server.url}/v1"}}}, paths)
    async with PersonaApp(start="providers").run_test(size=(100, 30)) as pilot:
        await settle(pilot)  # config.toml validated, the states read, after the first paint
        await pilot.press("t")  # Ollama is selected first
        await settle(pilot)
        assert cell(pilot.app, "ollama", "State") == "available"
        assert cell(pilot.app, "ollama", "Models") == "2"
        assert cell(pilot.app, "ollama", "Latency").endswith("ms")
        await pilot.press("down")
        pilot.app.screen.query_one("#api-key", Input).focus()
        await pilot.press(*"sk-wrong-key-1111", "ctrl+s")
        pilot.app.screen.query_one(DataTable).focus()
        await pilot.press("t")
        await settle(pilot)
        assert cell(pilot.app, "openai", "State") == "key invalid"
        note = str(pilot.app.screen.query_one("#provider-note", Static).render())
        assert "OPENAI_API_KEY" in note
        pilot.app.screen.query_one("#api-key", Input).focus()
        await pilot.press(*OPENAI_KEY, "ctrl+s")
        pilot.app.screen.query_one(DataTable).focus()
        await pilot.press("t")
        await settle(pilot)
        assert cell(pilot.app, "openai", "State") == "available"
        assert OPENAI_KEY not in " ".join(str(w.render())
                                          for w in pilot.app.screen.query(Static))


async def test_markup_and_control_sequences_from_config_are_shown_literally(paths):
    write_config({"providers": {"ollama": {
        "default_model": "[bold]evil[/]\x1b]0;title\x07"}}}, paths)
    async with PersonaApp(start="providers").run_test(size=(120, 30)) as pilot:
        await settle(pilot)  # the states are read after the first paint
        assert cell(pilot.app, "ollama", "Default model") == "[bold]evil[/]"


async def test_keys_can_be_remapped_by_binding_id(paths):
    write_config({"ui": {"keymap": {"app.screen.generate": "f9"}}},
                  paths)
    async with PersonaApp().run_test() as pilot:
        await pilot.press("f9")
        await pilot.pause()
        assert pilot.app.current_mode == "generate"


async def test_theme_choice_persists(paths):
    async with PersonaApp().run_test() as pilot:
        pilot.app.theme = "nord"
        await pilot.pause()
    from persona_tui.core.config import load_settings

    assert load_settings(PathManager.default()).settings.ui.theme == "nord"
    async with PersonaApp().run_test() as pilot:
        await pilot.pause()
        assert pilot.app.theme == "nord"


async def test_a_broken_config_is_an_error_dialog_not_a_crash(paths):
    paths.config_dir.mkdir(parents=True)
    paths.config_file.write_text("[ui\n")
    async with PersonaApp().run_test() as pilot:
        await pilot.pause()
        assert isinstance(pilot.app.screen, ErrorDialog)
        assert "not valid TOML" in pilot.app.screen.text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ProvidersScreen)


async def test_a_config_refused_after_the_first_paint_is_the_same_error_dialog(paths):
    """config.toml is validated after the first paint: a refused file still gives the one
    dialog, with the code, message and hint of a refused load, over Providers, whose states
    are then the defaults; the file's theme does not stay (a refused file sets nothing)."""
    from persona_tui.core.errors import ConfigurationError
    from persona_tui.services.errors import report

    write_config({"ui": {"theme": "nord"}, "data": {"max_file_mb": -1},
                  "providers": {"ollama": {"default_model": "llama3.2"}}}, paths)
    with pytest.raises(ConfigurationError) as refused:
        AppContext.load(paths)
    async with PersonaApp().run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(pilot.app.screen, ErrorDialog)
        assert pilot.app.screen.report == report(refused.value, pilot.app.context)
        assert pilot.app.theme != "nord"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ProvidersScreen)
        assert pilot.app.screen.query_one("#default-model", Input).value == ""
        assert cell(pilot.app, "openai", "State") == "not configured"
    # a valid file: its theme and states, read after the first paint
    write_config({"ui": {"theme": "nord"},
                  "providers": {"ollama": {"default_model": "llama3.2"}}}, paths)
    async with PersonaApp(context=AppContext.deferred(paths)).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(pilot.app.screen, ProvidersScreen)
        assert pilot.app.theme == "nord"
        assert pilot.app.screen.query_one("#default-model", Input).value == "llama3.2"
        assert not pilot.app.screen.query_one(DataTable).loading


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_snapshot_providers(snap_compare, size):
    assert snap_compare(PersonaApp(start="providers"), terminal_size=size)


async def test_a_theme_change_keeps_the_base_url_saved_on_providers(paths):
    """Bug on main: the app wrote back its start-up copy of the settings on a theme change,
    so the base URL saved on Providers a moment earlier was gone. Checked in the real file."""
    write_config({"ui": {"theme": "textual-dark"}}, paths)
    async with PersonaApp(start="providers").run_test(size=(100, 30)) as pilot:
        await settle(pilot)  # config.toml validated, the states read, after the first paint
        await pilot.press("down")  # OpenAI
        await pilot.pause()
        url = pilot.app.screen.query_one("#base-url", Input)
        url.focus()
        url.value = ""
        await pilot.press(*"http://127.0.0.1:1234/v1", "ctrl+s")
        await pilot.pause()
        await pilot.press("ctrl+p")  # the command palette's theme picker, as a user would
        await pilot.pause()
        await pilot.press(*"theme", "enter")
        await pilot.pause(0.3)
        await pilot.press(*"nord", "enter")
        await pilot.pause(0.3)
        assert pilot.app.theme == "nord"
    saved = tomllib.loads(paths.config_file.read_text("utf-8"))
    assert saved["ui"]["theme"] == "nord"
    assert saved["providers"]["openai"]["base_url"] == "http://127.0.0.1:1234/v1"


async def test_a_keyless_local_openai_compatible_server_is_never_asked_for_a_key(paths):
    write_config({"providers": {"openai": {"base_url": "http://127.0.0.1:8080/v1"}}}, paths)
    async with PersonaApp(start="providers").run_test(size=(120, 30)) as pilot:
        await settle(pilot)  # the states are read after the first paint
        assert cell(pilot.app, "openai", "State") == "not tested"
        assert cell(pilot.app, "openai", "Key") == "not needed"
        await pilot.press("down")  # OpenAI
        await pilot.pause()
        note = str(pilot.app.screen.query_one("#provider-note", Static).render())
        assert note == "Press t to test the connection."
        key = pilot.app.screen.query_one("#api-key", Input)
        assert not key.disabled and key.placeholder.startswith("optional:")


async def test_help_shows_keys_as_remapped_in_the_keymap(paths):
    """Bug on main: F1 read the classes' BINDINGS, so it showed the key a remap replaced."""
    write_config({"ui": {"keymap": {"providers.test": "ctrl+t", "app.screen.generate": "f9"}}},
                 paths)
    async with PersonaApp().run_test(size=(100, 30)) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(pilot.app.screen, HelpScreen)
        rows = help_rows(pilot.app.screen)
        test_key = next(key for _group, key, text in rows
                        if text == "Make a real request to the selected provider")
        generate = next(key for _group, key, text in rows if "generate personas" in text)
        assert test_key == pilot.app.get_key_display(Binding("ctrl+t", "x"))
        # not t, not f4: the keys that work now, shown as the app shows keys
        assert generate == pilot.app.get_key_display(Binding("f9", "x"))
