"""What every screen of the app shares: its workers report to the app's one error boundary,
and once drawn its objects are out of the garbage collector's way.

Workers run with ``exit_on_error=False``, so a failure does not end the app; Textual then
tells the screen that started the worker (the message does not bubble), and this handler
hands the error to :meth:`PersonaApp.show_error`, the one place that shows failures.
"""

from __future__ import annotations

import gc

from textual import events, on
from textual._context import active_app
from textual.screen import Screen
from textual.worker import Worker, WorkerState


class PersonaScreen(Screen):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A new screen is styled from the stylesheet as it is when it mounts (its CSS_PATH
        # is read then, if new), yet Textual marks it as behind the app's CSS and runs a
        # full refresh_css for it (a re-parse of every source and a restyle), once when its
        # mode is set up and again when it becomes current. It is up to date as made.
        app = active_app.get(None)
        if app is not None:
            self._css_update_count = app._css_update_count
        self._resumed = False

    @on(events.ScreenResume)
    def _styled_at_mount(self, event: events.ScreenResume) -> None:
        # Textual restyles the whole tree on every resume. The first comes right after the
        # screen mounted, every node styled a moment ago: on Providers that restyle was
        # ~15 ms before the first paint. (Handlers of a subclass run before Screen's own.)
        if not self._resumed:
            self._resumed = True
            event.refresh_styles = False

    def on_mount(self) -> None:
        # The app's modules, screens and widgets live as long as it does. Once a screen is
        # drawn, everything that exists is moved out of the garbage collector's generations
        # (gc.freeze), so a full collection walks only what came after: during a stream a
        # full collection over the whole heap held the loop for 200-400 ms (the worst display
        # lags at 50 tokens/s), over what is new it takes a fraction. What is garbage at that
        # moment is kept (once per screen: a few objects).
        self.call_after_refresh(gc.freeze)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.app.show_error(event.worker.error)
