"""The text a Perspective request scores, and offsets as Perspective counts them.

Two mappings at the route's edge, so the analysers keep working on Python strings (code points):

- ``Utf16Offsets``: Perspective's ``spanScores[].begin/end`` are UTF-16 code units, end exclusive (its
  discovery document: "the UTF-16 codepoint range"), as JavaScript's ``String.slice`` counts them. An
  emoji is one code point but two code units, so code-point offsets drift after the first one.
- ``HtmlText``: a ``comment.type: HTML`` comment is scored on its visible text (tags, comments,
  scripts and styles dropped, entities decoded, block tags as line breaks), and spans found in that
  text map back to offsets into the HTML the client sent.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from itertools import accumulate

_MARKUP = re.compile(
    r"(?P<drop><(script|style)\b[^>]*>.*?</\2\s*>|<!--.*?-->)"
    r"|(?P<tag></?(?P<name>[a-zA-Z][a-zA-Z0-9]*)[^>]*>)"
    r"|(?P<entity>&(#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);)",
    re.DOTALL | re.IGNORECASE,
)
_BLOCK_TAGS = {"p", "br", "div", "li", "ul", "ol", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "pre"}


class Utf16Offsets:
    """Code-point offsets of one text → UTF-16 code-unit offsets (``offsets[i]`` for 0 ≤ i ≤ len(text))."""

    def __init__(self, text: str) -> None:
        self._units = [0, *accumulate(2 if ord(ch) > 0xFFFF else 1 for ch in text)]

    def __getitem__(self, index: int) -> int:
        return self._units[index]

    @property
    def length(self) -> int:
        return self._units[-1]


@dataclass(frozen=True)
class HtmlText:
    """The visible text of an HTML comment, with where each of its characters came from."""

    source: str
    text: str
    starts: tuple[int, ...]  # per character of text: its first offset in source
    ends: tuple[int, ...]  # per character of text: the offset in source just after it

    @classmethod
    def parse(cls, source: str) -> HtmlText:
        chars: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        at = 0
        for match in _MARKUP.finditer(source):
            for offset in range(at, match.start()):
                chars.append(source[offset])
                starts.append(offset)
                ends.append(offset + 1)
            if match.group("entity"):
                decoded = html.unescape(match.group(0))
                chars.extend(decoded)
                starts.extend([match.start()] * len(decoded))
                ends.extend([match.end()] * len(decoded))
            elif match.group("tag") and match.group("name").lower() in _BLOCK_TAGS and chars and chars[-1] != "\n":
                chars.append("\n")
                starts.append(match.start())
                ends.append(match.end())
            at = match.end()
        for offset in range(at, len(source)):
            chars.append(source[offset])
            starts.append(offset)
            ends.append(offset + 1)
        return cls(source, "".join(chars), tuple(starts), tuple(ends))

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """A span of ``text`` (code points, end exclusive) as a span of ``source``."""
        if start >= end:
            return (self.starts[start] if start < len(self.starts) else len(self.source),) * 2
        return self.starts[start], self.ends[end - 1]
