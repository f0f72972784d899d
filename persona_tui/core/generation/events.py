"""What a generation run reports while it works: the event stream the TUI renders."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from persona_tui.core.models.persona import Persona


@dataclass(frozen=True)
class TextDelta:
    text: str
    chunk: int = 0


@dataclass(frozen=True)
class PersonaParsed:
    persona: Persona
    index: int


@dataclass(frozen=True)
class UsageUpdate:
    input_tokens: int
    output_tokens: int
    cost_usd: float | None
    elapsed_s: float
    tokens_per_s: float | None
    estimated: bool = True


@dataclass(frozen=True)
class RetryWait:
    message: str
    wait_s: float


@dataclass(frozen=True)
class GenerationWarning:
    message: str


@dataclass(frozen=True)
class Finished:
    result: Any  # GenerationResult


@dataclass(frozen=True)
class Failed:
    error: Exception
    partial_text: str = ""

    @property
    def message(self) -> str:
        return str(self.error)

    @property
    def hint(self) -> str:
        return getattr(self.error, "hint", "")


GenerationEvent = (TextDelta | PersonaParsed | UsageUpdate | RetryWait | GenerationWarning
                   | Finished | Failed)

__all__ = ["Failed", "Finished", "GenerationEvent", "GenerationWarning", "PersonaParsed",
           "RetryWait", "TextDelta", "UsageUpdate"]
