"""Reading and writing card files in any of the forms users have them: our JSON, Character
Card V2 and V3 as JSON or inside a PNG, and CHARX zips. The kind is told by the content, not
the file name (front ends name files loosely)."""

from __future__ import annotations

import json
import struct
from pathlib import Path

from pydantic import ValidationError as PydanticValidationError

from persona_tui.core.errors import DataError, ValidationError
from persona_tui.core.fileio import atomic_write, read_regular
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


#: the largest card file read (PNG cards carry an image; 64 MB is far beyond any real one)
MAX_CARD_BYTES = 64 * 1024 * 1024
#: what decoding a hostile card file can raise anywhere below: bad base64 (binascii.Error is
#: a ValueError), bad JSON or UTF-8 (ValueErrors), wrong shapes (TypeError, AttributeError,
#: KeyError), deep nesting (RecursionError), truncated PNG chunks (struct.error)
_MALFORMED = (ValueError, TypeError, AttributeError, KeyError, IndexError, RecursionError,
              struct.error)


def load_card(path: str | Path) -> CharacterCard:
    """A card from our JSON, a Character Card V2 or V3 JSON, a V2 or V3 PNG, or a CHARX.

    Whatever the file holds, the result is a card or a :class:`DataError`/`ValidationError`
    with a code (E2006 for a file that is not a card at all); never another exception. Pipes,
    sockets and oversized files are refused before a byte is read.
    """
    path = Path(path)
    raw = read_regular(path, max_bytes=MAX_CARD_BYTES)
    try:
        return _parse_card(raw, path)
    except (DataError, ValidationError):
        raise
    except PydanticValidationError as exc:  # a card of the right kind with bad fields
        raise _invalid(path, exc) from None
    except _MALFORMED as exc:
        raise DataError(f"{path} is not a readable card ({_why(exc)})", path=str(path),
                        code="E2006") from None


def _why(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    if isinstance(exc, (TypeError, AttributeError, KeyError, IndexError)):
        return "a field holds the wrong kind of value"
    return f"{type(exc).__name__}: {str(exc)[:120]}"


def _parse_card(raw: bytes, path: Path) -> CharacterCard:
    if raw.startswith(PNG_SIGNATURE):
        return extract_from_png(raw)
    if raw.startswith(ZIP_SIGNATURE):
        return from_charx(raw)
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(f"{path} is not a card (not valid JSON: {exc})", path=str(path),
                        code="E2006") from None
    if not isinstance(data, dict):
        raise DataError(f"{path} is not a card (the file holds a JSON {type(data).__name__}, "
                        "not an object)", path=str(path), code="E2006")
    if data.get("spec") in ("chara_card_v2", "chara_card_v3"):
        return from_community_card(data)
    return CharacterCard.model_validate(data)


def save_card(card: CharacterCard, path: str | Path) -> Path:
    return atomic_write(path, to_json(card))
