"""Runs, findings and decisions: the records of what was done to stored comments.

Findings and decisions are only ever inserted, never updated, so the trail of who or what said what
about a comment can be audited later; a later decision names the one it ``supersedes``.
"""

from __future__ import annotations

import socket
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from threadwise.model import Decision, Finding, Run, Span
from threadwise.owner import Owner
from threadwise.store.schema import comments, decisions, findings, runs


def save_run(conn: Connection, run: Run) -> None:
    """Insert the run, or update it: a run is saved when it starts and again when it finishes."""
    owner = run.owner
    values = {
        "kind": run.kind,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "config": dict(run.config),
        "host": owner.host if owner else None,
        "pid": owner.pid if owner else None,
        "process_started": owner.started if owner else None,
        "interrupted_at": run.interrupted_at,
    }
    exists = conn.execute(sa.select(runs.c.id).where(runs.c.id == run.id)).first() is not None
    if exists:
        conn.execute(runs.update().where(runs.c.id == run.id).values(values))
    else:
        conn.execute(runs.insert().values(id=run.id, **values))


def load_run(conn: Connection, run_id: str) -> Run | None:
    row = conn.execute(sa.select(runs).where(runs.c.id == run_id)).one_or_none()
    return None if row is None else _run_from_row(row)


def recent_runs(conn: Connection, limit: int) -> list[Run]:
    """The latest ``limit`` runs, newest first."""
    query = sa.select(runs).order_by(runs.c.started_at.desc(), runs.c.id).limit(limit)
    return [_run_from_row(row) for row in conn.execute(query)]


def mark_interrupted_runs(conn: Connection, now: datetime) -> list[Run]:
    """Mark each unfinished run of this host whose process is gone as interrupted; the runs marked.

    Only this host's runs: whether a process on another host lives cannot be checked from here."""
    unfinished = sa.select(runs).where(runs.c.finished_at.is_(None), runs.c.interrupted_at.is_(None),
                                       runs.c.host == socket.gethostname())
    dead = [run for run in map(_run_from_row, conn.execute(unfinished)) if run.state() == "interrupted"]
    for run in dead:
        conn.execute(runs.update().where(runs.c.id == run.id).values(interrupted_at=now))
    return [replace(run, interrupted_at=now) for run in dead]


def _run_from_row(row: Row[Any]) -> Run:
    owner = Owner(row.host, row.pid, row.process_started or "") if row.host and row.pid is not None else None
    return Run(id=row.id, kind=row.kind, started_at=row.started_at, finished_at=row.finished_at, config=row.config,
               owner=owner, interrupted_at=row.interrupted_at)


def add_findings(conn: Connection, new: Iterable[Finding], now: datetime) -> int:
    rows = [_finding_row(f, now) for f in new]
    if rows:
        conn.execute(findings.insert(), rows)
    return len(rows)


def _finding_row(finding: Finding, now: datetime) -> dict[str, Any]:
    return {
        "comment_id": finding.comment_id,
        "analyser": finding.analyser,
        "analyser_version": finding.analyser_version,
        "label": finding.label,
        "score": finding.score,
        "spans": [{"start": s.start, "end": s.end, "label": s.label} for s in finding.spans],
        "detail": dict(finding.detail),
        "run_id": finding.run_id,
        "created_at": now,
    }


def thread_findings(conn: Connection, thread_id: str) -> list[Finding]:
    """Findings on the thread's comments, in the order they were added."""
    query = (
        sa.select(findings)
        .join(comments, comments.c.id == findings.c.comment_id)
        .where(comments.c.thread_id == thread_id)
        .order_by(findings.c.id)
    )
    return [_finding_from_row(row) for row in conn.execute(query)]


def _finding_from_row(row: Row[Any]) -> Finding:
    return Finding(
        comment_id=row.comment_id,
        analyser=row.analyser,
        analyser_version=row.analyser_version,
        label=row.label,
        score=row.score,
        spans=tuple(Span(s["start"], s["end"], s["label"]) for s in row.spans),
        detail=row.detail,
        run_id=row.run_id,
    )


def add_decision(conn: Connection, decision: Decision) -> None:
    values = {
        "id": decision.id,
        "comment_id": decision.comment_id,
        "action": decision.action,
        "actor": decision.actor,
        "reason": decision.reason,
        "evidence": list(decision.evidence),
        "decided_at": decision.decided_at,
        "supersedes": decision.supersedes,
    }
    conn.execute(decisions.insert().values(values))


def list_decisions(conn: Connection, comment_id: str | None) -> list[Decision]:
    """Decisions, oldest first; all of them, or those on one comment."""
    query = sa.select(decisions).order_by(decisions.c.decided_at, decisions.c.id)
    if comment_id is not None:
        query = query.where(decisions.c.comment_id == comment_id)
    return [decision_from_row(row) for row in conn.execute(query)]


def decision_from_row(row: Row[Any]) -> Decision:
    return Decision(
        id=row.id,
        comment_id=row.comment_id,
        action=row.action,
        actor=row.actor,
        decided_at=row.decided_at,
        reason=row.reason,
        evidence=tuple(row.evidence),
        supersedes=row.supersedes,
    )
