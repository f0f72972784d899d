"""The home screen: a first run opens on it; it says what the app is for, shows providers
and Ollama at a glance without any request, asks Ollama only on its key, and the sample
study's tour is one key away."""

from __future__ import annotations

import socket
import threading

import pytest
from textual.widgets import Static

from persona_tui.services.home import HomeService
from persona_tui.tui.app import PersonaApp
from persona_tui.tui.screens.audit import AuditScreen
from persona_tui.tui.screens.cards import CardsScreen
from persona_tui.tui.screens.home import HomeScreen


def text(app, widget_id: str) -> str:
    return str(app.screen.query_one(widget_id, Static).render())


async def settle(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_first_run_opens_home_with_no_request_then_asks_ollama_on_its_key(
        vendor_server, monkeypatch):
    vendor_server.reset()
    monkeypatch.setenv("OLLAMA_HOST", vendor_server.url)
    threads = []
    overview = HomeService.overview

    def recording(self):
        threads.append(threading.current_thread() is threading.main_thread())
        return overview(self)

    monkeypatch.setattr(HomeService, "overview", recording)
    async with PersonaApp().run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app = pilot.app
        assert isinstance(app.screen, HomeScreen)
        assert "Evidence-backed user personas" in text(app, "#about")
        providers = text(app, "#providers-state")
        for label in ("Ollama", "OpenAI", "Anthropic", "Gemini"):
            assert label in providers
        assert "no key (OPENAI_API_KEY or F2)" in providers
        assert "not asked yet" in text(app, "#ollama-line")
        assert threads == [False]  # the files were read in a worker thread
        assert vendor_server.requests == []  # opening the app asked nobody anything
        await pilot.press("o")
        await settle(pilot)
        assert "running: 2 models installed" in text(app, "#ollama-line")
        assert [r.path for r in vendor_server.requests] != []


async def test_ollama_not_running_says_how_to_start_it(monkeypatch):
    with socket.socket() as sock:  # a port nobody listens on, as long as Ollama's 11434
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert len(str(port)) == 5
    monkeypatch.setenv("OLLAMA_HOST", f"http://127.0.0.1:{port}")
    async with PersonaApp(start="home").run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        line = text(pilot.app, "#ollama-line")
        assert "not reachable" in line and line.count("ollama serve") == 1
        # one line at 80 columns: the page still fits, the tour button is not pushed off
        assert pilot.app.screen.query_one("#ollama-line").size.height == 1

        async def broken():
            raise RuntimeError("the registry could not be read")

        # asking itself fails: the line says what, not "see the message" (gone once closed)
        pilot.app.services.home.check_ollama = broken
        await pilot.press("o")
        await settle(pilot)
        await pilot.press("escape")  # the error dialog
        await settle(pilot)
        line = text(pilot.app, "#ollama-line")
        assert "could not ask it: " in line and "registry could not be read" in line
        assert "o asks again" in line and "see the message" not in line


async def test_the_tour_is_one_key_away_and_audits_the_sample_card():
    async with PersonaApp().run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        app = pilot.app
        assert isinstance(app.screen, CardsScreen)
        session = app.services.cards.current
        assert session.path.name == "ledger-keeper.json" and session.sources == ["sample"]
        await pilot.press("f6")
        for _ in range(20):
            await settle(pilot)
            if app.screen.result is not None:
                break
        assert isinstance(app.screen, AuditScreen)
        assert app.screen.result is not None  # audited against the sample interviews


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_snapshot_home(snap_compare, size):
    assert snap_compare(PersonaApp(), terminal_size=size)
