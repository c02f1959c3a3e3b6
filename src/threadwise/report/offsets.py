"""Offsets into ``Article.text``: which paragraph a character belongs to."""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from threadwise.analysers.quotes import paragraph_starts  # one definition of where paragraphs start

__all__ = ["paragraph_at", "paragraph_starts"]


def paragraph_at(starts: Sequence[int], offset: int) -> int:
    return max(0, bisect.bisect_right(starts, offset) - 1)
