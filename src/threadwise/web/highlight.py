"""Evidence spans as text segments: the comment is cut at every span boundary, server-side.

The template writes each segment with Jinja2's autoescape, a marked one inside ``<mark>`` with its
evidence in attributes. So the comment's own characters only ever reach the page as escaped text: no
HTML is built from comment text, here or in the browser.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Mark:
    """Why a stretch of text is marked: the policy rule, the analyser label and score behind it."""

    rule: str
    label: str  # the analyser's label the rule reads, e.g. toxicity.insult
    span_label: str  # what the analyser called the span itself, e.g. insult
    score: float | None
    threshold: float | None
    drop: float | None = None  # a word that carried a spanless score: how much lower the score is without it

    @property
    def explanation(self) -> str:
        """In a moderator's words: "insult: score 0.90, held from 0.60", never "toxicity.toxicity"."""
        if self.drop is not None:
            return (f"{plain_name(self.label)}: without this word the score falls by {self.drop:.2f}"
                    f"{f' (from {self.score:.2f})' if self.score is not None else ''}")
        score = f": score {self.score:.2f}" if self.score is not None else ""
        threshold = f", held from {self.threshold:.2f}" if self.threshold is not None else ""
        what = plain_name(self.span_label)
        beside = f" (the words: {what})" if what and what != plain_name(self.label) else ""
        return f"{plain_name(self.label)}{score}{threshold}{beside}"


@dataclass(frozen=True)
class Segment:
    text: str
    marks: tuple[Mark, ...] = ()

    @property
    def title(self) -> str:
        return "\n".join(m.explanation for m in self.marks)

    @property
    def kind(self) -> str:
        """"evidence" where the analyser marked the words; "carried" where only removing them lowered the score."""
        return "evidence" if any(m.drop is None for m in self.marks) else "carried"

    @property
    def rules(self) -> str:
        return " ".join(dict.fromkeys(m.rule for m in self.marks))

    @property
    def labels(self) -> str:
        return ", ".join(dict.fromkeys(plain_name(m.label) for m in self.marks))

    @property
    def score(self) -> str:
        scores = [m.score for m in self.marks if m.score is not None]
        return f"{max(scores):.2f}" if scores else ""


# The analysers' labels as a moderator reads them; anything else loses its analyser prefix and underscores.
PLAIN_NAMES = {"toxicity.toxicity": "rude or disrespectful", "toxicity.severe_toxicity": "severe abuse",
               "toxicity.identity_attack": "attack on who people are", "toxicity.insult": "insult",
               "toxicity.threat": "threat", "toxicity.profanity": "profanity", "toxicity": "rude or disrespectful",
               "words.banned": "a banned word", "words.suspect": "a word on the suspect list"}  # fmt: skip


def plain_name(label: str) -> str:
    return PLAIN_NAMES.get(label) or PLAIN_NAMES.get(f"toxicity.{label}") or label.rsplit(".", 1)[-1].replace("_", " ")


def marks_from_evidence(evidence: Iterable[Mapping[str, Any]]) -> list[tuple[int, int, Mark]]:
    """(start, end, mark) for every span of every rule match in a decision's evidence."""
    found = []
    for item in evidence:
        if "rule" not in item:
            continue  # a moderator's note, not a rule match
        for span in item.get("spans") or ():
            start, end, span_label = int(span[0]), int(span[1]), str(span[2]) if len(span) > 2 else ""
            mark = Mark(str(item["rule"]), str(item.get("label", item["rule"])), span_label,
                        _number(item.get("score")), _number(item.get("threshold")))  # fmt: skip
            found.append((start, end, mark))
        if not item.get("spans"):
            found.extend(_carried_marks(item))
    return found


def _carried_marks(item: Mapping[str, Any]) -> list[tuple[int, int, Mark]]:
    out = []
    for word in item.get("carried_by") or ():
        mark = Mark(str(item["rule"]), str(item.get("label", item["rule"])), "", _number(item.get("score")),
                    _number(item.get("threshold")), float(word[2]))  # fmt: skip
        out.append((int(word[0]), int(word[1]), mark))
    return out


def segments(text: str, marks: Iterable[tuple[int, int, Mark]]) -> list[Segment]:
    """The text cut into runs that share the same marks; spans outside the text are clipped or dropped."""
    spans = [(max(0, s), min(len(text), e), m) for s, e, m in marks]
    spans = [(s, e, m) for s, e, m in spans if s < e]
    cuts = sorted({0, len(text), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    out: list[Segment] = []
    for start, end in itertools.pairwise(cuts):
        covering = tuple(dict.fromkeys(m for s, e, m in spans if s <= start and end <= e))
        if out and out[-1].marks == covering:
            out[-1] = Segment(out[-1].text + text[start:end], covering)
        else:
            out.append(Segment(text[start:end], covering))
    return out


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None


@dataclass(frozen=True)
class Why:
    """One rule the policy acted on, as the moderator reads it beside the comment."""

    rule: str
    action: str
    what: str  # the label in plain words
    score: float | None
    threshold: float | None
    model: str  # analyser and version, e.g. "toxicity 2.1.0"; empty for a word list or a rule without a model
    words: tuple[str, ...]  # the evidence spans' text
    carried: tuple[tuple[str, float], ...]  # no span: the words whose removal lowered the score, and by how much
    groups: frozenset[str] = frozenset()  # which of those words name a group of people (lower case)

    def names_group(self, word: str) -> bool:
        """A group's name among the words: the template says the score rests on who is named, not that the name
        is abuse."""
        return word.lower() in self.groups

    @property
    def unexplained(self) -> bool:
        """Held on a score with no word to show: the template says so, rather than showing nothing."""
        return self.score is not None and self.model != "" and not self.words and not self.carried


def why_held(text: str, evidence: Iterable[Mapping[str, Any]], group_words: frozenset[str] = frozenset()) -> list[Why]:
    """Every rule match of a suggestion's evidence, with the words it rests on (or the words that carried it);
    ``group_words``: names of groups of people (the target lexicon), flagged where they are among those words."""
    out = []
    for item in evidence:
        if "rule" not in item:
            continue
        words = tuple(dict.fromkeys(text[int(s[0]):int(s[1])] for s in item.get("spans") or ()))
        carried = tuple((text[int(w[0]):int(w[1])], float(w[2])) for w in item.get("carried_by") or ())
        analyser = str(item.get("analyser") or "")
        model = f"{analyser} {item.get('analyser_version') or ''}".strip() if analyser and analyser != "words" else ""
        named = {w.lower() for w in (*words, *(c for c, _ in carried))} & group_words
        out.append(Why(str(item["rule"]), str(item.get("action", "")), plain_name(str(item.get("label", item["rule"]))),
                       _number(item.get("score")), _number(item.get("threshold")), model, words, carried,
                       frozenset(named)))
    return out
