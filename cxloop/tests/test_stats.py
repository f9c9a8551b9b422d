"""cxloop.stats against values computed by hand from the published formulas."""

from math import sqrt

import pytest

from cxloop import stats

Z = 1.959963984540054


def test_nps_plain_score_and_adjusted_wald_interval():
    # 50 promoters, 30 passives, 20 detractors: NPS +30.
    # Adjusted (Rocks 2016): n' = 103, pp = 50.75/103, pd = 20.75/103, centre = 30/103.
    result = stats.nps(promoters=50, passives=30, detractors=20)
    pp, pd = 50.75 / 103, 20.75 / 103
    centre = pp - pd
    half = Z * sqrt((pp + pd - centre**2) / 103)
    assert result.score == pytest.approx(30.0)
    assert result.n == 100
    assert result.low == pytest.approx(100 * (centre - half))
    assert result.high == pytest.approx(100 * (centre + half))
    # Written out once by hand, so the formula above is not merely restated.
    assert result.low == pytest.approx(14.05, abs=0.01)
    assert result.high == pytest.approx(44.20, abs=0.01)


def test_nps_interval_is_clipped_to_the_scale():
    result = stats.nps(promoters=3, passives=0, detractors=0)
    assert result.score == 100.0
    assert result.high == 100.0
    assert -100.0 <= result.low < 100.0


def test_nps_of_nothing_is_empty_not_zero():
    result = stats.nps(promoters=0, passives=0, detractors=0)
    assert (result.score, result.n, result.low, result.high) == (None, 0, None, None)


def test_nps_rejects_negative_counts():
    with pytest.raises(ValueError):
        stats.nps(promoters=-1, passives=0, detractors=0)


def test_nps_from_raw_scores_counts_the_three_groups():
    counts = stats.nps_counts([10, 9, 8, 7, 6, 0, 3])
    assert (counts.promoters, counts.passives, counts.detractors) == (2, 2, 3)
    assert stats.nps_from_scores([10, 9, 8, 7, 6, 0, 3]).score == pytest.approx(100 * (2 - 3) / 7)
    with pytest.raises(ValueError):
        stats.nps_counts([11])


def test_csat_top_two_box_with_agresti_coull_interval():
    result = stats.csat({1: 5, 2: 5, 3: 10, 4: 40, 5: 40})
    assert result.score == pytest.approx(80.0)
    adjusted_n = 100 + Z**2
    centre = (80 + Z**2 / 2) / adjusted_n
    half = Z * sqrt(centre * (1 - centre) / adjusted_n)
    assert result.low == pytest.approx(100 * (centre - half))
    assert result.high == pytest.approx(100 * (centre + half))
    assert result.low == pytest.approx(71.1, abs=0.1)


def test_ces_mean_with_interval():
    result = stats.ces({2: 2, 4: 2})
    assert result.score == pytest.approx(3.0)
    sd = sqrt(4 * 1 / 3)  # deviations ±1 around 3, n − 1 = 3
    assert result.high - result.score == pytest.approx(Z * sd / 2)
    with pytest.raises(ValueError):
        stats.ces({8: 1})
