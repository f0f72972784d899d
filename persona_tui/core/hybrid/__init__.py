"""Hybrid pipelines: cheap drafts, a quality filter, and a stronger model refining survivors."""

from persona_tui.core.hybrid.pipeline import HybridPipeline
from persona_tui.core.hybrid.stages.base import PipelineStage, StageConfig, StageResult
from persona_tui.core.hybrid.stages.draft import DraftStage
from persona_tui.core.hybrid.stages.filter import FilterStage
from persona_tui.core.hybrid.stages.refine import RefineStage

__all__ = ["DraftStage", "FilterStage", "HybridPipeline", "PipelineStage", "RefineStage",
           "StageConfig", "StageResult"]
