"""Perspective's wire schemas, field for field as its discovery document declares them.

``discovery/commentanalyzer-v1alpha1.json`` (served at ``GET /$discovery/rest?version=v1alpha1``) is the
contract; these models accept exactly its fields. As on Perspective, whose JSON parser is Google's proto
JSON mapping, a field the schema does not know, a value of the wrong type and an enum value outside the
enum are refused (``perspective_errors.bad_request``), and ``null`` means "unset".
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

PROBABILITY = "PROBABILITY"
ScoreType = Literal["SCORE_TYPE_UNSPECIFIED", "PROBABILITY", "STD_DEV_SCORE", "PERCENTILE", "RAW"]
TextType = Literal["TEXT_TYPE_UNSPECIFIED", "PLAIN_TEXT", "HTML"]


class _Message(BaseModel):
    # strict: "5" is no string field's value and 1 no boolean's, as in proto JSON; floats take ints.
    model_config = ConfigDict(extra="forbid", strict=True)


class TextEntry(_Message):
    text: str | None = Field(default=None, description="The comment, UTF-8 (at most 20 KB).")
    type: TextType | None = Field(default=None, description="PLAIN_TEXT (also when unset) or HTML.")

    @property
    def is_html(self) -> bool:
        return self.type == "HTML"


class ArticleAndParentComment(_Message):
    article: TextEntry | None = None
    parentComment: TextEntry | None = None


class Context(_Message):
    entries: list[TextEntry] | None = None
    articleAndParentComment: ArticleAndParentComment | None = None


class AttributeParameters(_Message):
    scoreType: ScoreType | None = Field(default=None, description="Only PROBABILITY is served (unset: PROBABILITY).")
    scoreThreshold: float | None = Field(default=None, description="Leave the attribute out when it scores below.")


class Score(_Message):
    value: float | None = None
    type: ScoreType | None = None


class SpanScore(_Message):
    begin: int | None = Field(default=None, description="Offset in UTF-16 code units into comment.text.")
    end: int | None = Field(default=None, description="End offset in UTF-16 code units, exclusive.")
    score: Score | None = None


class AttributeScores(_Message):
    summaryScore: Score | None = None
    spanScores: list[SpanScore] | None = None


class AnalyzeCommentRequest(_Message):
    """Perspective's AnalyzeComment request."""

    comment: TextEntry | None = None
    context: Context | None = None
    requestedAttributes: dict[str, AttributeParameters] | None = Field(
        default=None, description="TOXICITY, SEVERE_TOXICITY, INSULT, PROFANITY, THREAT, IDENTITY_ATTACK."
    )
    languages: list[str] | None = Field(default=None, description="ISO 639-1 or BCP-47 codes: en, and de, es, fr, it, "
                                      "nl, pl, pt, ru where their model is installed; without it the comment's "
                                      "language is identified.")
    doNotStore: bool | None = Field(default=None, description="Accepted; this method stores nothing either way.")
    clientToken: str | None = Field(default=None, description="Echoed in the response.")
    sessionId: str | None = None
    communityId: str | None = None
    spanAnnotations: bool | None = Field(default=None, description="Score the evidence spans, not only the text.")
    dropUnsupportedAttributes: bool | None = None


class SuggestCommentScoreRequest(_Message):
    """Perspective's SuggestCommentScore request: a moderator's score, kept per community."""

    comment: TextEntry | None = None
    context: Context | None = None
    attributeScores: dict[str, AttributeScores] | None = None
    languages: list[str] | None = None
    communityId: str | None = None
    clientToken: str | None = None
    sessionId: str | None = None


# --- responses: what threadwise answers (always set, so no None handling) ---------------------------


class ScoreOut(BaseModel):
    value: float
    type: str = PROBABILITY


class SpanScoreOut(BaseModel):
    begin: int = Field(description="UTF-16 code units into comment.text.")
    end: int = Field(description="UTF-16 code units, exclusive.")
    score: ScoreOut


class AttributeScoresOut(BaseModel):
    summaryScore: ScoreOut
    spanScores: list[SpanScoreOut]


class AnalyzeCommentResponse(BaseModel):
    attributeScores: dict[str, AttributeScoresOut]
    languages: list[str]
    detectedLanguages: list[str] | None = None
    clientToken: str | None = None


class SuggestCommentScoreResponse(BaseModel):
    clientToken: str | None = None
    requestedLanguages: list[str] | None = None
    detectedLanguages: list[str] | None = None
