"""The app under Pilot against hostile vendors and data: no crash, an error dialog with a
code, and nothing injected (markup shown literally, no escape sequence on screen)."""

from __future__ import annotations

import asyncio
import re
import shutil

import pytest
from textual.widgets import Input, Static

from persona_tui.tui.app import PersonaApp
from persona_tui.tui.screens.dialogs import ErrorDialog
from persona_tui.tui.screens.generate import GenerateScreen
from persona_tui.tui.widgets.stream_view import StreamView
from tests.hostile import files
from tests.hostile.conftest import DATA, assert_clean
from tests.vendor_server import ErrorEvent, RawBody, Status
from tests.vendor_server import hostile


@pytest.fixture
def ollama(sample_ollama):
    return sample_ollama


async def settle(pilot, seconds: float = 0.6) -> None:
    await pilot.pause(seconds)
    await asyncio.wait_for(pilot.app.workers.wait_for_complete(), 30)  # a hang fails
    await pilot.pause()


def generate_screen(app) -> GenerateScreen:
    return next(s for s in reversed(app.screen_stack) if isinstance(s, GenerateScreen))


def screen_text(app) -> str:
    return "\n".join(str(w.render()) for w in app.screen.query(Static))


async def test_hostile_vendor_errors_are_clean_dialogs(ollama, monkeypatch):
    """An HTTP error body, an HTML error page and a mid-stream error event, all carrying
    escape sequences and markup, one after another in one session."""
    from persona_tui.core.providers import http_base

    monkeypatch.setattr(http_base.HTTPConfig, "backoff", lambda self, attempt: 0.0)
    faults = [Status(500, hostile.ESCAPES), RawBody(500, hostile.HTML_ERROR),
              ErrorEvent(1, hostile.ESCAPES)]
    async with PersonaApp(start="generate").run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for fault in faults:
            ollama.fail_next(*[fault] * 5)  # retried statuses fail every attempt
            await pilot.press("ctrl+g")
            await settle(pilot)
            dialog = pilot.app.screen
            assert isinstance(dialog, ErrorDialog), (fault, type(dialog))
            assert "E3" in dialog.text
            assert_clean(dialog.text, "dialog")
            shown = screen_text(pilot.app)
            assert_clean(shown, "screen")
            if "styled" in shown:  # markup from the vendor is literal text, never styling
                assert "[bold red]styled[/]" in shown
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(pilot.app.screen, GenerateScreen)  # the app goes on
            ollama.faults.clear()


async def test_hostile_model_text_is_shown_literally_and_clean(ollama):
    ollama.reply = hostile.persona_reply()
    async with PersonaApp(start="generate").run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+g")
        await settle(pilot)
        while isinstance(pilot.app.screen, ErrorDialog):  # a partial verdict may say why
            await pilot.press("escape")
            await pilot.pause()
        streamed = generate_screen(pilot.app).query_one("#output", StreamView).text
        assert_clean(streamed, "stream view")
        assert "[bold red]styled[/]" in streamed
        assert_clean(screen_text(pilot.app), "screen")


async def test_a_fifo_in_the_data_field_does_not_freeze_the_app(ollama, tmp_path):
    study = tmp_path / "study"
    shutil.copytree(DATA, study)
    files.fifo(study, "pipe.txt")
    async with PersonaApp(start="generate").run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        generate_screen(pilot.app).query_one("#data", Input).value = str(study)
        await settle(pilot, 1.0)  # the live estimate ran (a blocked open would time out)
        estimate = str(generate_screen(pilot.app).query_one("#estimate", Static).render())
        assert estimate.startswith("estimate:"), estimate
        await pilot.press("f2")  # the app still answers keys
        await pilot.pause()
        assert pilot.app.current_mode != "generate"


async def test_out_of_range_options_in_plain_words(ollama):
    async with PersonaApp(start="generate").run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = generate_screen(pilot.app)
        for field, value in (("#count", "99"), ("#budget", "-1"), ("#count", "three")):
            screen.query_one(field, Input).value = value
            await pilot.press("ctrl+g")
            await pilot.pause()
            messages = [str(n.message) for n in pilot.app._notifications]
            # one way to show an invalid value: the field, the rule in plain words, a code
            assert messages and re.search(r"\[E1\d{3}\]", messages[-1]), messages
            assert messages[-1].startswith(("Personas:", "Budget")), messages[-1]
            assert "pydantic" not in messages[-1] and "https://" not in messages[-1]
            assert "validation error" not in messages[-1].lower()
            screen.query_one(field, Input).value = "3" if field == "#count" else ""


async def test_malformed_key_on_the_providers_screen_is_refused_without_echo(paths):
    from persona_tui.core.config import load_credentials
    from persona_tui.tui.screens.providers import ProvidersScreen

    async with PersonaApp(start="providers").run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(pilot.app.screen, ProvidersScreen)
        screen = pilot.app.screen
        key_input = next((i for i in screen.query(Input) if i.password), None)
        if key_input is None:
            pytest.skip("the Providers screen has no key field in this layout")
        await pilot.press("enter")
        await pilot.pause()
        key_input.value = "sk-caf\u00e9-secret-0123456789"
        key_input.focus()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ErrorDialog)
        assert "E1006" in pilot.app.screen.text
        assert "secret" not in pilot.app.screen.text
        assert not load_credentials(paths)
