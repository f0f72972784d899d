"""Bridges between sync and async code.

The SDK's sync API must work in a plain script, in Jupyter or inside the TUI (an event loop is
already running in this thread, so ``asyncio.run`` would refuse) and from worker threads.
:func:`run_sync` runs the coroutine on the current thread when no loop is running, and otherwise
on a private loop in a helper thread, waiting for the result.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import threading
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def is_async_context() -> bool:
    """True when called from a thread whose event loop is running (a coroutine or callback)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def run_sync(coro: Coroutine[Any, Any, T] | Awaitable[T]) -> T:
    """Run ``coro`` to completion and return its result, from any context.

    Exceptions propagate unchanged. Context variables of the caller are visible to the
    coroutine in both paths.
    """
    if not is_async_context():
        return asyncio.run(_as_coroutine(coro))

    result: dict[str, Any] = {}
    context = contextvars.copy_context()

    def runner() -> None:
        try:
            result["value"] = context.run(asyncio.run, _as_coroutine(coro))
        except BaseException as exc:  # re-raised in the caller's thread
            result["error"] = exc

    thread = threading.Thread(target=runner, name="persona-tui-run-sync", daemon=True)
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]
    return result["value"]


async def _as_coroutine(awaitable: Awaitable[T]) -> T:
    return await awaitable


async def to_thread(func: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Run blocking ``func`` in the default executor without blocking the event loop."""
    loop = asyncio.get_running_loop()
    call = functools.partial(contextvars.copy_context().run, func, *args, **kwargs)
    return await loop.run_in_executor(None, call)


__all__ = ["is_async_context", "run_sync", "to_thread"]
