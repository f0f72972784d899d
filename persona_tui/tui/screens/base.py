"""What every screen of the app shares: its workers report to the app's one error boundary.

Workers run with ``exit_on_error=False``, so a failure does not end the app; Textual then
tells the screen that started the worker (the message does not bubble), and this handler
hands the error to :meth:`PersonaApp.show_error`, the one place that shows failures.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.worker import Worker, WorkerState


class PersonaScreen(Screen):
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.app.show_error(event.worker.error)
