from __future__ import annotations

import pytest

from persona_tui.resources import sample_project
from tests.vendor_server import start_server

SAMPLE_REPLY = (sample_project() / "personas.json").read_text("utf-8")
DATA = sample_project() / "data"


@pytest.fixture(scope="session")
def _server():
    server = start_server()
    yield server
    server.close()


@pytest.fixture
def server(_server):
    _server.reset()
    _server.reply = SAMPLE_REPLY
    yield _server
    _server.reset()
