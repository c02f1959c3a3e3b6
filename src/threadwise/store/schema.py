"""The store's tables, as SQLAlchemy Core metadata shared by SQLite and PostgreSQL.

``migrations/versions`` creates the same schema by hand; a test checks that the two agree, so a
change here needs a new migration too.

History is kept rather than overwritten: an edited comment becomes a new ``comment_versions`` row,
and ``findings`` and ``decisions`` are append-only.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

# Fixed constraint names, so that migrations can name what they alter on either database.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(sa.TypeDecorator[datetime]):
    """A timezone-aware timestamp that always comes back in UTC.

    SQLite keeps no offset (it would store the wall-clock time as given), so values are converted to
    UTC before they are written and marked UTC when read. Naive values are taken as UTC, as ingest
    does. PostgreSQL returns the session's time zone, which is converted back to UTC too.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


articles = sa.Table(
    "articles",
    metadata,
    sa.Column("id", sa.String, primary_key=True),
    sa.Column("url", sa.Text),
    sa.Column("outlet", sa.Text),
    sa.Column("title", sa.Text),
    sa.Column("author", sa.Text),
    sa.Column("paragraphs", sa.JSON, nullable=False),
    sa.Column("image_credit", sa.Text),
    sa.Column("author_bio", sa.Text),
    sa.Column("republication", sa.Text),  # "originally published by …": the page's notice, not a paragraph
    sa.Column("published_at", UTCDateTime),
    sa.Column("source_format", sa.String),
    sa.Column("ingested_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
)

# The text lives in comment_versions; this row holds what identifies and places the comment.
comments = sa.Table(
    "comments",
    metadata,
    sa.Column("id", sa.String, primary_key=True),
    sa.Column("thread_id", sa.String, sa.ForeignKey("articles.id"), nullable=False, index=True),
    # No foreign key: a reply may be stored in the same batch as its parent, in any order.
    sa.Column("parent_id", sa.String),
    sa.Column("number", sa.String),
    sa.Column("author", sa.Text, index=True),
    sa.Column("created_at", UTCDateTime),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("source_id", sa.Text),
    sa.Column("first_seen_at", UTCDateTime, nullable=False),
    sa.Column("author_id", sa.Text),
    # Comment.author_key: author history, the user drawer and bulk decisions look commenters up by it.
    sa.Column("author_key", sa.Text, index=True),
)

comment_versions = sa.Table(
    "comment_versions",
    metadata,
    sa.Column("comment_id", sa.String, sa.ForeignKey("comments.id"), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("text_hash", sa.String(64), nullable=False),
    sa.Column("seen_at", UTCDateTime, nullable=False),
    sa.Column("run_id", sa.String),
    # ISO 639-1 code identified from this version's text (threadwise.language); "und" when it cannot tell.
    sa.Column("language", sa.String(8)),
)

runs = sa.Table(
    "runs",
    metadata,
    sa.Column("id", sa.String, primary_key=True),
    sa.Column("kind", sa.String, nullable=False),
    sa.Column("started_at", UTCDateTime, nullable=False),
    sa.Column("finished_at", UTCDateTime),
    sa.Column("config", sa.JSON, nullable=False),
    # Who runs it (threadwise.owner): a later process tells a run whose process died from a live one.
    sa.Column("host", sa.String),
    sa.Column("pid", sa.Integer),
    sa.Column("process_started", sa.String),
    sa.Column("interrupted_at", UTCDateTime),
)

# findings and decisions carry no foreign key to comments: an analysis may be recorded for a thread
# read from a file and never stored, and an audit trail must not block on a missing row.
findings = sa.Table(
    "findings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("comment_id", sa.String, nullable=False, index=True),
    sa.Column("analyser", sa.String, nullable=False),
    sa.Column("analyser_version", sa.String, nullable=False),
    sa.Column("label", sa.String, nullable=False),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("spans", sa.JSON, nullable=False),
    sa.Column("detail", sa.JSON, nullable=False),
    sa.Column("run_id", sa.String),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

decisions = sa.Table(
    "decisions",
    metadata,
    sa.Column("id", sa.String, primary_key=True),
    sa.Column("comment_id", sa.String, nullable=False, index=True),
    sa.Column("action", sa.String, nullable=False),
    sa.Column("actor", sa.String, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("evidence", sa.JSON, nullable=False),
    sa.Column("decided_at", UTCDateTime, nullable=False),
    sa.Column("supersedes", sa.String),
)

# At most one moderator holds a comment at a time: the primary key makes a second claim collide, and an
# expired claim may be taken over (see queue.claim). Rows are deleted on release and on decision.
claims = sa.Table(
    "claims",
    metadata,
    sa.Column("comment_id", sa.String, sa.ForeignKey("comments.id"), primary_key=True),
    sa.Column("moderator", sa.String, nullable=False),
    sa.Column("claimed_at", UTCDateTime, nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False),
)

# Reader reports; a report newer than a comment's latest decision puts it in the "reported" queue.
reports = sa.Table(
    "reports",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("comment_id", sa.String, sa.ForeignKey("comments.id"), nullable=False, index=True),
    sa.Column("reporter", sa.Text),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

# Statements of reasons sent (or saved to send) to commenters, append-only: a later one supersedes an earlier
# for the same decision, none is ever changed. ``ground`` is the moderator's own reason, never a policy rule's.
statements = sa.Table(
    "statements",
    metadata,
    sa.Column("id", sa.String, primary_key=True),
    sa.Column("comment_id", sa.String, nullable=False, index=True),
    sa.Column("decision_id", sa.String, nullable=False),
    sa.Column("status", sa.String, nullable=False),  # saved, sent
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("ground", sa.Text, nullable=False),
    sa.Column("automated_detection", sa.Boolean, nullable=False),
    sa.Column("automated_decision", sa.Boolean, nullable=False),
    sa.Column("actor", sa.String, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

# What moderators decided about a commenter (the user drawer), append-only: ban, suspend (until a time),
# premoderate (every new comment held), lift (ends any of those), note. The standing is the latest such row.
author_actions = sa.Table(
    "author_actions",
    metadata,
    sa.Column("id", sa.String, primary_key=True),
    sa.Column("author_key", sa.Text, nullable=False, index=True),
    sa.Column("action", sa.String, nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("until", UTCDateTime),
    sa.Column("actor", sa.String, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

# API keys: only the SHA-256 of each key is kept, so a stolen database holds no usable key. ``id`` is
# the short public part of the key, shown in listings and used to revoke it.
api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("id", sa.String, primary_key=True),
    sa.Column("name", sa.Text, nullable=False, unique=True),  # one name, one key: the audit log's people
    sa.Column("role", sa.String, nullable=False),
    sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("expires_at", UTCDateTime),
    sa.Column("revoked_at", UTCDateTime),
)

# Outgoing webhook deliveries: one row per event and target, updated after each attempt, so what was
# sent, when, how often and with what answer can be inspected (and retried) after the fact.
webhook_deliveries = sa.Table(
    "webhook_deliveries",
    metadata,
    sa.Column("id", sa.String, primary_key=True),
    sa.Column("event", sa.String, nullable=False),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("status", sa.String, nullable=False, index=True),  # pending, delivered, failed
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("last_status_code", sa.Integer),
    sa.Column("last_error", sa.Text),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
)

# Events to announce, written in the transaction of what they announce (a decision), so that a process
# killed right after its commit still sends them: the next server turns each into deliveries, once.
webhook_outbox = sa.Table(
    "webhook_outbox",
    metadata,
    sa.Column("id", sa.String, primary_key=True),  # also the event's id, stable across restarts
    sa.Column("event", sa.String, nullable=False),
    sa.Column("comment_id", sa.String, nullable=False),
    sa.Column("decision_id", sa.String, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("dispatched_at", UTCDateTime, index=True),
)

# Moderators' scores sent to Perspective's SuggestCommentScore (Coral posts one per approval or rejection):
# one row per comment and attribute, kept per community so thresholds can be checked against its moderators.
score_suggestions = sa.Table(
    "score_suggestions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("community", sa.Text, nullable=False, index=True),  # communityId; "" when the client sent none
    sa.Column("attribute", sa.String, nullable=False),
    sa.Column("value", sa.Float, nullable=False),  # the moderator's score: 0 approved … 1 rejected
    sa.Column("decision", sa.String, nullable=False),  # approve / reject, from value
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("text_type", sa.String, nullable=False),  # PLAIN_TEXT or HTML
    sa.Column("languages", sa.JSON, nullable=False),
    sa.Column("spans", sa.JSON, nullable=False),  # [[begin, end, value], …] in UTF-16 code units, as sent
    sa.Column("client_token", sa.Text),
    sa.Column("session_id", sa.Text),
    sa.Column("source_comment_id", sa.Text),  # the client's own comment id (Coral's, from its context entry)
    sa.Column("context", sa.JSON),
    sa.Column("sender", sa.Text, nullable=False),  # the API key's name, or "open" without one
    sa.Column("received_at", UTCDateTime, nullable=False),
)
