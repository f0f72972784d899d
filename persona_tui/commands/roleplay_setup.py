"""What ``chat`` and ``probe`` share: the card, its sources, a provider, and errors.

The provider is built from the flags first, then the application context (the environment,
``config.toml`` and ``credentials.toml``, as the app reads them), in this one function.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

from persona_tui.core.errors import PersonaError
from persona_tui.core.privacy.audit_log import AuditLog
from persona_tui.core.providers import LLMProvider, create_provider
from persona_tui.core.scripts.cards_io import load_card
from persona_tui.core.scripts.models import CharacterCard
from persona_tui.core.utils.sanitize import strip_control
from persona_tui.resources import sample_project
from persona_tui.services.context import AppContext


@dataclass
class Stage:
    card: CharacterCard
    card_path: Path
    sources: list[str]


def load_stage(card_path: str, sources: list[str] | None) -> Stage:
    """The card and the sources it is checked against: those given, else the ones its audit
    log remembers (an empty list when neither has any)."""
    path = Path(card_path)
    card = load_card(path)
    remembered = AuditLog.for_card(path).sources if not sources else []
    return Stage(card, path, list(sources or remembered))


def open_provider(name: str, model: str | None, base_url: str | None, *,
                  context: AppContext | None = None) -> tuple[LLMProvider, str]:
    """A provider client and the model to use (the flag, the configured default, ours)."""
    context = context or AppContext.default()
    key = context.api_key(name).key  # an unknown name is E1005, naming the known ones
    provider = create_provider(name, base_url=base_url or context.base_url(name),
                               api_key=key.get_secret_value() if key else None)
    return provider, model or context.default_model(name)


def is_packaged(path: Path) -> bool:
    """A bundled sample card: its folder is part of the installed package, never written."""
    try:
        return path.resolve().is_relative_to(sample_project().resolve())
    except OSError:
        return False


def report_error(exc: PersonaError, *, json_output: bool) -> None:
    """An expected failure: JSON on stdout with ``--json``, else message and hint on stderr."""
    if json_output:
        print(json.dumps({"error": {"code": exc.code, "message": strip_control(exc.message),
                                    "hint": exc.hint}}, ensure_ascii=False))
    else:
        print(strip_control(exc.describe()), file=sys.stderr)
