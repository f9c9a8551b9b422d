"""Significance, control limits and funnel limits against values worked out by hand."""

from math import sqrt
from statistics import NormalDist

import pytest

from cxloop import stats

Z = 1.959963984540054


def test_variance_of_one_answer():
    # 50% promoters, 20% detractors: 0.5 + 0.2 − 0.3² = 0.61
    assert stats.nps_variance(stats.NpsCounts(50, 30, 20)) == pytest.approx(0.61)


def test_difference_z_test_by_hand():
    a = stats.NpsCounts(promoters=60, passives=20, detractors=20)  # NPS 40, V = 0.8 − 0.16 = 0.64
    b = stats.NpsCounts(promoters=40, passives=30, detractors=30)  # NPS 10, V = 0.7 − 0.01 = 0.69
    result = stats.nps_difference(a, b)
    se = sqrt(0.64 / 100 + 0.69 / 100)
    assert result.difference == pytest.approx(30.0)
    assert result.z == pytest.approx(0.3 / se)
    assert result.p_value == pytest.approx(2 * (1 - NormalDist().cdf(0.3 / se)))
    assert result.significant()
    small = stats.nps_difference(stats.NpsCounts(6, 2, 2), stats.NpsCounts(4, 3, 3))
    assert not small.significant()  # the same rates with n = 10 each are noise
    assert stats.nps_difference(stats.NpsCounts(), b) is None
    assert (
        stats.nps_difference(stats.NpsCounts(5, 0, 0), stats.NpsCounts(3, 0, 0)) is None
    )  # no variance


def test_control_limits_widen_for_small_periods():
    points = [stats.NpsCounts(50, 30, 20), stats.NpsCounts(5, 3, 2), stats.NpsCounts()]
    limits = stats.control_limits(points)
    # Pooled: 55 promoters, 22 detractors of 110 → NPS 30, V = 0.7 − 0.09 = 0.61.
    assert limits[0].centre == pytest.approx(30.0)
    assert limits[0].high == pytest.approx(100 * (0.3 + 3 * sqrt(0.61 / 100)))
    assert limits[1].low == pytest.approx(max(-100, 100 * (0.3 - 3 * sqrt(0.61 / 10))))
    assert limits[1].high - limits[1].low > limits[0].high - limits[0].low
    assert limits[2] is None


def test_funnel_limits():
    overall = stats.NpsCounts(400, 300, 300)  # NPS 10, V = 0.7 − 0.01 = 0.69
    at_25 = stats.funnel_limits(overall=overall, n=25)
    assert at_25.low == pytest.approx(100 * (0.1 - Z * sqrt(0.69 / 25)))
    assert not at_25.outside(-10) and at_25.outside(60)
    wide = stats.funnel_limits(overall=overall, n=25, z=3.090232306167813)
    assert wide.high > at_25.high


def test_fisher_interval_of_a_correlation():
    low, high = stats.correlation_interval(0.5, 28)
    from math import atanh, tanh

    assert low == pytest.approx(tanh(atanh(0.5) - Z / 5))
    assert high == pytest.approx(tanh(atanh(0.5) + Z / 5))
    assert stats.correlation_interval(0.5, 3) is None
