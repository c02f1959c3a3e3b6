"""Whom a hostile comment aims at: the author, the outlet, another commenter, a public figure, a group,
the article's argument, or something else (a country, an institution, an issue).

Two parts. The comment's own mentions are found by rules, because the target types are defined by what the
article and thread name (the author's surname, the outlet, the parent's author), which no public corpus labels;
places and demonyms ("Spain", "Earth", "Russian") are never read as people (``gazetteer``). A head trained on
OLID level C (``heads/target``: logistic regression over the MiniLM comment vector, the mention features and the
toxicity categories) then says whether a hostile comment aims at an individual, a group or something else, with
a probability; its thresholds were chosen on a dev split of OLID's training data, and no finding below them is
reported. The individual is the author, a commenter or a public figure by the strongest mention. Hostility comes
from the ``toxicity`` findings (and persuasion's name calling); disagreement aimed at the piece's claims ("this
article is wrong") is reported as ``argument`` even without toxicity, scored by a fixed rule.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar, Self

import numpy as np

from threadwise.analysers.base import CommentContext, finding
from threadwise.analysers.embed import shared_embedder
from threadwise.analysers.gazetteer import is_place, place_phrase_pattern
from threadwise.analysers.heads import MissingHead, heads_dir, load_head
from threadwise.model import Article, Comment, Finding, Span

HEAD = "target"
LEXICON_FILE = "lexicon.json"
MAX_CHARS = 20_000  # a longer comment is read up to here: targets named later add cost, not signal
NOT_HOSTILE = {"non_toxic", "not_toxic", "nontoxic", "none", "clean", "ok", "neutral", "benign", "language_unsupported"}
TARGETS = ("author", "outlet", "commenter", "public_figure", "group", "argument", "other")
COARSE = ("IND", "GRP", "OTH")  # OLID level C: individual, group, other
INDIVIDUAL = ("author", "commenter", "public_figure")
MENTION_KINDS = ("public_figure", "group", "commenter", "outlet", "author", "argument")
TOXICITY_LABELS = ("toxicity", "severe_toxicity", "insult", "identity_attack", "threat", "profanity")

_I = re.IGNORECASE
_AUTHOR_ROLE = re.compile(r"\b(?:the|this|our|your)\s+(?:author|writer|columnist|journalist|reporter|op-?ed writer)\b"
                          r"|\bauthor\b", _I)
_OUTLET_ROLE = re.compile(r"\b(?:this|the|your|that)\s+(?:site|website|paper|newspaper|rag|outlet|publication|"
                          r"magazine|blog|editors?|editorial board|propaganda outlet)\b|\beditors\b", _I)
_YOU = re.compile(r"\b(?:you|your|you're|youre|yourself|ya|u|ur)\b", _I)
_AT_NAME = re.compile(r"(?<![\w@])@[A-Za-z_]\w{1,30}")
_PRONOUN = re.compile(r"\b(?:he|she|him|her|his|hers|he's|she's)\b", _I)
_FEMININE = re.compile(r"\b(?:she|her|hers|she's)\b", _I)
_MASCULINE = re.compile(r"\b(?:he|him|his|he's)\b", _I)
_THIS_PERSON = re.compile(r"\b(?:this|that|the)\s+(?:guy|man|woman|dude|lady|idiot|moron|clown|fool|person)\b", _I)
_CLAIM = re.compile(r"\b(?:this|the|your|that|her|his)\s+(?:article|piece|op-?ed|column|story|essay|argument|"
                    r"claim|claims|premise|logic|reasoning|thesis|analysis|conclusion|point)\b"
                    r"|\b(?:this|that) is (?:wrong|false|nonsense|rubbish|propaganda|garbage|misleading|absurd)\b", _I)
_DISAGREE = re.compile(r"\b(?:wrong|false|fails?|failed|flawed|nonsense|rubbish|misleading|untrue|not true|"
                       r"incorrect|propaganda|garbage|absurd|ridiculous|doesn'?t hold|does not hold|laughable|"
                       r"disagree|naive|biased|one-sided|lies)\b", _I)
_ATTACK = re.compile(r"\b(?:idiot\w*|moron\w*|stupid\w*|dumb\w*|fool\w*|liars?|lying|shills?|hacks?|trolls?|"
                     r"clowns?|traitors?|scum\w*|apologists?|propagandists?|ignorant|pathetic|disgusting|"
                     r"typical|garbage|trash|rubbish|nonsense|propaganda|hypocrit\w*|coward\w*|losers?|"
                     r"imbecile\w*|cretin\w*|useless|evil|vile|racists?|bigots?|puppets?|stooges?|"
                     r"ignoramus|delusional|brainwashed|wrong|lies)\b", _I)
_TITLE = r"(?:President|Minister|Senator|Sen\.|Rep\.|Governor|Gov\.|Mayor|Chancellor|Prime Minister|PM|Mr\.?|Mrs\.?|" \
         r"Ms\.?|Dr\.?|Prof\.?|Professor|General|Gen\.|King|Queen|Prince|Princess|Pope|Judge|Justice|Secretary)"
_NAME = r"[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?"
_TITLED = re.compile(rf"\b{_TITLE}\s+(?:{_NAME}\s+)?{_NAME}\b")
_CAPITALISED = re.compile(rf"\b{_NAME}(?:\s+{_NAME})*\b")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\"“(\n]\s*|#)$")
# Capitalised words that are not names (sentence openers, days, months, interjections).
_NOT_NAMES_TEXT = (
    "The This That These Those It Its He She They We You Your I My Our His Her Their What Why How When Where Who "
    "Which Yes No Not Oh And But So If Just Well Maybe Also Great Thanks Thank Please Sorry Good Bad Wow Lol Omg "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July August "
    "September October November December God Lord Christmas Easter English Western Eastern Northern Southern "
    "Twitter Facebook Google Internet Europe Russia Ukraine China America Britain Israel Iran Gaza Syria Iraq "
    "Afghanistan India Germany France Japan Korea Canada Mexico Australia London Washington Moscow Kyiv Beijing "
    "Paris Berlin NATO Congress Parliament Senate Government Army West East North South Hey Dear Really Exactly "
    "Agreed Absolutely Totally Typical Another Every Everyone Nobody Nothing Someone Some Any All Most Many Never "
    "Always Here There Now Then Today Yesterday Tomorrow Even Still Only Like Let Do Does Did Is Are Was Were Be "
    "Can Could Should Would Will Must Have Has Had One Two Three First Last Next Because Since While Though "
    "Although After Before Again Once As At In On Of For From With Without By To Into About Or Nor Yet "
    # political labels name camps, not people: "a Nazi collaborator" is a slur, not a public figure
    "Nazi Nazis Fascist Fascists Communist Communists Marxist Marxists Socialist Socialists Liberal Liberals "
    "Conservative Conservatives Democrat Democrats Republican Republicans Leftist Leftists Zionist Zionists"
)
_NOT_NAMES = frozenset(_NOT_NAMES_TEXT.split())
_PLACE_FIRST_NAMES = frozenset({"Jordan", "Georgia", "Chad", "Israel", "Kenya", "India", "Paris", "Sydney",
                                "Victoria", "Austin", "Washington", "Lincoln", "Chelsea", "Florence"})
_HEDGE_MENTION = 0.45  # confidence of weak cues: a bare capitalised word, a pronoun, "you" in a top-level comment


@dataclass(frozen=True, slots=True)
class Mention:
    """One place the comment names a possible target, with how sure the cue is."""

    kind: str
    start: int
    end: int
    confidence: float


def _names_of(person: str | None) -> list[str]:
    """Name parts worth matching: the full name and each part of 3+ letters ("Elena Marsh" -> both)."""
    if not person:
        return []
    out = []
    for one in re.split(r"\s*(?:,|&|\band\b)\s*", re.sub(r"^\s*by\s+", "", person, flags=_I)):
        parts = [p for p in one.split() if len(p.strip(".")) >= 3]
        out.extend([one.strip(), *parts] if len(parts) > 1 else parts)
    return [n for n in dict.fromkeys(out) if n]


def _word(name: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(name)}(?!\w)")


def _matches(pattern: re.Pattern[str], text: str, kind: str, confidence: float) -> list[Mention]:
    return [Mention(kind, m.start(), m.end(), confidence) for m in pattern.finditer(text)]


def author_mentions(text: str, article: Article | None, is_reply: bool, has_other_person: bool) -> list[Mention]:
    """The author by name ("Marsh", "Elena Marsh"), by role ("the writer") or, top-level only, by pronoun."""
    names = _names_of(article.author if article else None)
    found = [Mention("author", m.start(), m.end(), 0.95 if " " in n else 0.85)
             for n in names for m in _word(n).finditer(text)]
    found += _matches(_AUTHOR_ROLE, text, "author", 0.9)
    if names and not found and not is_reply and not has_other_person:
        found += _matches(author_pronoun(article), text, "author", _HEDGE_MENTION)  # who else is "she" under her piece?
    return found


def author_pronoun(article: Article | None) -> re.Pattern[str]:
    """The pronouns that can mean the author: those the article's author bio uses for them ("Her most recent book"),
    or any third-person pronoun when the bio uses none or both (no guess where the page says nothing)."""
    bio = (article.author_bio or "") if article else ""
    feminine, masculine = bool(_FEMININE.search(bio)), bool(_MASCULINE.search(bio))
    if feminine != masculine:
        return _FEMININE if feminine else _MASCULINE
    return _PRONOUN


def outlet_mentions(text: str, article: Article | None) -> list[Mention]:
    """The outlet by name (with or without its leading "The") or by role ("this paper", "the editors")."""
    found = _matches(_OUTLET_ROLE, text, "outlet", 0.85)
    outlet = (article.outlet or "").strip() if article else ""
    short = re.sub(r"^the\s+", "", outlet, flags=_I)
    if len(short) >= 3:
        found += _matches(re.compile(rf"(?<!\w)(?:the\s+)?{re.escape(short)}(?!\w)", _I), text, "outlet", 0.9)
    return found


def commenter_mentions(text: str, parent: Comment | None) -> list[Mention]:
    """Second person, @names and the parent's author; "you" is surer in a reply than under the article."""
    found = _matches(_YOU, text, "commenter", 0.8 if parent else _HEDGE_MENTION)
    found += _matches(_AT_NAME, text, "commenter", 0.85)
    for name in _names_of(parent.author if parent else None):
        found += _matches(_word(name), text, "commenter", 0.9)
    return found


def _name_words(run: str) -> list[str]:
    """The words of a capitalised run that may be a person's name: no sentence openers or months, and no
    place or demonym ("Spain", "New Zealand", "Russian"), though a first name that is also a place stays when
    a surname follows ("Jordan Peterson")."""
    words = [w for w in place_phrase_pattern().sub(" ", run).split() if w not in _NOT_NAMES]
    return [w for i, w in enumerate(words)
            if not is_place(w) or (w in _PLACE_FIRST_NAMES and i + 1 < len(words))]


def figure_mentions(text: str, exclude: set[str], article_names: set[str]) -> list[Mention]:
    """Named people: titled names ("President Biden"), First Last, and surnames the article names."""
    found = _matches(_TITLED, text, "public_figure", 0.9) + _matches(_THIS_PERSON, text, "public_figure", 0.5)
    for m in _CAPITALISED.finditer(text):
        words = _name_words(m.group())
        if not words or any(w.lower() in exclude or w in exclude for w in words):
            continue
        if len(words) >= 2 or words[0] in article_names:
            confidence = 0.8
        elif not _SENTENCE_START.search(text[: m.start()]):
            confidence = _HEDGE_MENTION
        else:
            continue  # a lone capitalised sentence opener is usually just a word
        found.append(Mention("public_figure", m.start(), m.end(), confidence))
    return found


def _article_names(article: Article | None) -> set[str]:
    """Surnames of people the article names as First Last (so "Putin" alone counts in a comment)."""
    if article is None:
        return set()
    names = set()
    for m in _CAPITALISED.finditer(article.text[:MAX_CHARS]):
        words = _name_words(m.group())
        if len(words) >= 2:
            names.add(words[-1])
    return names


def argument_mentions(text: str, hostile: bool, has_person: bool) -> list[Mention]:
    """References to the piece's claims; a hostile comment with no personal target is taken to attack them."""
    found = _matches(_CLAIM, text, "argument", 0.8)
    if found and not _DISAGREE.search(text) and not hostile:
        return []  # "this article" without disagreement or hostility is no attack
    if not found and hostile and not has_person:
        found = [Mention("argument", 0, 0, 0.4)]  # no span: nothing names the target, it is the default
    return found


class TargetAnalyser:
    """Target of hostility: author / outlet / commenter / public_figure / group / argument, with spans."""

    name: ClassVar[str] = "target"
    version: ClassVar[str] = "2.1"  # 2.1: a pronoun means the author only if it agrees with the author bio
    # persuasion's name calling ("apologist", "mouthpiece") is hostility toward whoever it names,
    # even when the words are too mild for the toxicity model
    requires: ClassVar[tuple[str, ...]] = ("toxicity", "persuasion")
    labels: ClassVar[tuple[str, ...]] = TARGETS
    needs_embedding: ClassVar[bool] = True

    def __init__(self, min_hostility: float = 0.5, min_score: float = 0.2, disagreement_strength: float = 0.6,
                 thresholds: dict[str, float] | None = None) -> None:
        self.min_hostility = min_hostility
        self.min_score = min_score  # for the rule-scored ``argument`` of a comment that is not hostile
        self.disagreement_strength = disagreement_strength
        self.thresholds = thresholds  # None: the head's, chosen on OLID dev

    def setup(self) -> Self:
        self.load_lexicon()
        if getattr(self, "coef_", None) is None:
            arrays, meta = load_head(HEAD)
            self.coef_ = arrays["coef"].astype(np.float64)
            self.intercept_ = arrays["intercept"].astype(np.float64)
            self.mean_ = arrays["mean"].astype(np.float64)
            self.scale_ = arrays["scale"].astype(np.float64)
            self.thresholds_: dict[str, float] = dict(self.thresholds or meta["thresholds"])
        return self

    def load_lexicon(self) -> Self:
        """The group lexicon alone: enough to find mentions (training needs them before any head exists)."""
        if getattr(self, "group_pattern_", None) is None:
            path = heads_dir() / HEAD / LEXICON_FILE
            if not path.is_file():
                raise MissingHead(f"no target lexicon at {path}", source=self.name)
            lexicon = json.loads(path.read_text(encoding="utf-8"))
            nouns = r"(?:people|persons|men|women|folks?|guys|kids|voters|immigrants|community|communities|lot)"
            nominal = "|".join(re.escape(t) for t in sorted(lexicon["nominal"], key=len, reverse=True))
            adjectival = "|".join(re.escape(t) for t in sorted(lexicon["adjectival"], key=len, reverse=True))
            self.group_pattern_: re.Pattern[str] = re.compile(
                rf"(?<![\w-])(?:(?:{adjectival})\s+{nouns}|{nominal})(?![\w-])", _I)
            self.group_words_: frozenset[str] = frozenset(
                w for t in (*lexicon["nominal"], *lexicon["adjectival"]) for w in t.split())
        return self

    def coarse_probabilities(self, contexts: Sequence[CommentContext], embeddings: np.ndarray,
                             mentions: Sequence[list[Mention]] | None = None) -> np.ndarray:
        """P(IND), P(GRP), P(OTH) per comment, read as hostile (the head was trained on offensive posts);
        ``mentions``, when given, are each comment's ``mentions(context, True)``, already found."""
        self.setup()
        found = mentions if mentions is not None else [None] * len(contexts)
        hand = np.array([self.mention_features(c, m) for c, m in zip(contexts, found, strict=True)],
                        dtype=np.float64).reshape(len(contexts), -1)
        x = np.hstack([embeddings.astype(np.float64), (hand - self.mean_) / self.scale_])
        z = x @ self.coef_.T + self.intercept_
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        return np.asarray(p / p.sum(axis=1, keepdims=True))

    def mention_features(self, context: CommentContext, mentions: list[Mention] | None = None) -> list[float]:
        """Per mention kind its strongest cue and log count; reply flag; log length; toxicity categories.
        ``mentions`` are the comment's ``mentions(context, True)`` when the caller has found them already."""
        if mentions is None:
            self.load_lexicon()
            mentions = self.mentions(context, True)
        out: list[float] = []
        for kind in MENTION_KINDS:
            mine = [m.confidence for m in mentions if m.kind == kind]
            out += [max(mine, default=0.0), float(np.log1p(len(mine)))]
        out += [float(context.parent is not None), float(np.log1p(len(context.text.split())))]
        scores = {f.label: f.score for f in context.findings_of("toxicity")}
        return out + [scores.get(label, 0.0) for label in TOXICITY_LABELS]

    def analyse(self, batch: Sequence[CommentContext]) -> Iterable[Finding]:
        self.setup()
        # hostility and a hostile comment's mentions are found once here, then shared by the head and the findings
        hostility = {c.comment.id: self.hostility(c) for c in batch}
        hostile = [c for c in batch if hostility[c.comment.id][0] >= self.min_hostility]
        mentions = {c.comment.id: self.mentions(c, True) for c in hostile}
        coarse: dict[str, np.ndarray] = {}
        if hostile:
            probabilities = self.coarse_probabilities(hostile, _embeddings(hostile),
                                                      [mentions[c.comment.id] for c in hostile])
            coarse = {c.comment.id: p for c, p in zip(hostile, probabilities, strict=True)}
        out: list[Finding] = []
        for context in batch:
            key = context.comment.id
            out.extend(self._analyse_one(context, hostility[key], coarse.get(key), mentions.get(key)))
        return out

    def hostility(self, context: CommentContext) -> tuple[float, list[Span]]:
        """The strongest toxicity or name-calling score (0 when there is none) and their spans."""
        relevant = [f for f in context.findings_of("toxicity") if f.label.lower() not in NOT_HOSTILE]
        relevant += [f for f in context.findings_of("persuasion") if f.label == "name_calling"]
        spans = [Span(s.start, s.end, "attack") for f in relevant for s in f.spans if s.fits(context.text)]
        return max((f.score for f in relevant), default=0.0), spans

    def mentions(self, context: CommentContext, hostile: bool) -> list[Mention]:
        """Every candidate target mention in the comment, all kinds together."""
        text, article, parent = context.text[:MAX_CHARS], context.article, context.parent
        exclude = {w.lower() for n in _names_of(article.author if article else None) for w in n.split()}
        exclude |= {w.lower() for w in (article.outlet or "").split()} if article else set()
        exclude |= {w.lower() for n in _names_of(parent.author if parent else None) for w in n.split()}
        exclude |= self.group_words_
        found = figure_mentions(text, exclude, _article_names(article))
        found += _matches(self.group_pattern_, text, "group", 0.85)
        found += commenter_mentions(text, parent)
        found += outlet_mentions(text, article)
        people = [m for m in found if m.kind in ("public_figure", "commenter") and m.confidence > _HEDGE_MENTION]
        found += author_mentions(text, article, parent is not None, bool(people))
        if not any(m.kind == "author" for m in found) and not people:
            # "he"/"she" with no author to point at: someone the thread discussed, a weak cue
            found += _matches(_PRONOUN, text, "public_figure", 0.4)
        has_person = any(m.kind != "argument" and m.confidence > _HEDGE_MENTION for m in found)
        if hostile and parent is not None and not has_person:
            found.append(Mention("commenter", 0, 0, 0.5))  # a hostile reply naming nobody answers its parent
        found += argument_mentions(text, hostile, has_person)
        return found

    def _analyse_one(self, context: CommentContext, hostility: tuple[float, list[Span]], coarse: np.ndarray | None,
                     hostile_mentions: list[Mention] | None) -> list[Finding]:
        level, tox_spans = hostility
        text = context.text[:MAX_CHARS]
        attacks = tox_spans + [Span(m.start(), m.end(), "attack") for m in _ATTACK.finditer(text)]
        if coarse is None:  # not hostile: only disagreement with the piece is reported
            mentions = [m for m in self.mentions(context, False) if m.kind == "argument"]
            level = self.disagreement_strength if _DISAGREE.search(text) else 0.0
            confidence = max((m.confidence for m in mentions), default=0.0)
            if not mentions or level * confidence < self.min_score:
                return []
            detail = {"hostility": 0.0, "rule": "disagreement", "threshold": self.min_score}
            return [self._finding(context, "argument", level * confidence, mentions, attacks, detail)]
        mentions = hostile_mentions if hostile_mentions is not None else self.mentions(context, True)
        out = []
        for cls, probability in zip(COARSE, coarse, strict=True):
            threshold = self.thresholds_[cls]
            if probability < threshold:
                continue
            detail = {"hostility": round(level, 4), "target_type": cls, "probability": round(float(probability), 4),
                      "threshold": threshold}
            for kind, mine, share in _kinds_for(cls, mentions):
                if probability * share >= threshold:
                    out.append(self._finding(context, kind, probability * share, mine, attacks, detail))
        return sorted(out, key=lambda f: (-f.score, f.label))

    def _finding(self, context: CommentContext, kind: str, score: float, mentions: list[Mention],
                 attacks: list[Span], detail: dict[str, object]) -> Finding:
        targets = [Span(m.start, m.end, "target") for m in mentions if m.end > m.start]
        spans = _dedupe(targets + _near(attacks, targets, context.text))
        detail = {**detail, "mention_confidence": max((m.confidence for m in mentions), default=0.0),
                  "mentions": len(targets)}
        return finding(self, context, kind, score, spans=spans, detail=detail)


def _kinds_for(cls: str, mentions: list[Mention]) -> list[tuple[str, list[Mention], float]]:
    """Which of our target kinds a coarse type names, each with its mentions and its share of the probability:
    an individual is the best-mentioned person (others in proportion to their cue), a group is a group, and
    "other" is the outlet when named, else the article's argument when named, else something else."""
    by_kind = {k: [m for m in mentions if m.kind == k] for k in TARGETS}
    if cls == "GRP":
        return [("group", by_kind["group"], 1.0)]
    if cls == "OTH":
        for kind in ("outlet", "argument"):
            if any(m.end > m.start for m in by_kind[kind]):
                return [(kind, by_kind[kind], 1.0)]
        return [("other", [], 1.0)]
    people = [(k, by_kind[k], max(m.confidence for m in by_kind[k])) for k in INDIVIDUAL if by_kind[k]]
    if not people:
        return []
    best = max(c for _, _, c in people)
    return [(k, mine, c / best) for k, mine, c in people]


def _embeddings(contexts: Sequence[CommentContext]) -> np.ndarray:
    if all(c.embedding is not None for c in contexts):
        return np.stack([np.asarray(c.embedding, dtype=np.float32) for c in contexts])
    return shared_embedder().encode([c.text for c in contexts])  # used outside the pipeline


def _near(attacks: list[Span], targets: list[Span], text: str) -> list[Span]:
    """Attacking words in the same sentence as a target mention (all of them when nothing is named)."""
    if not targets:
        return attacks
    bounds = [0, *(m.end() for m in re.finditer(r"[.!?\n]+", text)), len(text)]

    def sentence(pos: int) -> int:
        return sum(1 for b in bounds if b <= pos)

    wanted = {sentence(t.start) for t in targets}
    return [a for a in attacks if sentence(a.start) in wanted]


def _dedupe(spans: list[Span]) -> tuple[Span, ...]:
    return tuple(sorted(set(spans), key=lambda s: (s.start, s.end, s.label)))
