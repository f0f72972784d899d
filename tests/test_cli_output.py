"""CLI output a script can trust (issue 16, point 11): the last line of ``check`` never
says "no problems found" under a warning, and ``generate --json`` prints the error object on
stdout when it fails, once."""

from __future__ import annotations

import json

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
