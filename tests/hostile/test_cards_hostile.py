"""Malformed card files of every kind. Entry points: ``audit`` and ``edit`` (exit 2 with E2006,
every byte checked), the SDK's ``load_card`` and the app's card service (documented errors
only)."""

from __future__ import annotations

import json

import pytest

from persona_tui.core.errors import DataError, PersonaError, ValidationError
from persona_tui.core.scripts.cards_io import load_card
from tests.hostile import files
from tests.hostile.conftest import DATA, assert_clean

CASES = sorted([
    "png-bad-base64", "png-not-json", "png-json-list", "png-truncated-chunk", "v2-data-list",
    "v2-extensions-list", "v2-data-string", "v3-data-list", "top-level-list",
    "top-level-string", "deep-nesting", "deep-object", "not-utf8", "empty", "charx-not-zip"])
#: V2 with ``extensions: [1]`` (a traceback on the old main) may load: the list is ignored
TOLERATED = {"v2-extensions-list"}
#: the cases the issue names: a malformed file, not a card with a bad field, so E2006
E2006_CASES = {"png-bad-base64", "png-not-json", "v2-data-list",
               "top-level-list", "deep-nesting", "not-utf8", "empty", "v2-data-string",
               "v3-data-list", "top-level-string", "png-truncated-chunk", "deep-object"}


@pytest.fixture(scope="module")
def cards(tmp_path_factory):
    return files.malformed_cards(tmp_path_factory.mktemp("cards"))


@pytest.mark.parametrize("case", CASES)
def test_load_card_raises_only_documented_errors(cards, case):
    if case in TOLERATED:
        try:
            assert load_card(cards[case]).identity.name
        except PersonaError as exc:
            assert_clean(exc.describe())
        return
    with pytest.raises(PersonaError) as caught:
        load_card(cards[case])
    assert isinstance(caught.value, (DataError, ValidationError))
    if case in E2006_CASES:
        assert caught.value.code == "E2006", caught.value.describe()
    assert_clean(caught.value.describe())


@pytest.mark.parametrize("case", CASES)
def test_audit_and_edit_exit_2_with_a_code(cli, cards, case, monkeypatch):
    import persona_tui.tui.app as app

    # a card that loads opens the app: stand in for it (this test is about refusals)
    monkeypatch.setattr(app, "run_app", lambda *a, **k: 0)
    for args in (("audit", cards[case], "--source", DATA, "--report"),
                 ("audit", cards[case], "--source", DATA, "--json"),
                 ("edit", cards[case])):
        result = cli(*args)
        if case in TOLERATED:
            assert result.code in (0, 1, 2)
            continue
        assert result.code == 2, (args, result.text)
        if "--json" in args:  # the error is the JSON object on stdout, as the CLI promises
            error = json.loads(result.out)["error"]
            assert error["code"] in ("E2006", "E1101") and error["hint"], error
            assert_clean(result.out, "stdout")
            assert_clean(error["message"])
        else:
            assert b"error E2006" in result.err or b"error E1101" in result.err


def test_card_service_lists_around_broken_cards_and_opens_with_an_error(cards, paths):
    from persona_tui.services.cards import CardService

    paths.cards_dir.mkdir(parents=True, exist_ok=True)
    for case, path in cards.items():
        (paths.cards_dir / path.name).write_bytes(path.read_bytes())
    service = CardService(paths)
    listed = {entry.path.name for entry in service.list(include_samples=False)}
    assert not listed & {p.name for c, p in cards.items() if c not in TOLERATED}
    for case, path in cards.items():
        if case in TOLERATED:
            continue
        with pytest.raises(PersonaError):
            service.open(paths.cards_dir / path.name)
