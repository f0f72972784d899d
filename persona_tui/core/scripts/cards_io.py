"""Reading and writing card files in any of the forms users have them: our JSON, Character
Card V2 and V3 as JSON or inside a PNG, and CHARX zips. The kind is told by the content, not
the file name (front ends name files loosely)."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError as PydanticValidationError

from persona_tui.core.errors import DataError, ValidationError
from persona_tui.core.fileio import atomic_write
from persona_tui.core.scripts.containers import PNG_SIGNATURE, ZIP_SIGNATURE
from persona_tui.core.scripts.formats import (
    extract_from_png,
    from_charx,
    from_community_card,
    to_json,
)
from persona_tui.core.scripts.models import CharacterCard


def describe_errors(exc: PydanticValidationError) -> str:
    return "; ".join(".".join(str(p) for p in e["loc"]) + f": {e['msg']}"
                     for e in exc.errors()[:5])


def _invalid(path: Path, exc: PydanticValidationError) -> ValidationError:
    return ValidationError(f"{path} is not a valid card: {describe_errors(exc)}",
                           field=str(exc.errors()[0]["loc"][0]) if exc.errors() else None,
                           hint="Fix the named fields, or open it in the card editor.")


def load_card(path: str | Path) -> CharacterCard:
    """A card from our JSON, a Character Card V2 or V3 JSON, a V2 or V3 PNG, or a CHARX."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"{path} does not exist", path=str(path)) from None
    except OSError as exc:
        raise DataError(f"{path} cannot be read: {exc.strerror}", path=str(path)) from None
    try:
        if raw.startswith(PNG_SIGNATURE):
            return extract_from_png(raw)
        if raw.startswith(ZIP_SIGNATURE):
            return from_charx(raw)
    except PydanticValidationError as exc:
        raise _invalid(path, exc) from None
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(f"{path} is not a card (not valid JSON: {exc})", path=str(path),
                        code="E2006") from None
    try:
        if isinstance(data, dict) and data.get("spec") in ("chara_card_v2", "chara_card_v3"):
            return from_community_card(data)
        return CharacterCard.model_validate(data)
    except PydanticValidationError as exc:
        raise _invalid(path, exc) from None


def save_card(card: CharacterCard, path: str | Path) -> Path:
    return atomic_write(path, to_json(card))
