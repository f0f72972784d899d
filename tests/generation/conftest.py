from __future__ import annotations

import pytest

from persona_tui.resources import sample_project

SAMPLE_REPLY = (sample_project() / "personas.json").read_text("utf-8")
DATA = sample_project() / "data"


@pytest.fixture
def server(vendor_server):
    vendor_server.reset()
    vendor_server.reply = SAMPLE_REPLY
    yield vendor_server
    vendor_server.reset()
