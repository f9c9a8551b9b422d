"""Correlation with its Fisher-z interval, and the NPS difference of answers with and without a topic."""

from dataclasses import dataclass
from math import atanh, sqrt, tanh

from cxloop.stats import Z95, Score, nps_from_scores


@dataclass(frozen=True)
class Correlation:
    """Pearson's r over n pairs with its 95% interval (None when n < 4)."""

    r: float | None
    n: int
    low: float | None
    high: float | None


def pearson(xs: list[float], ys: list[float]) -> Correlation:
    """Pearson's r with the Fisher (1915) z interval: atanh(r) ± z/√(n−3), back through tanh."""
    n = len(xs)
    if n != len(ys):
        raise ValueError("xs and ys differ in length")
    if n < 3:
        return Correlation(r=None, n=n, low=None, high=None)
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return Correlation(r=None, n=n, low=None, high=None)
    r = max(-1.0, min(1.0, sxy / sqrt(sxx * syy)))
    if n < 4 or abs(r) == 1.0:
        return Correlation(r=r, n=n, low=None, high=None)
    z, half = atanh(r), Z95 / sqrt(n - 3)
    return Correlation(r=r, n=n, low=tanh(z - half), high=tanh(z + half))


@dataclass(frozen=True)
class Impact:
    """NPS of answers with and without a topic, and the difference with its 95% interval."""

    with_topic: Score
    without_topic: Score
    difference: float | None
    low: float | None
    high: float | None


def topic_impact(with_scores: list[int], without_scores: list[int]) -> Impact:
    """The NPS gap between answers that mention a topic and those that do not.

    The interval of the gap adds the two NPS variances (independent groups), each estimated
    as (p_promoters + p_detractors − NPS²)/n on the 0–1 scale (Rocks 2016).
    """
    a, b = nps_from_scores(with_scores), nps_from_scores(without_scores)
    if a.score is None or b.score is None:
        return Impact(with_topic=a, without_topic=b, difference=None, low=None, high=None)
    variance = _nps_variance(with_scores) + _nps_variance(without_scores)
    diff = a.score - b.score
    half = 100 * Z95 * sqrt(variance)
    return Impact(with_topic=a, without_topic=b, difference=diff, low=diff - half, high=diff + half)


def _nps_variance(scores: list[int]) -> float:
    n = len(scores)
    promoters = sum(s >= 9 for s in scores) / n
    detractors = sum(s <= 6 for s in scores) / n
    return (promoters + detractors - (promoters - detractors) ** 2) / n
