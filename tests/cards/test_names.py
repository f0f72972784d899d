"""Names the sources reveal, found whole in card text: name columns by header meaning and by
content, e-mail addresses, sign-offs and greetings in cells, self-introductions and nicknames,
hyphen, apostrophe and particle surnames, titles, accent- and case-insensitive matching."""

from __future__ import annotations

from pathlib import Path

import pytest

from persona_tui.core.data import DataLoader
from persona_tui.core.privacy.names import (
    SourceNames,
    is_name_header,
    name_key,
    names_in,
    participant_names,
)


def write(path: Path, text: str) -> Path:
    path.write_text(text, "utf-8")
    return path


def spans(text: str, names: SourceNames) -> list[str]:
    return [text[a:b] for a, b, _ in names.find_in(text)]


@pytest.mark.parametrize("header", [
    "name", "Full name", "First Name", "last_name", "Surname", "Your name (optional)",
    "RecipientFirstName", "respondent_name", "Vorname", "Nachname", "Nombre completo",
    "Apellidos", "Prénom", "Nom de famille", "Cognome", "Voornaam", "Förnamn", "Nazwisko",
])
def test_name_headers_by_meaning(header):
    assert is_name_header(header)


@pytest.mark.parametrize("header", ["Company name", "App name", "username", "File name",
                                    "Which town do you live in?", "comment", "Q3"])
def test_other_headers_are_not_name_columns(header):
    assert not is_name_header(header)


def test_name_columns_by_header_and_by_content(tmp_path):
    form = write(tmp_path / "form.csv",
                 'Timestamp,"Your name (optional)",Who,Town\n'
                 '1,Oluwaseun Adeyemi-Clarke,Ana Lima,Bristol\n2,Anonymous,Bo Chen,Leeds\n'
                 '3,,Dara Okafor,Hebden Bridge\n')
    names = SourceNames(DataLoader().load(form))
    text = "Oluwaseun and Adeyemi-Clarke, Ana Lima, Chen; Bristol and Leeds; Anonymous"
    assert spans(text, names) == ["Oluwaseun", "Adeyemi-Clarke", "Ana Lima", "Chen"]


def test_json_name_keys_and_email_parts(tmp_path):
    doc = write(tmp_path / "diary.json",
                '[{"name": "Zo\\u00eb Papadopoulou", "mail": "h.whitcombe1987@outlook.com"},'
                ' {"name": "", "mail": "studio@fernhollow-design.co.uk"}]')
    names = SourceNames(DataLoader().load(doc))
    assert spans("Zoe Papadopoulou met Ms Whitcombe at Fernhollow", names) == \
        ["Zoe Papadopoulou", "Whitcombe", "Fernhollow"]
    assert spans("Outlook and design studio", names) == []


@pytest.mark.parametrize(("source", "card", "expected"), [
    ("col\n\"Please fix the app! Thanks, Marisol\"\n", "Marisol's idea", ["Marisol"]),
    ("Cheers,\nRuairí\n", "talks like ruairi", ["ruairi"]),
    ("Hi Saoirse, the rent is due.", "Owes Saoirse money", ["Saoirse"]),
    ("Hi, this is Beatriz again: I forgot", "Calls Beatriz", ["Beatriz"]),
    ("so my name is Declan O'Sullivan, but everyone calls me Deco.",
     "My name is Declan O'Sullivan, but everyone calls me Deco", ["Declan O'Sullivan", "Deco"]),
    ("My landlady, Mrs Fairweather-Lowe, took cash.", "Mrs Fairweather-Lowe and Fairweather-Lowe",
     ["Fairweather-Lowe", "Fairweather-Lowe"]),
    ("# Interview P09 — Henrike van der Berg\n", "Ms van der Berg, Henrike van der Berg",
     ["van der Berg", "Henrike van der Berg"]),
    ("My neighbour Dr Achterberg checks it.", "Checked by Dr Achterberg", ["Achterberg"]),
])
def test_names_from_contexts_are_found_whole(source, card, expected):
    names = SourceNames([DataLoader().load_text(source, doc_id="s.txt")])
    assert spans(card, names) == expected


def test_everyday_words_and_roles_are_not_names():
    names = SourceNames([DataLoader().load_text(
        "Speaker 2  0:04\nI'm British and I'm Irish too. This is Tuesday. Thanks, Team\n"
        "Interviewer: Kit me out, said my flatmate Kit Harper.\n", doc_id="s.txt")])
    assert spans("British, Irish, Tuesday, Team, Speaker, the kit bag", names) == []
    assert spans("Kit Harper", names) == ["Kit Harper"]  # "Kit" counts next to a name


def test_accents_and_case_do_not_hide_a_name():
    assert name_key("Tomás") == name_key("TOMAS") == "tomas"
    assert name_key("O’Sullivan") == name_key("o'sullivan")
    names = SourceNames([DataLoader().load_text("Tomás: we use a group chat.",
                                                doc_id="t.md")])
    assert spans("Like Tomas and TOMÁS", names) == ["Tomas", "TOMÁS"]


def test_participant_names_lists_each_person_once(tmp_path):
    write(tmp_path / "a.md", "# Interview — Sofia Marquez\n\n**Sofia:** my partner Tobias pays."
                             "\n\nCheers,\nSofia\n")
    write(tmp_path / "b.csv", "name,comment\nPriya Natarajan,fine\n")
    found = {entry.name for entry in participant_names(tmp_path)}
    assert found == {"Sofia Marquez", "Tobias", "Priya Natarajan"}
    assert [text for text in (("Sofia Ribeiro"),)
            if names_in(text, tmp_path)] == ["Sofia Ribeiro"]  # shares a first name
    assert names_in("Noor Haddad", tmp_path) == []


def test_capitalised_runs_are_found_as_the_regular_expression_finds_them():
    """SourceNames finds mid-sentence capitalised runs with byte tables first (fast on a
    large corpus); on hostile text (accents, ß, emoji, "?", possessives) it finds what the
    plain regular expression finds."""
    import random

    from persona_tui.core.privacy import names

    rng = random.Random(2)
    bits = ["a", "b", "Z", "Ana", " ", "  ", "\t", ",", ";", ":", ".", "?", "é", "É", "Ö", "ß",
            "\n", "(", "'s", "Mc", "-", "Ó", "x ", "Ɐ", "?A", "😀"]
    for _ in range(3000):
        text = "".join(rng.choice(bits) for _ in range(rng.randint(0, 30)))
        assert names._mid_sentence_runs(text) == set(names._MID_SENTENCE.findall(text)), text
