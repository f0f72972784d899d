"""The Ollama models screen, keys only, against the local vendor server."""

from __future__ import annotations

import json

import pytest
from textual.widgets import DataTable, Log, Static

from persona_tui.core.discovery.ollama_models import OllamaModelRegistry, QualificationRecord
from persona_tui.tui.app import PersonaApp
from persona_tui.tui.screens.ollama import OllamaScreen
from tests.config_files import write_config

PERSONA = json.dumps({"name": "Sam", "title": "The chaser", "goals": ["be repaid"],
                      "pain_points": ["lost receipts"], "behaviours": ["batches admin"]})


def point_ollama_at(paths, url: str) -> None:
    write_config({"providers": {"ollama": {"base_url": url}}}, paths)


@pytest.fixture
def server(vendor_server, paths):
    vendor_server.reset()
    point_ollama_at(paths, vendor_server.url)
    yield vendor_server
    vendor_server.reset()


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def rows(app) -> list[tuple[str, str]]:
    table = app.screen.query_one(DataTable)
    return [(str(table.get_cell(key, "Model")), str(table.get_cell(key, "Status")))
            for key in table.rows]


async def test_models_with_tested_untested_and_missing(server, paths):
    registry = OllamaModelRegistry(paths.ollama_registry_file)
    registry.add(QualificationRecord("llama3.2", True, True, 0.21, 42.0, 120, 3.0, "d", "v"))
    registry.add(QualificationRecord("gone:7b", True, False, 0.3, 30.0, 90, 4.0, "d", "v"))
    async with PersonaApp(start="ollama").run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        assert isinstance(pilot.app.screen, OllamaScreen)
        assert rows(pilot.app) == [("gone:7b", "missing"), ("llama3.2:latest", "tested"),
                                   ("qwen2.5:7b", "untested")]
        table = pilot.app.screen.query_one(DataTable)
        assert str(table.get_cell("llama3.2:latest", "tok/s")) == "42.0"
        assert str(table.get_cell("qwen2.5:7b", "Params")) == "7.6B"
        state = str(pilot.app.screen.query_one("#ollama-state", Static).render())
        assert "2 installed, 1 untested, 1 tested earlier but no longer installed" in state


async def test_sort_and_filter_by_keyboard(server):
    async with PersonaApp(start="ollama").run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("s")  # by size, largest first
        assert [name for name, _ in rows(pilot.app)] == ["qwen2.5:7b", "llama3.2:latest"]
        await pilot.press("slash", *"llama")
        await pilot.pause()
        assert [name for name, _ in rows(pilot.app)] == ["llama3.2:latest"]
        await pilot.press("escape")
        assert pilot.app.focused is pilot.app.screen.query_one(DataTable)


async def test_qualify_all_untested_streams_and_records(server, paths):
    server.reply = PERSONA
    async with PersonaApp(start="ollama").run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert all(status == "tested" for _, status in rows(pilot.app))
        output = "\n".join(pilot.app.screen.query_one("#qualify-output", Log).lines)
        assert "=== llama3.2:latest ===" in output and PERSONA in output
        assert "passed: JSON valid, persona valid" in output
        assert not pilot.app.screen.busy
    registry = OllamaModelRegistry(paths.ollama_registry_file)
    assert registry.tested() == ["llama3.2:latest", "qwen2.5:7b"]


async def test_qualify_selected_model_that_writes_broken_json(server):
    server.reply = '{"name": "Sam", "goals": ["x",'
    async with PersonaApp(start="ollama").run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("q")  # the first row: llama3.2
        await settle(pilot)
        table = pilot.app.screen.query_one(DataTable)
        assert str(table.get_cell("llama3.2:latest", "JSON")) == "no"
        assert str(table.get_cell("qwen2.5:7b", "Status")) == "untested"


async def test_not_running_says_how_to_start_it(paths, monkeypatch):
    point_ollama_at(paths, "http://127.0.0.1:9")
    async with PersonaApp(start="ollama").run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = pilot.app.screen
        state = str(screen.query_one("#ollama-state", Static).render())
        assert "not reachable" in state
        assert state.count("ollama serve") == 1 and "OLLAMA_HOST" in state  # advice, once
        assert rows(pilot.app) == []
        # nobody knows which models are installed: a, q and c say Ollama did not answer,
        # not "no model is installed"
        await pilot.press("a", "q", "c")
        await pilot.pause()
        said = [str(n.message) for n in pilot.app._notifications]
        assert len([s for s in said if "did not answer at http://127.0.0.1:9" in s]) == 3
        assert not any("No model is installed" in s or "Select an installed" in s
                       or "Mark two installed" in s for s in said)

        async def broken():
            raise RuntimeError("the registry could not be read")

        # asking itself fails: the box says so (not "Asking…" for ever) and how to retry
        monkeypatch.setattr(pilot.app.services.ollama, "compare", broken)
        await pilot.press("r")
        await settle(pilot)
        state = str(screen.query_one("#ollama-state", Static).render())
        assert "Could not ask Ollama" in state and "registry could not be read" in state
        assert "r asks again" in state


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_snapshot_ollama_not_running(snap_compare, paths, size):
    point_ollama_at(paths, "http://127.0.0.1:9")

    async def run_before(pilot) -> None:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(PersonaApp(start="ollama"), terminal_size=size, run_before=run_before)


async def test_two_models_side_by_side_on_the_same_task(server):
    server.reply = PERSONA
    async with PersonaApp(start="ollama").run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        assert any("Mark two" in str(n.message) for n in pilot.app._notifications)
        await pilot.press("space", "down", "space", "c")
        await settle(pilot)
        screen = pilot.app.screen
        assert screen.has_class("comparing")
        left = "\n".join(screen.query_one("#qualify-output", Log).lines)
        right = "\n".join(screen.query_one("#compare-output", Log).lines)
        assert left.startswith("=== llama3.2:latest ===") and PERSONA in left
        assert right.startswith("=== qwen2.5:7b ===") and PERSONA in right
        assert all(status == "tested" for _, status in rows(pilot.app))
        chats = [r.body["model"] for r in server.requests if r.path == "/api/chat"]
        assert sorted(chats) == ["llama3.2:latest", "qwen2.5:7b"]


async def test_summary_follows_qualification(server):
    server.reply = PERSONA
    async with PersonaApp(start="ollama").run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await settle(pilot)
        state = str(pilot.app.screen.query_one("#ollama-state", Static).render())
        assert "2 installed, 1 untested, 0 tested earlier" in state


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_snapshot_ollama_models_table(snap_compare, server, paths, size):
    """The comparison table with tested, untested and missing models. The local server's
    port changes every run, so its address is masked on screen before the snapshot."""
    registry = OllamaModelRegistry(paths.ollama_registry_file)
    registry.add(QualificationRecord("llama3.2", True, True, 0.21, 42.0, 120, 3.0, "d", "v"))
    registry.add(QualificationRecord("gone:7b", True, False, 0.3, 30.0, 90, 4.0, "d", "v"))

    async def run_before(pilot) -> None:
        await settle(pilot)
        state = pilot.app.screen.query_one("#ollama-state", Static)
        text = str(state.render())
        if server.url in text:
            state.update(text.replace(server.url, "http://127.0.0.1:PORT"))
        await pilot.pause()

    assert snap_compare(PersonaApp(start="ollama"), terminal_size=size, run_before=run_before)
