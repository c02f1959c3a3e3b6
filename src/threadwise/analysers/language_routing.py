"""Route each comment to the toxicity model for its language.

The pipeline's ``toxicity`` analyser (the English model, whichever tier) keeps the comments identified as
English, and those too short or too uncertain to identify (as before: it flags a script it cannot read as
``language_unsupported`` itself). Comments in a language of the multilingual heads go to
``MultilingualToxicityAnalyser``; comments confidently identified as any other language go there too, and it
answers ``language_unsupported`` with the language named, which the policy holds for review.

Both emit findings named ``toxicity`` with the same labels, so nothing downstream needs to know which spoke;
each finding's ``analyser_version`` and ``detail["language"]`` say.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Self

from threadwise.analysers.base import Analyser, CommentContext
from threadwise.analysers.multilingual_toxicity import MultilingualToxicityAnalyser
from threadwise.language import ENGLISH, UNDETERMINED, Language, detect_language
from threadwise.model import Finding

ROUTED = "toxicity"
MIN_CONFIDENCE = 0.5  # below it, an identified language outside the heads' is a guess: the English model reads it
MIN_LETTERS = 20  # "comment a", "ok merci": too short for an identifier to be trusted with a refusal
ENGLISH_ROUTE, MULTILINGUAL_ROUTE = "english", "multilingual"


def route(language: Language, multilingual: Sequence[str], letters: int = MIN_LETTERS) -> str:
    """Which model reads a comment in ``language`` (``letters``: how many letters it has): ``english`` or
    ``multilingual``."""
    if language.code == ENGLISH:
        return ENGLISH_ROUTE
    if language.code in multilingual:
        return MULTILINGUAL_ROUTE
    if language.code == UNDETERMINED or language.confidence < MIN_CONFIDENCE or letters < MIN_LETTERS:
        return ENGLISH_ROUTE
    return MULTILINGUAL_ROUTE  # a language no head reads: the multilingual analyser names it and declines


def letter_count(text: str) -> int:
    return sum(1 for c in text[:2000] if c.isalpha())


class LanguageRoutedToxicity:
    """The English toxicity analyser and the multilingual one behind one ``toxicity`` name."""

    def __init__(self, english: Analyser, multilingual: MultilingualToxicityAnalyser | None = None) -> None:
        self.english = english
        self.multilingual = multilingual or MultilingualToxicityAnalyser()
        self.name = english.name
        self.version = f"{english.version};{self.multilingual.version}"
        self.requires = english.requires
        self.labels = tuple(dict.fromkeys((*english.labels, *self.multilingual.labels)))
        self.needs_embedding = english.needs_embedding

    def setup(self) -> Self:
        self.english.setup()
        self.multilingual.setup()
        return self

    def __getattr__(self, name: str) -> Any:
        # The English analyser's own methods (score, category_scores…) stay reachable through the wrapper.
        if name in ("english", "multilingual"):
            raise AttributeError(name)
        return getattr(self.english, name)

    def analyse(self, batch: Sequence[CommentContext]) -> Iterable[Finding]:
        self.setup()
        languages = self.multilingual.languages
        identified = [detect_language(c.text) for c in batch]  # once: the multilingual analyser is handed them
        routes = [route(lang, languages, letter_count(c.text)) for c, lang in zip(batch, identified, strict=True)]
        english = [c for c, r in zip(batch, routes, strict=True) if r == ENGLISH_ROUTE]
        other = [(c, lang) for c, lang, r in zip(batch, identified, routes, strict=True) if r == MULTILINGUAL_ROUTE]
        return [*(self.english.analyse(english) if english else ()),
                *(self.multilingual.analyse([c for c, _ in other], [lang for _, lang in other]) if other else ())]


def route_by_language(analysers: Sequence[Analyser]) -> list[Analyser]:
    """``analysers`` with the English ``toxicity`` analyser wrapped so that other languages reach their model."""
    out: list[Analyser] = []
    for analyser in analysers:
        wrap = analyser.name == ROUTED and not isinstance(
            analyser, LanguageRoutedToxicity | MultilingualToxicityAnalyser)
        out.append(LanguageRoutedToxicity(analyser) if wrap else analyser)  # type: ignore[arg-type]
    return out
