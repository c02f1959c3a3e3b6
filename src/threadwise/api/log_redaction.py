"""Keys never reach a log: ``?key=`` (how Perspective clients send theirs) is masked in every record of
the server's loggers, the access log included, before any handler formats it.

A filter on the logger itself, not on a handler: it then holds whatever handlers the operator's logging
configuration attaches (uvicorn's ``--log-config``, a JSON formatter, a file).
"""

from __future__ import annotations

import logging
import re

# key=, api_key=, apikey= as a query parameter; also a raw tw_ key wherever it appears in a message.
_QUERY_KEY = re.compile(r"(?i)([?&;](?:api_?key|key)=)[^&\s\"']*")
_RAW_KEY = re.compile(r"\btw_([0-9a-f]{8})_[A-Za-z0-9_-]+")
REDACTED = "[redacted]"
LOGGERS = ("uvicorn.access", "uvicorn.error", "uvicorn", "threadwise", "fastapi", "httpx")


def redact(text: str) -> str:
    """``text`` with every API key masked; a raw key keeps its public id, so a log still says whose."""
    return _RAW_KEY.sub(rf"tw_\1_{REDACTED}", _QUERY_KEY.sub(rf"\1{REDACTED}", text))


class KeyRedactingFilter(logging.Filter):
    """Masks keys in a record's message and arguments (uvicorn's access log puts the path in the arguments)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()}
        return True


def install_key_redaction() -> None:
    """Put the filter on the server's loggers once (idempotent: a second app in a process adds none)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, KeyRedactingFilter) for f in logger.filters):
            logger.addFilter(KeyRedactingFilter())
