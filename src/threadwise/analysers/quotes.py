"""Quotations: passages of the article (or of the parent comment) that a comment repeats.

No trained head. Both texts are cut into word tokens (``\\w+``, case-folded) that keep their character
offsets, so case, whitespace, curly vs straight quotes and apostrophes, and dashes cannot break a match and
every span maps straight back to the original texts. Runs of shared 3-word shingles are found greedily,
extended as far as the words agree, then merged across small gaps (a typo or a changed word) and across an
ellipsis (``...``/``…``, the writer skipped words). A run counts when it is long enough: 3 words inside
quotation marks, otherwise 6 words with at least 3 content words, so a short stock phrase that merely occurs in
both texts does not count. ``similarity`` is ``difflib.SequenceMatcher``'s ratio between the normalised
passages (a token Dice coefficient when an ellipsis was bridged or the passages are very long).
"""

from __future__ import annotations

import bisect
import difflib
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from threadwise.analysers.base import CommentContext, finding
from threadwise.model import Finding, Span

_TOKEN = re.compile(r"\w+")
_QUOTED = re.compile(r'"[^"]*"|“[^”“]*”|„[^“”„]*[“”]|«[^»]*»|(?:(?<=^)|(?<=[\s(\[]))‘[^‘’]*’(?![\w])')
_ELLIPSIS = re.compile(r"\.\s*\.\s*\.|…|\[\s*\.\.\.\s*\]")
_TRAILING_STOP = re.compile(r"[.!?…]+")
_STOPWORDS = frozenset(
    (
        "a", "an", "the", "of", "to", "in", "on", "at", "by", "for", "with", "from", "and", "or", "but", "if",
        "as", "is", "are", "was", "were", "be", "been", "it", "its", "this", "that", "these", "those", "i",
        "you", "he", "she", "we", "they", "me", "him", "her", "us", "them", "my", "your", "his", "our", "their",
        "not", "no", "so", "do", "does", "did", "have", "has", "had", "will", "would", "can", "could", "should",
        "there", "here", "what", "which", "who", "all", "just", "than", "then", "very", "s", "t"
    )
)
SHINGLE = 3
MAX_POSITIONS = 32  # per shingle: bounds the work on very repetitive texts
MAX_TOKENS = 50_000  # per text: a 100 KB comment is cut, not choked on


@dataclass(frozen=True, slots=True)
class Tokens:
    """Case-folded word tokens of a text with their character offsets."""

    words: tuple[str, ...]
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    @classmethod
    def of(cls, text: str) -> Tokens:
        matches = [m for _, m in zip(range(MAX_TOKENS), _TOKEN.finditer(text), strict=False)]
        return cls(tuple(m.group().casefold() for m in matches), tuple(m.start() for m in matches),
                   tuple(m.end() for m in matches))


@dataclass(frozen=True, slots=True)
class Passage:
    """One aligned passage: character spans in the source (comment) and target (article or parent)."""

    source: tuple[int, int]
    target: tuple[int, int]
    matched: int
    similarity: float
    marked: bool


def _index(target: Tokens) -> dict[tuple[str, ...], list[int]]:
    index: dict[tuple[str, ...], list[int]] = {}
    for j in range(len(target.words) - SHINGLE + 1):
        positions = index.setdefault(target.words[j : j + SHINGLE], [])
        if len(positions) < MAX_POSITIONS:
            positions.append(j)
    return index


def _runs(source: Tokens, target: Tokens, index: dict[tuple[str, ...], list[int]]) -> list[tuple[int, int, int]]:
    """Greedy maximal runs ``(i, j, length)`` of equal words, in source order, none shorter than a shingle.
    Among equally long candidates the one continuing the previous run (then the earliest) wins."""
    runs: list[tuple[int, int, int]] = []
    i = 0
    while i <= len(source.words) - SHINGLE:
        candidates = index.get(source.words[i : i + SHINGLE], [])
        expected = runs[-1][1] + runs[-1][2] if runs else 0
        best: tuple[int, int] | None = None  # (length, j)
        for j in candidates:
            length = SHINGLE
            while (i + length < len(source.words) and j + length < len(target.words)
                   and source.words[i + length] == target.words[j + length]):
                length += 1
            if best is None or length > best[0] or (length == best[0] and abs(j - expected) < abs(best[1] - expected)):
                best = (length, j)
        if best is None:
            i += 1
            continue
        runs.append((i, best[1], best[0]))
        i += best[0]
    return runs


def _groups(runs: list[tuple[int, int, int]], source_text: str, source: Tokens,
            max_gap: int, max_skip: int) -> list[list[tuple[int, int, int]]]:
    """Merge consecutive runs whose gaps are small on both sides, or bridged by an ellipsis in the source."""
    groups: list[list[tuple[int, int, int]]] = []
    for run in runs:
        if groups:
            i0, j0, n0 = groups[-1][-1]
            gap_source, gap_target = run[0] - (i0 + n0), run[1] - (j0 + n0)
            between = source_text[source.ends[i0 + n0 - 1] : source.starts[run[0]]]
            small = 0 <= gap_target <= max_gap and gap_source <= max_gap
            skipped = gap_source <= 1 and 0 <= gap_target <= max_skip and _ELLIPSIS.search(between) is not None
            if small or skipped:
                groups[-1].append(run)
                continue
        groups.append([run])
    return groups


def _quoted_regions(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _QUOTED.finditer(text)]


def _is_marked(span: tuple[int, int], regions: list[tuple[int, int]]) -> bool:
    """At least half the passage lies inside quotation marks."""
    inside = sum(max(0, min(span[1], e) - max(span[0], s)) for s, e in regions)
    return inside * 2 >= span[1] - span[0] > 0


def _extend_stop(text: str, end: int, other: str, other_end: int) -> tuple[int, int]:
    """Take in a sentence-final ``.``/``!``/``?`` when both texts have one right after the passage."""
    mine, theirs = _TRAILING_STOP.match(text, end), _TRAILING_STOP.match(other, other_end)
    if mine and theirs:
        return mine.end(), theirs.end()
    return end, other_end


def _similarity(group: list[tuple[int, int, int]], source: Tokens, target: Tokens, bridged: bool) -> float:
    first, last = group[0], group[-1]
    source_words = source.words[first[0] : last[0] + last[2]]
    target_words = target.words[first[1] : last[1] + last[2]]
    matched = sum(n for _, _, n in group)
    if bridged or len(source_words) + len(target_words) > 1200:
        # Dice over the source words vs the matched target words: skipped text does not count against it.
        gaps = (b[1] - (a[1] + a[2]) for a, b in itertools.pairwise(group))
        target_kept = matched + sum(g for g in gaps if 0 <= g <= 2)
        return 2.0 * matched / (len(source_words) + target_kept)
    return difflib.SequenceMatcher(None, " ".join(source_words), " ".join(target_words), autojunk=False).ratio()


Prepared = tuple[Tokens, dict[tuple[str, ...], list[int]]]


def prepare(target_text: str) -> Prepared:
    """Tokens and shingle index of a target text, to reuse across the comments of one article."""
    target = Tokens.of(target_text)
    return target, _index(target)


def align(source_text: str, target_text: str, *, prepared: Prepared | None = None, min_marked: int = 3,
          min_unmarked: int = 6, min_content: int = 3, min_similarity: float = 0.8, max_gap: int = 2,
          max_skip: int = 80) -> list[Passage]:
    """Passages of ``source_text`` that repeat ``target_text`` (exactly or nearly), in source order.
    ``prepared`` must be ``prepare(target_text)`` when given."""
    source = Tokens.of(source_text)
    target, index = prepared if prepared is not None else prepare(target_text)
    if len(source.words) < SHINGLE or len(target.words) < SHINGLE:
        return []
    regions = _quoted_regions(source_text)
    passages: list[Passage] = []
    for group in _groups(_runs(source, target, index), source_text, source, max_gap, max_skip):
        first, last = group[0], group[-1]
        i_end, j_end = last[0] + last[2] - 1, last[1] + last[2] - 1
        start, end = source.starts[first[0]], source.ends[i_end]
        target_start, target_end = target.starts[first[1]], target.ends[j_end]
        marked = _is_marked((start, end), regions)
        matched = sum(n for _, _, n in group)
        content = sum(w not in _STOPWORDS for w in source.words[first[0] : i_end + 1])
        if matched < (min_marked if marked else min_unmarked) or (not marked and content < min_content):
            continue
        bridged = any(b[1] - (a[1] + a[2]) > max_gap for a, b in itertools.pairwise(group))
        similarity = _similarity(group, source, target, bridged)
        if similarity < min_similarity:
            continue
        end, target_end = _extend_stop(source_text, end, target_text, target_end)
        passages.append(Passage((start, end), (target_start, target_end), matched, round(similarity, 4), marked))
    return passages


def paragraph_starts(paragraphs: Sequence[str]) -> list[int]:
    """Offsets in ``"\\n\\n".join(paragraphs)`` where each paragraph begins."""
    starts, offset = [], 0
    for paragraph in paragraphs:
        starts.append(offset)
        offset += len(paragraph) + 2
    return starts


class QuotesAnalyser:
    """Finds where a comment quotes its article (and, for replies, its parent comment)."""

    name: ClassVar[str] = "quotes"
    version: ClassVar[str] = "1.0.0"
    requires: ClassVar[tuple[str, ...]] = ()
    labels: ClassVar[tuple[str, ...]] = ("quotes_article", "quotes_parent")
    needs_embedding: ClassVar[bool] = False

    def __init__(self, min_unmarked_words: int = 6, min_marked_words: int = 3, min_similarity: float = 0.8,
                 parent: bool = True) -> None:
        self.min_unmarked_words = min_unmarked_words
        self.min_marked_words = min_marked_words
        self.min_similarity = min_similarity
        self.parent = parent

    def setup(self) -> Self:
        return self  # nothing to load: a pure text aligner

    def analyse(self, batch: Sequence[CommentContext]) -> Iterable[Finding]:
        """``quotes_article`` per passage quoted from the article, ``quotes_parent`` per passage from the parent."""
        found: list[Finding] = []
        articles: dict[str, Prepared] = {}  # per call only: the article is tokenised once, not per comment
        for context in batch:
            found.extend(self._article_quotes(context, articles))
            if self.parent and context.parent is not None:
                found.extend(self._parent_quotes(context))
        return found

    def _align(self, source: str, target: str, prepared: Prepared | None = None) -> list[Passage]:
        return align(source, target, prepared=prepared, min_marked=self.min_marked_words,
                     min_unmarked=self.min_unmarked_words, min_similarity=self.min_similarity)

    def _article_quotes(self, context: CommentContext, articles: dict[str, Prepared]) -> list[Finding]:
        article = context.article
        if article is None or not article.paragraphs:
            return []
        text = article.text
        if text not in articles:  # keyed by content: two articles sharing an id cannot mix
            articles[text] = prepare(text)
        starts = paragraph_starts(article.paragraphs)
        return [
            finding(self, context, "quotes_article", p.similarity, spans=(Span(*p.source, "quote"),),
                    detail=self._detail(p, article_span=list(p.target),
                                        article_paragraph=bisect.bisect_right(starts, p.target[0]) - 1))
            for p in self._align(context.text, text, articles[text])
        ]

    def _parent_quotes(self, context: CommentContext) -> list[Finding]:
        parent = context.parent
        assert parent is not None
        return [
            finding(self, context, "quotes_parent", p.similarity, spans=(Span(*p.source, "quote"),),
                    detail=self._detail(p, parent_id=parent.id, parent_span=list(p.target)))
            for p in self._align(context.text, parent.text)
        ]

    @staticmethod
    def _detail(passage: Passage, **where: Any) -> dict[str, Any]:
        return {**where, "similarity": passage.similarity, "marked": passage.marked, "matched_words": passage.matched}
