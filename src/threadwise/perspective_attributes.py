"""Perspective's attribute names (and the toxicity analyser's labels they are served from) and languages.

Apart from the API package so that the CLI (``calibrate``) can name them without loading the web stack.
"""

ATTRIBUTES = {
    "TOXICITY": "toxicity",
    "SEVERE_TOXICITY": "severe_toxicity",
    "INSULT": "insult",
    "PROFANITY": "profanity",
    "THREAT": "threat",
    "IDENTITY_ATTACK": "identity_attack",
}
SUPPORTED_LANGUAGES = ("en",)  # the heads are trained on English comments only


def primary_language(code: str) -> str:
    """The primary subtag of an ISO 639-1 or BCP-47 code ("en-GB" → "en"), as Perspective accepts both."""
    return code.split("-")[0].split("_")[0].lower()


def is_served(languages: tuple[str, ...] | list[str]) -> bool:
    """Whether the models read a comment in ``languages`` (none given: assumed so, as detection would try)."""
    return not languages or all(primary_language(code) in SUPPORTED_LANGUAGES for code in languages if code)
