"""Coded errors of the neutrality audit (TW-E120 to TW-E129)."""

from __future__ import annotations

from threadwise.datasets import MissingDataset
from threadwise.errors import ThreadwiseError


class AuditError(ThreadwiseError):
    """The audit cannot run as asked; nothing was measured."""

    code = "TW-E120"


class UnknownSuite(AuditError):
    code = "TW-E121"


class AuditDataMissing(AuditError):
    code = "TW-E122"
    fix = MissingDataset.fix


class AuditThreadError(AuditError):
    code = "TW-E123"
    fix = "give a thread file (text page, HTML page or export) that has comments"


class UnknownTier(AuditError):
    code = "TW-E124"
