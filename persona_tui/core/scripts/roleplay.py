"""Putting a card on stage: the messages that make a model play it.

The card's system prompt (:func:`~persona_tui.core.scripts.formats.to_system_prompt`) opens
every conversation, so the trial screen, ``persona-tui chat`` and the groundedness probe all
test the card exactly as a role-play front end would use it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from persona_tui.core.scripts.formats import to_system_prompt
from persona_tui.core.scripts.models import CharacterCard

#: how a reply is sampled unless the caller says otherwise: low temperature, so a probe run
#: can be repeated, and short, as an interview answer is
DEFAULT_TEMPERATURE = 0.2
DEFAULT_MAX_TOKENS = 300


@dataclass(frozen=True, slots=True)
class Turn:
    """One message of a trial: ``role`` is ``user`` or ``assistant``."""

    role: str
    content: str


def roleplay_messages(card: CharacterCard, history: Iterable[Turn] = (),
                      user_text: str | None = None) -> list[dict[str, str]]:
    """The system prompt, the conversation so far, and the new question (if any)."""
    messages = [{"role": "system", "content": to_system_prompt(card)}]
    messages += [{"role": t.role, "content": t.content} for t in history]
    if user_text is not None:
        messages.append({"role": "user", "content": user_text})
    return messages


__all__ = ["DEFAULT_MAX_TOKENS", "DEFAULT_TEMPERATURE", "Turn", "roleplay_messages"]
