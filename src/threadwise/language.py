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

import hashlib
import json
import logging
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

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
log = logging.getLogger("threadwise.language")
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
            _identifier = _mapped_identifier()
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


def _mapped_identifier() -> Any:
    """The candidates' identifier over tables memory-mapped from the cache folder, written there once per machine.
    The DFA's transition table alone is 39 MB of which a comment section touches a fraction, and unpacking the
    LZMA model at every start briefly held twice that; mapped, the pages read are shared and loaded on demand.
    Where the cache folder cannot be written, the tables are held in memory as before."""
    from py3langid.langid import LanguageIdentifier

    try:
        folder = _tables_folder()
    except OSError as error:
        log.warning("language identifier tables not cached (%s); holding them in memory", error)
        return _candidates_only()
    tables = {name: np.load(folder / f"{name}.npy", mmap_mode="r") for name in _TABLES}
    classes = json.loads((folder / "classes.json").read_text(encoding="utf-8"))
    # memoryviews index as fast as the array.array langid.py builds; a NumPy memmap would be ~6x slower per byte
    return LanguageIdentifier(tables["ptc"], np.array(tables["pc"]), classes, memoryview(tables["nextmove"]),
                              memoryview(tables["out"]), norm_probs=True, tk_row=memoryview(tables["row"]))


_TABLES = ("ptc", "pc", "nextmove", "row", "out")


def _tables_folder() -> Path:
    """cache/langid-KEY: the restricted model's tables as plain .npy files, KEY naming the model file and the
    candidates; written whole or not at all (``locations.written_whole``)."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE

    from threadwise.locations import cache_dir, written_whole

    model = hashlib.sha256((MODEL_DIR / MODEL_FILE).read_bytes()).hexdigest()[:12]
    key = hashlib.sha256(f"{model} {' '.join(CANDIDATES)}".encode()).hexdigest()[:12]
    folder = cache_dir() / f"langid-{key}"
    if (folder / "classes.json").is_file():
        return folder
    with written_whole(folder) as work:
        built = _candidates_only()
        arrays = {"ptc": built.nb_ptc, "pc": built.nb_pc, "nextmove": built.tk_nextmove, "row": built.tk_row,
                  "out": np.asarray(built.tk_output, dtype=np.int32)}
        for name in _TABLES:
            np.save(work / f"{name}.npy", np.ascontiguousarray(arrays[name]))
        (work / "classes.json").write_text(json.dumps(list(built.nb_classes)), encoding="utf-8")
    return folder


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
