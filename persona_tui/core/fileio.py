"""The one atomic-write helper every writer in the project uses.

A crash, a kill or a full disk during a write must never leave a half-written card, config or
experiment file: we write a temporary file in the same folder (so the rename stays on one file
system), flush and fsync it, then ``os.replace`` it over the target and fsync the folder so the
rename itself survives a power cut.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

#: Mode for new files when the caller does not ask for one (the target's mode is kept otherwise).
DEFAULT_FILE_MODE = 0o644


def atomic_write(
    path: str | os.PathLike[str],
    data: str | bytes,
    *,
    mode: int | None = None,
    encoding: str = "utf-8",
) -> Path:
    """Replace ``path`` with ``data`` in one step; readers see the old or the new file, never a mix.

    ``mode`` sets the permission bits (``0o600`` for secrets) before the file becomes visible, so
    a secret is never readable by others even for an instant.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode(encoding) if isinstance(data, str) else data
    if mode is None:
        try:
            mode = target.stat().st_mode & 0o777
        except FileNotFoundError:
            mode = DEFAULT_FILE_MODE
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode)
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    _fsync_dir(target.parent)
    return target


def _fsync_dir(folder: Path) -> None:
    """Persist a rename; not every platform lets a folder be opened, so failure is harmless."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
