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
    for name, value in (
        ("promoters", promoters),
        ("passives", passives),
        ("detractors", detractors),
    ):
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
    return nps(
        promoters=counts.promoters, passives=counts.passives, detractors=counts.detractors, z=z
    )


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


# --- differences, trends and comparisons ------------------------------------------------------


def nps_variance(counts: NpsCounts) -> float:
    """Variance of one answer scored +1 (promoter), 0, −1 (detractor): p_p + p_d − NPS² (NPS as a fraction)."""
    if counts.n == 0:
        raise ValueError("no answers")
    p_promoters = counts.promoters / counts.n
    p_detractors = counts.detractors / counts.n
    return p_promoters + p_detractors - (p_promoters - p_detractors) ** 2


@dataclass(frozen=True)
class Difference:
    """NPS of `a` minus NPS of `b` on −200…200, with the z statistic and the two-sided p-value."""

    difference: float
    z: float
    p_value: float

    def significant(self, alpha: float = 0.05) -> bool:
        return self.p_value < alpha


def nps_difference(a: NpsCounts, b: NpsCounts) -> Difference | None:
    """z-test on the difference of two independent NPS: SE = sqrt(V1/n1 + V2/n2).

    The variance of a single answer's score (+1, 0, −1) is p_p + p_d − NPS² (Rocks 2016);
    the difference of two independent means is approximately normal for moderate n.
    None when either side has no answers or there is no variance at all.
    """
    if a.n == 0 or b.n == 0:
        return None
    nps_a = (a.promoters - a.detractors) / a.n
    nps_b = (b.promoters - b.detractors) / b.n
    standard_error = sqrt(nps_variance(a) / a.n + nps_variance(b) / b.n)
    if standard_error == 0:
        return None
    z = (nps_a - nps_b) / standard_error
    p_value = 2 * (1 - NormalDist().cdf(abs(z)))
    return Difference(difference=100 * (nps_a - nps_b), z=z, p_value=p_value)


def pooled(counts: Iterable[NpsCounts]) -> NpsCounts:
    """All counts added up."""
    total = NpsCounts()
    for c in counts:
        total = NpsCounts(
            total.promoters + c.promoters,
            total.passives + c.passives,
            total.detractors + c.detractors,
        )
    return total


@dataclass(frozen=True)
class Limits:
    """A centre line and the lower/upper limits around it, on −100…100."""

    centre: float
    low: float
    high: float

    def outside(self, value: float) -> bool:
        return value < self.low or value > self.high


def control_limits(points: list[NpsCounts], *, sigmas: float = 3.0) -> list[Limits | None]:
    """Shewhart-style limits per period: NPS̄ ± 3·sqrt(V̄/n_i), with NPS̄ and V̄ from all periods pooled.

    Periods with fewer answers get wider limits (Montgomery, Introduction to Statistical
    Quality Control, p-charts with variable sample size); None for an empty period.
    """
    total = pooled(points)
    if total.n == 0:
        return [None for _ in points]
    centre = (total.promoters - total.detractors) / total.n
    variance = nps_variance(total)
    return [_limits(centre, variance, point.n, sigmas) if point.n else None for point in points]


def funnel_limits(*, overall: NpsCounts, n: int, z: float = Z95) -> Limits:
    """Funnel-plot limits for a unit with n answers against the overall NPS (Spiegelhalter 2005,
    "Funnel plots for comparing institutional performance", Statistics in Medicine 24:1185–1202):
    overall ± z·sqrt(V/n); z = 1.96 for 95%, 3.09 for 99.8%."""
    if overall.n == 0 or n <= 0:
        raise ValueError("need answers overall and n > 0")
    centre = (overall.promoters - overall.detractors) / overall.n
    return _limits(centre, nps_variance(overall), n, z)


def _limits(centre: float, variance: float, n: int, width: float) -> Limits:
    half = width * sqrt(variance / n)
    return Limits(
        centre=100 * centre,
        low=max(-100.0, 100 * (centre - half)),
        high=min(100.0, 100 * (centre + half)),
    )


def correlation_interval(r: float, n: int, z: float = Z95) -> tuple[float, float] | None:
    """95% interval of a Pearson correlation by Fisher's z transformation (needs n > 3)."""
    from math import atanh, tanh

    if n <= 3 or not -1 < r < 1:
        return None
    centre = atanh(r)
    half = z / sqrt(n - 3)
    return tanh(centre - half), tanh(centre + half)
