"""Line-level recognisers shared by the plain-text page parser: what a line of a saved page *is*.

Each is a small predicate or extractor over one line, so the page parser reads as a description of a
page's shape rather than a pile of regular expressions.
"""

from __future__ import annotations

import re
from datetime import datetime

from dateutil import parser as dateutil_parser

# "  1. text", "3) text", "#5 text", "12 - text"; nested labels such as "3.1" mark replies.
NUMBERED_ITEM = re.compile(
    r"^(?P<indent>[ \t]*)(?:#\s?)?(?P<number>\d{1,5}(?:\.\d{1,4})*)"
    r"(?:[.):]|\s[-–—]|(?<=\.\d)|(?<=\.\d\d)|(?<=\.\d{3}))\s+(?P<text>\S.*)$"  # "5.1 text" needs no dot
)
BYLINE = re.compile(r"^\s*(?:by|written by|von|par|por|door|di)\s+(?P<who>\S.{0,150})$", re.I)
COMMENTS_HEADER = re.compile(
    r"^\s*(?:\d[\d,.]*\s+)?(?:reader\s+|user\s+)?(?:comments?|responses?|replies|discussion|"
    r"kommentare?|commentaires?|comentarios?|reactions?)(?:\s*\(\d+\))?\s*:?\s*$"
    r"|^\s*\d+\s+(?:thoughts|responses|replies|comments) (?:on|to)\b.*$"
    r"|^\s*(?:join the (?:discussion|conversation)|what readers (?:are saying|think)|leave a (?:comment|reply))"
    r"\b.{0,40}$",
    re.I,
)
CREDIT = re.compile(
    r"\b(?:CC[ -]BY(?:-[A-Z]{2})*(?: \d\.\d)?|CC0|Creative Commons|public domain|via Wikimedia|Wikimedia Commons|"
    r"Getty Images|Shutterstock|AP Photo|Reuters|AFP|EPA|Alamy|Unsplash)\b"
    r"|^\s*(?:photo|photograph|image|picture|illustration|credit|foto|bild)\s*(?:credit)?\s*[:/]"
    r"|©|\(c\)\s",
    re.I,
)
OUTLET_SEPARATOR = re.compile(r"\s+(?:/|\||—|–|-|for|at)\s+|,\s+")
REPLY_TO = re.compile(
    r"^\s*(?:in reply to|replying to|reply to|antwort an)\s+(?P<who>[^:,\n]{1,60}?)\s*[:,]?\s*$", re.I
)
NUMBER_REFERENCE = re.compile(r"^\s*(?:re:?\s*)?(?:#|>>|@)\s?(?P<number>\d{1,5})\b", re.I)  # "Re #3:", ">>3"
MENTION = re.compile(r"^\s*@(?P<who>\S.{0,60})")  # the author's name is a prefix of what follows
ATTRIBUTION = re.compile(r"^(?P<who>\S.{0,60}?)\s+(?:says|said|wrote|writes|schreibt|commented)\s*:?\s*$", re.I)
META_SEPARATOR = re.compile(r"\s+(?:·|•|\||—|–|-)\s+|,\s+(?=\S*\d)")
UI_NOISE = re.compile(
    r"^\s*(?:reply|report|report abuse|like|likes?|share|flag|permalink|edit|delete|recommend|"
    r"\d+\s+(?:likes?|replies|reply|points?|votes?|recommendations?)|show more|load more(?: comments)?|"
    r"view \d+ more repl(?:y|ies)|sort by.*|newest|oldest|top comments|log ?in to (?:comment|reply)|"
    r"sign in to comment|upvote|downvote|[▲▼↑↓]\s*\d*)\s*$",
    re.I,
)
RELATIVE_TIME = re.compile(
    r"^\s*(?:\d+|an?|one)\s+(?:second|minute|hour|day|week|month|year)s?\s+ago\s*$|^\s*(?:yesterday|today|just now)\b",
    re.I,
)
_WEEKDAY_OR_MONTH = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?\b", re.I
)
_NAME_WORD = re.compile(r"^(?:[A-Z][\w'’.\-]*|(?:de|van|von|der|da|di|del|la|le|bin|al)|[A-Z]\.)$")


def parse_date_line(line: str) -> datetime | None:
    """A line that is only a date/time ("March 3, 2024 at 10:15 am", "2024-03-03 10:15")."""
    text = line.strip()
    if not 6 <= len(text) <= 48 or not any(ch.isdigit() for ch in text):
        return None
    if not (_WEEKDAY_OR_MONTH.search(text) or re.search(r"\d[/.\-]\d|\d:\d\d", text)):
        return None
    try:
        return dateutil_parser.parse(text.replace(" at ", " "), fuzzy=False)
    except (ValueError, OverflowError):
        return None


def is_date_line(line: str) -> bool:
    return parse_date_line(line) is not None or bool(RELATIVE_TIME.match(line))


def looks_like_name(line: str, max_words: int = 5) -> bool:
    """A person's or handle's name alone on a line: short, no sentence punctuation."""
    text = line.strip()
    if not text or len(text) > 60 or text[-1] in ".!?:;,\"”" or any(ch.isdigit() for ch in text[:1]):
        return False
    words = text.split()
    if len(words) == 1:
        return bool(re.fullmatch(r"[\w.\-']{2,40}", text))  # a handle such as "jdoe_42"
    return len(words) <= max_words and all(_NAME_WORD.match(w) for w in words)


def split_attribution(line: str) -> tuple[str | None, datetime | None, bool]:
    """Read a comment's meta line: "Name says:", "Name · 3 March 2024", a date alone, a name alone.

    Returns (author, created_at, recognised).
    """
    text = line.strip()
    if match := ATTRIBUTION.match(text):
        return match.group("who").strip(), None, True
    if date := parse_date_line(text):
        return None, date, True
    if RELATIVE_TIME.match(text):
        return None, None, True
    parts = META_SEPARATOR.split(text, maxsplit=1)
    if len(parts) == 2 and looks_like_name(parts[0]) and is_date_line(parts[1]):
        return parts[0].strip(), parse_date_line(parts[1]), True
    return None, None, False


def normalise_name(name: str) -> str:
    return " ".join(name.lower().replace(".", "").split())
