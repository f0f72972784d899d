"""The one name type for things stored as files: experiment names and card ids.

A name given by a user, a file or an SDK caller becomes a folder or file name under the data
folder. ``ExperimentSDK().delete("../../../x")`` once removed a folder outside the experiment
store, because the name went straight into a path. Every such name now passes
:func:`check_name` (one path component of safe characters, per kind), and :func:`child_path`
is the only way a name becomes a path: it re-checks that the result stays inside its folder.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator

from persona_tui.core.errors import ValidationError

NameKind = Literal["experiment", "card"]

#: per kind: the pattern, and the words the error uses for it
PATTERNS: dict[str, tuple[re.Pattern[str], str]] = {
    "experiment": (re.compile(r"[a-z0-9][a-z0-9_-]{0,63}"),
                   "lower-case letters, digits, '-' and '_', at most 64, starting with a "
                   "letter or digit"),
    "card": (re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,79}"),
             "letters, digits, '.', '-' and '_', at most 80, starting with a letter or digit"),
}


def check_name(value: object, kind: NameKind = "experiment") -> str:
    """``value`` when it is a valid name of ``kind``; :class:`ValidationError` (E1102) else."""
    pattern, words = PATTERNS[kind]
    if not isinstance(value, str) or not pattern.fullmatch(value) or ".." in value:
        shown = repr(value[:40]) if isinstance(value, str) else type(value).__name__
        raise ValidationError(f"{shown} is not a valid {kind} name: use {words}",
                              field="name" if kind == "experiment" else "id", code="E1102")
    return value


def child_path(folder: Path, name: str, kind: NameKind, suffix: str = "") -> Path:
    """``folder / (name + suffix)`` for a checked name, never a path outside ``folder``."""
    path = folder / f"{check_name(name, kind)}{suffix}"
    if path.parent != folder:  # cannot happen for a checked name; kept as the last guard
        raise ValidationError(f"{name!r} does not name a file in {folder}", code="E1102")
    return path


def _experiment(value: str) -> str:
    try:
        return check_name(value, "experiment")
    except ValidationError as exc:
        raise ValueError(exc.message) from None


#: for pydantic models: a field holding an experiment name
ExperimentName = Annotated[str, AfterValidator(_experiment)]

__all__ = ["ExperimentName", "NameKind", "PATTERNS", "check_name", "child_path"]
