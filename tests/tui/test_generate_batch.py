"""Generate screen: "as a batch" for hosted vendors, pending jobs listed, checked and
collected — by keys, against the local vendor server's batch engine."""

from __future__ import annotations

import pytest
from textual.widgets import Static

from persona_tui.resources import sample_project
from persona_tui.tui.app import PersonaApp
from tests.config_files import write_config
from tests.providers.conftest import KEYS

SAMPLE_REPLY = (sample_project() / "personas.json").read_text("utf-8")


@pytest.fixture
def server(vendor_server, paths, monkeypatch):
    vendor_server.reset()
    vendor_server.reply = SAMPLE_REPLY
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEYS["anthropic"])
    write_config({"generation": {"default_provider": "anthropic"},
                  "providers": {"anthropic": {"base_url": vendor_server.url,
                                              "default_model": "claude-haiku-4-5"}}}, paths)
    yield vendor_server
    vendor_server.reset()


async def settle(pilot, seconds: float = 0.6) -> None:
    await pilot.pause(seconds)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def text_of(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def test_as_a_batch_then_check_and_collect(server, paths):
    server.batches.hold = True
    async with PersonaApp(start="generate").run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        estimate = text_of(pilot.app, "#estimate")
        assert "as a batch $" in estimate and "(ctrl+b)" in estimate
        await pilot.press("ctrl+b")
        await settle(pilot)
        stats = text_of(pilot.app, "#stats")
        assert "submitted to anthropic: 1 request(s)" in stats
        job_id = stats.split()[1]
        await pilot.press("ctrl+j")
        await settle(pilot)
        assert f"{job_id}: in_progress, 0/1 done" in text_of(pilot.app, "#stats")

    async with PersonaApp(start="generate").run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "1 batch job(s) pending" in text_of(pilot.app, "#stats")
        server.batches.release()
        await pilot.press("ctrl+j")
        await settle(pilot)
        stats = text_of(pilot.app, "#stats")
        assert f"{job_id}: completed, 3 persona(s) from 1 study" in stats
        await pilot.press("ctrl+j")
        await settle(pilot)
        assert text_of(pilot.app, "#stats") == "No batch jobs pending."
    runs = list(paths.experiments_dir.glob(f"{job_id}/runs/*/run.json"))
    assert len(runs) == 1


async def test_local_providers_are_not_offered_a_batch(server, paths):
    write_config({"providers": {"ollama": {"base_url": server.url}}}, paths)
    async with PersonaApp(start="generate").run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "as a batch" not in text_of(pilot.app, "#estimate")
        await pilot.press("ctrl+b")
        await settle(pilot)
        assert not list(paths.experiments_dir.glob("*/batches/*"))
