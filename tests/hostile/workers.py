"""Child processes for the kill and race tests: ``python -m tests.hostile.workers KIND ...``.

Each worker writes through the product's own code paths (the card service, the experiment
store, the qualification registry), so a test can run several at once or ``kill -9`` one in
the middle of a write. A worker prints ``ready`` once it is about to start writing.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path


def _record(model: str):
    from persona_tui.core.discovery.ollama_models import QualificationRecord

    return QualificationRecord(model, True, True, 0.1, 50.0, 100, 2.0,
                               datetime.now(UTC).isoformat(), "test")


def registry_adds(path: str, count: str, tag: str) -> None:
    """``count`` qualification records added one by one (each a locked read-modify-write)."""
    from persona_tui.core.discovery.ollama_models import OllamaModelRegistry

    print("ready", flush=True)
    for index in range(int(count)):
        OllamaModelRegistry(path).add(_record(f"{tag}-{index}:latest"))


def card_edits(home: str, count: str, tag: str) -> None:
    """``count`` times: open the shared card, add one goal, save; a conflicting save (another
    process saved in between) reopens and tries again, as a user told by E2008 would."""
    from persona_tui.core.errors import DataError
    from persona_tui.core.platform import PathManager
    from persona_tui.services.cards import CardService

    paths = PathManager.under(home)
    service = CardService(paths)
    target = paths.cards_dir / "shared.json"
    print("ready", flush=True)
    for index in range(int(count)):
        while True:
            session = service.open(target)
            goals = session.get("psychological_profile.goals")
            session.set("psychological_profile.goals", [*goals, f"{tag}-{index}"])
            try:
                service.save(session)
                break
            except DataError as exc:
                if exc.code != "E2008":
                    raise


def card_save_loop(home: str) -> None:
    """Save a large card over and over until killed."""
    from persona_tui.core.platform import PathManager
    from persona_tui.services.cards import CardService

    paths = PathManager.under(home)
    service = CardService(paths)
    session = service.open(paths.cards_dir / "big.json")
    print("ready", flush=True)
    n = 0
    while True:
        n += 1
        session.set("identity.title", f"save {n}")
        service.save(session, overwrite=True)


def experiment_write_loop(base: str) -> None:
    """Record runs of one experiment over and over (large raw output) until killed."""
    from persona_tui.core.experiments import ExperimentStore
    from persona_tui.core.models.options import ExperimentConfig

    store = ExperimentStore(base)
    config = ExperimentConfig(name="killed", provider="ollama", data_paths=[])
    store.create(config, overwrite=True)
    raw = "x" * 4_000_000
    print("ready", flush=True)
    while True:
        run_dir = store.new_run_dir("killed")
        store.record_run("killed", run_dir, config, error=RuntimeError("test"),
                         started=datetime.now(UTC), partial_text=raw)
        store.create(config, overwrite=True)


def registry_write_loop(path: str) -> None:
    """Add records to a large registry until killed."""
    from persona_tui.core.discovery.ollama_models import OllamaModelRegistry

    print("ready", flush=True)
    n = 0
    while True:
        n += 1
        OllamaModelRegistry(path).add(_record(f"m{n % 50}:latest"))


if __name__ == "__main__":
    kind, *args = sys.argv[1:]
    globals()[kind](*args)
