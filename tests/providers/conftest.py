from __future__ import annotations

import pytest

from tests.vendor_server import VendorServer
from tests.vendor_server.wire import ANTHROPIC_KEY, GEMINI_KEY, OPENAI_KEY


@pytest.fixture
def server(vendor_server) -> VendorServer:
    vendor_server.reset()
    yield vendor_server
    vendor_server.reset()


KEYS = {"openai": OPENAI_KEY, "anthropic": ANTHROPIC_KEY, "gemini": GEMINI_KEY, "ollama": None}
MODELS = {"openai": "gpt-4o-mini", "anthropic": "claude-sonnet-4-6",
          "gemini": "gemini-2.5-flash", "ollama": "llama3.2"}


def base_url(server: VendorServer, vendor: str) -> str:
    return f"{server.url}/v1" if vendor == "openai" else server.url
