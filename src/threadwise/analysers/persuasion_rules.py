"""Hand-written rules around the persuasion model: comment-idiom patterns, span trimming, meta mentions.

- ``PATTERNS``: comment idioms the news-trained model rarely sees; each hit's score is the pattern's
  precision measured on training text (``train.persuasion.pattern_scores``).
- ``trim_span``: a span shown to a person starts and ends on a content word; a span with no content word
  (the model's "by", "the") is dropped rather than shown.
- ``is_meta_mention``: a comment that names a technique in order to reject it ("Comparing him to Hitler is
  absurd", "Stop with the Nazi analogies", "That's a strawman of what the article says") is talking *about*
  the technique, not using it. The rule: the span's sentence carries a meta cue (it names a rhetorical
  move: "analogy", "comparing … to", "calling … a", "strawman", "whataboutism" …) and either a rejection
  cue ("absurd", "stop", "not", "enough with" …) or the meta cue is itself the name of a fallacy (naming a
  fallacy is already an objection to it). A real use ("He is the new Hitler") has no meta cue.
"""

from __future__ import annotations

import re
from functools import lru_cache

# (label, regex). The evidence span is the match.
PATTERNS: tuple[tuple[str, str], ...] = (
    ("whataboutism_straw_man_red_herring", r"\bwhat about\b[^.?!\n]{0,120}"),
    ("whataboutism_straw_man_red_herring", r"\bfunny how\b[^.?!\n]{0,120}"),
    ("whataboutism_straw_man_red_herring", r"\b(?:never|conveniently) (?:mentions?|mentioned|talks? about)\b"),
    ("whataboutism_straw_man_red_herring", r"\bbut (?:nobody|no one|no-one) (?:talks|mentions|cares)\b"),
    ("bandwagon_reductio_ad_hitlerum",
     r"\b(?:nazis?|nazism|hitler(?:'s)?|third reich|goebbels|gestapo|chamberlain|appeasement|munich 1938|1938)\b"),
    ("name_calling",
     r"\b(?:propagandists?|shills?|apologists?|mouthpieces?|useful idiots?|stooges?|lackeys?|puppets?|sheeple|"
     r"paid trolls?|traitors?|idiots?|morons?|clowns?)\b"),
)

# Function words: a span made only of these carries no evidence; spans are trimmed of them at both ends.
_FUNCTION_WORDS = """
a an the this that these those some any each every no all both either neither such what which whose
i me my mine we us our ours you your yours he him his she her hers it its they them their theirs one
am is are was were be been being do does did done have has had having will would shall should can could
may might must to of in on at by for from with without into onto over under about above below between
through during before after against among around near off out up down upon via per than as like
and or but nor so yet if then because while though although since unless until whether
not n't also just very too only even there here when where why how who whom s t
"""
FUNCTION_WORDS = frozenset(_FUNCTION_WORDS.split())
_WORD = re.compile(r"\w+(?:['’]\w+)*")

# A meta cue names the act of using a technique; FALLACY_NAMES are meta cues that already object to it.
FALLACY_NAMES = (
    r"straw ?m[ae]n(?:ning)?", r"whataboutism", r"what-?aboutery", r"red herrings?", r"ad hominems?",
    r"godwin(?:'s law)?", r"reductio(?: ad hitlerum)?", r"false (?:dichotomy|dilemma|choice|equivalence)",
    r"slippery slope", r"(?:fear|scare)-?mongering", r"name-?calling", r"loaded language", r"fallac(?:y|ies)",
    r"bandwagon(?:ing)?", r"flag-?waving", r"appeal to (?:authority|fear|emotion)",
)
META_CUES = (
    *FALLACY_NAMES,
    r"analog(?:y|ies)", r"comparisons?", r"compar(?:e|es|ed|ing)\b[^.?!\n]{0,60}\b(?:to|with)",
    r"call(?:s|ed|ing)? (?:him|her|them|me|us|you|people|someone|anyone|everyone|critics|opponents|\w+s)\b",
    r"label(?:s|led|ling)? (?:him|her|them|people|someone|critics|opponents)\b", r"smears?",
    r"slogans?", r"insults?", r"buzzwords?",
)
REJECTION_CUES = (
    r"absurd", r"ridiculous", r"nonsense", r"silly", r"lazy", r"tired", r"cheap", r"offensive", r"pathetic",
    r"stupid", r"childish", r"dishonest", r"unfair", r"misleading", r"wrong", r"false", r"baseless",
    r"stop", r"enough(?: with)?", r"quit", r"spare (?:me|us)", r"drop the", r"give it a rest", r"no need",
    r"not", r"never", r"nothing like", r"hardly", r"don'?t", r"doesn'?t", r"isn'?t", r"aren'?t",
    r"can we not", r"please", r"resort(?:s|ed|ing)? to", r"not an argument", r"cheapens", r"trivialis(?:es|ing)",
    r"trivializ(?:es|ing)",
)


@lru_cache(maxsize=64)
def compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def _any(cues: tuple[str, ...]) -> re.Pattern[str]:
    return compiled(r"\b(?:" + "|".join(cues) + r")\b")


def trim_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """``[start, end)`` shrunk to its first and last content word; None when it holds no content word."""
    words = [m for m in _WORD.finditer(text, start, end) if m.group().lower().replace("’", "'") not in FUNCTION_WORDS]
    if not words:
        return None
    return words[0].start(), words[-1].end()


def is_meta_mention(sentence: str) -> bool:
    """True when ``sentence`` talks about a technique in order to reject it (module docstring)."""
    if _any(FALLACY_NAMES).search(sentence):
        return True
    return bool(_any(META_CUES).search(sentence) and _any(REJECTION_CUES).search(sentence))
