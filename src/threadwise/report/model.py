"""The report as plain data: dataclasses that ``to_dict`` turns into JSON, and the HTML template reads."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Highlight:
    """A span to mark in a text: offsets into it, the analyser that found it, and its label."""

    start: int
    end: int
    analyser: str
    label: str


@dataclass(frozen=True)
class Snippet:
    """A short excerpt of a comment (or the article) with one span highlighted in context."""

    before: str
    marked: str
    after: str
    comment_id: str | None = None  # None: the article
    number: str | None = None


@dataclass(frozen=True)
class ArticleHead:
    title: str | None
    author: str | None
    outlet: str | None
    credit: str | None
    url: str | None
    author_bio: str | None
    published_at: str | None
    republication: str | None = None  # "originally published by …": the page's notice about the piece


@dataclass(frozen=True)
class ParagraphStat:
    """How readers treated one article paragraph: quoted by, disputed by, claims linked to it."""

    index: int
    text: str
    quoted: int
    disputed: int
    linked_claims: int
    techniques: list[str] = field(default_factory=list)
    highlights: list[Highlight] = field(default_factory=list)  # persuasion spans, offsets into ``text``


@dataclass(frozen=True)
class Bucket:
    """One bar of a chart: a label, a value and how many comments it rests on."""

    label: str
    value: float
    count: int


@dataclass(frozen=True)
class Glance:
    """The discussion at a glance."""

    comments: int
    stance: dict[str, int]
    incivility_by_position: list[Bucket]  # mean toxicity per slice of the thread, in page order
    incivility_over_time: list[Bucket]  # the same per time slice; empty without timestamps
    incivility_by_depth: list[Bucket]  # top-level comments, replies, replies to replies…
    uncivil_share: float
    uncivil_threshold: float
    targets: dict[str, int]  # comments whose hostility or disagreement aims at each target
    constructive_share: float
    on_topic_share: float | None


@dataclass(frozen=True)
class Technique:
    """One persuasion technique: how often it occurs in the comments and the article, with examples."""

    label: str
    name: str
    comments: int
    spans: int
    examples: list[Snippet]
    in_article: list[Snippet]


@dataclass(frozen=True)
class Claim:
    comment_id: str
    number: str | None
    text: str
    score: float


@dataclass(frozen=True)
class ClaimGroup:
    """Near-duplicate check-worthy claims, with the article sentence they answer (if any)."""

    claims: list[Claim]
    article_sentence: str | None
    paragraph: int | None
    relation: str | None  # disputes / repeats / related
    similarity: float | None
    link: str | None  # "analyser": linked by the claims analyser; "nearest": closest sentence found here

    @property
    def size(self) -> int:
        return len(self.claims)


@dataclass(frozen=True)
class Topic:
    """A cluster of comments by meaning, named by its most distinctive words."""

    id: int
    keywords: list[str]
    size: int
    stance: dict[str, int]
    mean_toxicity: float
    numbers: list[str]  # the page numbers of its comments (first few)
    comment_ids: list[str]  # the same comments' ids


@dataclass(frozen=True)
class CommentEntry:
    """One comment as listed in the report, with every finding and highlighted span."""

    id: str
    number: str | None
    position: int
    depth: int
    reply_to: str | None  # the parent's page number (or id)
    author: str | None
    created_at: str | None
    text: str
    stance: str
    toxicity: float
    constructive: float | None
    suggestion: str  # the policy's suggested action
    topic: int | None
    labels: list[str]
    findings: list[dict[str, Any]]
    highlights: list[Highlight]
    language: str | None = None  # ISO 639-1, identified from the text ("und": undetermined)


@dataclass(frozen=True)
class Report:
    """Everything the HTML page and the JSON export show, computed once."""

    thread_id: str
    generated_at: str
    source: str
    article: ArticleHead
    paragraphs: list[ParagraphStat]
    glance: Glance
    techniques: list[Technique]
    claims: list[ClaimGroup]
    topics: list[Topic]
    neutrality: dict[str, Any]
    comments: list[CommentEntry]
    labels: list[tuple[str, int]]  # filter labels with how many comments carry each
    analysers: dict[str, str]  # name → version, for the record
    failures: list[str]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["labels"] = [{"label": label, "comments": n} for label, n in self.labels]
        return data
