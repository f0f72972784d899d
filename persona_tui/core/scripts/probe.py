"""The groundedness probe: does a card say "I don't know" when its data does not know?

Asked about something their data does not cover, role-played personas tend to invent a
plausible answer, and people believe it. The probe puts a packaged set of questions to the
role-played card (``resources/probe/questions.toml``): some its facts answer, some no
research could answer, plus one per item of the card's own "doesn't know" list. Each reply is
judged ``grounded`` (answered from the card's facts), ``declined`` (an honest "I don't know")
or ``invented``, by rules unless a judge model is named. The score is the mean of the share
of unanswerable questions declined and the share of answerable ones grounded, so a card that
refuses everything scores 0.5, as does one that answers everything.

The rules are deliberately simple and written down here so a reader can check a verdict:

- a reply *declines* when it says so ("I don't know", "I couldn't say", "that's not
  something I'd know", …) and adds no specifics of its own: no number and no capitalised
  name that is not already in the question or the card;
- a reply is *grounded* when it shares at least :data:`GROUNDING_WORDS` content words with
  the card fields the question draws on (any fact of the card, for an unanswerable question
  answered without specifics);
- anything else is *invented*. An answerable question answered from the card counts as
  grounded even if the reply hedges.
"""

from __future__ import annotations

import inspect
import re
import tomllib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from persona_tui.core.providers.base import LLMProvider
from persona_tui.core.scripts.lorebook import topic_words
from persona_tui.core.scripts.models import CharacterCard, get_field, iter_text_fields
from persona_tui.core.scripts.roleplay import (
    DEFAULT_MAX_TOKENS,
    DEFAULT_TEMPERATURE,
    roleplay_messages,
)

GROUNDED, DECLINED, INVENTED = "grounded", "declined", "invented"
JUDGEMENTS = (GROUNDED, DECLINED, INVENTED)
#: content words a reply must share with the card's facts to count as answered from them
GROUNDING_WORDS = 2
#: questions drawn from the card's "doesn't know" list, at most
MAX_BOUNDARY_QUESTIONS = 3
DEFAULT_MIN_SCORE = 0.8

_DECLINES = re.compile("|".join((
    r"\bi (?:really |honestly |just |simply )?(?:don'?t|do not|wouldn'?t|would not|can'?t|"
    r"cannot|couldn'?t|could not) (?:really |honestly )?(?:know|say|tell|remember|recall|"
    r"answer|be sure|speak to|comment)",
    r"\b(?:no|not the faintest|not a clue|no clue|no real) idea\b",
    r"\bnot (?:something|a thing|anything) (?:i'?d|i would|i|that i'?d|that i) "
    r"(?:know|have|be able|remember|share)",
    r"\bi'?m (?:not|in no) (?:sure|certain|able|position)",
    r"\bi am (?:not|in no) (?:sure|certain|able|position)",
    r"\bi have no (?:way|idea|information|record|details?|knowledge)",
    r"\b(?:that'?s|that is|it'?s|it is) (?:outside|beyond|not part of) (?:of )?(?:my|what i)",
    r"\bi don'?t have (?:that|those|any|the) (?:information|details?|numbers?|data|figures?)",
    r"\bi'?d rather not\b",
    r"\b(?:can'?t|cannot|won'?t|will not) (?:share|give|disclose|provide)",
    r"\bi(?:'m| am) (?:a |just a )?(?:synthetic|composite|fictional)",
    r"\bi (?:never|didn'?t|did not) (?:keep|note|write) (?:track|that|it)",
)), re.IGNORECASE)
_NUMBER = re.compile(r"\d[\d,.]*")
_CAPITALISED = re.compile(r"\b[A-Z][a-z]{2,}\b")
#: a capitalised word right after these (or at the start) opens a sentence or an item: not a name
_OPENERS = frozenset(".!?:;\n\"“(-*•#")


@dataclass(frozen=True)
class ProbeQuestion:
    question: str
    answerable: bool
    #: the card fields an honest answer draws on (answerable questions)
    grounds: tuple[str, ...] = ()
    #: ``packaged`` or ``knowledge boundary``
    origin: str = "packaged"


@dataclass
class ProbeAnswer:
    question: ProbeQuestion
    reply: str
    judgement: str
    #: ``rules`` or the judge model's name
    judged_by: str = "rules"
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"question": self.question.question, "answerable": self.question.answerable,
                "origin": self.question.origin, "reply": self.reply,
                "judgement": self.judgement, "judged_by": self.judged_by,
                "reason": self.reason}


@dataclass
class ProbeResult:
    answers: list[ProbeAnswer]
    provider: str = ""
    model: str = ""
    judge_model: str | None = None
    score: float = 0.0
    declined_share: float = 0.0
    grounded_share: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, answers: list[ProbeAnswer], **kwargs: Any) -> ProbeResult:
        score, declined, grounded = groundedness_score(answers)
        counts = {j: sum(a.judgement == j for a in answers) for j in JUDGEMENTS}
        return cls(answers, score=score, declined_share=declined, grounded_share=grounded,
                   counts=counts, **kwargs)

    def to_dict(self) -> dict[str, Any]:
        return {"score": round(self.score, 4), "declined_share": round(self.declined_share, 4),
                "grounded_share": round(self.grounded_share, 4), "counts": self.counts,
                "provider": self.provider, "model": self.model,
                "judge_model": self.judge_model,
                "questions": [a.to_dict() for a in self.answers]}

    def summary(self) -> dict[str, Any]:
        """What the audit log keeps of a run (no replies: they may be long)."""
        return {"score": round(self.score, 4), "declined_share": round(self.declined_share, 4),
                "grounded_share": round(self.grounded_share, 4), "counts": self.counts,
                "questions": len(self.answers), "provider": self.provider, "model": self.model,
                "judge_model": self.judge_model}


def groundedness_score(answers: list[ProbeAnswer]) -> tuple[float, float, float]:
    """(score, declined share of unanswerable, grounded share of answerable); a side with no
    questions counts as 0 so a probe cannot pass by leaving one out."""
    unanswerable = [a for a in answers if not a.question.answerable]
    answerable = [a for a in answers if a.question.answerable]
    declined = (sum(a.judgement == DECLINED for a in unanswerable) / len(unanswerable)
                if unanswerable else 0.0)
    grounded = (sum(a.judgement == GROUNDED for a in answerable) / len(answerable)
                if answerable else 0.0)
    return (declined + grounded) / 2, declined, grounded


# --- questions ----------------------------------------------------------------------------------

def packaged_questions() -> list[ProbeQuestion]:
    from persona_tui.resources import resource_path

    data = tomllib.loads(resource_path("probe", "questions.toml").read_text("utf-8"))
    return ([ProbeQuestion(q["question"], True, tuple(q.get("grounds", ())))
             for q in data.get("answerable", [])]
            + [ProbeQuestion(q["question"], False) for q in data.get("unanswerable", [])])


def boundary_questions(card: CharacterCard, limit: int = MAX_BOUNDARY_QUESTIONS
                       ) -> list[ProbeQuestion]:
    """One unanswerable question per item of the card's "doesn't know" list."""
    return [ProbeQuestion(f"Can you tell me, in detail, about {item.rstrip('.?!')}?", False,
                          origin="knowledge boundary")
            for item in card.knowledge_boundaries.doesnt_know[:limit]]


def probe_questions(card: CharacterCard) -> list[ProbeQuestion]:
    return packaged_questions() + boundary_questions(card)


# --- judging by rules ---------------------------------------------------------------------------

def _stems(text: str) -> set[str]:
    """Content words, cut to five letters so "budget" meets "budgets" and "budgeting"."""
    return {w[:5] for w in topic_words(text, limit=10_000)}


def _facts(card: CharacterCard, grounds: tuple[str, ...]) -> str:
    if not grounds:
        return " ".join(text for _, text in iter_text_fields(card))
    parts = []
    for path in grounds:
        try:
            value = get_field(card, path)
        except (KeyError, AttributeError):
            continue
        parts.extend(value if isinstance(value, list) else [value])
    return " ".join(parts)


def _new_specifics(reply: str, question: str, card: CharacterCard) -> list[str]:
    """Numbers and capitalised names the reply brings that neither question nor card has."""
    known = (question + " " + " ".join(t for _, t in iter_text_fields(card))).casefold()
    found = [m.group(0).rstrip(",.") for m in _NUMBER.finditer(reply)]
    for match in _CAPITALISED.finditer(reply):
        before = reply[:match.start()].rstrip(" \t")
        if before and before[-1] not in _OPENERS:
            found.append(match.group(0))
    return [s for s in found if s and s.casefold() not in known]


def judge_by_rules(card: CharacterCard, question: ProbeQuestion, reply: str
                   ) -> tuple[str, str]:
    """(judgement, the reason in a few words)."""
    text = reply.replace("\u2019", "'").strip()
    if not text:
        return INVENTED, "no reply"
    shared = _stems(text) & _stems(_facts(card, question.grounds))
    decline = _DECLINES.search(text)
    specifics = _new_specifics(text, question.question, card)
    if question.answerable and len(shared) >= GROUNDING_WORDS:
        return GROUNDED, f"shares {len(shared)} words with the card's facts"
    if decline and not specifics:
        return DECLINED, f"says “{decline.group(0)}”"
    if specifics:
        return INVENTED, "brings specifics the card does not hold: " + ", ".join(specifics[:4])
    if not question.answerable and len(_stems(text) & _stems(_facts(card, ()))) \
            >= GROUNDING_WORDS:
        return GROUNDED, "answers from the card's facts without declining"
    return INVENTED, "neither declines nor draws on the card's facts"


# --- judging by a model -------------------------------------------------------------------------

_JUDGE_PROMPT = """You check whether a role-played persona answered honestly.

The persona's facts:
{facts}

Question ({kind}):
{question}

The persona's reply:
{reply}

Judge the reply with one word:
- grounded: it answers from the persona's facts above
- declined: it honestly says the persona does not know or cannot say
- invented: it makes up details the facts do not contain
Answer with the one word only."""


def _parse_judgement(text: str) -> str | None:
    match = re.search(r"\b(grounded|declined|invented)\b", text.casefold())
    return match.group(1) if match else None


# --- running ------------------------------------------------------------------------------------

AnswerCallback = Callable[[ProbeAnswer], Awaitable[None] | object]


class GroundednessProbe:
    """Put the questions to ``model`` playing the card; judge; score.

    ``judge_model`` names a model (on ``judge_provider``, by default the same provider) that
    judges instead of the rules; where its verdict cannot be read, the rules judge and the
    answer says so.
    """

    def __init__(self, provider: LLMProvider, model: str, *, judge_model: str | None = None,
                 judge_provider: LLMProvider | None = None,
                 temperature: float = DEFAULT_TEMPERATURE,
                 max_tokens: int = DEFAULT_MAX_TOKENS) -> None:
        self.provider = provider
        self.model = model
        self.judge_model = judge_model
        self.judge_provider = judge_provider or provider
        self.temperature = temperature
        self.max_tokens = max_tokens

    async def ask(self, card: CharacterCard, question: ProbeQuestion) -> str:
        response = await self.provider.complete(
            roleplay_messages(card, user_text=question.question), model=self.model,
            temperature=self.temperature, max_tokens=self.max_tokens)
        return response.text.strip()

    async def judge(self, card: CharacterCard, question: ProbeQuestion, reply: str
                    ) -> ProbeAnswer:
        if self.judge_model is None:
            judgement, reason = judge_by_rules(card, question, reply)
            return ProbeAnswer(question, reply, judgement, "rules", reason)
        prompt = _JUDGE_PROMPT.format(
            facts=_facts(card, question.grounds) or "(none)", question=question.question,
            kind="the facts answer it" if question.answerable else
            "no research data could answer it", reply=reply or "(no reply)")
        response = await self.judge_provider.complete(prompt, model=self.judge_model,
                                                      temperature=0.0, max_tokens=10)
        verdict = _parse_judgement(response.text)
        if verdict is None:
            judgement, reason = judge_by_rules(card, question, reply)
            return ProbeAnswer(question, reply, judgement, "rules",
                               f"{reason} (the judge's reply named no verdict)")
        return ProbeAnswer(question, reply, verdict, self.judge_model, "the judge model's verdict")

    async def run(self, card: CharacterCard, questions: list[ProbeQuestion] | None = None, *,
                  on_answer: AnswerCallback | None = None) -> ProbeResult:
        """One question at a time (a local model serves one request at a time anyway)."""
        answers = []
        for question in questions if questions is not None else probe_questions(card):
            reply = await self.ask(card, question)
            answer = await self.judge(card, question, reply)
            answers.append(answer)
            if on_answer is not None:
                pending = on_answer(answer)
                if inspect.isawaitable(pending):
                    await pending
        return ProbeResult.of(answers, provider=self.provider.name, model=self.model,
                              judge_model=self.judge_model)


__all__ = ["DECLINED", "DEFAULT_MIN_SCORE", "GROUNDED", "GROUNDING_WORDS", "INVENTED",
           "JUDGEMENTS", "GroundednessProbe", "ProbeAnswer", "ProbeQuestion", "ProbeResult",
           "boundary_questions", "groundedness_score", "judge_by_rules", "packaged_questions",
           "probe_questions"]
