"""``persona-tui edit CARD``: the app, opened on the card editor with that card.

The card is read before the app starts, so a missing or broken file is a one-line error with
exit status 2 rather than a full-screen app with a toast.
"""

from __future__ import annotations

from persona_tui.commands.errors import report_error
from persona_tui.core.errors import DataError, ValidationError
from persona_tui.services.cards import CardService
from persona_tui.services.context import AppContext


def run_edit(card_path: str, *, context: AppContext | None = None) -> int:
    try:
        CardService.read(card_path)
    except (DataError, ValidationError) as exc:
        report_error(exc, json_output=False)
        return 2
    from persona_tui.tui.app import run_app

    return run_app("cards", card=card_path, context=context)
