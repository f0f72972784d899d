"""Work in a child process (issue 17): an estimate of a large folder is loaded and planned
in a child, which a cancelled estimate kills, so typing a path key by key never leaves a
load of the whole disk running; small data is planned in a thread as before."""

from __future__ import annotations

import asyncio
import signal
import sys
import time

import pytest

from persona_tui.core.data import DataLoader
from persona_tui.core.errors import DataError
from persona_tui.core.generation import figures
from persona_tui.core.models.options import PersonaConfig
from persona_tui.core.generation.pipeline import GenerationConfig, GenerationPipeline
from persona_tui.core.utils import child_process
from persona_tui.core.utils.child_process import call_in_child
from persona_tui.services.context import AppContext
from persona_tui.services.generation import GenerationService
from persona_tui.services.sample import sample_data


@pytest.fixture(autouse=True)
def child_bytecode_cache(monkeypatch, pytestconfig):
    """Children keep their compiled modules between runs (without it, where the environment
    sets PYTHONDONTWRITEBYTECODE, each child compiles what it imports: seconds)."""
    monkeypatch.setenv("PYTHONPYCACHEPREFIX", str(pytestconfig.cache.mkdir("child-pycache")))
    monkeypatch.delenv("PYTHONDONTWRITEBYTECODE", raising=False)


class SlowLoader(DataLoader):
    """A loader that never finishes (in the child): what a huge folder looks like."""

    def load(self, paths):  # noqa: ARG002
        time.sleep(600)


def pipeline(loader=DataLoader) -> GenerationPipeline:
    # a context size given: planning asks no provider
    return GenerationPipeline(provider=None, config=GenerationConfig(
        model="m", provider_name="openai", context_tokens=8_000, data_loader=loader))


async def test_a_large_folder_is_estimated_in_a_child_with_the_same_figures(monkeypatch, paths):
    """The Generate screen's estimate (the service): the same figures from a child as from
    a thread; a run's plan always has its documents."""
    service = GenerationService(AppContext.load(paths))
    ask = ("sample", "openai", "gpt-4o-mini", PersonaConfig(count=2))
    in_thread = await service.estimate(*ask)
    monkeypatch.setattr(figures, "OFFLOAD_BYTES", 0)  # every folder is "large"
    started = []
    real = child_process._start
    monkeypatch.setattr(child_process, "_start", lambda: started.append(1) or real())
    in_child = await service.estimate(*ask)
    assert started == [1]
    assert (in_child.input_tokens, in_child.output_tokens, in_child.total_cost) == \
        (in_thread.input_tokens, in_thread.output_tokens, in_thread.total_cost)
    documents, _, _ = await pipeline().plan(str(sample_data()))
    assert documents and started == [1]


async def test_the_childs_error_is_raised_with_its_code_and_hint(tmp_path):
    (tmp_path / "notes.xyz").write_text("not research data")
    with pytest.raises(DataError) as caught:
        await call_in_child(figures.plan_figures, [str(tmp_path)], DataLoader(),
                            PersonaConfig(), 8_000)
    assert caught.value.code == "E2005" and caught.value.hint


async def test_a_cancelled_estimate_kills_its_child(monkeypatch, tmp_path):
    monkeypatch.setattr(figures, "OFFLOAD_BYTES", 0)
    (tmp_path / "a.txt").write_text("x")
    task = asyncio.create_task(pipeline(SlowLoader).plan(str(tmp_path), figures_only=True))
    while not child_process.running:  # the child started and is loading
        assert not task.done()
        await asyncio.sleep(0.02)
    (child,) = list(child_process.running)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert child.wait(timeout=30) == (-signal.SIGKILL if sys.platform != "win32" else 1)
    assert not child_process.running


def test_large_is_answered_without_walking_everything(tmp_path):
    for index in range(30):
        (tmp_path / f"f{index}.txt").write_text("x" * 100)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "big.txt").write_text("y" * 5_000)
    (tmp_path / ".hidden").write_text("z" * 100_000)  # the loader skips it: so does this
    assert not figures.exceeds([str(tmp_path)], limit=10_000)
    assert figures.exceeds([str(tmp_path)], limit=7_000)
    assert figures.exceeds([str(tmp_path)], limit=10**9, max_entries=10)  # many entries
    assert not figures.exceeds([str(tmp_path / "missing")], limit=0)  # the loader says why
    assert figures.data_paths("x") == ["x"] and figures.data_paths([]) is None
