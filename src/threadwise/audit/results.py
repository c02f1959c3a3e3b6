"""What an audit suite returns: gated checks (value, threshold, pass/fail, worst case) and a table of figures."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Check:
    """One gate: ``value`` must be at most ``threshold``; ``worst`` names the pair or group that set it."""

    name: str
    value: float
    threshold: float
    worst: str = ""
    unit: str = ""

    @property
    def passed(self) -> bool:
        return self.value <= self.threshold + 1e-12

    def describe(self) -> str:
        verdict = "pass" if self.passed else "FAIL"
        figure = f"{_fmt(self.value, self.unit)} (gate ≤ {_fmt(self.threshold, self.unit)})"
        return f"{verdict}: {self.name} = {figure}" + (f"; worst: {self.worst}" if self.worst else "")

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "passed": self.passed}


@dataclass(frozen=True)
class SuiteResult:
    """A suite's gates, plus its figures as a table (``columns`` by ``rows``) and notes for the reader."""

    name: str
    title: str
    checks: tuple[Check, ...]
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[Any, ...], ...] = ()
    notes: tuple[str, ...] = ()
    figures: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    def check(self, name: str) -> Check:
        return next(c for c in self.checks if c.name == name)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "passed": self.passed,
                "checks": [c.to_dict() for c in self.checks],
                "table": [dict(zip(self.columns, row, strict=True)) for row in self.rows],
                "notes": list(self.notes), "figures": self.figures}


@dataclass(frozen=True)
class AuditReport:
    policy: str
    fast: bool
    suites: tuple[SuiteResult, ...]

    @property
    def passed(self) -> bool:
        return all(s.passed for s in self.suites)

    def suite(self, name: str) -> SuiteResult:
        return next(s for s in self.suites if s.name == name)

    def to_dict(self) -> dict[str, Any]:
        return {"policy": self.policy, "fast": self.fast, "passed": self.passed,
                "suites": [s.to_dict() for s in self.suites]}


def _fmt(value: float, unit: str) -> str:
    return f"{value * 100:.1f} pp" if unit == "pp" else f"{value * 100:.1f} %" if unit == "%" else f"{value:.3f}"
