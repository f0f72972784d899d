"""Character cards for the app: listing, opening, editing with validation and undo/redo,
saving atomically, making cards from personas, exporting.

An :class:`EditSession` holds one card being edited as plain data, so every keystroke can be
validated without the UI knowing pydantic: ``set`` returns the error for that field (or None),
``undo``/``redo`` walk the history, ``dirty`` says whether leaving needs a question.

Typing into one field is one undo step (a "typing run"), as in any editor: undo after writing
a sentence takes the sentence back, not its last letter. The open session is shared by the
editor and the audit viewer (``CardService.current``), so a redaction applied in the viewer
is an edit the editor can undo.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError as PydanticValidationError

from persona_tui.core.errors import DataError, plain_rule
from persona_tui.core.fileio import atomic_write, hash_regular, locked, remove_orphans
from persona_tui.core.models.persona import Persona
from persona_tui.core.names import child_path
from persona_tui.core.platform import PathManager
from persona_tui.core.privacy.audit_log import AuditLog
from persona_tui.core.scripts.cards_io import load_card, save_card
from persona_tui.core.scripts.formats import (
    BINARY_FORMATS,
    EXTENSIONS,
    FORMATS,
    export_bytes,
    render,
)
from persona_tui.core.scripts.generator import ScriptGenerator
from persona_tui.core.scripts.models import EDITABLE_SECTIONS, CharacterCard
from persona_tui.resources import sample_project
from persona_tui.services.sample import SAMPLE

#: export formats as the user picks them (every one of ``FORMATS``, in its order)
FORMAT_LABELS = {"json": "JSON (this app's card format)", "system_prompt": "System prompt (.txt)",
                 "markdown": "Markdown (.md)", "chara_card_v2": "Character Card V2 (.v2.json)",
                 "chara_card_v3": "Character Card V3 (.v3.json)",
                 "png": "PNG with the card inside (.png, V3 + V2)", "charx": "CHARX (.charx)"}


#: fields edited as a block of text rather than one line
_MULTILINE = {"identity.demographics_summary", "guidelines.response_style",
              "guidelines.uncertainty_handling", "guidelines.character_maintenance"}


@dataclass(frozen=True)
class FieldSpec:
    """One editable field as the editor lays it out: ``kind`` is line, text or list."""

    path: str
    label: str
    kind: str


def _label(name: str) -> str:
    return name.replace("doesnt", "doesn't").replace("_", " ").capitalize()


def field_layout() -> list[tuple[str, list[FieldSpec]]]:
    """Every editable field of a card, by section, in the card's own order."""
    layout = [("Card", [FieldSpec("id", "Id (letters, digits, . _ -)", "line")])]
    for section in EDITABLE_SECTIONS:
        model = CharacterCard.model_fields[section].annotation
        specs = []
        for name, info in model.model_fields.items():
            path = f"{section}.{name}"
            kind = ("list" if info.annotation == list[str] else
                    "text" if path in _MULTILINE else "line")
            specs.append(FieldSpec(path, _label(name), kind))
        layout.append((_label(section), specs))
    return layout


def _ours(path: Path) -> bool:
    """Whether saving may overwrite ``path``: only a card in our own JSON format. A Character
    Card V2 or V3 file (JSON, PNG or CHARX) is another tool's; the edited card goes next to it."""
    if path.suffix != ".json":
        return False
    try:
        return json.loads(path.read_text("utf-8-sig")).get("spec") not in ("chara_card_v2",
                                                                           "chara_card_v3")
    except (OSError, ValueError, AttributeError):
        return False


@dataclass
class CardEntry:
    id: str
    name: str
    path: Path
    modified: datetime


def _plain(card: CharacterCard) -> dict[str, Any]:
    """A card as the plain data an edit session holds."""
    return json.loads(card.model_dump_json())


def _parts(path: str) -> tuple[str | None, str, int | None]:
    """``psychological_profile.goals[2]`` -> (section, name, index); ``id`` -> (None, id)."""
    if "." not in path:
        return None, path, None
    section, _, rest = path.partition(".")
    name, _, index = rest.partition("[")
    return section, name, int(index.rstrip("]")) if index else None


def _errors(exc: PydanticValidationError) -> dict[str, str]:
    found = {}
    for error in exc.errors():
        parts = [str(p) for p in error["loc"]]
        path = ".".join(p for p in parts if not p.isdigit())
        index = next((p for p in parts if p.isdigit()), None)
        key = f"{path}[{index}]" if index is not None else path
        # the rule in our plain words and the code, never pydantic's own message
        found.setdefault(key, f"{plain_rule(error)} [E1101]")
    return found


@dataclass
class EditSession:
    """One card being edited: its data, its history, and where it is saved."""

    data: dict[str, Any]
    path: Path | None = None
    #: the data files this card is audited against (paths as typed)
    sources: list[str] = field(default_factory=list)
    #: bumped by every change: the audit badge knows when its result is stale
    version: int = 0
    #: the last groundedness probe score in the card's audit log (None: never probed)
    groundedness: float | None = None
    _undo: list[dict[str, Any]] = field(default_factory=list)
    _redo: list[dict[str, Any]] = field(default_factory=list)
    _saved: dict[str, Any] = field(default_factory=dict)
    _typing: str | None = None
    _checked: tuple[int, dict[str, str]] | None = None
    #: what the target file held when this session last read or wrote it (None: no file);
    #: a save finding anything else there means another session saved in between
    _on_disk: str | None = None

    @classmethod
    def of(cls, card: CharacterCard, path: Path | None = None) -> EditSession:
        data = _plain(card)
        return cls(data, path, _saved=copy.deepcopy(data),
                   _on_disk=fingerprint(path) if path else None)

    @property
    def dirty(self) -> bool:
        return self.data != self._saved

    def errors(self) -> dict[str, str]:
        """Validation errors by field path; empty when the card is valid. Validated once per
        change however often it is asked (each keystroke asks twice)."""
        if self._checked is not None and self._checked[0] == self.version:
            return self._checked[1]
        try:
            CharacterCard.model_validate(self.data)
            found: dict[str, str] = {}
        except PydanticValidationError as exc:
            found = _errors(exc)
        self._checked = (self.version, found)
        return found

    def card(self) -> CharacterCard:
        return CharacterCard.model_validate(self.data)

    def saved_card(self) -> CharacterCard | None:
        """The card as it is on disk: as last saved, or as opened (what a discard returns
        to); None for a card never saved."""
        return CharacterCard.model_validate(self._saved) if self._saved else None

    def get(self, path: str) -> Any:
        """The value at a field path (a text, a list, or one item); None when absent."""
        section, name, index = _parts(path)
        value = (self.data if section is None else self.data.get(section, {})).get(name)
        if index is None:
            return value
        return value[index] if isinstance(value, list) and index < len(value) else None

    def _target(self, path: str) -> tuple[Any, str | int]:
        section, name, index = _parts(path)
        if section is None:
            return self.data, name  # a top-level field: the card's id
        container = self.data.setdefault(section, {})
        if index is not None:
            return container.setdefault(name, []), index
        return container, name

    def _change(self, apply, *, typing: str | None = None) -> None:
        if typing is not None and typing == self._typing:
            apply()  # the same typing run: one undo step for the whole run
            self.version += 1
            self._redo.clear()
            return
        before = copy.deepcopy(self.data)
        apply()
        if self.data != before:
            self._undo.append(before)
            self._redo.clear()
            self.version += 1
            self._typing = typing

    def set(self, path: str, value: str | list[str]) -> str | None:
        """Change one field (a whole list, given a list); returns its error, if any."""
        target, key = self._target(path)
        if isinstance(key, int) and not 0 <= key < len(target):
            raise KeyError(f"{path}: no such list item")
        current = target[key] if isinstance(key, int) else target.get(key)
        if current == value:
            return self.errors().get(path)

        def apply() -> None:
            target[key] = value

        self._change(apply, typing=path)
        return self.errors().get(path)

    def replace(self, data: dict[str, Any]) -> None:
        """Put in a whole new card (a redaction, say) as one undoable step."""
        new = copy.deepcopy(data)

        def apply() -> None:
            self.data = new

        self._change(apply)

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
        self._typing = None
        self.version += 1
        return True

    def redo(self) -> bool:
        if not self._redo:
            return False
        self._undo.append(copy.deepcopy(self.data))
        self.data = self._redo.pop()
        self._typing = None
        self.version += 1
        return True

    def break_typing_run(self) -> None:
        """The next keystroke starts a new undo step (focus moved, say)."""
        self._typing = None

    def revert(self) -> bool:
        """Drop unsaved changes (as one undoable step); False for a card never saved."""
        if not self._saved:
            return False
        self.replace(self._saved)
        return True

    def mark_saved(self) -> None:
        self._saved = copy.deepcopy(self.data)


@dataclass
class PersonaEntry:
    """A persona a card can be made from, with where it came from."""

    label: str
    persona: Persona
    sources: list[str]


def fingerprint(path: Path | None) -> str | None:
    """A digest of the file's bytes, ``None`` when there is no file (how saves detect that
    another session wrote the card in between; mtimes are too coarse on some systems)."""
    return hash_regular(path) if path is not None and path.exists() else None


@dataclass(frozen=True)
class CardOpened:
    """Another card (or none) is now the open card."""

    session: EditSession | None


@dataclass(frozen=True)
class CardChanged:
    """The open card's data changed outside the editor (a discard, a redaction)."""

    session: EditSession


@dataclass(frozen=True)
class FocusRequested:
    """Someone (the audit viewer's "jump to field") wants the editor on this field."""

    path: str
    start: int | None = None


@dataclass(frozen=True)
class CardAudited:
    """The audit viewer audited the open card at ``version`` (after a re-run, an accepted
    finding, new sources): the editor's badge shows this verdict rather than an older one."""

    session: EditSession
    version: int
    result: Any


CardEvent = CardOpened | CardChanged | FocusRequested | CardAudited


class CardService:
    """Owns the open card, shared by the editor and the audit viewer, and announces what
    happens to it to listeners (the app turns those into messages; this module knows
    nothing of Textual), so no screen reaches into another."""

    def __init__(self, paths: PathManager) -> None:
        self.paths = paths
        remove_orphans(paths.cards_dir)  # temporary files of a save killed mid-write
        self._current: EditSession | None = None
        self._listeners: list[Callable[[CardEvent], None]] = []
        #: the last focus request, kept until the editor takes it (it may not be built yet)
        self._focus: FocusRequested | None = None

    # --- the open card and its announcements ---------------------------------------------

    def listen(self, callback: Callable[[CardEvent], None]) -> Callable[[], None]:
        """Call ``callback`` with every :data:`CardEvent`; returns the function that stops."""
        self._listeners.append(callback)
        return lambda: self._listeners.remove(callback) if callback in self._listeners \
            else None

    def _announce(self, event: CardEvent) -> None:
        for callback in list(self._listeners):
            callback(event)

    @property
    def current(self) -> EditSession | None:
        """The card open in the editor, shared with the audit viewer."""
        return self._current

    @current.setter
    def current(self, session: EditSession | None) -> None:
        if session is not self._current:
            self._current = session
            self._announce(CardOpened(session))

    def changed(self) -> None:
        """Tell the listeners the open card's data changed (after a redaction, say)."""
        if self._current is not None:
            self._announce(CardChanged(self._current))

    def audited(self, session: EditSession, version: int, result: Any) -> None:
        """Tell the listeners the viewer has a new verdict for ``session`` at ``version``."""
        if session is self._current:
            self._announce(CardAudited(session, version, result))

    def discard(self) -> None:
        """Drop the open card's unsaved changes; a card never saved is closed."""
        session = self._current
        if session is None:
            return
        if session.revert():
            self.changed()
        else:
            self.current = None

    def request_focus(self, path: str, start: int | None = None) -> None:
        self._focus = FocusRequested(path, start)
        self._announce(self._focus)

    def take_focus_request(self) -> FocusRequested | None:
        request, self._focus = self._focus, None
        return request

    def list(self, *, include_samples: bool = True) -> list[CardEntry]:
        folders = [self.paths.cards_dir] + ([sample_project() / "cards"] if include_samples
                                            else [])
        entries = []
        for folder in folders:
            for path in sorted(folder.glob("*.json")) if folder.exists() else []:
                if path.name.endswith(".audit.json") or ".trial-" in path.name:
                    continue
                try:
                    card = load_card(path)
                except Exception:  # a broken file is listed by the editor's open, not here
                    continue
                entries.append(CardEntry(card.id, card.identity.name, path,
                                         datetime.fromtimestamp(path.stat().st_mtime, UTC)))
        return entries

    def open(self, path: str | Path) -> EditSession:
        """Open a card; a bundled sample is saved as the user's own copy, never in place."""
        path = Path(path)
        # read under the card's lock, so the fingerprint taken is of exactly what was read
        # (a save by another session cannot fall in between)
        with locked(path):
            card = load_card(path)
            sample = path.parent.resolve() == (sample_project() / "cards").resolve()
            if sample:
                target = self.paths.cards_dir / path.name
            else:
                target = path if _ours(path) else path.with_name(f"{card.id}.json")
            with locked(target):
                session = EditSession.of(card, target)
        logs = (AuditLog.for_card(target), AuditLog.for_card(path))
        session.sources = logs[0].sources or logs[1].sources or ([SAMPLE] if sample else [])
        probe = logs[0].last_probe or logs[1].last_probe
        session.groundedness = probe.get("score") if probe else None
        return session

    def where(self, path: str | Path) -> str:
        """A card file as a person reads it: relative to the cards folder, ``sample/…`` for
        the sample project's cards, ``~/…`` under the home folder, else the whole path."""
        path = Path(path).resolve()
        for base, prefix in ((self.paths.cards_dir, ""), (sample_project() / "cards", "sample/"),
                             (Path.home(), "~/")):
            try:
                return prefix + path.relative_to(base.resolve()).as_posix()
            except (ValueError, OSError):
                continue
        return str(path)

    def open_current(self, path: str | Path) -> EditSession:
        self.current = self.open(path)
        return self.current

    def personas(self) -> list[PersonaEntry]:
        """Personas to make cards from: the sample project's, then every experiment run's."""
        from persona_tui.core.experiments import ExperimentStore

        found = []
        sample = json.loads((sample_project() / "personas.json").read_text("utf-8"))
        for raw in sample["personas"]:
            persona = Persona.model_validate(raw)
            found.append(PersonaEntry(f"{persona.name} — sample project", persona, [SAMPLE]))
        store = ExperimentStore(self.paths.experiments_dir)
        for experiment in store.list():
            for run in reversed(store.runs(experiment.name)):
                folder = store.folder(experiment.name) / "runs" / run.get("run_id", "")
                try:
                    raws = json.loads((folder / "personas.json").read_text("utf-8"))
                except (OSError, ValueError):
                    continue
                for raw in raws:
                    try:
                        persona = Persona.model_validate(raw)
                    except PydanticValidationError:
                        continue
                    found.append(PersonaEntry(
                        f"{persona.name} — {experiment.name} {run.get('run_id', '')}",
                        persona, list(run.get("config", {}).get("data_paths", []))))
        return found

    def new_from_persona(self, persona: Persona | dict | PersonaEntry) -> EditSession:
        """A card made without a model (speech described, never quoted); not saved yet."""
        sources: list[str] = []
        if isinstance(persona, PersonaEntry):
            persona, sources = persona.persona, persona.sources
        card = ScriptGenerator.from_persona(persona if isinstance(persona, Persona)
                                            else Persona.model_validate(persona))
        path = child_path(self.paths.cards_dir, card.id, "card", ".json")
        session = EditSession.of(card, path)
        session.sources = list(sources)
        session._saved = {}  # a new card has never been saved: leaving asks first
        return session

    def save(self, session: EditSession, path: str | Path | None = None, *,
             overwrite: bool = False) -> Path:
        """Validate, then write atomically (the old file survives any crash mid-write).

        Two sessions editing one card must not silently lose each other's edits: under the
        card's lock, the file must still hold what this session last read or wrote, or the
        save is refused with E2008 (``overwrite=True`` after the user chose to). Saving under
        a new name (``path``) is checked the same way against whatever is there now.
        """
        card = session.card()
        target = Path(path) if path else session.path or \
            child_path(self.paths.cards_dir, card.id, "card", ".json")
        expected = session._on_disk if target == session.path else fingerprint(target)
        with locked(target):
            if not overwrite and fingerprint(target) != expected:
                raise DataError(f"{target.name} was changed on disk since it was opened (by "
                                "another session or program); not saved", path=str(target),
                                code="E2008")
            save_card(card, target)
            session._on_disk = fingerprint(target)
        session.path = target
        session.mark_saved()
        if session.sources:
            log = AuditLog.for_card(target)
            if log.sources != session.sources:
                log.sources = list(session.sources)
                log.save()
        return target

    def export(self, session: EditSession, fmt: str, folder: str | Path | None = None) -> Path:
        card = session.card()
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
        folder = Path(folder) if folder else self.paths.data_dir / "exports"
        return atomic_write(folder / f"{card.id}{EXTENSIONS[fmt]}", export_bytes(card, fmt))

    # --- card files outside an editing session (the command line's) -----------------------

    BINARY_FORMATS = BINARY_FORMATS

    @staticmethod
    def read(path: str | Path) -> CharacterCard:
        """A card file as the editor opens it: ours, V2/V3 JSON or PNG, CHARX. A missing or
        broken file raises a DataError or ValidationError that says what to do."""
        return load_card(path)

    @staticmethod
    def remembered_sources(path: str | Path) -> list[str]:
        """The sources the card's audit log records (the app keeps them there)."""
        return list(AuditLog.for_card(Path(path)).sources)

    @staticmethod
    def export_payload(card: CharacterCard, fmt: str) -> bytes:
        return export_bytes(card, fmt)

    @staticmethod
    def export_target(card: CharacterCard, fmt: str, out: str | Path | None) -> Path:
        """Where an export goes: ``out``, or ``<card id><extension>`` inside ``out`` when it
        is a folder (the current folder when None)."""
        target = Path(out) if out else Path.cwd()
        return target / f"{card.id}{EXTENSIONS[fmt]}" if target.is_dir() else target

    @staticmethod
    def write_export(target: Path, payload: bytes) -> Path:
        """Written atomically: an interrupted export never leaves half a file."""
        return atomic_write(target, payload)

    data_of = staticmethod(_plain)

    @staticmethod
    def preview(session: EditSession) -> str:
        """The rendered system prompt, or the validation errors when the card is invalid."""
        errors = session.errors()
        if errors:
            return "\n".join(f"{path}: {message}" for path, message in errors.items())
        return render(session.card(), "system_prompt")
