"""Loaded research data, kept while the files stay as they were.

The Generate screen estimates the cost after every pause in typing and then runs on the same
data; reading and decoding a large study each time is the slowest part of both. The cache
keys a load on what the loader would read: the path, and the size and modification time (in
nanoseconds) of every file under it, plus the loader's own limits. Any change to a file, a
file added or removed, or a change to ``[data]`` in config.toml gives a new key, so a stale
load is never handed out. Checking the key costs one ``stat`` per file, never a read.

Everything here blocks: callers run it in a thread.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from persona_tui.core.data import DataLoader, SourceDocument

#: loads kept at once: the study being worked on and one other (a large study's text is big)
KEEP = 2

Key = tuple[object, ...]


def fingerprint(path: str | os.PathLike[str]) -> Key:
    """What identifies a load of ``path``: every file's path, size and mtime (ns).

    The walk is the loader's (hidden files and folders skipped, links to folders not
    followed); a file that cannot be stat'ed is keyed by its name alone, and the loader
    reports it.
    """
    root = Path(path).expanduser()
    if not root.is_dir():
        return (str(root), *_stat(root))
    entries: list[object] = [str(root)]
    for folder, dirs, names in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if not name.startswith("."):
                file = Path(folder) / name
                entries.append((str(file), *_stat(file)))
    return tuple(entries)


def _stat(path: Path) -> tuple[int, int] | tuple[()]:
    try:
        info = path.stat()
    except OSError:
        return ()
    return info.st_size, info.st_mtime_ns


class DocumentCache:
    """``load(path)`` -> (documents, the loader's warnings), reusing an unchanged load.

    Thread-safe: an estimate and a run may load at once. Two loads of the same new key both
    read (the second result wins); neither waits for the other.
    """

    def __init__(self, loader: Callable[[], DataLoader]) -> None:
        self._loader = loader
        self._loads: OrderedDict[Key, tuple[list[SourceDocument], list[str]]] = OrderedDict()
        self._lock = threading.Lock()
        self.reads = 0  # loads that read the files (the rest came from the cache)

    def load(self, paths: list[str]) -> tuple[list[SourceDocument], list[str]]:
        """The documents of ``paths`` (files or folders, loaded together as the loader
        does) and the loader's warnings."""
        loader = self._loader()
        key = (loader.max_file_bytes, loader.fallback_encoding,
               *(fingerprint(path) for path in paths))
        with self._lock:
            if key in self._loads:
                self._loads.move_to_end(key)
                documents, warnings = self._loads[key]
                return list(documents), list(warnings)
        documents = loader.load(paths)  # raises DataError for a path that cannot be read
        warnings = list(loader.warnings)
        with self._lock:
            self.reads += 1
            self._loads[key] = (documents, warnings)
            while len(self._loads) > KEEP:
                self._loads.popitem(last=False)
        return list(documents), list(warnings)


__all__ = ["DocumentCache", "fingerprint"]
