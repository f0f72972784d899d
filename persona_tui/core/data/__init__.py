"""Research data in, :class:`SourceDocument` out, with locations evidence can point at."""

from persona_tui.core.data.document import Location, SourceDocument
from persona_tui.core.data.loader import SUPPORTED_SUFFIXES, DataLoader, LoadReport
from persona_tui.core.data.tokens import estimate_tokens

__all__ = ["SUPPORTED_SUFFIXES", "DataLoader", "LoadReport", "Location", "SourceDocument",
           "estimate_tokens"]
