"""Leaks planted in the privacy corpus (``tests/cards/corpus``), one card text per case, and
the recall of the auditor on them, per kind.

The corpus mimics what studies really hold: a form-tool CSV export ("Your name (optional)",
free-text cells with sign-offs), a survey-platform export (three header rows, recipient
columns), a meeting-tool VTT with voice tags and cue ids, an SRT call, an auto-transcription
text with "Speaker 2  0:04" turns, Markdown interviews with a metadata header, a JSON diary
export with escaped strings, and German and Spanish survey CSVs. Each case names the text a
card might carry and the span of it that must be flagged, whole.

``recall_table(auditor, documents)`` is used by ``test_recall.py`` and by
``tests/benchmarks/bench_privacy.py --recall``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

CORPUS = Path(__file__).parent / "corpus"


@dataclass(frozen=True)
class Case:
    kind: str
    text: str
    #: the part of ``text`` that must lie inside one finding of ``kind`` (all of text if "")
    expect: str = ""
    #: the least severity that counts as found
    severity: str = "medium"
    #: the document the finding must point at ("" = any)
    source: str = ""

    @property
    def span(self) -> tuple[int, int]:
        target = self.expect or self.text
        at = self.text.index(target)
        return at, at + len(target)


V, NV, E, P, U, N, ID, Q = ("verbatim", "near_verbatim", "email", "phone", "url", "name",
                            "identifier", "quasi_identifier")

CASES: list[Case] = [
    # --- verbatim: copied runs, from every export shape -------------------------------------
    Case(V, "Keeps a shoebox of receipts under the bed, sorted by the colour of the paper clip",
         "a shoebox of receipts under the bed, sorted by the colour of the paper clip",
         "high", "call-teams.vtt"),
    Case(V, "We kept a jam jar on the fridge for her envelope and whoever was short that week "
            "put in an IOU", severity="high", source="call-hulme.srt"),
    Case(V, "Whoever pays the electric ticks their box, and the lad who forgets buys the pizza "
            "on Sunday", severity="high", source="transcript-otter.txt"),
    Case(V, "I pay the nursery and the energy and then spend the weekend chasing their dad for "
            "half", severity="high", source="form-export.csv"),
    Case(V, 'Says: "The café near work lets me run a "tab" and settle it on payday."',
         'The café near work lets me run a "tab" and settle it on payday', "high",
         "diary-study.json"),
    Case(V, 'The banner said "book it now" and I did, then found the fee was per person',
         severity="high", source="form-export.csv"),
    Case(V, "Except when the shared card expires and nobody notices for weeks.",
         "Except when the shared card expires and nobody notices for weeks",
         source="form-export.csv"),
    Case(V, "Meine Frau führt das Haushaltsbuch, ich zahle nur die Miete",
         source="umfrage-de.csv"),
    Case(V, 'Mi hermano nunca paga su parte del internet, siempre dice "la semana que viene"',
         'Mi hermano nunca paga su parte del internet, siempre dice "la semana que viene',
         "high", "encuesta-es.csv"),
    Case(V, "Someone paid the broadband for a year and nobody noticed until she moved to Cork",
         "paid the broadband for a year and nobody noticed until she moved to Cork", "high",
         "survey-platform-export.csv"),
    Case(V, "The worst part is the silence afterwards, when nobody says anything and the "
            "spreadsheet just sits there with a red cell", severity="high",
         source="interview-henrike.md"),
    Case(V, "Nobody had change, so I paid with my card and sent a request that is still "
            "pending.", "Nobody had change, so I paid with my card and sent a request that is "
            "still pending", "high", "diary-study.json"),
    # --- near-verbatim: light edits that break every seven-word run or nearly -------------
    Case(NV, "My daughter set up my standing orders years ago, and now each change of tariff "
             "means phoning her in Aberdeen and reading the letter out line by line.",
         source="call-teams.vtt"),
    Case(NV, "We kept a jam jar on the fridge for the envelope, and whoever was short that "
             "week put an IOU in, written on a beer mat.", source="call-hulme.srt"),
    Case(NV, "We have a whiteboard in the hall with a grid, whoever pays the electric ticks "
             "their box and the lad who forgets buys Sunday's pizza.",
         source="transcript-otter.txt"),
    Case(NV, "I pay for the nursery and the energy, then I spend the weekend chasing their dad "
             "for half.", source="form-export.csv"),
    Case(NV, "The app kept nagging my partner at midnight, and that started more arguments "
             "than it ever settled.", source="form-export.csv"),
    Case(NV, "My son's phone bill lands on my card each month and we never settle it.",
         source="form-export.csv"),
    Case(NV, "The council tax account number is written on the inside of the kitchen cupboard "
             "door so I never need to look for it.", source="call-teams.vtt"),
    Case(NV, "He transfers his share on the twelfth and if it's late I text him rather than "
             "knock on his door, since a text feels less like a landlady.",
         source="interview-henrike.md"),
    Case(NV, "My cousin set up a shared account for us, but nobody ever topped it up after "
             "the first month.", source="transcript-otter.txt"),
    Case(NV, "Something that just pings everybody on the day the bill comes out would honestly "
             "be grand.", source="transcript-otter.txt"),
    Case(NV, "Our landlord wanted the deposit split three ways even though only two of us "
             "actually lived there.", source="survey-platform-export.csv"),
    Case(NV, "The café near work lets me run a tab and settle it on payday; it's the only "
             "budgeting I really stick to.", source="diary-study.json"),
    Case(NV, "Nobody had change, so I paid by card and sent a request that's still pending.",
         source="diary-study.json"),
    Case(NV, "The worst part is the silence afterwards, when no one says anything and the "
             "spreadsheet just sits there with a red cell.", source="interview-henrike.md"),
    Case(NV, "My neighbour checks the sums for me once a year; she was an accountant before "
             "she retired to the valley.", source="interview-henrike.md"),
    Case(NV, "I design knitting patterns, sell them online, and most of my customers find me "
             "through social media.", source="interview-henrike.md"),
    Case(NV, "I realised afterwards the worst part is chasing my brother for his share of the "
             "car insurance every month.", source="email.txt"),
    Case(NV, "Tobias pays the rent out of his account, I cover groceries, and every quarter we "
             "sit down over a pot of tea to settle whatever's left over.",
         source="interview-sofia.md"),
    Case(NV, "It was above a launderette, and the landlady would only take the rent in cash "
             "on the first Friday of every month.", source="call-hulme.srt"),
    Case(NV, "Meine Frau führt das Haushaltsbuch und ich zahle nur die Miete.",
         source="umfrage-de.csv"),
    # --- e-mail ----------------------------------------------------------------------------
    Case(E, "Write to mbarros.design@fastmail.com", "mbarros.design@fastmail.com", "high",
         "form-export.csv"),
    Case(E, "Studio mail: kit@tinylantern.studio", "kit@tinylantern.studio", "high",
         "form-export.csv"),
    Case(E, "Contact Henrik.Lindqvist@example.se", "Henrik.Lindqvist@example.se", "high",
         "survey-platform-export.csv"),
    # --- phone: compared as numbers, whatever the format on either side --------------------
    Case(P, "Text +44 7700 900461 in the evening", "+44 7700 900461", "high",
         "form-export.csv"),
    Case(P, "Mobile 07700900812", "07700900812", "high", "interview-henrike.md"),
    Case(P, "Ring +44 (0) 7700 900812 if late", "+44 (0) 7700 900812", "high",
         "interview-henrike.md"),
    Case(P, "Or 0044 7700 900461", "0044 7700 900461", "high", "form-export.csv"),
    Case(P, "Bakery line +442079460018", "+442079460018", "high", "interview-sofia.md"),
    # --- URLs, bare domains, handles ------------------------------------------------------
    Case(U, "Her shop: knitwithhenny.com/patterns", "knitwithhenny.com/patterns", "high",
         "interview-henrike.md"),
    Case(U, "See https://knitwithhenny.com/patterns.", "https://knitwithhenny.com/patterns",
         "high", "interview-henrike.md"),
    Case(U, "Sells through www.knitwithhenny.com", "www.knitwithhenny.com", "high",
         "interview-henrike.md"),
    Case(U, "Posts as @hennyknits on social media", "@hennyknits", "high",
         "interview-henrike.md"),
    Case(U, "Keeps a diary at @cardiffrentdiary", "@cardiffrentdiary", "high",
         "survey-platform-export.csv"),
    Case(U, "Runs tinylantern.studio on the side", "tinylantern.studio", "high",
         "form-export.csv"),
    # --- names -------------------------------------------------------------------------------
    Case(N, "Inspired by Marisol's complaint about the app", "Marisol", "high",
         "form-export.csv"),  # sign-off inside a cell
    Case(N, "Modelled on Oluwaseun Adeyemi-Clarke", "Oluwaseun Adeyemi-Clarke", "high",
         "form-export.csv"),  # column headed "Your name (optional)"
    Case(N, "Like Adeyemi-Clarke, juggles nursery bills", "Adeyemi-Clarke", "high",
         "form-export.csv"),  # a hyphenated surname alone
    Case(N, "Rented from Mrs Fairweather-Lowe", "Fairweather-Lowe", "high", "call-hulme.srt"),
    Case(N, "Fairweather-Lowe style landlords annoy them", "Fairweather-Lowe", "high",
         "call-hulme.srt"),
    Case(N, "Introduces themself: my name is Declan O'Sullivan, but everyone calls me Deco",
         "Declan O'Sullivan", "high", "transcript-otter.txt"),
    Case(N, "Introduces themself: my name is Declan O'Sullivan, but everyone calls me Deco",
         "Deco", "high", "transcript-otter.txt"),
    Case(N, "Friends call him Deco", "Deco", "high", "transcript-otter.txt"),
    Case(N, "A neighbour of O'Sullivan", "O'Sullivan", "high", "transcript-otter.txt"),
    Case(N, "Echoes Ingrid Solberg-Haugen", "Ingrid Solberg-Haugen", "high",
         "call-teams.vtt"),  # voice tag
    Case(N, "Similar to Solberg-Haugen", "Solberg-Haugen", "high", "call-teams.vtt"),
    Case(N, "Talks like Ruairi from Galway", "Ruairi", "high", "form-export.csv"),
    Case(N, "Quotes ruairí ó briain often", "ruairí ó briain", "high", "form-export.csv"),
    Case(N, "Named after Jurgen Schafer", "Jurgen Schafer", "high", "umfrage-de.csv"),
    Case(N, "A friend of the Schäfer family", "Schäfer", "high", "umfrage-de.csv"),
    Case(N, "Writes to Ms van der Berg", "van der Berg", "high", "interview-henrike.md"),
    Case(N, "Henrike van der Berg is her model", "Henrike van der Berg", "high",
         "interview-henrike.md"),
    Case(N, "Borrowed from Maria Jose de la Cruz", "Maria Jose de la Cruz", "high",
         "encuesta-es.csv"),  # "Nombre completo", accents dropped in the card
    Case(N, "Like Zoe Papadopoulou in the diary", "Zoe Papadopoulou", "high",
         "diary-study.json"),  # a JSON "name" key
    Case(N, "Based on Zofia Kowalczyk", "Zofia Kowalczyk", "high",
         "survey-platform-export.csv"),  # RecipientFirstName / RecipientLastName
    Case(N, "The Kowalczyk household", "Kowalczyk", "high", "survey-platform-export.csv"),
    Case(N, "Like Ms Whitcombe at school", "Whitcombe", "high",
         "form-export.csv"),  # only in an e-mail local part
    Case(N, "Tenant of Mr Pemberton-Shaw", "Pemberton-Shaw", "high",
         "survey-platform-export.csv"),
    Case(N, "Owes money to Saoirse", "Saoirse", "high", "survey-platform-export.csv"),
    Case(N, "Cousin of Aoife", "Aoife", "high", "transcript-otter.txt"),
    Case(N, "Checked by Dr Achterberg", "Achterberg", "high", "interview-henrike.md"),
    Case(N, "Calls to Beatriz every week", "Beatriz", "high", "form-export.csv"),
    Case(N, "Thanks to marisol for the idea", "marisol", "high", "form-export.csv"),
    Case(N, "Visits Anneliese on Sundays", "Anneliese", "high", "umfrage-de.csv"),
    # --- identifiers: references, account and patient numbers, postcodes -------------------
    Case(ID, "Booking reference BK-7Q4-22918", "BK-7Q4-22918", "high", "form-export.csv"),
    Case(ID, "Patient number 4471203", "4471203", "high", "form-export.csv"),
    Case(ID, "Rent reference LDG0442", "LDG0442", "high", "interview-henrike.md"),
    Case(ID, "Uses the reference LDG-0442", "LDG-0442", "high", "interview-henrike.md"),
    Case(ID, "Member MEM-20931", "MEM-20931", "high", "survey-platform-export.csv"),
    Case(ID, "Council tax account 6640021937", "6640021937", "high", "call-teams.vtt"),
    Case(ID, "Order number 88120457 went astray", "88120457", "high",
         "survey-platform-export.csv"),
    Case(ID, "Wrote to M15 5RN three times", "M15 5RN", "high", "call-hulme.srt"),
    Case(ID, "Response R_3kTq9ZpL0aXv1mB", "R_3kTq9ZpL0aXv1mB", "high",
         "survey-platform-export.csv"),
    # --- quasi-identifiers: combinations that fit one participant, or a few ----------------
    Case(Q, "A 41-year-old dental nurse in Hebden Bridge raising two kids",
         "41-year-old dental nurse in Hebden Bridge raising two kids", "high",
         "form-export.csv"),
    Case(Q, "A knitwear designer from Hebden Bridge, 44", "knitwear designer from Hebden "
            "Bridge, 44", "high", "interview-henrike.md"),
    Case(Q, "A 27-year-old hospital porter in Limerick", "27-year-old hospital porter in "
            "Limerick", "high", "transcript-otter.txt"),
    Case(Q, "Retired ferry engineer, 58, living in Stromness", severity="high",
         source="call-teams.vtt"),
    Case(Q, "A secondary school teacher in Leeds, in her thirties",
         "secondary school teacher in Leeds, in her thirties", source="form-export.csv"),
    Case(Q, "Software developer in Cardiff, aged 25-34", source="survey-platform-export.csv"),
]

#: phrases of everyday words that occur in the sources: never a high finding
EVERYDAY = [
    "I really do not have time for that",
    "It is what it is, we get by",
    "Honestly it was fine, it was just not for us.",
    "Nothing really, it mostly works.",
    "Could you tell me a bit about yourself?",
    "Thanks for joining. Could you start by introducing yourself?",
    "How do you split the household bills?",
    "And how do you keep track of what you have paid?",
    "Did you ever use an app for it?",
]

_RANK = {"low": 0, "medium": 1, "high": 2}


def found(case: Case, findings) -> bool:
    a, b = case.span
    kinds = {case.kind}
    if case.kind == NV:  # a light edit reported as the copied run it keeps is caught too
        kinds.add(V)
    for f in findings:
        if str(f.kind) not in kinds or _RANK[str(f.severity)] < _RANK[case.severity]:
            continue
        if case.source and f.source_id != case.source:
            continue
        covers = f.start <= a and b <= f.end
        if covers or (case.kind == NV and f.start < b and a < f.end):
            return True
    return False


def recall_table(auditor, documents) -> dict[str, tuple[int, int, list[Case]]]:
    """kind -> (found, total, missed cases); ``everyday`` counts phrases kept below high."""
    table: dict[str, tuple[int, int, list[Case]]] = {}
    for case in CASES:
        hits, total, missed = table.get(case.kind, (0, 0, []))
        ok = found(case, auditor.check_leakage(case.text, documents))
        table[case.kind] = (hits + ok, total + 1, missed + ([] if ok else [case]))
    calm, missed_everyday = 0, []
    for phrase in EVERYDAY:
        if any(str(f.severity) == "high" for f in auditor.check_leakage(phrase, documents)):
            missed_everyday.append(Case("everyday", phrase))
        else:
            calm += 1
    table["everyday (not high)"] = (calm, len(EVERYDAY), missed_everyday)
    return table


def format_table(table) -> str:
    lines = [f"{'kind':<20} {'found':>5} / {'total':<5} recall"]
    for kind, (hits, total, _) in table.items():
        lines.append(f"{kind:<20} {hits:>5} / {total:<5} {100 * hits / total:5.1f} %")
    return "\n".join(lines)
