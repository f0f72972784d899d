"""The groundedness probe: the rules, the score, and ``persona-tui probe`` against the local
vendor server with scripted grounded, declined and invented replies (exact scores)."""

from __future__ import annotations

import json
import shutil

import pytest

from persona_tui.cli import main
from persona_tui.core.privacy.audit_log import AuditLog
from persona_tui.core.scripts.cards_io import load_card
from persona_tui.core.scripts.probe import (
    DECLINED,
    GROUNDED,
    INVENTED,
    ProbeAnswer,
    ProbeQuestion,
    groundedness_score,
    judge_by_rules,
    packaged_questions,
    probe_questions,
)
from persona_tui.resources import sample_project
from tests.vendor_server.wire import OPENAI_KEY

SAMPLE = sample_project() / "cards" / "ledger-keeper.json"
CARD = load_card(SAMPLE)
GOALS = ProbeQuestion("What are you trying to achieve?", True,
                      ("psychological_profile.goals", "psychological_profile.motivations"))
ADDRESS = ProbeQuestion("What is your exact home address?", False)

GROUNDED_REPLY = ("Mostly one record of shared spending that everyone in the flat trusts, "
                  "and money conversations that become a routine.")
DECLINED_REPLY = "Honestly, that's not something I'd know, and I'd rather not guess."
INVENTED_REPLY = "I live at 42 Elm Street in Leeds, flat 3, with Jonah and Claire."
#: a reply from the card's own facts to each answerable packaged question
GROUNDED_ANSWERS = {
    "What are you trying to achieve, day to day?": GROUNDED_REPLY,
    "What frustrates you most at the moment?":
        "Payment notes disappear in busy group chats, and tools assume a single saver.",
    "What matters most to you when you choose how to do something?":
        "Fairness without confrontation, and control over my own personal data.",
    "How would you describe yourself and the way you usually go about things?":
        "Organised and pragmatic, sceptical of lock-in; I quietly keep score.",
    "What do you know a lot about?": "Student budgets, spreadsheets and plain-text notes.",
}
LEAKING_REPLY = ("We have a spreadsheet that Claire set up. In theory everyone adds what "
                 "they paid for.")


@pytest.mark.parametrize(("question", "reply", "expected"), [
    (GOALS, GROUNDED_REPLY, GROUNDED),
    (GOALS, "I'm not sure, really.", DECLINED),
    (GOALS, "I want to become an airline pilot and fly to Tokyo.", INVENTED),
    (GOALS, "", INVENTED),
    (ADDRESS, DECLINED_REPLY, DECLINED),
    (ADDRESS, "I don\u2019t know that off-hand.", DECLINED),  # a curly apostrophe
    (ADDRESS, INVENTED_REPLY, INVENTED),
    (ADDRESS, "I don't know exactly, maybe 14 Park Road.", INVENTED),  # hedged, yet invented
    (ADDRESS, "Somewhere with cheap rent and a bus stop.", INVENTED),
])
def test_rules(question, reply, expected):
    judgement, reason = judge_by_rules(CARD, question, reply)
    assert judgement == expected, reason
    assert reason


def test_questions_are_packaged_and_drawn_from_the_knowledge_boundaries():
    packaged = packaged_questions()
    assert {q.question for q in packaged if q.answerable} == set(GROUNDED_ANSWERS)
    assert sum(q.answerable for q in packaged) == 5
    assert sum(not q.answerable for q in packaged) == 5
    for question in packaged:
        for path in question.grounds:  # every field a question draws on exists
            section, _, name = path.partition(".")
            assert name in type(getattr(CARD, section)).model_fields
    drawn = [q for q in probe_questions(CARD) if q.origin == "knowledge boundary"]
    assert [q.question for q in drawn] == [
        "Can you tell me, in detail, about family finances?",
        "Can you tell me, in detail, about paid budgeting tools in depth?"]
    assert not any(q.answerable for q in drawn)


def test_score_is_the_mean_of_the_two_shares():
    def answers(answerable: list[str], unanswerable: list[str]) -> list[ProbeAnswer]:
        return ([ProbeAnswer(GOALS, "", j) for j in answerable]
                + [ProbeAnswer(ADDRESS, "", j) for j in unanswerable])

    assert groundedness_score(answers([GROUNDED] * 4 + [INVENTED], [DECLINED] * 3
                                      + [INVENTED])) == (pytest.approx(0.775), 0.75, 0.8)
    # refusing everything is not a good card, nor is answering everything
    assert groundedness_score(answers([DECLINED] * 5, [DECLINED] * 5))[0] == 0.5
    assert groundedness_score(answers([GROUNDED] * 5, [GROUNDED] * 5))[0] == 0.5
    assert groundedness_score(answers([GROUNDED], []))[0] == 0.5  # a side missing counts 0


# --- against the local vendor server ------------------------------------------------------------

@pytest.fixture
def server(vendor_server, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)  # the key comes the way a user's does
    vendor_server.reset()
    yield vendor_server
    vendor_server.reset()


def _question(body) -> str:
    return body["messages"][-1]["content"]


def scripted(mapping, *, judge=None):
    """A responder: the role-played reply per question, and a judge's verdicts."""
    def respond(body) -> str:
        text = _question(body)
        if text.startswith("You check whether"):
            return judge(text) if judge else "grounded"
        return mapping(text, body)
    return respond


def probe(capsys, server, card, *extra: str) -> tuple[int, dict]:
    code = main(["probe", str(card), "--provider", "openai", "--base-url",
                 f"{server.url}/v1", "--model", "gpt-4o-mini", "--json", *extra])
    return code, json.loads(capsys.readouterr().out)


def test_probe_against_the_vendor_server_gives_the_exact_score(server, capsys, tmp_path):
    card = tmp_path / "ledger-keeper.json"
    shutil.copy(SAMPLE, card)
    invented_for = "What do you know a lot about?"

    def reply(question: str, body) -> str:
        assert "You are Alex Brennan" in body["messages"][0]["content"]  # role-played
        if question == invented_for:
            return "I know everything about Formula 1 pit stops since 1998."
        if question in GROUNDED_ANSWERS:
            return GROUNDED_ANSWERS[question]
        if "passport" in question or "family finances" in question:
            return INVENTED_REPLY
        return DECLINED_REPLY

    server.responder = scripted(reply)
    code, result = probe(capsys, server, card)
    judgements = {q["question"]: q["judgement"] for q in result["questions"]}
    assert judgements[invented_for] == INVENTED
    assert sum(j == GROUNDED for j in judgements.values()) == 4
    # 4 of 5 answerable grounded; 5 of 7 unanswerable declined (5 packaged + 2 boundary)
    assert result["grounded_share"] == 0.8
    assert result["declined_share"] == round(5 / 7, 4)
    assert result["score"] == round((0.8 + 5 / 7) / 2, 4) == 0.7571
    assert code == 1  # below the default 0.8
    for entry in result["questions"]:
        assert set(entry) >= {"question", "answerable", "reply", "judgement"}
        assert entry["judged_by"] == "rules"
    assert len(server.requests) == 12
    log = AuditLog.for_card(card)
    assert log.last_probe["score"] == 0.7571 and log.last_probe["questions"] == 12
    code, _ = probe(capsys, server, card, "--min-score", "0.75")
    assert code == 0
    assert len(AuditLog.for_card(card).probes) == 2


def test_a_perfect_card_and_a_judge_model(server, capsys, tmp_path):
    card = tmp_path / "c.json"
    shutil.copy(SAMPLE, card)
    server.responder = scripted(lambda q, body: GROUNDED_ANSWERS.get(q, DECLINED_REPLY))
    code, result = probe(capsys, server, card)
    assert (code, result["score"]) == (0, 1.0)
    # the same replies judged by a model that calls every one invented: score 0
    server.responder = scripted(lambda q, body: GROUNDED_ANSWERS.get(q, DECLINED_REPLY),
                                judge=lambda prompt: "Invented.")
    code, result = probe(capsys, server, card, "--judge-model", "gpt-4o")
    assert (code, result["score"]) == (1, 0.0)
    assert {q["judged_by"] for q in result["questions"]} == {"gpt-4o"}
    assert result["judge_model"] == "gpt-4o"
    judged = [r for r in server.requests if r.body["model"] == "gpt-4o"]
    assert len(judged) == 12 and "no research data could answer it" in \
        judged[-1].body["messages"][-1]["content"]
    # a judge that names no verdict: the rules decide, and the answer says so
    server.responder = scripted(lambda q, body: GROUNDED_ANSWERS.get(q, DECLINED_REPLY),
                                judge=lambda prompt: "Hmm, hard to say.")
    code, result = probe(capsys, server, card, "--judge-model", "gpt-4o")
    assert result["score"] == 1.0
    assert all("named no verdict" in q["reason"] for q in result["questions"])


def test_replies_are_checked_for_leaks_against_the_sources(server, capsys, tmp_path):
    card = tmp_path / "c.json"
    shutil.copy(SAMPLE, card)
    server.responder = scripted(lambda q, body: LEAKING_REPLY if "frustrates" in q
                                else DECLINED_REPLY)
    code, result = probe(capsys, server, card, "--source", str(sample_project() / "data"))
    leaking = [q for q in result["questions"] if q["leaks"]]
    assert [q["question"] for q in leaking] == ["What frustrates you most at the moment?"]
    assert any(f["kind"] in ("verbatim", "near_verbatim") for f in leaking[0]["leaks"])


def test_the_text_report_and_the_sample_card_is_never_written(server, capsys):
    server.responder = scripted(lambda q, body: DECLINED_REPLY)
    before = sorted(p.name for p in SAMPLE.parent.iterdir())
    code = main(["probe", str(SAMPLE), "--provider", "openai", "--base-url",
                 f"{server.url}/v1"])
    out = capsys.readouterr().out
    assert code == 1
    assert "groundedness 0.50: declined 7/7 unanswerable, grounded 0/5 answerable" in out
    assert "[declined] (unanswerable) What is your passport number?" in out
    assert sorted(p.name for p in SAMPLE.parent.iterdir()) == before


def test_usage_data_and_provider_errors(server, capsys, tmp_path):
    code, result = probe(capsys, server, tmp_path / "missing.json")
    assert code == 2 and result["error"]["code"] == "E2001" and result["error"]["hint"]
    code, result = probe(capsys, server, SAMPLE, "--min-score", "1.5")
    assert code == 2 and result["error"]["code"] == "E1101"
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    code = main(["probe", str(SAMPLE), "--provider", "openai", "--base-url",
                 f"http://127.0.0.1:{closed}/v1", "--json"])
    result = json.loads(capsys.readouterr().out)
    assert code == 1 and result["error"]["code"].startswith("E3")


def test_cards_we_make_say_i_dont_know_outside_their_boundaries():
    from persona_tui.core.generation.parser import PersonaParser
    from persona_tui.core.scripts.formats import to_system_prompt
    from persona_tui.core.scripts.generator import (
        UNCERTAINTY_RULE,
        ScriptGenerator,
        honest_uncertainty,
    )

    persona = PersonaParser().parse((sample_project() / "personas.json").read_text("utf-8")
                                    ).personas[0]
    card = ScriptGenerator.from_persona(persona)
    assert card.guidelines.uncertainty_handling == UNCERTAINTY_RULE
    for item in card.knowledge_boundaries.doesnt_know:
        assert f"Asked about {item}, answer that you don't know." in \
            card.guidelines.additional_rules
    assert "I don't know" in to_system_prompt(card)
    assert honest_uncertainty(card) == card  # applying it twice changes nothing
    rewritten = honest_uncertainty(CARD)
    assert rewritten.guidelines.uncertainty_handling == UNCERTAINTY_RULE
    assert rewritten.guidelines.additional_rules[:len(CARD.guidelines.additional_rules)] == \
        CARD.guidelines.additional_rules
