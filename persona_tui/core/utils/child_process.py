"""Work that must not share the app's interpreter: run a function in a child process, await
its result, and kill the child the moment the caller is cancelled.

A thread is not enough for big pure-Python or C-level work (decoding, parsing and counting
a 100 MB folder): it holds the GIL for tens of milliseconds at a time, so the event loop's
keys wait; and a thread cannot be stopped, so an estimate the user has already typed past
would go on loading (a pause at ``/`` loaded the whole disk). A child process has its own
GIL, runs at a lower priority than the app, and is killed when cancelled.

The child is a fresh interpreter (the same executable and import path) that imports only
the function's module: not ``multiprocessing``, whose spawning re-runs the caller's main
script, which would break an SDK user's unguarded script. The function and its arguments
travel pickled (a module-level function). A child never writes to the terminal (its stdout
and stderr go to the null device; the answer comes back on a pipe of its own): the app
draws there.
"""

from __future__ import annotations

import asyncio
import os
import pickle
import subprocess
import sys
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

from persona_tui.core.errors import PersonaError

T = TypeVar("T")

#: the child's first steps: the parent's import path, then the function's own module
_BOOTSTRAP = ("import pickle, sys\n"
              "sys.path[:] = pickle.load(sys.stdin.buffer)\n"
              "from persona_tui.core.utils.child_process import _serve\n"
              "_serve()\n")


#: children working now (tests check that a cancelled call's child is gone)
running: weakref.WeakSet[subprocess.Popen] = weakref.WeakSet()


class ChildDied(PersonaError):
    """The child ended without an answer (killed by the system, out of memory)."""

    default_code = "E0001"


def _serve() -> None:
    """The child's side: read the call, run it, write ``(ok, value)`` back."""
    answer_fd = os.dup(1)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)  # a stray print must not mix with the answer
    os.dup2(null, 2)
    try:
        os.nice(5)  # the app's keys come first
    except (AttributeError, OSError):
        pass
    try:
        function, args = pickle.load(sys.stdin.buffer)
        answer: tuple[bool, Any] = (True, function(*args))
    except Exception as exc:  # handed to the caller, raised there
        answer = (False, exc)
    try:
        data = pickle.dumps(answer)
    except Exception as exc:  # an exception or result that does not pickle
        data = pickle.dumps((False, ChildDied(
            f"the worker's answer could not be sent back ({type(exc).__name__})")))
    with os.fdopen(answer_fd, "wb") as out:
        out.write(data)


def _start() -> subprocess.Popen:
    flags = getattr(subprocess, "BELOW_NORMAL_PRIORITY_CLASS", 0)  # Windows: no nice()
    return subprocess.Popen([sys.executable, "-c", _BOOTSTRAP], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            creationflags=flags)


async def call_in_child(function: Callable[..., T], /, *args: Any) -> T:
    """``function(*args)`` in a child process; its exception is raised here. Cancelling the
    caller kills the child at once."""
    payload = pickle.dumps(list(sys.path)) + pickle.dumps((function, args))
    # starting a process and waiting on its pipes block: threads, never the event loop
    process = await asyncio.to_thread(_start)
    running.add(process)
    try:
        output, _ = await asyncio.to_thread(process.communicate, payload)
    finally:
        if process.poll() is None:
            process.kill()  # cancelled while the child works: stop it now (the waiting
            # thread then sees the pipe close, reaps the child and ends)
        running.discard(process)
    try:
        ok, value = pickle.loads(output)
    except Exception:
        raise ChildDied(
            f"the worker process ended without an answer (exit code {process.returncode})",
            hint="The system may have stopped it (out of memory?); try again.") from None
    if not ok:
        raise value
    return value


__all__ = ["ChildDied", "call_in_child"]
