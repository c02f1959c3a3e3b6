"""Topic clusters of a thread's comments: k-means over sentence embeddings, named by c-TF-IDF keywords.

c-TF-IDF (as in BERTopic) treats each cluster as one document: a word scores by how often it occurs in
the cluster, weighted down when it is common across all clusters, so labels say what sets a cluster
apart rather than what the whole thread is about.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import CountVectorizer

from threadwise.analysers.embed import shared_embedder
from threadwise.model import Finding, Thread
from threadwise.neutrality import STANCE_GROUPS, article_stance, toxicity_score
from threadwise.report.model import Topic

MIN_COMMENTS = 4  # fewer comments than this make no clusters worth showing
MAX_TOPICS = 12
KEYWORDS = 4
CANDIDATES = 20  # c-TF-IDF's best words, re-ranked by closeness to the cluster
SHOWN_NUMBERS = 12
_HAS_WORD = re.compile(r"[^\W\d_]{2}")


def topic_count(n: int) -> int:
    """How many clusters for ``n`` comments: about √n, at least 2, at most ``MAX_TOPICS``."""
    return max(2, min(MAX_TOPICS, round(math.sqrt(n))))


def cluster_topics(thread: Thread, by_comment: Mapping[str, Sequence[Finding]]) -> tuple[list[Topic], dict[str, int]]:
    """The topics, largest first, and each clustered comment's topic id."""
    comments = [c for c in thread.comments if _HAS_WORD.search(c.text)]
    if len(comments) < MIN_COMMENTS:
        return [], {}
    texts = [c.text for c in comments]
    vectors = shared_embedder().encode(texts)
    k = min(topic_count(len(comments)), len(set(texts)))
    assignment = KMeans(n_clusters=k, n_init=4, random_state=0).fit_predict(vectors)
    keywords = cluster_keywords(texts, assignment, k, vectors)
    order = sorted(range(k), key=lambda t: -int(np.sum(assignment == t)))
    renumber = {old: new for new, old in enumerate(order)}
    topic_of = {c.id: renumber[int(t)] for c, t in zip(comments, assignment, strict=True)}
    topics = []
    for old in order:
        members = [c for c, t in zip(comments, assignment, strict=True) if t == old]
        stance = Counter(article_stance(by_comment.get(c.id, ())) for c in members)
        toxicity = [toxicity_score(by_comment.get(c.id, ())) for c in members]
        topics.append(Topic(renumber[old], keywords[old], len(members), {s: stance.get(s, 0) for s in STANCE_GROUPS},
                            round(sum(toxicity) / len(toxicity), 4),
                            [c.number or str(c.position + 1) for c in members[:SHOWN_NUMBERS]],
                            [c.id for c in members[:SHOWN_NUMBERS]]))
    return topics, topic_of


def cluster_keywords(texts: Sequence[str], assignment: np.ndarray, k: int,
                     vectors: np.ndarray | None = None) -> list[list[str]]:
    """The ``KEYWORDS`` most distinctive words of each cluster by c-TF-IDF.

    With the comments' ``vectors``, the top ``CANDIDATES`` words are re-ranked by closeness to the
    cluster's centroid (as KeyBERT does), which separates the many ties of small clusters. It embeds at
    most ``CANDIDATES`` x ``MAX_TOPICS`` single words, whatever the thread's size.
    """
    documents = [" ".join(t for t, a in zip(texts, assignment, strict=True) if a == c) for c in range(k)]
    vectorizer = CountVectorizer(stop_words="english", token_pattern=r"(?u)\b[^\W\d_]{3,}\b", lowercase=True)
    try:
        counts = vectorizer.fit_transform(documents).toarray().astype(np.float64)
    except ValueError:  # nothing but stop words
        return [[] for _ in range(k)]
    words = vectorizer.get_feature_names_out()
    tf = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1.0)
    average_words = counts.sum() / k
    idf = np.log(1.0 + average_words / np.maximum(counts.sum(axis=0), 1.0))
    scores = tf * idf
    out = []
    for cluster, row in enumerate(scores):
        candidates = [j for j in np.argsort(-row, kind="stable")[:CANDIDATES] if row[j] > 0]
        if vectors is not None and candidates:
            centroid = vectors[assignment == cluster].mean(axis=0)
            closeness = shared_embedder().encode([str(words[j]) for j in candidates]) @ centroid
            candidates = [candidates[i] for i in np.argsort(-(closeness + row[candidates] / row[candidates[0]]),
                                                             kind="stable")]
        out.append([str(words[j]) for j in candidates[:KEYWORDS]])
    return out
