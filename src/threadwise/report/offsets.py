"""Offsets into ``Article.text``: which paragraph a character belongs to."""

from __future__ import annotations

import bisect
from collections.abc import Sequence


def paragraph_starts(paragraphs: Sequence[str]) -> list[int]:
    """Where each paragraph starts in ``Article.text`` (paragraphs joined by a blank line)."""
    starts, offset = [], 0
    for paragraph in paragraphs:
        starts.append(offset)
        offset += len(paragraph) + 2
    return starts


def paragraph_at(starts: Sequence[int], offset: int) -> int:
    return max(0, bisect.bisect_right(starts, offset) - 1)
