"""An estimate's figures for a large data set, worked out in a child process.

A cost estimate needs only a plan's figures (input tokens, how many prompts) and warnings,
not the documents. For data on disk larger than :data:`OFFLOAD_BYTES` the loading and the
planning run in a child process (:func:`persona_tui.core.utils.child_process.call_in_child`):
the app's event loop keeps its interpreter to itself, and an estimate the user has typed past
is killed instead of loading on. Smaller data is planned in a thread, as for a run.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from persona_tui.core.data import DataLoader
from persona_tui.core.generation.prompts import PromptPlan, plan_prompts
from persona_tui.core.models.options import PersonaConfig

#: data on disk above this many bytes is planned in a child process for an estimate (in a
#: thread, a few MB costs the event loop little; a child costs a fork)
OFFLOAD_BYTES = 4 * 1024 * 1024
#: entries looked at before calling a folder large without adding up every size
MAX_ENTRIES = 5_000


def data_paths(data: Any) -> list[str] | None:
    """``data`` as a list of paths, or None when it is something else (documents, text)."""
    if isinstance(data, (str, os.PathLike)):
        data = [data]
    if isinstance(data, (list, tuple)) and data \
            and all(isinstance(item, (str, os.PathLike)) for item in data):
        return [os.fspath(item) for item in data]
    return None


def exceeds(paths: Iterable[str], limit: int | None = None,
            max_entries: int | None = None) -> bool:
    """Whether the files under ``paths`` hold more than ``limit`` bytes. Stops as soon as it
    knows: at the limit, or after ``max_entries`` entries (a folder that big is large
    whatever its sizes), so a path such as ``/`` is answered at once, not walked. Blocks
    (call it in a thread). Defaults: :data:`OFFLOAD_BYTES`, :data:`MAX_ENTRIES`."""
    limit = OFFLOAD_BYTES if limit is None else limit
    max_entries = MAX_ENTRIES if max_entries is None else max_entries
    total = entries = 0
    pending = [Path(p).expanduser() for p in paths]
    while pending:
        path = pending.pop()
        try:
            if not path.is_dir():
                total += path.stat().st_size if path.is_file() else 0
                entries += 1
            else:
                with os.scandir(path) as found:
                    for entry in found:
                        entries += 1
                        if entry.name.startswith("."):
                            continue
                        if entry.is_dir(follow_symlinks=False):
                            pending.append(Path(entry.path))
                        elif entry.is_file():
                            total += entry.stat().st_size
                        if total > limit or entries > max_entries:
                            return True
        except OSError:
            continue  # unreadable: the loader reports it
        if total > limit or entries > max_entries:
            return True
    return False


def plan_figures(paths: list[str], loader: DataLoader, persona: PersonaConfig,
                 context_tokens: int | None) -> tuple[PromptPlan, list[str]]:
    """Load and plan ``paths`` as a run would, and return the plan without its documents
    (one empty list per prompt, so its figures stay: ``input_tokens``, ``len(chunks)``,
    ``mode``, ``warnings``) and the loader's warnings. Runs in the child process."""
    documents = loader.load(paths)
    plan = plan_prompts(documents, persona, context_tokens)
    figures = PromptPlan([[] for _ in plan.chunks], plan.mode, list(plan.warnings),
                         plan.input_tokens)
    return figures, list(loader.warnings)


__all__ = ["MAX_ENTRIES", "OFFLOAD_BYTES", "data_paths", "exceeds", "plan_figures"]
