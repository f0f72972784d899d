"""Reading and writing card files in any of the forms users have them."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError as PydanticValidationError

from persona_tui.core.errors import DataError, ValidationError
from persona_tui.core.fileio import atomic_write
from persona_tui.core.scripts.formats import extract_from_png, from_character_card_v2, to_json
from persona_tui.core.scripts.models import CharacterCard


def describe_errors(exc: PydanticValidationError) -> str:
    return "; ".join(".".join(str(p) for p in e["loc"]) + f": {e['msg']}"
                     for e in exc.errors()[:5])


def load_card(path: str | Path) -> CharacterCard:
    """A card from our JSON, a Character Card V2 JSON, or a V2 PNG."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"{path} does not exist", path=str(path)) from None
    except OSError as exc:
        raise DataError(f"{path} cannot be read: {exc.strerror}", path=str(path)) from None
    if raw.startswith(b"\x89PNG"):
        return extract_from_png(raw)
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(f"{path} is not a card (not valid JSON: {exc})", path=str(path),
                        code="E2006") from None
    if isinstance(data, dict) and data.get("spec") == "chara_card_v2":
        return from_character_card_v2(data)
    try:
        return CharacterCard.model_validate(data)
    except PydanticValidationError as exc:
        raise ValidationError(f"{path} is not a valid card: {describe_errors(exc)}",
                              field=str(exc.errors()[0]["loc"][0]) if exc.errors() else None,
                              hint="Fix the named fields, or open it in the card editor.") \
            from None


def save_card(card: CharacterCard, path: str | Path) -> Path:
    return atomic_write(path, to_json(card))
