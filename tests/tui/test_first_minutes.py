"""The per-screen points of issue 16, at 80×24 and keys only: one way to show an invalid
value, honest states on Ollama, a Providers table that fits, advice said once."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input, Log, Static

from persona_tui.tui.app import PersonaApp
from tests.config_files import write_config


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def screen_text(app) -> str:
    return "\n".join(str(w.render()) for w in app.screen.query(Static))


def toasts(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_personas_99_names_the_field_the_rule_and_the_code():
    async with PersonaApp(start="generate").run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        count = pilot.app.screen.query_one("#count", Input)
        count.focus()
        await pilot.press("backspace", "9", "9")
        await pilot.pause(0.6)  # the form is checked as the estimate is, after typing stops
        note = pilot.app.screen.query_one("#invalid", Static)
        assert note.display
        assert str(note.render()) == "Personas: must be at most 50 (got 99) [E1101]"
        assert count.has_class("-invalid")
        assert "pydantic" not in screen_text(pilot.app).lower()
        model = pilot.app.screen.query_one("#model", Input)
        model.focus()
        await pilot.press("ctrl+g")  # refused: focus goes to the bad field, nothing runs
        await pilot.pause()
        assert not pilot.app.screen.running
        assert pilot.app.focused is count
        assert not any("pydantic" in t.lower() for t in toasts(pilot.app))
        await pilot.press("backspace", "backspace", "5")
        await pilot.pause(0.6)
        assert not note.display and not count.has_class("-invalid")


async def test_a_card_field_error_is_in_plain_words_with_its_code():
    async with PersonaApp(start="cards").run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("end", "ctrl+u")  # clear the name
        await pilot.pause()
        field = pilot.app.screen._fields["identity.name"]
        error = str(field.query_one(".field-error", Static).render())
        assert error == "identity.name: must not be empty [E1101]"


@pytest.fixture
def no_models(vendor_server, paths):
    vendor_server.reset()
    models, vendor_server.ollama_models = vendor_server.ollama_models, []
    write_config({"providers": {"ollama": {"base_url": vendor_server.url}}}, paths)
    yield vendor_server
    vendor_server.ollama_models = models
    vendor_server.reset()


async def test_ollama_with_no_models_says_so_and_refresh_answers(no_models):
    async with PersonaApp(start="ollama").run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        output = pilot.app.screen.query_one("#qualify-output", Log)
        assert "Qualification output" in str(output.border_title)
        await pilot.press("a")
        await pilot.pause()
        assert any("No model is installed" in t for t in toasts(pilot.app))
        assert not any("Every installed model is tested" in t for t in toasts(pilot.app))
        await pilot.press("r")
        await settle(pilot)
        assert any(t == "Ollama has 0 models." for t in toasts(pilot.app))


async def test_providers_table_fits_80_columns_and_advice_is_said_once(vendor_server, paths):
    vendor_server.reset()
    write_config({"providers": {"openai": {"base_url": f"{vendor_server.url}/v1"},
                                "ollama": {"base_url": "http://127.0.0.1:9"}}}, paths)
    async with PersonaApp(start="providers").run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = pilot.app.screen.query_one(DataTable)
        assert table.virtual_size.width <= table.scrollable_content_region.width
        assert str(table.get_cell("gemini", "Base URL")).endswith("…")  # shortened, not cut
        table.focus()
        await pilot.press("t")  # Ollama (the first row), where nothing listens
        await settle(pilot)
        assert str(table.get_cell("ollama", "State")) == "unreachable"
        assert str(table.get_cell("ollama", "Latency")) == ""  # time to fail is no latency
        await pilot.press("down")  # OpenAI
        pilot.app.screen.query_one("#api-key", Input).focus()
        await pilot.press(*"sk-wrong-key-1111", "ctrl+s")
        pilot.app.screen.query_one(DataTable).focus()
        await pilot.press("t")
        await settle(pilot)
        note = str(pilot.app.screen.query_one("#provider-note", Static).render())
        assert "OPENAI_API_KEY" in note
        assert "Providers screen" not in note  # the user is on it
        shown = [t for t in toasts(pilot.app) if "OpenAI:" in t]
        assert shown == []  # the note says it; no toast repeats it
        await pilot.resize_terminal(160, 48)
        await settle(pilot)
        assert "Default model" in [str(c.label) for c in table.columns.values()]
