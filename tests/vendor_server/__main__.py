"""Run the vendor server on its own: ``python -m tests.vendor_server`` prints its URL."""

import threading

from tests.vendor_server import start_server

server = start_server()
print(server.url, flush=True)
threading.Event().wait()
