"""What ``chat`` and ``probe`` share: the card, its sources, a provider, and errors.

The card is read through :class:`persona_tui.services.cards.CardService`, and the provider
is built by :func:`persona_tui.services.trial.open_provider` (the flags first, then the
application context: the environment, ``config.toml`` and ``credentials.toml``, as the app
does).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from typing import Any

from persona_tui.commands.errors import report_error
from persona_tui.services.cards import CardService
from persona_tui.services.sample import resolve_data
from persona_tui.services.trial import is_packaged, open_provider

__all__ = ["Stage", "is_packaged", "load_stage", "open_provider", "report_error"]


@dataclass
class Stage:
    card: Any  # the CharacterCard
    card_path: Path
    sources: list[str]


def load_stage(card_path: str, sources: list[str] | None) -> Stage:
    """The card and the sources it is checked against: those given, else the ones its audit
    log remembers (an empty list when neither has any); ``sample`` is the bundled study."""
    path = Path(card_path)
    card = CardService.read(path)
    remembered = CardService.remembered_sources(path) if not sources else []
    return Stage(card, path, [resolve_data(s) for s in sources or remembered])

