"""threadwise: read a news article with its comment section, explain every comment, moderate on conduct."""

from threadwise.model import Article, Comment, Decision, Finding, Run, Span, Thread

__all__ = ["Article", "Comment", "Decision", "Finding", "Run", "Span", "Thread"]
__version__ = "0.1.0"
