"""threadwise: read a news article with its comment section, explain every comment, moderate on conduct.

``threadwise.analyse(thread)`` and ``threadwise.analyse_text(text, article=…)`` are the Python entry
points; the models load on first use, not on import.
"""

from __future__ import annotations

from collections.abc import Sequence

from threadwise.model import Article, Comment, Decision, Finding, Run, Span, Thread

__all__ = ["Article", "Comment", "Decision", "Finding", "Run", "Span", "Thread", "analyse", "analyse_text"]
__version__ = "0.1.0"


def analyse(thread: Thread, analysers: Sequence[str] | None = None) -> list[Finding]:
    """Every finding for every comment of ``thread`` (default: all built-in analysers)."""
    from threadwise.service import analyse_thread

    return analyse_thread(thread, analysers).findings


def analyse_text(text: str, article: Article | None = None, analysers: Sequence[str] | None = None) -> list[Finding]:
    """Findings for one comment, read against ``article`` when given."""
    from threadwise import service

    return service.analyse_text(text, article, analysers)
