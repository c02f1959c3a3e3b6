"""Perspective's attribute names (and the toxicity analyser's labels they are served from) and languages.

Apart from the API package so that the CLI (``calibrate``) can name them without loading the web stack.
"""

from threadwise.language import primary_subtag

ATTRIBUTES = {
    "TOXICITY": "toxicity",
    "SEVERE_TOXICITY": "severe_toxicity",
    "INSULT": "insult",
    "PROFANITY": "profanity",
    "THREAT": "threat",
    "IDENTITY_ATTACK": "identity_attack",
}
SUPPORTED_LANGUAGES = ("en",)  # the heads are trained on English comments only


def is_served(languages: tuple[str, ...] | list[str]) -> bool:
    """Whether the models read a comment in ``languages`` (none given: assumed so, as detection would try)."""
    return not languages or all(primary_subtag(code) in SUPPORTED_LANGUAGES for code in languages if code)
