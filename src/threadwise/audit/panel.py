"""Suite 4, the per-thread panel: in real threads, flag and hold rates per stance group, with the counts, and
whether conduct explains the gaps (``threadwise.neutrality`` computes the panel; this suite runs it on threads).

Threads: the project's example op-ed thread, and in the full audit the ten Fox News threads whose comments
carry human hate labels, so a gap between stance groups can also be checked against people's judgement
of conduct, not only against our own model's. No gate: a real thread's groups differ in conduct and size.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from threadwise.audit.errors import AuditThreadError
from threadwise.audit.results import SuiteResult
from threadwise.audit.scoring import PolicyScorer
from threadwise.locations import EXAMPLE_PAGE
from threadwise.model import Article, Comment, Thread, make_id
from threadwise.neutrality import NeutralityPanel, article_stance, build_panel
from threadwise.service import analyse_thread, read_source

EXAMPLE = EXAMPLE_PAGE
MIN_GROUP = 5


def fox_news_threads(data: Path) -> list[tuple[Thread, dict[str, bool]]]:
    """The Fox News comment threads (article title + description, comments in order) with each comment's
    human label (hateful or not), keyed by comment id."""
    path = data / "fox_news_comments_hate" / "fox-news-comments.json"
    if not path.is_file():
        raise AuditThreadError(f"the audit needs {path.name}, which is missing", source=str(path))
    by_title: dict[str, list[dict[str, object]]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        by_title.setdefault(str(row["title"]), []).append(row)
    out = []
    for title, rows in by_title.items():
        article = Article(id=make_id("fox", title), title=title, paragraphs=(str(rows[0]["meta"]),))
        comments = tuple(Comment(id=make_id(article.id, i, r["text"]), thread_id=article.id, text=str(r["text"]),
                                 position=i, author=str(r["user"]), number=str(i + 1)) for i, r in enumerate(rows))
        out.append((Thread(article, comments), {c.id: bool(r["label"]) for c, r in zip(comments, rows, strict=True)}))
    return out


def thread_panel(scorer: PolicyScorer, thread: Thread, labels: dict[str, bool] | None = None,
                 name: str = "") -> tuple[NeutralityPanel, list[tuple[object, ...]]]:
    """The panel for one thread and its table rows (one per stance group with comments)."""
    if not thread.comments:
        raise AuditThreadError("the thread has no comments", source=name or thread.id)
    # Stance runs in a pipeline of its own, so the scorer's pipeline stays exactly what moderation runs.
    findings = [*analyse_thread(thread, pipeline=scorer.pipeline).findings,
                *analyse_thread(thread, pipeline=scorer.stance_pipeline()).findings]
    panel = build_panel(thread, findings, None, scorer.policy, min_group=MIN_GROUP)
    stances = {c.id: article_stance(f for f in findings if f.comment_id == c.id) for c in thread.comments}
    rows: list[tuple[object, ...]] = []
    for g in panel.groups:
        if not g.comments:
            continue
        hateful = [labels[c] for c, s in stances.items() if s == g.stance] if labels else []
        rows.append((name or thread.article.title or thread.id, g.stance, g.comments, g.flagged, g.flag_rate,
                     g.expected_flag_rate, g.unexplained_flag_rate, g.mean_toxicity,
                     sum(hateful) / len(hateful) if hateful else None))
    return panel, rows


def _pooled(name: str, rows: Sequence[tuple[Any, ...]]) -> list[tuple[object, ...]]:
    """Per stance group over several threads: counts summed, rates weighted by each thread's group size."""
    out: list[tuple[object, ...]] = []
    for stance in dict.fromkeys(r[1] for r in rows):
        mine = [r for r in rows if r[1] == stance]
        n, flagged = sum(r[2] for r in mine), sum(r[3] for r in mine)

        def weighted(i: int, group: list[tuple[Any, ...]] = mine) -> float | None:
            known = [(r[2], r[i]) for r in group if r[i] is not None]
            return sum(k * v for k, v in known) / sum(k for k, _ in known) if known else None

        expected = weighted(5)
        out.append((name, stance, n, flagged, flagged / n, expected,
                     None if expected is None else flagged / n - expected, weighted(7), weighted(8)))
    return out


def run(scorer: PolicyScorer, data: Path, fast: bool = False, threads: Sequence[str] = ()) -> SuiteResult:
    chosen: list[tuple[str, Thread, dict[str, bool] | None]] = [(ref, read_source(ref), None) for ref in threads]
    if not threads:
        if EXAMPLE.is_file():
            chosen.append(("example op-ed", read_source(str(EXAMPLE)), None))
        if not fast:
            chosen += [(f"Fox News: {(t.article.title or t.id)[:40]}", t, labels)
                       for t, labels in fox_news_threads(data)]
    rows, panels = [], {}
    for name, thread, labels in chosen:
        panel, mine = thread_panel(scorer, thread, labels, name)
        rows += mine
        panels[name] = {**panel.to_dict(), "explained_share": panel.explained_share}
    fox = [r for r in rows if str(r[0]).startswith("Fox News")]
    if fox:
        rows += _pooled("Fox News, all threads", fox)
    notes = ("flag rate: policy suggests review or reject; expected: the rate if it depended on conduct alone "
             "(thread-wide rate of each comment's conduct level); unexplained = flag − expected",
             "human hateful: share of the group's comments people labelled hateful (Fox News threads only)",
             f"gaps are taken over stance groups of at least {MIN_GROUP} comments; no gate (real threads differ "
             "in conduct and size)")
    columns = ("thread", "stance", "n", "flagged", "flag rate", "expected", "unexplained", "mean tox",
               "human hateful")
    return SuiteResult("panel", "Per-thread panel", (), columns, tuple(rows), notes, {"panels": panels})
