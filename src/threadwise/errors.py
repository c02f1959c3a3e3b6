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


class CommentsNotFound(InputError):
    code = "TW-E018"
    fix = "pass the format the page really is (--format text for a saved text page)"


class ParserFault(InputError):
    """A reader failed on an input in a way it did not foresee: reported like any bad input, so the
    other inputs of the same command are still ingested."""

    code = "TW-E019"
    fix = "report the input to the maintainers; the other inputs were read as usual"


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


class RunNotResumable(ThreadwiseError):
    code = "TW-E023"
    fix = "`threadwise runs` lists the latest runs with their state; resume one that is interrupted"


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


# --- API access: keys, roles, rate limits, signatures (TW-E090 to TW-E099) -------------------------


class AccessError(ThreadwiseError):
    """A request the API refuses because of who sent it, not what it asked."""

    code = "TW-E090"


class MissingApiKey(AccessError):
    code = "TW-E090"
    fix = "send the key as 'Authorization: Bearer KEY' or 'X-API-Key: KEY'; `threadwise keys create` makes one"


class InvalidApiKey(AccessError):
    code = "TW-E091"
    fix = "check the key was copied whole; `threadwise keys list` shows which keys are active, revoked or expired"


class RoleForbidden(AccessError):
    code = "TW-E092"
    fix = "use a key with a role this route admits (see the role matrix in the API section of the README)"


class RateLimited(AccessError):
    code = "TW-E093"
    fix = "wait the seconds given in the Retry-After header, then send again; or slow the client down"

    def __init__(self, message: str, *, retry_after: float, source: str | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(message, source=source)


class UnknownRole(InputError):
    code = "TW-E094"
    fix = "the roles are admin, moderator, ingest and read-only"


class ApiKeyNotFound(ThreadwiseError):
    code = "TW-E095"
    fix = "`threadwise keys list` shows every key id"


class BadSignature(AccessError):
    code = "TW-E096"
    fix = "sign the raw body with HMAC-SHA256 and a secret this server shares (X-Coral-Signature: sha256=HEX)"


class DuplicateKeyName(InputError):
    code = "TW-E098"
    fix = "give the key a name no other key has (`threadwise keys list` shows them): it names one person"


class InvalidWebhook(InvalidSetting):
    code = "TW-E097"
    fix = "a webhook target is an http(s) URL and needs at least one signing secret (THREADWISE_WEBHOOK_SECRETS)"


# --- moderators' feedback and calibration (TW-E16x) ------------------------------------------------


class UnknownFeedbackFormat(InputError):
    code = "TW-E160"
    fix = "export feedback as jsonl or csv"


class InvalidThreshold(InputError):
    code = "TW-E161"
    fix = "give a threshold as ATTRIBUTE=SCORE with a Perspective attribute and a score in [0, 1], e.g. TOXICITY=0.8"
