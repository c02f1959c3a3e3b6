"""Findings → the report's plain data model; every figure the page shows is computed here, once."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from threadwise.language import detect_language
from threadwise.model import Decision, Finding, Thread
from threadwise.neutrality import STANCE_GROUPS, article_stance, build_panel, toxicity_score
from threadwise.policy import DEFAULT_POLICY, Policy, load_policy, suggest
from threadwise.report.claim_groups import group_claims
from threadwise.report.model import (
    ArticleHead,
    Bucket,
    ClaimGroup,
    CommentEntry,
    Glance,
    Highlight,
    ParagraphStat,
    Report,
    Snippet,
    Technique,
)
from threadwise.report.offsets import paragraph_at, paragraph_starts
from threadwise.report.topics import cluster_topics

UNCIVIL_AT = 0.5  # overall toxicity from which a comment counts as uncivil in the charts
CONSTRUCTIVE_AT = 0.5
SLICES = 10  # the thread is cut into this many slices (by position, or by time) for the incivility charts
MIN_ARTICLE_TECHNIQUE = 0.2  # the article is the editor's own text: mark only its clearer technique spans
EXAMPLES = 3  # example spans shown per persuasion technique
HIGHLIGHTED = ("toxicity", "persuasion", "claims", "quotes", "target")  # analysers whose spans are marked
TECHNIQUE_NAMES = {
    "whataboutism_straw_man_red_herring": "Whataboutism, straw man, red herring",
    "bandwagon_reductio_ad_hitlerum": "Bandwagon, reductio ad Hitlerum",
    "exaggeration_minimisation": "Exaggeration, minimisation",
    "thought_terminating_cliche": "Thought-terminating cliché",
}


@dataclass(frozen=True)
class ReportInputs:
    """What a report is made from: a thread, its findings, the article's own, and any decisions."""

    thread: Thread
    findings: Sequence[Finding]
    article_findings: Sequence[Finding] = ()
    decisions: Mapping[str, Decision] | None = None  # comment id → latest decision
    source: str = ""
    failures: Sequence[str] = ()


def build_report(inputs: ReportInputs, policy: Policy | None = None) -> Report:
    """The whole report for one thread."""
    policy = policy or load_policy(DEFAULT_POLICY)
    thread = inputs.thread
    by_comment: dict[str, list[Finding]] = {c.id: [] for c in thread.comments}
    for item in inputs.findings:
        by_comment.setdefault(item.comment_id, []).append(item)
    topics, topic_of = cluster_topics(thread, by_comment)
    comments = [_comment_entry(thread, c.id, by_comment[c.id], policy, topic_of.get(c.id)) for c in thread.comments]
    labels = Counter(label for entry in comments for label in entry.labels)
    claims = group_claims(thread, inputs.findings)
    article_findings = [f for f in inputs.article_findings if f.score >= MIN_ARTICLE_TECHNIQUE]
    panel = build_panel(thread, inputs.findings, inputs.decisions, policy,
                        actions={c.id: c.suggestion for c in comments})
    return Report(
        thread_id=thread.id, generated_at=datetime.now(UTC).isoformat(timespec="seconds"), source=inputs.source,
        article=_article_head(thread), paragraphs=_paragraphs(thread, by_comment, claims, article_findings),
        glance=_glance(thread, by_comment), techniques=_techniques(thread, inputs.findings, article_findings),
        claims=claims, topics=topics, neutrality=panel.to_dict(), comments=comments,
        labels=sorted(labels.items(), key=lambda kv: (-kv[1], kv[0])),
        analysers=dict(sorted({f.analyser: f.analyser_version for f in inputs.findings}.items())),
        failures=list(inputs.failures),
    )  # fmt: skip


# --- article ---------------------------------------------------------------------------------------


def _article_head(thread: Thread) -> ArticleHead:
    a = thread.article
    published = a.published_at.isoformat() if a.published_at else None
    return ArticleHead(display_title(a.title, a.outlet), a.author, a.outlet, a.image_credit, a.url, a.author_bio,
                       published, a.republication)  # fmt: skip


_TITLE_SUFFIX = re.compile(r"\s+[|\-–—·:]\s+([^|\-–—·:]{2,60})$")


def display_title(title: str | None, outlet: str | None) -> str | None:
    """The headline without the site's name that pages append to it ("… | California Globe")."""
    if not title:
        return title
    found = _TITLE_SUFFIX.search(title)
    site = found.group(1).strip().casefold() if found else ""
    if found and outlet and site in (outlet.casefold(), outlet.casefold().replace(" ", "")):
        return title[: found.start()].strip()
    return title


def _paragraphs(thread: Thread, by_comment: Mapping[str, list[Finding]], claims: Sequence[ClaimGroup],
                article_findings: Sequence[Finding]) -> list[ParagraphStat]:
    paragraphs = thread.article.paragraphs
    starts = paragraph_starts(paragraphs)
    quoted: list[set[str]] = [set() for _ in paragraphs]
    disputed: list[set[str]] = [set() for _ in paragraphs]
    linked = [0] * len(paragraphs)
    for comment_id, findings in by_comment.items():
        denies = article_stance(findings) == "deny"
        for item in findings:
            if item.analyser == "quotes" and item.detail.get("article_span"):
                index = paragraph_at(starts, int(item.detail["article_span"][0]))
                quoted[index].add(comment_id)
                if denies:  # quoting the paragraph in order to reject the article
                    disputed[index].add(comment_id)
    for group in claims:
        if group.paragraph is None or group.paragraph >= len(paragraphs):
            continue
        linked[group.paragraph] += group.size
        if group.relation == "disputes":
            disputed[group.paragraph].update(c.comment_id for c in group.claims)
    techniques: list[list[Highlight]] = [[] for _ in paragraphs]
    for item in article_findings:
        for span in item.spans:
            index = paragraph_at(starts, span.start)
            start, end = span.start - starts[index], min(span.end - starts[index], len(paragraphs[index]))
            if 0 <= start < end:
                techniques[index].append(Highlight(start, end, "persuasion", item.label))
    return [
        ParagraphStat(i, text, len(quoted[i]), len(disputed[i]), linked[i],
                      sorted({h.label for h in techniques[i]}), techniques[i])
        for i, text in enumerate(paragraphs)
    ]


# --- the discussion at a glance ------------------------------------------------------------------------


def _glance(thread: Thread, by_comment: Mapping[str, list[Finding]]) -> Glance:
    comments = thread.comments
    toxicity = {c.id: toxicity_score(by_comment[c.id]) for c in comments}
    stance = Counter(article_stance(by_comment[c.id]) for c in comments)
    targets: Counter[str] = Counter()
    for c in comments:
        targets.update({f.label for f in by_comment[c.id] if f.analyser == "target"})
    constructive = [_score(by_comment[c.id], "constructive", "constructive") for c in comments]
    on_topic = [_score(by_comment[c.id], "constructive", "on_topic") for c in comments]
    known_topic = [s for s in on_topic if s is not None]
    n = len(comments) or 1
    return Glance(
        comments=len(comments), stance={s: stance.get(s, 0) for s in STANCE_GROUPS},
        incivility_by_position=_slices([toxicity[c.id] for c in comments], _position_labels(len(comments))),
        incivility_over_time=_over_time(thread, toxicity),
        incivility_by_depth=_by_depth(thread, toxicity),
        uncivil_share=sum(t >= UNCIVIL_AT for t in toxicity.values()) / n, uncivil_threshold=UNCIVIL_AT,
        targets=dict(targets.most_common()),
        constructive_share=sum((s or 0.0) >= CONSTRUCTIVE_AT for s in constructive) / n,
        on_topic_share=sum(s >= 0.5 for s in known_topic) / len(known_topic) if known_topic else None,
    )  # fmt: skip


def _score(findings: Sequence[Finding], analyser: str, label: str) -> float | None:
    return max((f.score for f in findings if f.analyser == analyser and f.label == label), default=None)


def _cut(n: int) -> list[tuple[int, int]]:
    """``n`` items cut into at most ``SLICES`` contiguous, near-equal slices."""
    k = min(SLICES, n)
    return [(i * n // k, (i + 1) * n // k) for i in range(k)] if n else []


def _position_labels(n: int) -> list[str]:
    return [f"{a + 1}–{b}" if b - a > 1 else f"{b}" for a, b in _cut(n)]


def _slices(values: Sequence[float], labels: Sequence[str]) -> list[Bucket]:
    return [Bucket(label, sum(values[a:b]) / (b - a), b - a) for (a, b), label in zip(_cut(len(values)), labels,
                                                                                       strict=True)]


def _over_time(thread: Thread, toxicity: Mapping[str, float]) -> list[Bucket]:
    timed = sorted((c.created_at, toxicity[c.id]) for c in thread.comments if c.created_at is not None)
    if len(timed) < 2 or timed[0][0] == timed[-1][0]:
        return []
    first, last = timed[0][0], timed[-1][0]
    width = (last - first) / SLICES
    buckets: list[list[float]] = [[] for _ in range(SLICES)]
    for when, value in timed:
        buckets[min(SLICES - 1, int((when - first) / width))].append(value)
    return [Bucket((first + width * i).strftime("%a %H:%M"), sum(b) / len(b), len(b))
            for i, b in enumerate(buckets) if b]


def _by_depth(thread: Thread, toxicity: Mapping[str, float]) -> list[Bucket]:
    depths: dict[int, list[float]] = {}
    stack = [(c, 0) for c in reversed(thread.replies(None))]
    while stack:
        comment, depth = stack.pop()
        depths.setdefault(depth, []).append(toxicity[comment.id])
        stack.extend((r, depth + 1) for r in reversed(thread.replies(comment.id)))
    names = {0: "top level", 1: "replies"}
    return [Bucket(names.get(d, f"depth {d}"), sum(v) / len(v), len(v)) for d, v in sorted(depths.items())]


# --- persuasion --------------------------------------------------------------------------------------


def technique_name(label: str) -> str:
    return TECHNIQUE_NAMES.get(label, label.replace("_", " ").capitalize())


def _techniques(thread: Thread, findings: Sequence[Finding], article_findings: Sequence[Finding]) -> list[Technique]:
    in_comments = [f for f in findings if f.analyser == "persuasion"]
    labels = sorted({f.label for f in [*in_comments, *article_findings]})
    article_text = thread.article.text
    out = []
    for label in labels:
        mine = sorted((f for f in in_comments if f.label == label), key=lambda f: -f.score)
        examples: list[Snippet] = []
        seen: set[str] = set()
        for item in mine:
            if item.comment_id in seen or not item.spans or len(examples) >= EXAMPLES:
                continue
            seen.add(item.comment_id)
            comment = thread.get_comment(item.comment_id)
            examples.append(snippet(comment.text, item.spans[0].start, item.spans[0].end, comment.id, comment.label))
        ours = [snippet(article_text, s.start, s.end) for f in article_findings if f.label == label for s in f.spans]
        out.append(Technique(label, technique_name(label), len({f.comment_id for f in mine}),
                             sum(len(f.spans) for f in mine), examples, ours[:EXAMPLES]))
    return sorted(out, key=lambda t: (-t.comments, -len(t.in_article), t.label))


def snippet(text: str, start: int, end: int, comment_id: str | None = None, number: str | None = None,
            context: int = 80) -> Snippet:
    """The span with up to ``context`` characters either side, cut at word boundaries."""
    left = max(0, start - context)
    if left:
        left = text.find(" ", left, start) + 1 or left
    right = min(len(text), end + context)
    if right < len(text):
        right = text.rfind(" ", end, right) if text.rfind(" ", end, right) > end else right
    before = ("…" if left else "") + text[left:start]
    after = text[end:right] + ("…" if right < len(text) else "")
    return Snippet(before, text[start:end], after, comment_id, number)


# --- comments ---------------------------------------------------------------------------------------


def _comment_entry(thread: Thread, comment_id: str, findings: list[Finding], policy: Policy,
                   topic: int | None) -> CommentEntry:
    comment = thread.get_comment(comment_id)
    parent = thread.get_comment(comment.parent_id) if comment.parent_id else None
    action = suggest(policy, comment, findings).action
    stance = article_stance(findings)
    highlights = [Highlight(s.start, s.end, f.analyser, s.label or f.label) for f in findings
                  if f.analyser in HIGHLIGHTED for s in f.spans if s.end <= len(comment.text) and s.end > s.start]
    return CommentEntry(
        id=comment.id, number=comment.label, position=comment.position, depth=thread.depth(comment.id),
        reply_to=parent.label if parent else None, author=comment.author,
        created_at=comment.created_at.isoformat() if comment.created_at else None, text=comment.text,
        stance=stance, toxicity=toxicity_score(findings), constructive=_score(findings, "constructive", "constructive"),
        suggestion=action, topic=topic, labels=_labels(findings, stance, action),
        findings=_finding_summary(findings),
        highlights=sorted(set(highlights), key=lambda h: (h.start, -h.end)),
        language=comment.language or detect_language(comment.text).code,
    )  # fmt: skip


def _finding_summary(findings: Sequence[Finding]) -> list[dict[str, Any]]:
    """One entry per analyser and label: the highest score, and how many findings (e.g. spans) it stands for."""
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for f in sorted(findings, key=lambda f: (f.analyser, -f.score)):
        entry = merged.setdefault((f.analyser, f.label), {"analyser": f.analyser, "label": f.label,
                                                          "score": round(f.score, 3), "count": 0,
                                                          "certainty": f.detail.get("certainty")})
        entry["count"] += 1
    return list(merged.values())


def _labels(findings: Sequence[Finding], stance: str, action: str) -> list[str]:
    """The filter labels a comment carries: conduct above threshold, techniques, claims, targets, stance."""
    labels = {f"stance:{stance}"}
    for f in findings:
        if (f.analyser == "toxicity" and f.score >= UNCIVIL_AT) or f.analyser == "persuasion":
            labels.add(f.label)
        elif f.analyser == "claims":
            labels.add("claim")
        elif f.analyser == "quotes":
            labels.add(f.label)
        elif f.analyser == "target":
            labels.add(f"target:{f.label}")
        elif f.analyser == "constructive" and f.label == "constructive" and f.score >= CONSTRUCTIVE_AT:
            labels.add("constructive")
    if action != "approve":
        labels.add(f"policy:{action}")
    return sorted(labels)
