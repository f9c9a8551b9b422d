"""Emerging topics: what uncovered answers of a period are about, grouped and named, with their growth.

Answers that no topic tags are clustered (spherical k-means on their vectors, Dhillon & Modha
2001) and each group is named by its most distinctive stems (class-based TF-IDF, Grootendorst
2022, "BERTopic"). A group is flagged when its share of all answers rose against an earlier
window by a two-proportion z-test (one-sided, 5%) and at least doubled.
"""

from collections import Counter
from dataclasses import dataclass, field
from math import log, sqrt
from statistics import NormalDist

import numpy as np

from cxloop.text.tokens import content_stems, tokenize

Z_CRITICAL = NormalDist().inv_cdf(0.95)


@dataclass
class Emerging:
    """A group of uncovered answers: its name, words, examples and growth against the earlier window."""

    name: str
    words: list[str]
    count: int
    share: float
    earlier_count: int
    earlier_share: float
    z: float
    flagged: bool
    examples: list[int] = field(default_factory=list)  # indexes into the current texts


def kmeans(vectors: np.ndarray, k: int, *, iterations: int = 30) -> np.ndarray:
    """Cluster labels of L2-normalised vectors by spherical k-means, seeded by farthest points (deterministic)."""
    n = len(vectors)
    k = max(1, min(k, n))
    centres = [0]
    for _ in range(1, k):
        similarity = np.max(vectors @ vectors[centres].T, axis=1)
        centres.append(int(np.argmin(similarity)))
    centroids = vectors[centres].copy()
    labels = np.zeros(n, dtype=int)
    for _ in range(iterations):
        new = np.argmax(vectors @ centroids.T, axis=1)
        if np.array_equal(new, labels) and _ > 0:
            break
        labels = new
        for j in range(k):
            members = vectors[labels == j]
            if len(members):
                centre = members.sum(axis=0)
                centroids[j] = centre / (np.linalg.norm(centre) or 1.0)
    return labels


def distinctive_words(groups: list[list[str]], *, top: int = 3) -> list[list[str]]:
    """Per group of texts, its most distinctive words by class-based TF-IDF, shown as the commonest surface form."""
    stem_counts = [Counter(s for text in texts for s in content_stems(text)) for texts in groups]
    surface: dict[str, Counter[str]] = {}
    for texts in groups:
        for text in texts:
            for token in tokenize(text):
                for s in content_stems(token):
                    surface.setdefault(s, Counter())[token] += 1
    total = Counter[str]()
    for counts in stem_counts:
        total.update(counts)
    average = sum(total.values()) / max(1, len(groups))
    names = []
    for counts in stem_counts:
        size = sum(counts.values()) or 1
        scored = sorted(
            ((c / size) * log(1 + average / total[s]), s)
            for s, c in counts.items()
            if c >= 2 or len(counts) < 4
        )
        best = [s for _, s in reversed(scored)][:top]
        names.append([surface[s].most_common(1)[0][0] if s in surface else s for s in best])
    return names


def two_proportion_z(count: int, n: int, earlier: int, earlier_n: int) -> float:
    """z of the rise from earlier/earlier_n to count/n, pooled (Agresti 2013, §2.1)."""
    if n == 0 or earlier_n == 0:
        return 0.0
    pooled = (count + earlier) / (n + earlier_n)
    se = sqrt(pooled * (1 - pooled) * (1 / n + 1 / earlier_n))
    return (count / n - earlier / earlier_n) / se if se else 0.0


def find_emerging(
    current: list[str],
    current_vectors: np.ndarray,
    current_total: int,
    earlier_vectors: np.ndarray,
    earlier_total: int,
    *,
    min_count: int = 3,
    similarity: float | None = None,
) -> list[Emerging]:
    """Groups among the uncovered current texts, each compared with the earlier window's uncovered texts."""
    if len(current) < min_count:
        return []
    k = max(2 if len(current) >= 6 else 1, min(8, round(sqrt(len(current) / 2))))
    labels = kmeans(current_vectors, k)
    groups = [[current[i] for i in np.flatnonzero(labels == j)] for j in range(k)]
    names = distinctive_words(groups)
    centroids = np.vstack([_centroid(current_vectors[labels == j]) for j in range(k)])
    threshold = (
        similarity if similarity is not None else _threshold(current_vectors, labels, centroids)
    )
    earlier_counts = Counter[int]()
    if len(earlier_vectors):
        sims = earlier_vectors @ centroids.T
        for row in sims:
            if row.max() >= threshold:
                earlier_counts[int(row.argmax())] += 1
    result = []
    for j, texts in enumerate(groups):
        if len(texts) < min_count:
            continue
        z = two_proportion_z(len(texts), current_total, earlier_counts[j], earlier_total)
        share = len(texts) / max(1, current_total)
        earlier_share = earlier_counts[j] / earlier_total if earlier_total else 0.0
        result.append(
            Emerging(
                name=" / ".join(names[j]) or "—",
                words=names[j],
                count=len(texts),
                share=share,
                earlier_count=earlier_counts[j],
                earlier_share=earlier_share,
                z=z,
                flagged=z >= Z_CRITICAL and share >= 2 * earlier_share,
                examples=[int(i) for i in np.flatnonzero(labels == j)[:5]],
            )
        )
    return sorted(result, key=lambda e: (-int(e.flagged), -e.count))


def _centroid(vectors: np.ndarray) -> np.ndarray:
    centre = vectors.sum(axis=0)
    return centre / (np.linalg.norm(centre) or 1.0)


def _threshold(vectors: np.ndarray, labels: np.ndarray, centroids: np.ndarray) -> float:
    # An earlier answer belongs to a group when it is as close as the group's own typical member.
    own = np.einsum("ij,ij->i", vectors, centroids[labels])
    return float(np.percentile(own, 25))
