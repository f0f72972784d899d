"""The app's batch service over the local vendor server: offered for hosted vendors only,
submit, pending list, refresh, collect."""

from __future__ import annotations

import pytest

from persona_tui.core.models.options import PersonaConfig
from persona_tui.resources import sample_project
from persona_tui.services.batches import BatchService
from tests.providers.conftest import KEYS

DATA = sample_project() / "data"


@pytest.fixture
def server(vendor_server, monkeypatch):
    vendor_server.reset()
    vendor_server.reply = (sample_project() / "personas.json").read_text("utf-8")
    monkeypatch.setenv("GEMINI_API_KEY", KEYS["gemini"])
    yield vendor_server
    vendor_server.reset()


async def test_submit_list_refresh_collect(server, paths, monkeypatch):
    from persona_tui.sdk import batch as sdk_batch
    from persona_tui.services.hub import Services

    real = sdk_batch.asubmit_batch

    async def via_server(*args, **kwargs):  # the service passes no URL: point it at ours
        return await real(*args, base_url=server.url, **kwargs)

    # the service imports the SDK's function when it submits (not at import: --help names
    # the batch providers from the service without loading the SDK)
    monkeypatch.setattr(sdk_batch, "asubmit_batch", via_server)
    service = Services.create(paths).batches
    assert isinstance(service, BatchService)
    assert service.offers_batch("gemini") and not service.offers_batch("ollama")
    assert not service.offers_batch("vllm-file")
    server.batches.hold = True
    job = await service.submit([DATA], "gemini", "gemini-2.5-flash", PersonaConfig())
    assert [j.id for j in service.pending()] == [job.id]
    assert (await service.refresh(job.id)).status == "in_progress"
    server.batches.release()
    assert (await service.refresh(job.id)).status == "completed"
    (result,) = await service.collect(job.id)
    assert len(result.personas) == 3
    assert service.pending() == [] and service.jobs()[0].collected
