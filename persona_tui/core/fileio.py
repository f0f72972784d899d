"""The one atomic-write helper every writer in the project uses.

A crash, a kill or a full disk during a write must never leave a half-written card, config or
experiment file: we write a temporary file in the same folder (so the rename stays on one file
system), flush and fsync it, then ``os.replace`` it over the target and fsync the folder so the
rename itself survives a power cut.

A ``kill -9`` between creating the temporary file and the rename can still leave the temporary
file behind (the target stays whole). Temporary names carry the writer's process id, so
:func:`remove_orphans` can later delete exactly those whose writer is gone, never a live
writer's.

This module also holds the other two file rules everyone shares: :func:`locked` serialises
read-modify-write updates across processes, and :func:`read_regular` reads user-named files
without ever opening a pipe, socket or device (which would hang or never end) and without
reading more than a size limit.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from persona_tui.core.errors import DataError
from persona_tui.core.utils.sanitize import fix_surrogates

#: Mode for new files when the caller does not ask for one (the target's mode is kept otherwise).
DEFAULT_FILE_MODE = 0o644
_TMP_SUFFIX = ".tmp"
#: ``.NAME.PID.RANDOM.tmp``, as :func:`atomic_write` names its temporary files
_TMP_NAME = re.compile(r"^\..+\.(\d+)\.[^.]+\.tmp$")


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
    # a lone surrogate (from a model's JSON "\\ud800") has no UTF-8 form: U+FFFD, not a crash
    payload = fix_surrogates(data).encode(encoding) if isinstance(data, str) else data
    if mode is None:
        try:
            mode = target.stat().st_mode & 0o777
        except FileNotFoundError:
            mode = DEFAULT_FILE_MODE
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=_TMP_SUFFIX,
                                    dir=target.parent)
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


# --- orphans -----------------------------------------------------------------------------------


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's live process
    return True


def remove_orphans(folder: str | os.PathLike[str]) -> list[Path]:
    """Delete temporary files that :func:`atomic_write` left in ``folder`` when killed.

    Only files named as ``atomic_write`` names them, and only those whose writing process is
    no longer running, are removed; a live writer's file is left alone. Returns what went.
    """
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = _TMP_NAME.match(entry.name)
        if not match or _alive(int(match.group(1))):
            continue
        try:
            if entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


# --- locking -----------------------------------------------------------------------------------


_held = threading.local()


@contextlib.contextmanager
def locked(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Hold an exclusive lock for a read-modify-write of ``path``, across processes.

    Every writer of a shared file (the qualification registry, cards) takes this lock, reads
    the file fresh, changes it and writes it; so no update is lost when several processes
    write at once. The lock is taken on the file's folder (on POSIX, ``flock`` on the folder
    itself), which leaves no lock file next to the user's files and lets the data file be
    replaced atomically while the lock is held. Nested use in one thread is allowed.
    """
    target = Path(path)
    folder = target.parent
    folder.mkdir(parents=True, exist_ok=True)
    key = os.path.realpath(folder)
    depth = getattr(_held, "depth", None)
    if depth is None:
        depth = _held.depth = {}
    if depth.get(key):
        depth[key] += 1
        try:
            yield target
        finally:
            depth[key] -= 1
        return
    fd = _open_lock(folder)
    try:
        _lock(fd)
        depth[key] = 1
        try:
            yield target
        finally:
            depth[key] = 0
            _unlock(fd)
    finally:
        os.close(fd)


try:
    import fcntl

    def _open_lock(folder: Path) -> int:
        return os.open(folder, os.O_RDONLY)

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
except ImportError:  # pragma: no cover - Windows cannot open a folder: a hidden lock file
    import msvcrt

    def _open_lock(folder: Path) -> int:
        return os.open(folder / ".persona-tui.lock", os.O_RDWR | os.O_CREAT, 0o600)

    def _lock(fd: int) -> None:
        while True:
            try:
                msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
                return
            except OSError:
                continue

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)


# --- reading user-named files ------------------------------------------------------------------


def read_regular(path: str | os.PathLike[str], *, max_bytes: int | None = None) -> bytes:
    """The bytes of a regular file, refusing anything else before reading a byte.

    The file is opened without blocking (a FIFO would otherwise wait forever for a writer)
    and checked with ``fstat`` on the open descriptor, so a path swapped between a check and
    the open cannot get past. A file over ``max_bytes`` is refused by its size (a sparse
    2 GB file is never read), and at most ``max_bytes`` are read even if it grows meanwhile.
    Raises :class:`DataError` (E2001 unreadable, E2003 too large, E2007 not a regular file).
    """
    name = str(path)
    try:  # a socket cannot even be opened, and a FIFO is better never touched: stat first
        mode = os.stat(path).st_mode
    except OSError:
        mode = None  # the open below says why
    if mode is not None and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise DataError(f"{name} is {special_kind(mode)}, not a file; it was not read",
                        path=name, code="E2007")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise DataError(f"{name} does not exist", path=name,
                        hint="Check the path; quote it if it contains spaces.") from None
    except PermissionError:
        raise DataError(f"{name} cannot be read (permission denied)", path=name,
                        hint="Check the file's permissions (chmod u+r).") from None
    except OSError as exc:
        raise DataError(f"{name} cannot be read: {exc.strerror or exc}", path=name) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise DataError(f"{name} is a folder", path=name)
        if not stat.S_ISREG(info.st_mode):
            raise DataError(f"{name} is {special_kind(info.st_mode)}, not a file; it was not "
                            "read", path=name, code="E2007")
        if max_bytes is not None and info.st_size > max_bytes:
            raise DataError(
                f"{name} is {info.st_size / 1048576:.1f} MB, over the "
                f"{max_bytes / 1048576:.0f} MB limit per file", path=name, code="E2003",
                hint="Split the file, or raise data.max_file_mb in config.toml.")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if max_bytes is not None and total > max_bytes:
                raise DataError(f"{name} grew past the {max_bytes / 1048576:.0f} MB limit "
                                "while it was read", path=name, code="E2003")
        return b"".join(chunks)
    except OSError as exc:
        raise DataError(f"{name} cannot be read: {exc.strerror or exc}", path=name) from None
    finally:
        os.close(fd)


def hash_regular(path: str | os.PathLike[str], *, max_bytes: int | None = None,
                 algorithm: str = "sha256") -> str | None:
    """The hex digest of a regular file, read in blocks; ``None`` for anything the loader
    would refuse (not a regular file, over ``max_bytes``, unreadable). Never blocks on a pipe
    and never holds more than one block in memory."""
    import hashlib

    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or (max_bytes is not None and info.st_size > max_bytes):
            return None
        digest = hashlib.new(algorithm)
        while chunk := os.read(fd, 1 << 20):
            digest.update(chunk)
        return digest.hexdigest()
    except OSError:
        return None
    finally:
        os.close(fd)


def special_kind(mode: int) -> str:
    """What a non-regular file is, in words."""
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


def is_regular(path: str | os.PathLike[str]) -> bool:
    """True for a regular file (following links); never opens it."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


__all__ = ["DEFAULT_FILE_MODE", "atomic_write", "hash_regular", "is_regular", "locked",
           "read_regular", "remove_orphans", "special_kind"]
