"""One exception hierarchy with stable codes.

Every error names what went wrong, where (the input or object), and how to fix it, so a CLI user,
an API client and a log reader all see the same actionable message.
"""

from __future__ import annotations


class ThreadwiseError(Exception):
    """Base error: ``code`` is stable (documented, matched by clients), ``fix`` says what to do."""

    code = "TW-E000"
    fix = ""

    def __init__(self, message: str, *, source: str | None = None, fix: str | None = None) -> None:
        self.message = message
        self.source = source
        if fix is not None:
            self.fix = fix
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.source}: " if self.source else ""
        hint = f" ({self.fix})" if self.fix else ""
        return f"[{self.code}] {where}{self.message}{hint}"

    def to_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "message": self.message, "source": self.source, "fix": self.fix}


# --- input ------------------------------------------------------------------------------------


class InputError(ThreadwiseError):
    """The input could not be read as a thread."""

    code = "TW-E009"


class EmptyInput(InputError):
    code = "TW-E001"
    fix = "the file is empty or holds only whitespace; check that the download or save completed"


class BinaryInput(InputError):
    code = "TW-E002"
    fix = "give a text page, HTML page or export (JSON, XML, CSV, JSONL, Parquet)"


class InputTooLarge(InputError):
    code = "TW-E003"
    fix = "raise the limit with --max-bytes or THREADWISE_MAX_INPUT_BYTES if the page is genuine"


class UndecodableInput(InputError):
    code = "TW-E004"
    fix = "save the page as UTF-8, or pass --encoding with the page's real encoding"


class UnknownFormat(InputError):
    code = "TW-E005"


class MalformedInput(InputError):
    code = "TW-E006"
    fix = "check the file is complete and of the format named"


class MissingColumn(InputError):
    code = "TW-E007"
    fix = "tabular comment files need the columns id, text (and optionally parent_id, author, created_at)"


class FetchError(InputError):
    code = "TW-E008"
    fix = "check the URL, the network, or save the page and ingest the file"


# --- thread integrity -------------------------------------------------------------------------


class ThreadIntegrityError(ThreadwiseError):
    """A comment tree that cannot be a thread."""

    code = "TW-E010"


class DuplicateCommentId(ThreadIntegrityError):
    code = "TW-E010"
    fix = "each comment in a thread needs its own id"


class OrphanComment(ThreadIntegrityError):
    code = "TW-E011"
    fix = "a reply's parent_id must name a comment of the same thread (or be empty for top level)"


class ReplyCycle(ThreadIntegrityError):
    code = "TW-E012"
    fix = "replies must form a tree: follow parent_id upwards and it must end at a top-level comment"


class ForeignComment(ThreadIntegrityError):
    code = "TW-E013"
    fix = "every comment's thread_id must be the id of the thread it is in"


# --- store and lookup -------------------------------------------------------------------------


class StoreError(ThreadwiseError):
    code = "TW-E020"
    fix = "check the --db URL (sqlite:///path.db or postgresql+psycopg://host/db) and that the database runs"


class ThreadNotFound(ThreadwiseError):
    code = "TW-E021"
    fix = "run `threadwise threads` to list stored threads; an id prefix of 6+ characters is enough"


class InvalidSetting(ThreadwiseError):
    code = "TW-E030"


class CommentNotFound(ThreadwiseError):
    code = "TW-E022"
    fix = "check the comment id; the queue lists the stored comments"


# --- moderation -------------------------------------------------------------------------------


class ModerationError(ThreadwiseError):
    """A moderation act that cannot be recorded as asked; nothing was stored."""

    code = "TW-E080"


class InvalidAction(ModerationError):
    code = "TW-E081"
    fix = "a moderator may approve, reject or escalate"


class ReasonRequired(ModerationError):
    code = "TW-E082"
    fix = "a rejection must say why, in words the commenter can read"


class ClaimedByOther(ModerationError):
    code = "TW-E083"
    fix = "take another item, or wait until the other moderator's claim expires or is released"
