"""CLI output a script can trust (issue 16, point 11): the last line of ``check`` never
says "no problems found" under a warning; an error is said once, as the error object on
stdout with ``--json``; ``audit`` without ``--source`` uses the card's audit log; ``check``
says when an OpenAI-compatible URL lacks ``/v1``."""

from __future__ import annotations

import json

import pytest

from persona_tui.cli import main


def test_check_with_a_warning_does_not_say_no_problems(monkeypatch, capsys):
    monkeypatch.setenv("OLLAMA_HOST", "http://127.0.0.1:9")  # nothing listens: a warning
    code = main(["check"])
    out, err = capsys.readouterr()
    assert "! ollama connection" in out
    assert code == 0  # an unreachable local server only warns
    last = err.strip().splitlines()[-1]
    assert "no problems found" not in last
    assert "1 warning (!)" in last


def test_generate_json_prints_the_error_object_on_stdout_once(capsys):
    code = main(["generate", "--from", "sample", "--provider", "openai", "--json"])
    out, err = capsys.readouterr()
    assert code == 1  # the run could not start: a failure, as the README's table says
    error = json.loads(out)["error"]
    assert error["code"] == "E1003" and "OPENAI_API_KEY" in error["hint"]
    assert err.strip() == ""  # said once, on stdout, where the script reads


def test_generate_json_out_of_range_count_is_a_plain_words_error(capsys):
    code = main(["generate", "--from", "sample", "--provider", "ollama", "--count", "99",
                 "--json"])
    out, err = capsys.readouterr()
    assert code == 2
    error = json.loads(out)["error"]
    assert error["code"] == "E1101"
    assert "count: must be at most 50 (got 99)" in error["message"]
    assert "pydantic" not in out.lower()


# --- errors said once, in one form (every command reports through report_error) -----------

def test_a_failed_generate_says_its_error_once(tmp_path, capsys):
    missing = str(tmp_path / "no-such-study")
    code = main(["generate", "--from", missing, "--provider", "ollama"])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.count("does not exist") == 1  # not also as a "failed:" progress line
    assert err.startswith("error E2001:") and "  hint: " in err
    code = main(["generate", "--from", missing, "--provider", "ollama", "--json"])
    out, err = capsys.readouterr()
    assert code == 2 and err == ""
    assert json.loads(out)["error"]["code"] == "E2001"


def test_an_unexpected_error_is_one_report_and_json_with_json(monkeypatch, capsys):
    import persona_tui.commands.check as check

    def broken(**_):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(check, "run_check", broken)
    assert main(["check"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.strip().splitlines()[0] == "error E0001: RuntimeError: kaboom"
    assert "Traceback" not in err
    assert main(["check", "--json"]) == 1
    out, err = capsys.readouterr()
    assert err == "" and json.loads(out)["error"]["code"] == "E0001"


# --- audit without --source: the sources the card's audit log records ----------------------

def _card(tmp_path, log: dict | None = None):
    from persona_tui.resources import sample_project

    card = json.loads((sample_project() / "cards" / "ledger-keeper.json").read_text())
    card["identity"]["name"] = "Tomás Ribeiro"  # a participant's name: blocked
    path = tmp_path / "mine.json"
    path.write_text(json.dumps(card))
    if log is not None:
        (tmp_path / "mine.audit.json").write_text(json.dumps(log))
    return path


def test_audit_without_source_uses_the_audit_logs_sources(tmp_path, capsys):
    from persona_tui.resources import sample_project

    data = str(sample_project() / "data")
    path = _card(tmp_path, {"sources": [data]})
    code = main(["audit", str(path), "--json"])
    out, err = capsys.readouterr()
    assert code == 1 and json.loads(out)["verdict"] == "blocked"  # against the logged data
    assert err.strip() == (f"no --source: auditing against {data}, from the card's audit "
                           "log (mine.audit.json)")


def test_audit_without_source_and_none_logged_is_a_clear_error(tmp_path, capsys):
    path = _card(tmp_path)
    code = main(["audit", str(path), "--report"])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.startswith("error E2005: no sources to audit mine.json against")
    assert "--source PATH" in err.splitlines()[1]
    code = main(["audit", str(path), "--json"])
    out, err = capsys.readouterr()
    error = json.loads(out)["error"]
    assert code == 2 and err == "" and error["code"] == "E2005"
    assert "--source" in error["hint"]


def test_audit_with_logged_sources_that_are_gone_names_them(tmp_path, capsys):
    gone = str(tmp_path / "moved-study")
    path = _card(tmp_path, {"sources": [gone]})
    code = main(["audit", str(path), "--json"])
    out, err = capsys.readouterr()
    error = json.loads(out)["error"]
    assert code == 2 and error["code"] == "E2001" and gone in error["message"]
    assert "--source" in error["hint"]


def test_audit_json_error_for_a_missing_card_is_on_stdout(tmp_path, capsys):
    code = main(["audit", str(tmp_path / "nope.json"), "--source", "sample", "--json"])
    out, err = capsys.readouterr()
    assert code == 2 and err == ""
    assert json.loads(out)["error"]["code"] == "E2001"


# --- check: advice about /v1 on an OpenAI-compatible URL (real socket, local server) -------

@pytest.fixture
def server(vendor_server):
    vendor_server.reset()
    yield vendor_server
    vendor_server.reset()


def test_check_advises_v1_when_an_openai_compatible_server_answers_404(server, monkeypatch,
                                                                       capsys):
    from tests.vendor_server.wire import OPENAI_KEY

    monkeypatch.setenv("OLLAMA_HOST", server.url)
    monkeypatch.setenv("OPENAI_BASE_URL", server.url)  # the root, not …/v1
    monkeypatch.setenv("OPENAI_API_KEY", "sk-not-the-servers-key-000")
    code = main(["check"])  # /models is 404 and /v1/models refuses the key: no fix-up
    out, err = capsys.readouterr()
    assert code == 1
    lines = out.splitlines()
    failed = next(i for i, line in enumerate(lines) if line.startswith("✗ openai connection"))
    assert "HTTP 404" in lines[failed]
    assert lines[failed + 1] == (f"    hint: OpenAI-compatible servers answer under /v1: set "
                                 f"the base URL to {server.url}/v1.")
    assert "Pick a model" not in out
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
    code = main(["check"])  # it answers at /v1: a warning that says which URL to save
    out, err = capsys.readouterr()
    assert code == 0
    line = next(line for line in out.splitlines() if "openai connection" in line)
    assert line.startswith("! openai connection: reachable, key accepted")
    assert f"answers at {server.url}/v1" in line
    assert f"hint: Save {server.url}/v1 as the base URL." in out
    assert "✓ ollama connection: reachable, 2 models" in out  # no key: none "accepted"
    assert "1 warning (!)" in err


def test_a_usage_error_under_json_is_the_error_object(capsys):
    with pytest.raises(SystemExit) as done:
        main(["generate", "--count", "abc", "--from", "sample", "--json"])
    out, err = capsys.readouterr()
    assert done.value.code == 2 and err == ""
    error = json.loads(out)["error"]
    assert error["code"] == "E1101" and "--count: invalid int value: 'abc'" in error["message"]
    assert error["hint"] == "See `persona-tui generate --help`."
    with pytest.raises(SystemExit):  # without --json: argparse's usage on stderr, as ever
        main(["generate", "--count", "abc", "--from", "sample"])
    out, err = capsys.readouterr()
    assert out == "" and "usage: persona-tui generate" in err


def test_check_offline_does_not_claim_the_connections_are_fine(capsys):
    assert main(["check", "--offline"]) == 0
    out, err = capsys.readouterr()
    assert "connection" not in out
    assert err.strip() == "no problems found in the local setup; connections not tested " \
                          "(--offline)"
