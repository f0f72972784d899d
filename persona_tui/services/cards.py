"""Character cards for the app: listing, opening, editing with validation and undo/redo,
saving atomically, making cards from personas, exporting.

An :class:`EditSession` holds one card being edited as plain data, so every keystroke can be
validated without the UI knowing pydantic: ``set`` returns the error for that field (or None),
``undo``/``redo`` walk the history, ``dirty`` says whether leaving needs a question.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError as PydanticValidationError

from persona_tui.core.fileio import atomic_write
from persona_tui.core.models.persona import Persona
from persona_tui.core.platform import PathManager
from persona_tui.core.scripts.cards_io import load_card, save_card
from persona_tui.core.scripts.formats import FORMATS, render
from persona_tui.core.scripts.generator import ScriptGenerator
from persona_tui.core.scripts.models import CharacterCard
from persona_tui.resources import sample_project

_EXTENSIONS = {"json": ".json", "system_prompt": ".txt", "markdown": ".md",
               "chara_card_v2": ".v2.json"}


@dataclass
class CardEntry:
    id: str
    name: str
    path: Path
    modified: datetime


def _errors(exc: PydanticValidationError) -> dict[str, str]:
    found = {}
    for error in exc.errors():
        parts = [str(p) for p in error["loc"]]
        path = ".".join(p for p in parts if not p.isdigit())
        index = next((p for p in parts if p.isdigit()), None)
        key = f"{path}[{index}]" if index is not None else path
        found.setdefault(key, error["msg"])
    return found


@dataclass
class EditSession:
    """One card being edited: its data, its history, and where it is saved."""

    data: dict[str, Any]
    path: Path | None = None
    _undo: list[dict[str, Any]] = field(default_factory=list)
    _redo: list[dict[str, Any]] = field(default_factory=list)
    _saved: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, card: CharacterCard, path: Path | None = None) -> EditSession:
        data = json.loads(card.model_dump_json())
        return cls(data, path, _saved=copy.deepcopy(data))

    @property
    def dirty(self) -> bool:
        return self.data != self._saved

    def errors(self) -> dict[str, str]:
        """Validation errors by field path; empty when the card is valid."""
        try:
            CharacterCard.model_validate(self.data)
        except PydanticValidationError as exc:
            return _errors(exc)
        return {}

    def card(self) -> CharacterCard:
        return CharacterCard.model_validate(self.data)

    def _target(self, path: str) -> tuple[Any, str | int]:
        section, _, rest = path.partition(".")
        name, _, index = rest.partition("[")
        container = self.data.setdefault(section, {})
        if index:
            return container.setdefault(name, []), int(index.rstrip("]"))
        return container, name

    def _change(self, apply) -> None:
        before = copy.deepcopy(self.data)
        apply()
        if self.data != before:
            self._undo.append(before)
            self._redo.clear()

    def set(self, path: str, value: str) -> str | None:
        """Change one field; returns that field's error, if the new value is invalid."""
        target, key = self._target(path)

        def apply() -> None:
            target[key] = value

        self._change(apply)
        return self.errors().get(path)

    def add_item(self, path: str, value: str = "", at: int | None = None) -> int:
        """Add an item to a list field (``psychological_profile.goals``); returns its index."""
        section, _, name = path.partition(".")
        items = self.data.setdefault(section, {}).setdefault(name, [])
        index = len(items) if at is None else max(0, min(at, len(items)))
        self._change(lambda: items.insert(index, value))
        return index

    def remove_item(self, path: str, index: int) -> None:
        section, _, name = path.partition(".")
        items = self.data.get(section, {}).get(name, [])
        if 0 <= index < len(items):
            self._change(lambda: items.pop(index))

    def move_item(self, path: str, index: int, offset: int) -> int:
        """Move an item up (-1) or down (+1); returns its new index."""
        section, _, name = path.partition(".")
        items = self.data.get(section, {}).get(name, [])
        new = index + offset
        if not (0 <= index < len(items) and 0 <= new < len(items)):
            return index

        def apply() -> None:
            items[index], items[new] = items[new], items[index]

        self._change(apply)
        return new

    def undo(self) -> bool:
        if not self._undo:
            return False
        self._redo.append(copy.deepcopy(self.data))
        self.data = self._undo.pop()
        return True

    def redo(self) -> bool:
        if not self._redo:
            return False
        self._undo.append(copy.deepcopy(self.data))
        self.data = self._redo.pop()
        return True

    def mark_saved(self) -> None:
        self._saved = copy.deepcopy(self.data)


class CardService:
    def __init__(self, paths: PathManager) -> None:
        self.paths = paths

    def list(self, *, include_samples: bool = True) -> list[CardEntry]:
        folders = [self.paths.cards_dir] + ([sample_project() / "cards"] if include_samples
                                            else [])
        entries = []
        for folder in folders:
            for path in sorted(folder.glob("*.json")) if folder.exists() else []:
                if path.name.endswith(".audit.json"):
                    continue
                try:
                    card = load_card(path)
                except Exception:  # a broken file is listed by the editor's open, not here
                    continue
                entries.append(CardEntry(card.id, card.identity.name, path,
                                         datetime.fromtimestamp(path.stat().st_mtime, UTC)))
        return entries

    def open(self, path: str | Path) -> EditSession:
        return EditSession.of(load_card(path), Path(path))

    def new_from_persona(self, persona: Persona | dict) -> EditSession:
        """A card made without a model (speech described, never quoted); not saved yet."""
        card = ScriptGenerator.from_persona(persona if isinstance(persona, Persona)
                                            else Persona.model_validate(persona))
        path = self.paths.cards_dir / f"{card.id}.json"
        session = EditSession.of(card, path)
        session._saved = {}  # a new card has never been saved: leaving asks first
        return session

    def save(self, session: EditSession, path: str | Path | None = None) -> Path:
        """Validate, then write atomically (the old file survives any crash mid-write)."""
        card = session.card()
        target = Path(path) if path else session.path or self.paths.cards_dir / f"{card.id}.json"
        save_card(card, target)
        session.path = target
        session.mark_saved()
        return target

    def export(self, session: EditSession, fmt: str, folder: str | Path | None = None) -> Path:
        card = session.card()
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
        folder = Path(folder) if folder else self.paths.data_dir / "exports"
        return atomic_write(folder / f"{card.id}{_EXTENSIONS[fmt]}", render(card, fmt))

    @staticmethod
    def preview(session: EditSession) -> str:
        """The rendered system prompt, or the validation errors when the card is invalid."""
        errors = session.errors()
        if errors:
            return "\n".join(f"{path}: {message}" for path, message in errors.items())
        return render(session.card(), "system_prompt")
