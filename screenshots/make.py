"""Write an SVG of every screen, in a meaningful state, into this folder.

    uv run python screenshots/make.py

The app is driven with Textual's Pilot, keys only, on the bundled sample study, against the
local vendor-protocol test server (so a real run streams and finishes without a model or the
internet). Nothing here is drawn by hand. The states follow the README's tour: a provider
tested, a model qualified, a run finished, a card made from a persona (with a sentence copied
from an interview, as happens), that card's privacy audit, a role-play trial in which one
reply repeats the interview and is withheld, and the home screen.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = Path(__file__).resolve().parent
SIZE = (120, 36)
#: a participant's sentence pasted into a card by mistake: what the audit is for
COPIED = " I started keeping my own notes in a text file, just date, what, how much, who paid."


async def main() -> None:
    with tempfile.TemporaryDirectory() as home:
        os.environ["PERSONA_TUI_HOME"] = home
        for name in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "GOOGLE_API_KEY",
                     "OLLAMA_HOST"):
            os.environ.pop(name, None)
        from persona_tui.core.platform import PathManager
        from persona_tui.resources import sample_project
        from persona_tui.tui.app import PersonaApp
        from tests.config_files import write_config
        from tests.vendor_server import start_server

        server = start_server()
        try:
            write_config({"providers": {"ollama": {
                "base_url": server.url, "default_model": "llama3.2"}}}, PathManager.default())
            server.reply = (sample_project() / "personas.json").read_text("utf-8")
            server.delay = 0.001
            app = PersonaApp()
            async with app.run_test(size=SIZE) as pilot:
                async def settle(seconds: float = 0.6) -> None:
                    await pilot.pause(seconds)
                    await app.workers.wait_for_complete()
                    await pilot.pause()

                await settle()
                await pilot.press("t")  # a real connection test against Ollama
                await settle()
                app.save_screenshot(filename="providers.svg", path=str(OUT))

                await pilot.press("f3")
                await settle()
                await pilot.press("q")  # qualify the first model
                await settle()
                app.save_screenshot(filename="ollama-models.svg", path=str(OUT))

                await pilot.press("f4")
                await settle()
                await pilot.press("ctrl+g")
                await settle(1.0)
                app.save_screenshot(filename="generate.svg", path=str(OUT))

                await pilot.press("f5")
                await settle()
                await pilot.press("ctrl+n")  # a card from a persona of the sample project
                await settle(0.2)
                await pilot.press("down", "down", "enter")
                await settle()
                app.screen.focus_field("guidelines.response_style")
                await pilot.press("ctrl+e", *COPIED, "ctrl+t")
                await settle(1.5)  # the badge re-audits once typing stops (the page keeps
                # the edited field in view as the preview takes half the width)
                app.save_screenshot(filename="cards.svg", path=str(OUT))

                await pilot.press("f6")
                await settle()
                app.save_screenshot(filename="audit.svg", path=str(OUT))

                await pilot.press("f7")  # talk to the card: one reply clean, one leaking
                await settle()
                server.reply = "Honestly? One shared record, settled every Sunday. It stops " \
                               "the arguments before they start."
                await pilot.press(*"How do you keep track of who paid?", "enter")
                await settle()
                server.reply = "Mostly receipts." + COPIED
                await pilot.press(*"And day to day?", "enter")
                await settle()
                app.focused.cursor_blink = False
                await settle(0.2)
                app.save_screenshot(filename="trial.svg", path=str(OUT))

                await pilot.press("f8")  # home: what the app is for, the state at a glance
                await settle()
                await pilot.press("o")  # ask Ollama (home never asks on its own)
                await settle()
                app.save_screenshot(filename="home.svg", path=str(OUT))
        finally:
            server.close()
    print("wrote", ", ".join(sorted(p.name for p in OUT.glob("*.svg"))))


if __name__ == "__main__":
    asyncio.run(main())
