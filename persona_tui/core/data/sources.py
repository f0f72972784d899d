"""Accept sources the way callers naturally have them: documents, paths, raw strings, dicts."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from persona_tui.core.data.document import SourceDocument
from persona_tui.core.data.loader import DataLoader

SourcesLike = Any  # SourceDocument | str | PathLike | Mapping[str, str] | Iterable of those


def _looks_like_path(value: str) -> bool:
    """A string names a file only if it exists exactly as written.

    No ``~`` expansion: a source text that happens to be "~" must not load the home folder.
    Nor is a filesystem root a source: a text that is just "/" (or "C:\\") would load the
    whole disk. Pass a ``Path`` to be explicit.
    """
    if not value.strip() or "\n" in value or len(value) > 1024 or value.strip() != value:
        return False
    try:
        path = Path(value)
        if not path.exists():
            return False
        resolved = path.resolve()
        return resolved != Path(resolved.anchor)
    except (OSError, ValueError, RuntimeError):
        return False


def coerce_sources(sources: SourcesLike, *, loader: DataLoader | None = None
                   ) -> list[SourceDocument]:
    """Turn ``sources`` into documents.

    A string that names an existing file or folder is loaded; any other string is taken as the
    text of a document with id ``source-N``. A mapping is ``{id: text}``.
    """
    if sources is None:
        return []
    loader = loader or DataLoader()
    if isinstance(sources, (SourceDocument, str, os.PathLike)):
        sources = [sources]
    if isinstance(sources, Mapping):
        return [loader.load_text(str(text), doc_id=str(key)) for key, text in sources.items()]
    documents: list[SourceDocument] = []
    for index, item in enumerate(sources if isinstance(sources, Iterable) else [sources]):
        if isinstance(item, SourceDocument):
            documents.append(item)
        elif isinstance(item, os.PathLike) or (isinstance(item, str) and _looks_like_path(item)):
            documents.extend(loader.load(item))
        elif isinstance(item, str):
            documents.append(loader.load_text(item, doc_id=f"source-{index + 1}"))
    return documents
