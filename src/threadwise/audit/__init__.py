"""Neutrality audit: does moderation act on conduct, never on opinion? (``threadwise audit``)

Four suites, each returning gated checks and a table of figures: stance counterfactuals, identity terms,
quoting is not endorsing, and the per-thread panel. ``fast`` is the CI subset (the gates in
tests/test_audit_gates.py); the full audit is what docs/EVAL.md reports.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from threadwise.audit import counterfactual, identity, panel, quoting
from threadwise.audit.datasets import data_dir
from threadwise.audit.errors import AuditDataMissing, AuditError, AuditThreadError, UnknownSuite, UnknownTier
from threadwise.audit.results import AuditReport, Check, SuiteResult
from threadwise.audit.scoring import PolicyScorer, Verdict
from threadwise.policy import Policy

SUITES: dict[str, Callable[..., SuiteResult]] = {
    "counterfactual": counterfactual.run,
    "identity": identity.run,
    "quoting": quoting.run,
    "panel": panel.run,
}

__all__ = [
    "SUITES", "AuditDataMissing", "AuditError", "AuditReport", "AuditThreadError", "Check", "PolicyScorer",
    "SuiteResult", "UnknownSuite", "UnknownTier", "Verdict", "check_suites", "run_audit",
]


def check_suites(names: Sequence[str] | None) -> list[str]:
    """The suites asked for (all by default), refused before anything is scored when one is unknown."""
    unknown = [n for n in names or () if n not in SUITES]
    if unknown:
        raise UnknownSuite(f"no audit suite named {unknown[0]!r}", fix=f"suites: {', '.join(SUITES)}")
    return list(names) if names else list(SUITES)


def run_audit(suites: Sequence[str] | None = None, *, fast: bool = False, policy: Policy | None = None,
              data: Path | None = None, threads: Sequence[str] = (), tier: str = "accurate",
              scorer: PolicyScorer | None = None) -> AuditReport:
    """Run the suites under ``policy`` (default: the shipped policy) with the real analysers in ``tier``
    (``accurate``: the CLI's and reports' pipeline; ``fast``: the API's pre-moderation; both read the conduct model).

    ``threads``: thread files or URLs for the panel (default: the example thread, plus the Fox News threads in
    the full audit). ``scorer``: reuse one (and its cache) across calls, as the tests do.
    """
    names = check_suites(suites)
    scorer = scorer or PolicyScorer(policy, tier=tier)  # an unknown tier is refused before any data is read
    folder = data_dir(data)
    results = []
    for name in names:
        options = {"threads": threads} if name == "panel" else {}
        results.append(SUITES[name](scorer, folder, fast, **options))
    return AuditReport(scorer.label, fast, tuple(results))
