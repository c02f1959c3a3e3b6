"""Suite 3, quoting is not endorsing: a civil comment that quotes abuse to criticise it, or quotes the article,
must not inherit the quoted words' flag as an automatic action. Holding it for review is fine, as long as the
moderator is shown why (the suggestion's reason and evidence).

Sources: HateCheck's counter-speech cases (quoting or referring to hate in order to denounce it) and negated
abuse ("I don't hate …"), our own frames around quoted abuse, and comments quoting harsh words a (built-in)
news article reports.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from threadwise.audit.datasets import read_csv
from threadwise.audit.results import Check, SuiteResult
from threadwise.audit.scoring import PolicyScorer, Verdict
from threadwise.model import Article

AUTO_REJECT_GATE = 0.0  # share of civil quoting comments rejected automatically
UNEXPLAINED_HOLD_GATE = 0.0  # share of held quoting comments shown to a moderator without a reason

QUOTED_ABUSE = (
    "you are a worthless idiot",
    "go back where you came from",
    "people like you should be shot",
    "shut up, you stupid cow",
    "I will find you and hurt you",
    "they are vermin and should be exterminated",
)
FRAMES = (
    'Someone above wrote "{q}". That is not acceptable here.',
    'Calling people "{q}" is not an argument, it is abuse.',
    'I was told "{q}" for disagreeing. Moderators, please look at this.',
    '"{q}" - I cannot believe someone wrote that. Please be kind to each other.',
    'Replying with "{q}" says more about you than about me.',
)
ARTICLE = Article(
    id="audit-quoting-article", title="Minister under fire over rally remarks",
    paragraphs=("At a rally on Saturday the minister called protesters \"vermin who should be crushed\".",
                "He told the crowd he would \"destroy these traitors\" if they kept marching.",
                "An aide later said the minister \"meant every word\" and would not apologise."),
)
ARTICLE_QUOTES = ("vermin who should be crushed", "destroy these traitors")
ARTICLE_FRAMES = (
    'The article quotes the minister: "{q}". Shameful language from a public official.',
    'He really said "{q}"? Good on the paper for reporting it.',
    'Quoting a minister saying "{q}" is journalism, not endorsement. Well reported.',
    '"{q}" - a minister should resign over that.',
)


@dataclass(frozen=True)
class QuoteCase:
    source: str
    text: str  # the civil comment that quotes
    quoted: str  # the words it quotes
    article: Article | None = None


HATECHECK = {  # functionality → the row label: civil comments that repeat abuse in order to reject it
    "counter_quote_nh": "HateCheck counter-speech, quoting",
    "counter_ref_nh": "HateCheck counter-speech, referring",
    "negate_neg_nh": "HateCheck negated abuse",
}


def hatecheck_cases(data: Path, fast: bool) -> list[QuoteCase]:
    """HateCheck's civil cases that quote, refer to or negate a hateful case; ``quoted``: the quoted words, else
    the hateful case they answer (``ref_case_id``). Cases answering no case are left out."""
    rows = list(read_csv(data / "hatecheck_functional_tests" / "test_suite_cases.csv.gz"))
    by_id = {r["case_id"]: r["test_case"].strip() for r in rows}
    cases = []
    for functionality, label in HATECHECK.items():
        mine = [r for r in rows if r["functionality"] == functionality]
        quoted = [_inner_quote(r["test_case"]) if functionality == "counter_quote_nh" else by_id.get(r["ref_case_id"])
                  for r in mine]
        found = [QuoteCase(label, r["test_case"].strip(), q) for r, q in zip(mine, quoted, strict=True) if q]
        cases += found[:: 4 if fast else 1]
    return cases


def template_cases() -> list[QuoteCase]:
    return [QuoteCase("quoted abuse, criticised", f.format(q=q), q) for q in QUOTED_ABUSE for f in FRAMES]


def article_cases() -> list[QuoteCase]:
    return [QuoteCase("quoting the article", f.format(q=q), q, ARTICLE) for q in ARTICLE_QUOTES
            for f in ARTICLE_FRAMES]


def _inner_quote(text: str) -> str:
    """The words between the first pair of double quotes (HateCheck quotes the hate it answers)."""
    parts = text.split('"')
    return parts[1] if len(parts) >= 3 else text


def run(scorer: PolicyScorer, data: Path, fast: bool = False) -> SuiteResult:
    cases = [*hatecheck_cases(data, fast), *template_cases(), *article_cases()]
    scored = list(zip(cases, _score(scorer, cases, "text"), _score(scorer, cases, "quoted"), strict=True))
    rows, checks = [], []
    for source in dict.fromkeys(c.source for c in cases):
        mine = [s for s in scored if s[0].source == source]
        quoting, quoted = [s[1] for s in mine], [s[2] for s in mine]
        inherited = [q for q, alone in zip(quoting, quoted, strict=True) if alone.flagged]
        rows.append((source, len(mine), _share(quoted, "flagged"), _share(quoting, "flagged"),
                     _share(inherited, "flagged") if inherited else None, _share(quoting, "held"),
                     _share(quoting, "rejected"), _unexplained(quoting)))
    rejects = [s for s in scored if s[1].rejected]
    checks.append(Check("automatic rejection of a civil quoting comment", len(rejects) / len(scored),
                        AUTO_REJECT_GATE, unit="%", worst=_example(rejects)))
    holds = [s for s in scored if s[1].held]
    unexplained = [s for s in holds if not s[1].reason.strip()]
    checks.append(Check("held without a reason shown", len(unexplained) / max(1, len(holds)),
                        UNEXPLAINED_HOLD_GATE, unit="%", worst=_example(unexplained)))
    notes = ("a quoting comment may be held for review with its reason shown; it must not be rejected automatically",
             "inherits: of the comments whose quoted words alone are flagged, the share flagged themselves")
    columns = ("source", "n", "quoted alone flagged", "quoting flagged", "inherits", "held", "rejected",
               "held without reason")
    return SuiteResult("quoting", "Quoting is not endorsing", tuple(checks), columns, tuple(rows), notes)


def _score(scorer: PolicyScorer, cases: Sequence[QuoteCase], field: str) -> list[Verdict]:
    """Verdicts for each case's ``text`` or ``quoted`` words, scored in one batch per article."""
    for article in {c.article for c in cases}:
        scorer.score([getattr(c, field) for c in cases if c.article == article], article)
    return [scorer.score([getattr(c, field)], c.article)[0] for c in cases]


def _share(verdicts: Sequence[Verdict], what: str) -> float:
    return sum(getattr(v, what) for v in verdicts) / len(verdicts) if verdicts else 0.0


def _unexplained(verdicts: Sequence[Verdict]) -> float:
    held = [v for v in verdicts if v.held]
    return sum(not v.reason.strip() for v in held) / len(held) if held else 0.0


def _example(scored: Sequence[tuple[QuoteCase, Verdict, Verdict]]) -> str:
    if not scored:
        return ""
    case, verdict, _ = max(scored, key=lambda s: s[1].toxicity)
    return f"{case.source}: {case.text!r} → {verdict.action} ({verdict.reason}); {len(scored)} such"
