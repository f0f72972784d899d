"""A local stand-in for the four vendors' HTTP APIs, for tests and benchmarks.

It speaks each wire format as the vendors document it (NDJSON for Ollama, server-sent events
for OpenAI, Anthropic and Gemini) over a real socket on 127.0.0.1, and can be told to fail in
the ways the real services do. Its fidelity is itself tested with the vendors' official
clients (tests/providers/test_server_fidelity.py).
"""

from tests.vendor_server.server import (
    CutStream,
    ErrorEvent,
    Inject,
    RawBody,
    Stall,
    Status,
    VendorServer,
    start_server,
)

__all__ = ["CutStream", "ErrorEvent", "Inject", "RawBody", "Stall", "Status", "VendorServer",
           "start_server"]
