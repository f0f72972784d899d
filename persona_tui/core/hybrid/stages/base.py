"""The stage contract: ``execute(input) -> StageResult`` with output, metrics and cost.

Stages pass a :class:`StageData` along — the personas so far and the source documents they
must stay faithful to — so they compose in any order.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from typing import Any

from persona_tui.core.data.document import SourceDocument
from persona_tui.core.models.persona import Persona


@dataclass
class StageConfig:
    name: str
    provider: Any = None  # an LLMProvider, for stages that call a model
    model: str | None = None
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class StageData:
    personas: list[Persona] = field(default_factory=list)
    documents: list[SourceDocument] = field(default_factory=list)


@dataclass
class StageResult:
    output: StageData
    metrics: dict[str, Any] = field(default_factory=dict)
    cost_usd: float | None = 0.0
    duration_s: float = 0.0


class PipelineStage(abc.ABC):
    def __init__(self, config: StageConfig) -> None:
        self.config = config

    @property
    def name(self) -> str:
        return self.config.name

    @abc.abstractmethod
    async def execute(self, input_data: StageData) -> StageResult:
        """Run the stage on ``input_data``."""
