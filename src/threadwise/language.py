"""Language identification of one comment: ISO 639-1 code and the identifier's confidence.

py3langid (BSD-3-Clause, the langid.py model of Lui & Baldwin, 97 languages, shipped inside the wheel) was
chosen over lingua-language-detector (Apache-2.0, more accurate on very short texts but a 100+ MB wheel and
slower to load) and langdetect (Apache-2.0, random unless seeded, about ten times slower): it answers in well under a
millisecond per comment and is deterministic. docs/EVAL.md ("Languages beyond English") has its measured
accuracy on each language's Multilingual HateCheck cases.

Short or mostly non-letter text (emoji, a link, "lol") tells an identifier nothing: below ``MIN_LETTERS``
letters the answer is ``UNDETERMINED``, as Perspective answers "und".
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any

UNDETERMINED = "und"
ENGLISH = "en"
MIN_LETTERS = 3
# The languages a news comment section plausibly carries. langid.py's full 97 include Volapük and
# Extremaduran, which win on short texts ("Tu es un idiot" → ext); restricting the set fixes that.
CANDIDATES = (
    "en", "de", "es", "fr", "pt", "it", "nl", "pl", "ru", "uk", "be", "cs", "sk", "sl", "hr", "sr", "bg", "ro",
    "hu", "sv", "da", "no", "fi", "et", "lv", "lt", "el", "tr", "ar", "he", "fa", "hi", "ur", "zh", "ja", "ko",
    "vi", "id", "ms", "ca", "eu", "gl", "ka", "hy", "az", "kk",
)  # fmt: skip
_NOISE = re.compile(r"https?://\S+|www\.\S+|@\w+|#\w+")  # links, handles and hashtags carry no language
_lock = threading.Lock()
_identifier: Any = None


@dataclass(frozen=True, slots=True)
class Language:
    """``code``: ISO 639-1 (``und`` when undetermined); ``confidence``: the identifier's probability."""

    code: str
    confidence: float


def _model() -> Any:
    global _identifier
    with _lock:
        if _identifier is None:
            _identifier = _candidates_only()
        return _identifier


def _candidates_only() -> Any:
    """langid.py's model restricted to the candidate languages. ``set_languages`` keeps the full table (28 MB of
    float16) beside its slice, for a reset this project never makes: a second identifier built from the restricted
    one's tables holds the slice alone, and the first is dropped."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    full = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    full.set_languages(list(CANDIDATES))
    return LanguageIdentifier(full.nb_ptc, full.nb_pc, full.nb_classes, full.tk_nextmove, full.tk_output,
                              norm_probs=True, tk_row=full.tk_row)


def detect_language(text: str) -> Language:
    """The language of ``text`` (its first 2,000 characters: enough, and bounded for huge comments)."""
    cleaned = _NOISE.sub(" ", text[:2000])
    if sum(1 for c in cleaned if c.isalpha()) < MIN_LETTERS:
        return Language(UNDETERMINED, 0.0)
    code, confidence = _model().classify(cleaned)
    return Language(str(code), float(confidence))


def primary_subtag(code: str) -> str:
    """``en-GB`` / ``pt_BR`` → ``en`` / ``pt``: clients send BCP-47 tags, the models know primary languages."""
    return code.split("-")[0].split("_")[0].lower()


NAMES = {
    "en": "English", "de": "German", "es": "Spanish", "fr": "French", "pt": "Portuguese", "it": "Italian",
    "nl": "Dutch", "pl": "Polish", "ru": "Russian", "uk": "Ukrainian", "be": "Belarusian", "cs": "Czech",
    "ar": "Arabic", "zh": "Chinese", "ja": "Japanese", "tr": "Turkish", "he": "Hebrew", "fa": "Persian",
    "hi": "Hindi", "ka": "Georgian", "kk": "Kazakh", "hy": "Armenian", "ro": "Romanian", "hu": "Hungarian",
}  # fmt: skip


def language_name(code: str) -> str:
    """An English name for a moderator ("uk" → "Ukrainian"); the code itself when none is known."""
    return NAMES.get(code, code)
