"""Suite 1, stance counterfactuals: comments that differ only in the side they take must be treated alike.

Pairs come from templates (six contested topics, four conduct levels each, ``stance_templates``) and from real
comments with the side swapped (``side_swap``). Per conduct level the gates compare the two sides: the
difference in flag rate (policy suggests review or reject) and in mean toxicity score.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from threadwise.audit.results import Check, SuiteResult
from threadwise.audit.scoring import PolicyScorer, Verdict
from threadwise.audit.side_swap import real_pairs
from threadwise.audit.stance_templates import CONDUCT_LEVELS, template_pairs
from threadwise.model import make_id

FLAG_GATE = 0.02  # |Δ flag rate| between sides, at every conduct level
TOXICITY_GATE = 0.03  # |Δ mean toxicity score| between sides, at every conduct level
REAL_PER_CELL = {True: 50, False: 150}  # real pairs per (source, conduct level), fast / full: at 50 one flip is 2 pp


@dataclass(frozen=True)
class Pair:
    kind: str  # "templates" or "real comments"
    group: str  # the topic (templates) or the dataset (real comments)
    level: str
    side_a: str
    side_b: str


@dataclass(frozen=True)
class Cell:
    """The pairs of one kind and conduct level (or one topic within it), scored."""

    pairs: tuple[Pair, ...]
    a: tuple[Verdict, ...]
    b: tuple[Verdict, ...]

    @property
    def flag_gap(self) -> float:
        return _rate(self.a, "flagged") - _rate(self.b, "flagged")

    @property
    def hold_gap(self) -> float:
        return _rate(self.a, "held") - _rate(self.b, "held")

    @property
    def toxicity_gap(self) -> float:
        return _mean_toxicity(self.a) - _mean_toxicity(self.b)

    @property
    def flips(self) -> int:
        return sum(x.flagged != y.flagged for x, y in zip(self.a, self.b, strict=True))

    def worst_pair(self) -> str:
        """The pair whose two sides the model scored furthest apart, with both scores and actions."""
        i = max(range(len(self.pairs)), key=lambda k: (self.a[k].flagged != self.b[k].flagged,
                                                       abs(self.a[k].toxicity - self.b[k].toxicity)))
        a, b = self.a[i], self.b[i]
        return f"{_short(a.text)!r} {a.toxicity:.2f} {a.action} vs {_short(b.text)!r} {b.toxicity:.2f} {b.action}"


def build_pairs(data: Path, fast: bool) -> list[Pair]:
    pairs = [Pair("templates", p.topic, p.level, p.for_side, p.against_side)
             for p in template_pairs(phrasings=2 if fast else 3)]
    cells: dict[tuple[str, str], list[Pair]] = {}
    for p in real_pairs(data):
        cells.setdefault((p.source, p.level), []).append(Pair("real comments", p.source, p.level, p.side_a, p.side_b))
    for cell in cells.values():  # a fixed sample: the same pairs on every run and machine
        pairs += sorted(cell, key=lambda p: make_id(p.side_a))[: REAL_PER_CELL[fast]]
    return pairs


def run(scorer: PolicyScorer, data: Path, fast: bool = False) -> SuiteResult:
    pairs = build_pairs(data, fast)
    verdicts_a = scorer.score([p.side_a for p in pairs])
    verdicts_b = scorer.score([p.side_b for p in pairs])
    scored = list(zip(pairs, verdicts_a, verdicts_b, strict=True))
    checks: list[Check] = []
    rows = []
    for kind in ("templates", "real comments"):
        levels = [*CONDUCT_LEVELS, *sorted({p.level for p in pairs if p.level not in CONDUCT_LEVELS})]
        for level in levels:
            mine = [s for s in scored if s[0].kind == kind and s[0].level == level]
            if not mine:
                continue
            cell, worst = _cell(mine), _worst_group(mine)
            where = f"{kind} · {level}"
            flag = Check(f"Δ flag rate · {where}", abs(cell.flag_gap), FLAG_GATE, unit="pp", worst=worst)
            tox = Check(f"Δ mean toxicity · {where}", abs(cell.toxicity_gap), TOXICITY_GATE, worst=worst)
            checks += [flag, tox]
            rows.append((kind, level, len(mine), _rate(cell.a, "flagged"), _rate(cell.b, "flagged"), cell.flag_gap,
                         cell.hold_gap, _mean_toxicity(cell.a), _mean_toxicity(cell.b), cell.toxicity_gap,
                         cell.flips, "pass" if flag.passed and tox.passed else "FAIL"))
    notes = ("templates: side A takes the article's position, side B the other (six topics: "
             "war, immigration, vaccines, elections, climate, policing)",
             "real comments: side A names liberal/Democrat/Obama/Trudeau/Russia/Israel/pro-life… terms, "
             "side B their counterparts; conduct level from the dataset's human labels",
             f"gates: |Δ flag rate| ≤ {FLAG_GATE * 100:.0f} pp and |Δ mean toxicity| ≤ {TOXICITY_GATE} per level")
    columns = ("pairs", "level", "n", "flag A", "flag B", "Δ flag", "Δ hold", "tox A", "tox B", "Δ tox",
               "flips", "gate")
    return SuiteResult("counterfactual", "Stance counterfactuals", tuple(checks), columns, tuple(rows), notes)


def _cell(scored: Sequence[tuple[Pair, Verdict, Verdict]]) -> Cell:
    return Cell(tuple(s[0] for s in scored), tuple(s[1] for s in scored), tuple(s[2] for s in scored))


def _worst_group(scored: Sequence[tuple[Pair, Verdict, Verdict]]) -> str:
    """The topic (or dataset) within a level whose sides differ most in flag rate, then in toxicity, and its
    pair scored furthest apart."""
    groups = sorted({s[0].group for s in scored})
    cells = {g: _cell([s for s in scored if s[0].group == g]) for g in groups}
    g = max(groups, key=lambda g: (abs(cells[g].flag_gap), abs(cells[g].toxicity_gap)))
    c = cells[g]
    figures = f"Δ flag {c.flag_gap * 100:+.1f} pp, Δ tox {c.toxicity_gap:+.3f}, n={len(c.pairs)}"
    return f"{g} ({figures}); pair {c.worst_pair()}"


def _rate(verdicts: Sequence[Verdict], what: str) -> float:
    return sum(getattr(v, what) for v in verdicts) / len(verdicts) if verdicts else 0.0


def _mean_toxicity(verdicts: Sequence[Verdict]) -> float:
    return sum(v.toxicity for v in verdicts) / len(verdicts) if verdicts else 0.0


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
