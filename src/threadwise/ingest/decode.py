"""Bytes → text, refusing what is not text: empty, binary, oversized or undecodable input.

Every parser that reads text calls ``decode_text`` so that each failure is reported the same way,
naming the input.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from threadwise.errors import BinaryInput, EmptyInput, InputTooLarge, UndecodableInput

DEFAULT_MAX_BYTES = 20 * 1024 * 1024

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_DECLARED_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I)
# Control characters other than tab/newline/carriage return/form feed mark binary content.
_CONTROL = bytes(c for c in range(32) if c not in (9, 10, 12, 13))
# What an XML/HTML tree cannot hold: lxml refuses to store these (ValueError) and libxml2 stops reading
# at them. Lone surrogates arrive through JSON escapes ("\\ud800"); they are no Unicode text either.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def strip_xml_illegal(text: str) -> str:
    """``text`` without the characters an lxml tree refuses (control characters, lone surrogates)."""
    return _XML_ILLEGAL.sub("", text)


def replace_surrogates(text: str) -> str:
    """Lone surrogates (only JSON escapes can make them) as U+FFFD, so the text can be stored and sent."""
    return _SURROGATE.sub("\ufffd", text)


def check_size(data: bytes, source: str, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
    if len(data) > max_bytes:
        raise InputTooLarge(
            f"input is {len(data):,} bytes, over the limit of {max_bytes:,} bytes", source=source
        )


def check_not_empty(data: bytes, source: str) -> None:
    if not data.strip():
        raise EmptyInput("input is empty", source=source)


def looks_binary(data: bytes) -> bool:
    """True for content no text page or export would hold (NUL bytes, many control bytes)."""
    head = data[:8192]
    if any(head.startswith(bom) for bom, _ in _BOMS[1:]):
        return False  # UTF-16/32 text legitimately contains NUL bytes
    if b"\x00" in head:
        return True
    controls = sum(head.count(bytes([c])) for c in _CONTROL)
    return controls > max(8, len(head) // 100)


def decode_text(data: bytes, source: str, encoding: str | None = None) -> str:
    """Decode to ``str``: explicit encoding, else BOM, else declared charset, else UTF-8, else detect."""
    check_not_empty(data, source)
    if looks_binary(data):
        raise BinaryInput("input looks binary, not a text page or export", source=source)
    for candidate in _candidate_encodings(data, encoding):
        try:
            text = data.decode(candidate)
        except (UnicodeDecodeError, LookupError):
            continue
        return text.replace("\r\n", "\n").replace("\r", "\n")
    raise UndecodableInput("could not find the text encoding", source=source)


def _candidate_encodings(data: bytes, explicit: str | None) -> list[str]:
    if explicit:
        return [explicit]
    for bom, name in _BOMS:
        if data.startswith(bom):
            return [name]
    declared = _DECLARED_CHARSET.search(data[:4096]) or _XML_ENCODING.search(data[:512])
    candidates = [declared.group(1).decode("ascii")] if declared else []
    candidates.append("utf-8")
    matches = list(from_bytes(data[:200_000]))
    if matches:
        # Short Western texts fit several code pages equally well; like browsers, prefer
        # windows-1252 unless another encoding is clearly better.
        if any(m.encoding == "cp1252" and m.chaos <= matches[0].chaos + 0.1 for m in matches):
            candidates.append("cp1252")
        candidates.append(matches[0].encoding)
    return candidates
