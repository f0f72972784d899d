from __future__ import annotations

import asyncio
import contextvars
import threading

import pytest

from persona_tui.core.utils.async_helpers import is_async_context, run_sync, to_thread

marker: contextvars.ContextVar[str] = contextvars.ContextVar("marker", default="unset")


async def _answer(value: int) -> int:
    await asyncio.sleep(0)
    return value * 2


async def _boom() -> None:
    raise ValueError("bad value")


def test_run_sync_from_plain_code():
    assert not is_async_context()
    assert run_sync(_answer(21)) == 42


async def test_run_sync_inside_a_running_loop():
    assert is_async_context()
    assert run_sync(_answer(5)) == 10


async def test_run_sync_keeps_context_variables_inside_a_loop():
    marker.set("from-caller")

    async def read() -> str:
        return marker.get()

    assert run_sync(read()) == "from-caller"


def test_run_sync_from_threads():
    results: list[int] = []
    threads = [threading.Thread(target=lambda i=i: results.append(run_sync(_answer(i))))
               for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [i * 2 for i in range(8)]


def test_run_sync_propagates_errors():
    with pytest.raises(ValueError, match="bad value"):
        run_sync(_boom())


async def test_run_sync_propagates_errors_inside_a_loop():
    with pytest.raises(ValueError, match="bad value"):
        run_sync(_boom())


async def test_to_thread_runs_blocking_work_off_the_loop():
    loop_thread = threading.get_ident()
    other = await to_thread(threading.get_ident)
    assert other != loop_thread
    assert await to_thread(lambda a, b=0: a + b, 2, b=3) == 5
