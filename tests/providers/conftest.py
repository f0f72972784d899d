from __future__ import annotations

import pytest

from tests.vendor_server import VendorServer, start_server
from tests.vendor_server.wire import ANTHROPIC_KEY, GEMINI_KEY, OPENAI_KEY


@pytest.fixture(scope="session")
def _server():
    server = start_server()
    yield server
    server.close()


@pytest.fixture
def server(_server) -> VendorServer:
    _server.reset()
    yield _server
    _server.reset()


KEYS = {"openai": OPENAI_KEY, "anthropic": ANTHROPIC_KEY, "gemini": GEMINI_KEY, "ollama": None}
MODELS = {"openai": "gpt-4o-mini", "anthropic": "claude-sonnet-4-6",
          "gemini": "gemini-2.5-flash", "ollama": "llama3.2"}


def base_url(server: VendorServer, vendor: str) -> str:
    return f"{server.url}/v1" if vendor == "openai" else server.url
