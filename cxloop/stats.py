"""Scores with their 95% intervals: NPS, CSAT (top-2-box) and CES, as pure functions.

Analysts import this module directly:

    >>> from cxloop import stats
    >>> result = stats.nps(promoters=50, passives=30, detractors=20)
    >>> result.score, result.n
    (30.0, 100)
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from math import sqrt
from statistics import NormalDist

Z95 = NormalDist().inv_cdf(0.975)  # Φ⁻¹(0.975) ≈ 1.959964


@dataclass(frozen=True)
class Score:
    """A score with its count and 95% interval; all None when there is nothing to score."""

    score: float | None
    n: int
    low: float | None
    high: float | None

    @property
    def margin(self) -> float | None:
        if self.low is None or self.high is None:
            return None
        return (self.high - self.low) / 2


@dataclass(frozen=True)
class NpsCounts:
    """Promoters (9–10), passives (7–8) and detractors (0–6)."""

    promoters: int = 0
    passives: int = 0
    detractors: int = 0

    @property
    def n(self) -> int:
        return self.promoters + self.passives + self.detractors


def nps(*, promoters: int, passives: int, detractors: int, z: float = Z95) -> Score:
    """NPS on −100…100 with the adjusted-Wald interval.

    Rocks, B. (2016). "Interval Estimation for the 'Net Promoter Score'".
    The American Statistician 70(4), 365–372: add 0.75 detractors, 1.5 passives and
    0.75 promoters (n + 3), centre on the adjusted NPS, variance p_p + p_d − NPS²
    over n + 3, and clip to [−100, 100].
    """
    for name, value in (("promoters", promoters), ("passives", passives), ("detractors", detractors)):
        if value < 0:
            raise ValueError(f"{name} cannot be negative")
    n = promoters + passives + detractors
    if n == 0:
        return Score(score=None, n=0, low=None, high=None)
    plain = (promoters - detractors) / n
    adjusted_n = n + 3
    p_promoters = (promoters + 0.75) / adjusted_n
    p_detractors = (detractors + 0.75) / adjusted_n
    centre = p_promoters - p_detractors
    variance = p_promoters + p_detractors - centre**2
    half_width = z * sqrt(variance / adjusted_n)
    low = max(-1.0, centre - half_width)
    high = min(1.0, centre + half_width)
    return Score(score=100 * plain, n=n, low=100 * low, high=100 * high)


def nps_counts(scores: Iterable[int]) -> NpsCounts:
    """Count promoters, passives and detractors in 0–10 scores."""
    promoters = passives = detractors = 0
    for value in scores:
        if not 0 <= value <= 10:
            raise ValueError(f"an NPS answer is 0–10, not {value}")
        if value >= 9:
            promoters += 1
        elif value >= 7:
            passives += 1
        else:
            detractors += 1
    return NpsCounts(promoters=promoters, passives=passives, detractors=detractors)


def nps_from_scores(scores: Iterable[int], z: float = Z95) -> Score:
    """NPS of raw 0–10 answers."""
    counts = nps_counts(scores)
    return nps(promoters=counts.promoters, passives=counts.passives, detractors=counts.detractors, z=z)


def proportion(*, successes: int, n: int, z: float = Z95) -> Score:
    """A percentage with the adjusted-Wald (Agresti–Coull 1998) interval.

    Agresti, A. & Coull, B. (1998). "Approximate is better than 'exact' for interval
    estimation of binomial proportions". The American Statistician 52(2), 119–126.
    """
    if not 0 <= successes <= n:
        raise ValueError("successes must lie between 0 and n")
    if n == 0:
        return Score(score=None, n=0, low=None, high=None)
    adjusted_n = n + z**2
    centre = (successes + z**2 / 2) / adjusted_n
    half_width = z * sqrt(centre * (1 - centre) / adjusted_n)
    return Score(
        score=100 * successes / n,
        n=n,
        low=100 * max(0.0, centre - half_width),
        high=100 * min(1.0, centre + half_width),
    )


def csat(counts: Mapping[int, int], z: float = Z95) -> Score:
    """CSAT as top-2-box: the percentage of 4s and 5s on a 1–5 scale, with its interval."""
    _check_scale(counts, 1, 5)
    n = sum(counts.values())
    satisfied = counts.get(4, 0) + counts.get(5, 0)
    return proportion(successes=satisfied, n=n, z=z)


def ces(counts: Mapping[int, int], z: float = Z95) -> Score:
    """CES as the mean on a 1–7 scale (1 = very little effort, 7 = very much), with a normal-approximation interval."""
    _check_scale(counts, 1, 7)
    n = sum(counts.values())
    if n == 0:
        return Score(score=None, n=0, low=None, high=None)
    mean = sum(value * count for value, count in counts.items()) / n
    if n == 1:
        return Score(score=mean, n=1, low=1.0, high=7.0)
    variance = sum(count * (value - mean) ** 2 for value, count in counts.items()) / (n - 1)
    half_width = z * sqrt(variance / n)
    return Score(score=mean, n=n, low=max(1.0, mean - half_width), high=min(7.0, mean + half_width))


def _check_scale(counts: Mapping[int, int], lowest: int, highest: int) -> None:
    for value, count in counts.items():
        if not lowest <= value <= highest:
            raise ValueError(f"answers lie in {lowest}–{highest}, not {value}")
        if count < 0:
            raise ValueError("counts cannot be negative")
