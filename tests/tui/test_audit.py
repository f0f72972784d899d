"""The privacy audit viewer driven by keys: verdict, sorting, side-by-side spans, jump to the
field, redaction, accepting with a reason, re-run, export, and bad sources."""

from __future__ import annotations

import json

import pytest
from textual.widgets import DataTable, Input, Static

from persona_tui.resources import sample_project
from persona_tui.tui.app import PersonaApp
from persona_tui.tui.screens.audit import AuditScreen
from persona_tui.tui.screens.cards import CardsScreen
from persona_tui.tui.screens.dialogs import AskText, ErrorDialog, Pick

SAMPLE_CARD = sample_project() / "cards" / "ledger-keeper.json"
COPIED = "I started keeping my own notes in a text file, just date, what, how much, who paid."


@pytest.fixture
def leaky_card(paths):
    """The sample card with a copied sentence, a participant's name and an email."""
    card = json.loads(SAMPLE_CARD.read_text())
    card["guidelines"]["response_style"] = f"Plain. {COPIED}"
    card["psychological_profile"]["goals"].append("Be more like Tomás about receipts")
    card["guidelines"]["additional_rules"] = ["Write to alex.b@example.org for help"]
    path = paths.cards_dir / "leaky.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(card))
    return path


async def settle(pilot, rounds: int = 3) -> None:
    for _ in range(rounds):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def text_of(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def rows(app) -> list[list[str]]:
    table = app.screen.query_one(DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def select(pilot, kind: str) -> None:
    """Move the table's cursor to the first finding of ``kind`` with ↑/↓, as a user would."""
    index = next(i for i, row in enumerate(rows(pilot.app)) if row[1] == kind)
    table = pilot.app.screen.query_one(DataTable)
    await pilot.press(*(["up"] * table.cursor_row), *(["down"] * index))
    await pilot.pause()
    assert table.cursor_row == index


def viewer(card) -> PersonaApp:
    return PersonaApp(start="audit", card=str(card), sources=["sample"])


def _span_rows(app, view_id: str) -> tuple[list[int], int, int]:
    """Rows of the pane's text drawn with the highlight (as rendered), its scroll offset
    and its height in view."""
    from textual.geometry import Region

    from persona_tui.tui.widgets.compare import SpanView

    view = app.screen.query_one(view_id, SpanView)
    text = view.query_one(Static)
    lines = text.render_lines(Region(0, 0, text.size.width, text.size.height))
    rows = [y for y, strip in enumerate(lines)
            if any(seg.style is not None and seg.style.reverse for seg in strip)]
    return rows, round(view.scroll_y), view.scrollable_content_region.height


async def test_verdict_findings_and_side_by_side_source_at_80x24(leaky_card):
    """Point 10 of issue 16 too: the source pane scrolls the match into view, centred, and
    both panes' titles fit 80 columns."""
    # and a quasi-identifier (issue 15 point 6): no single detail names anyone, together they
    # fit one survey row, and the source pane lists the rows that fit
    card = json.loads(leaky_card.read_text())
    card["identity"]["demographics_summary"] = "Aged 65+, a couple, keeps a paper notebook"
    leaky_card.write_text(json.dumps(card))
    async with viewer(leaky_card).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(pilot.app.screen, AuditScreen)
        assert text_of(pilot.app, "#verdict") == "BLOCKED"
        table = rows(pilot.app)
        kinds = {row[1] for row in table}
        assert {"verbatim", "name", "email"} <= kinds
        ranks = {"high": 2, "medium": 1, "low": 0}
        severities = [ranks[row[0]] for row in table]
        assert severities == sorted(severities, reverse=True)  # highest first
        await select(pilot, "verbatim")
        title = pilot.app.screen.query_one("#source-side-title")
        assert title.tooltip == "Source · interviews/p02-tomas.md, speaker Tomás, line 20"
        source = pilot.app.screen.query_one("#source-side", Static).render()
        highlighted = "".join(source.plain[s.start:s.end] for s in source.spans
                              if s.style.reverse)
        assert highlighted.startswith("I started keeping my own notes")
        card_side = pilot.app.screen.query_one("#card-side", Static).render()
        assert any(card_side.plain[s.start:s.end].startswith("I started") for s in
                   card_side.spans)
        await pilot.pause()
        rows_, top, height = _span_rows(pilot.app, "#source-view")
        assert rows_ and height >= 3
        first, last = rows_[0], rows_[-1]
        assert top <= first < top + height  # the start of the match is on screen
        if last - first + 1 <= height:  # all of it, its middle in the pane's middle
            assert last < top + height
            assert abs((first + last) / 2 - top - (height - 1) / 2) <= 1
        assert first > 0  # text before the match is there, above (scroll up to read it)
        for selector, full in (("#source-side-title", "Source · interviews/p02-tomas.md"),
                               ("#card-side-title", "Card · guidelines.response_style")):
            title = pilot.app.screen.query_one(selector)
            shown = str(title.render())
            assert len(shown) <= title.content_size.width and "…" not in shown
            assert shown.startswith(full.split(" · ")[0]) and title.tooltip.startswith(full)
        assert str(pilot.app.screen.query_one("#source-side-title").render()) == \
            "Source · p02-tomas.md, line 20"
        await select(pilot, "name")
        await pilot.pause()
        assert str(pilot.app.screen.query_one("#card-side-title").render()) == \
            "Card · goals[3]"  # "psychological_profile.goals[3]" does not fit
        rows_, top, height = _span_rows(pilot.app, "#source-view")
        assert rows_ and top <= rows_[0] < top + height
        await select(pilot, "quasi_identifier")
        assert rows(pilot.app)[pilot.app.screen.query_one(DataTable).cursor_row][0] == "high"
        source = pilot.app.screen.query_one("#source-side", Static).render().plain
        assert "fit 1 participant (k = 1): age 65-120; household 'couple'" in source
        assert source.endswith("Matching rows or documents:\n• survey.csv row 12")
        assert "k = 1" in text_of(pilot.app, "#suggestion")


async def test_sort_cycles_and_keeps_every_finding(leaky_card):
    async with viewer(leaky_card).run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        before = rows(pilot.app)
        await pilot.press("s")  # lowest first
        await pilot.pause()
        after = rows(pilot.app)
        assert sorted(map(tuple, after)) == sorted(map(tuple, before))
        assert after[0][0] != "high" and after[-1][0] == "high"


async def test_jump_to_field_opens_the_editor_on_it(leaky_card):
    async with viewer(leaky_card).run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await select(pilot, "name")
        await pilot.press("j")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CardsScreen)
        assert pilot.app.focused.id == "f-psychological_profile--goals"  # the goals list
        assert pilot.app.focused.cursor_location == (3, len("Be more like "))  # its item


async def test_redaction_is_an_unsaved_undoable_edit_and_rerun(leaky_card):
    async with viewer(leaky_card).run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await select(pilot, "email")
        count = len(rows(pilot.app))
        await pilot.press("x")
        await settle(pilot)
        session = pilot.app.services.cards.current
        assert "alex.b@example.org" not in session.data["guidelines"]["additional_rules"][0]
        assert session.dirty
        assert len(rows(pilot.app)) == count - 1  # re-run after the redaction
        assert "email" not in {row[1] for row in rows(pilot.app)}
        await pilot.press("f5")
        await settle(pilot)
        assert "unsaved" in str(pilot.app.screen.query_one("#card-title").render())
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert "alex.b@example.org" in session.data["guidelines"]["additional_rules"][0]


async def test_accept_with_a_reason_goes_to_the_audit_log_and_the_badge(leaky_card):
    """The editor's badge follows the viewer's verdict at once, not at the next edit
    (issue 16, point 10)."""
    from persona_tui.tui.widgets.audit_badge import AuditBadge

    async with viewer(leaky_card).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f5")
        await settle(pilot)
        badge = pilot.app.screen.query_one(AuditBadge)
        assert str(badge.render()).startswith("audit: blocked")
        await pilot.press("f6")
        await settle(pilot)
        await select(pilot, "name")
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(pilot.app.screen, AskText)
        await pilot.press("enter")  # empty: refused, the form stays
        await pilot.pause()
        assert isinstance(pilot.app.screen, AskText)
        await pilot.press(*"invented name", "enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, AuditScreen)
        log = json.loads(leaky_card.with_name("leaky.audit.json").read_text())
        reasons = [entry["reason"] for entry in log["accepted"].values()]
        assert reasons == ["invented name"]
        assert "accepted" in [row[0] for row in rows(pilot.app)]
        assert "1 accepted" in text_of(pilot.app, "#audit-title")
        await select(pilot, "verbatim")  # the other high finding
        await pilot.press("a")
        await pilot.pause()
        await pilot.press(*"kept", "enter")
        await settle(pilot)
        assert text_of(pilot.app, "#verdict") == "WARN"
        await pilot.press("f5")
        await pilot.pause()
        assert str(badge.render()) == "audit: warn (1 medium) · 2 accepted"
        assert "-warn" in badge.classes


async def test_export_the_report_as_json_and_markdown(leaky_card, paths):
    async with viewer(leaky_card).run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(pilot.app.screen, Pick)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("e", "down", "enter")
        await pilot.pause()
    report = json.loads((paths.audit_dir / "ledger-keeper-privacy-audit.json").read_text())
    assert report["verdict"] == "blocked" and report["card"] == "ledger-keeper"
    markdown = (paths.audit_dir / "ledger-keeper-privacy-audit.md").read_text()
    assert markdown.startswith("# Privacy audit: Alex Brennan")


async def test_a_missing_source_says_so_and_retyping_reruns(leaky_card, tmp_path,
                                                            monkeypatch):
    """After a run with a bad source path the screen says so once the dialog is closed,
    and the findings of the earlier run are gone, not left beside it (point 10)."""
    async with viewer(leaky_card).run_test(size=(80, 24)) as pilot:
        app = pilot.app
        await settle(pilot)
        assert text_of(app, "#verdict") == "BLOCKED" and rows(app)
        sources = app.screen.query_one("#sources", Input)
        sources.focus()
        monkeypatch.chdir(tmp_path)  # a short path that does not exist, typed as a user would
        await pilot.press("ctrl+u", *"gone", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ErrorDialog) and "does not exist" in app.screen.text
        await pilot.press("escape")
        await pilot.pause()
        assert text_of(app, "#verdict") == "FAILED"
        title = text_of(app, "#audit-title")
        assert title == "Audit failed: gone does not exist [E2001]"
        assert "see the message" not in title
        assert rows(app) == [] and app.screen.result is None
        assert text_of(app, "#card-side") == "" and text_of(app, "#source-side") == ""
        assert "Enter in Sources" in text_of(app, "#suggestion")
        assert isinstance(app.focused, DataTable)
        await pilot.press("x", "a")  # nothing stale to redact or accept
        await pilot.pause()
        assert isinstance(app.screen, AuditScreen)
        sources.focus()
        await pilot.press("ctrl+u", *"sample", "enter")
        await settle(pilot)
        assert text_of(app, "#verdict") == "BLOCKED" and rows(app)


async def test_rerun_audits_again_and_records_the_run(leaky_card):
    async with viewer(leaky_card).run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        log = leaky_card.with_name("leaky.audit.json")
        runs = len(json.loads(log.read_text())["runs"])
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert len(json.loads(log.read_text())["runs"]) == runs + 1
        assert text_of(pilot.app, "#verdict") == "BLOCKED"


async def test_files_skipped_in_the_sources_are_named(leaky_card, tmp_path):
    folder = tmp_path / "study"
    folder.mkdir()
    (folder / "notes.md").write_text("Tomás: I keep my own notes.\n")
    (folder / "export.txt").write_bytes(b"\x00\x01\x02" * 100)
    app = PersonaApp(start="audit", card=str(leaky_card), sources=[str(folder)])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert text_of(app, "#verdict") == "BLOCKED"  # the readable file was audited
        warnings = [str(n.message) for n in app._notifications if n.title == "Sources"]
        assert len(warnings) == 1 and "export.txt" in warnings[0]


async def test_with_no_card_open_the_viewer_says_where_to_go(paths):
    async with PersonaApp(start="audit").run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "Press F5" in text_of(pilot.app, "#audit-title")


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_snapshot_audit_blocked(snap_compare, leaky_card, size):
    assert snap_compare(viewer(leaky_card), terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_snapshot_audit_pass(snap_compare, size):
    assert snap_compare(PersonaApp(start="audit", card=str(SAMPLE_CARD)), terminal_size=size,
                        run_before=settle)


async def test_audit_exits_by_the_card_on_disk_after_a_discarded_redaction(leaky_card):
    """`persona-tui audit` (issue 16, point 10): redacting every high finding makes the
    viewer say pass or warn, but the user quits and discards: the file is still blocked."""
    from persona_tui.tui.app import audit_exit_status
    from persona_tui.tui.screens.dialogs import UnsavedChanges

    app = viewer(leaky_card)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for kind in ("verbatim", "name"):
            await select(pilot, kind)
            await pilot.press("x")
            await settle(pilot)
        assert text_of(app, "#verdict") in ("PASS", "WARN")
        assert not app.services.audit.last_result.blocked  # what the viewer showed last
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, UnsavedChanges)
        await pilot.press("d")
        await settle(pilot)
    assert audit_exit_status(app) == 1


def test_a_title_too_long_for_every_wording_is_cut_with_an_ellipsis():
    from persona_tui.tui.widgets.compare import fit

    assert fit(["Source · a/b.md, line 2", "Source · b.md"], 14) == "Source · b.md"
    assert fit(["Source · a/b.md", "interview-with-a-long-name.md"], 12) == "interview-w…"
    assert fit(["x"], 0) == ""
