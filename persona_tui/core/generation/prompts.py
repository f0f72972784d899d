"""Prompts from the packaged templates, and fitting the data into the model's context.

Data that fits is sent whole. A small overflow (up to 15 %) is trimmed — the longest documents
lose their tails — and the user is told. A larger one is split into chunks of whole documents
(a document longer than a chunk is cut at paragraph breaks); personas are extracted per chunk
and merged.
"""

from __future__ import annotations

import functools

from dataclasses import dataclass, field

from persona_tui.core.data.document import SourceDocument
from persona_tui.core.data.tokens import estimate_tokens
from persona_tui.core.generation.names import offered_names
from persona_tui.core.generation.passages import PassageIndex
from persona_tui.core.models.options import PersonaConfig
from persona_tui.core.providers.base import Message
from persona_tui.resources import resource_path

PROMPT_VERSION = "2026-12.1"
TRUNCATE_LIMIT = 0.15
TOKENS_PER_PERSONA = {"minimal": 350, "standard": 700, "detailed": 1200}

COMPLEXITY = {
    "simple": "Keep each persona simple: a few clear goals and pain points.",
    "moderate": "Give each persona a rounded picture: goals, pain points, behaviours and "
                "motivations, three to five items each.",
    "complex": "Give each persona depth: tensions between goals, context-dependent behaviour, "
               "and how their situation shapes their needs.",
}
DETAIL = {
    "minimal": "Be brief: short phrases, two or three items per list.",
    "standard": "Use full but concise sentences.",
    "detailed": "Be thorough: specific, concrete items grounded in the data.",
}


@functools.cache
def _template(name: str) -> str:
    """A packaged prompt template, read once per process."""
    return resource_path("prompts", name).read_text("utf-8")


EVIDENCE_SHAPE = """{"personas": [
  {"name": "an invented full name",
   "title": "a short archetype, e.g. 'The reluctant collector'",
   "demographics": {"age_band": "...", "occupation": "...", "household": "..."},
   "goals": [{"text": "...", "passages": [3]}],
   "pain_points": [{"text": "...", "passages": [5, 12]}],
   "behaviours": [{"text": "...", "passages": [7]}],
   "motivations": [{"text": "...", "passages": [2]}],
   "quotes": [12]}
]}"""
PLAIN_SHAPE = """{"personas": [
  {"name": "an invented full name",
   "title": "a short archetype, e.g. 'The reluctant collector'",
   "demographics": {"age_band": "...", "occupation": "...", "household": "..."},
   "goals": ["..."], "pain_points": ["..."], "behaviours": ["..."], "motivations": ["..."],
   "quotes": ["a short sentence copied word for word from the data"]}
]}"""
EVIDENCE_INSTRUCTION = (
    "Back every goal, pain point, behaviour and motivation with the numbers of the passages "
    "that support it (\"passages\"), and give as quotes the numbers of passages worth "
    "quoting. Only claim what a passage supports.")


def render_documents(documents: list[SourceDocument]) -> str:
    return "\n\n".join(f'<document id="{doc.id}">\n{doc.text.strip()}\n</document>'
                       for doc in documents)


def build_messages(documents: list[SourceDocument], config: PersonaConfig, *,
                   passages: PassageIndex | None = None,
                   names: list[str] | None = None) -> list[Message]:
    """The system and user messages for one prompt. ``passages`` (numbered, for evidence by
    passage number) and ``names`` (invented names offered) default to the documents' own, so
    the same documents and options always build the same prompt."""
    passages = passages if passages is not None else PassageIndex(documents)
    names = names if names is not None else offered_names(documents, config.count,
                                                          seed=config.seed)
    evidence = config.include_evidence
    name_instruction = ("Name each persona with one of these invented names: "
                        + ", ".join(names) + "." if names else "")
    user = (_template("generation_user.txt")
            .replace("{count}", str(config.count))
            .replace("{complexity_instruction}", COMPLEXITY[config.complexity])
            .replace("{detail_instruction}", DETAIL[config.detail_level])
            .replace("{evidence_instruction}",
                     EVIDENCE_INSTRUCTION if evidence else "Evidence is optional.")
            .replace("{name_instruction}", name_instruction)
            .replace("{shape}", EVIDENCE_SHAPE if evidence else PLAIN_SHAPE)
            .replace("{documents}", passages.render()))
    return [Message("system", _template("generation_system.txt").strip()), Message("user", user)]


def output_budget(config: PersonaConfig) -> int:
    return config.max_tokens or config.count * TOKENS_PER_PERSONA[config.detail_level] + 200


@dataclass
class PromptPlan:
    """The prompt(s) to send: one per chunk."""

    chunks: list[list[SourceDocument]]
    mode: str  # "whole", "truncated" or "chunked"
    warnings: list[str] = field(default_factory=list)
    input_tokens: int = 0


def _cut(document: SourceDocument, max_tokens: int) -> list[SourceDocument]:
    """Pieces of a long document, cut at paragraph (then line) breaks."""
    limit = max_tokens * 4
    pieces, text, part = [], document.text, 1
    while text:
        if len(text) <= limit:
            piece, text = text, ""
        else:
            cut = text.rfind("\n\n", 0, limit)
            cut = cut if cut > limit // 2 else text.rfind("\n", 0, limit)
            cut = cut if cut > limit // 2 else limit
            piece, text = text[:cut], text[cut:]
        pieces.append(SourceDocument(f"{document.id}", document.path, document.format, piece,
                                     document.encoding, estimate_tokens(piece)))
        part += 1
    return pieces


def plan_prompts(documents: list[SourceDocument], config: PersonaConfig,
                 context_tokens: int | None) -> PromptPlan:
    overhead = estimate_tokens(build_messages([], config)[0].content) + 600
    data_tokens = sum(d.token_estimate for d in documents) + 12 * len(documents)
    if context_tokens is None:
        return PromptPlan([documents], "whole", input_tokens=data_tokens + overhead)
    budget = context_tokens - output_budget(config) - overhead
    if budget <= 500:
        budget = max(500, context_tokens // 2)
    if data_tokens <= budget:
        return PromptPlan([documents], "whole", input_tokens=data_tokens + overhead)
    overflow = (data_tokens - budget) / budget
    if overflow <= TRUNCATE_LIMIT:
        trimmed = _trim(documents, data_tokens - budget)
        return PromptPlan([trimmed], "truncated", [
            f"the data is {overflow:.0%} over the model's context budget; the longest "
            "documents were shortened to fit (pick a model with a larger context to avoid "
            "this)"], budget + overhead)
    chunks: list[list[SourceDocument]] = [[]]
    used = 0
    for document in documents:
        for piece in _cut(document, budget) if document.token_estimate > budget else [document]:
            if used + piece.token_estimate > budget and chunks[-1]:
                chunks.append([])
                used = 0
            chunks[-1].append(piece)
            used += piece.token_estimate
    return PromptPlan(chunks, "chunked", [
        f"the data ({data_tokens:,} tokens) exceeds the model's context budget "
        f"({budget:,}); it was split into {len(chunks)} chunks, personas were extracted from "
        "each and merged"], sum(sum(d.token_estimate for d in c) + overhead for c in chunks))


def _trim(documents: list[SourceDocument], excess: int) -> list[SourceDocument]:
    result = list(documents)
    while excess > 0:
        longest = max(range(len(result)), key=lambda i: result[i].token_estimate)
        doc = result[longest]
        keep_tokens = max(100, doc.token_estimate - excess)
        text = doc.text[: keep_tokens * 4]
        removed = doc.token_estimate - estimate_tokens(text)
        if removed <= 0:
            break
        result[longest] = SourceDocument(doc.id, doc.path, doc.format, text, doc.encoding,
                                         estimate_tokens(text))
        excess -= removed
    return result
