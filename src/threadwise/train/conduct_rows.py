"""A training row of the conduct model, and the identity groups its augmentation and templates draw on.

Its own module so that the sources (``conduct_data``) and the templates (``conduct_templates``) both build rows
without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from threadwise.analysers.conduct import TASKS

NAN = float("nan")


@dataclass(frozen=True, slots=True)
class Row:
    text: str
    source: str
    targets: tuple[float, ...]  # one per TASKS entry, nan = unknown
    spans: tuple[tuple[int, int, str], ...] | None = None  # None: no span supervision; () = nothing toxic
    weight: float = 1.0
    tags: frozenset[str] = field(default_factory=frozenset)


def targets(**known: float) -> tuple[float, ...]:
    return tuple(float(known.get(task, NAN)) for task in TASKS)


def benign(source: str, text: str, weight: float = 1.0) -> Row:
    """A row with nothing toxic: every task 0 and no toxic word."""
    return Row(text, source, targets(**dict.fromkeys(TASKS, 0.0)), spans=(), weight=weight)


# Identity terms the counterfactual swap uses, as (adjective, plural noun) pairs. The neutrality audit's own
# templates name more groups than these on purpose: it reports augmented and unaugmented groups apart.
AUGMENTED_GROUPS = (
    ("Muslim", "Muslims"), ("Jewish", "Jews"), ("Christian", "Christians"), ("Hindu", "Hindus"),
    ("Black", "Black people"), ("white", "white people"), ("Asian", "Asians"), ("Latino", "Latinos"),
    ("Arab", "Arabs"), ("gay", "gay people"), ("lesbian", "lesbians"), ("bisexual", "bisexual people"),
    ("trans", "trans people"), ("transgender", "transgender people"), ("disabled", "disabled people"),
    ("female", "women"), ("male", "men"), ("immigrant", "immigrants"), ("refugee", "refugees"),
    ("Mexican", "Mexicans"), ("Chinese", "Chinese people"), ("African", "Africans"),
    ("Russian", "Russians"), ("Ukrainian", "Ukrainians"), ("Palestinian", "Palestinians"), ("Israeli", "Israelis"),
    ("Syrian", "Syrians"), ("Afghan", "Afghans"), ("Roma", "Roma people"),
)  # fmt: skip
