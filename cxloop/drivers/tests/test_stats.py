"""Correlation with its Fisher-z interval and the NPS gap of a topic, against scipy and by hand."""

import numpy as np
import pytest

from cxloop.drivers.stats import pearson, topic_impact


def test_pearson_and_its_interval_match_scipy():
    stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(5)
    xs = rng.normal(size=12)
    ys = xs * 0.6 + rng.normal(size=12)
    ours = pearson(list(xs), list(ys))
    theirs = stats.pearsonr(xs, ys)
    interval = theirs.confidence_interval(0.95)
    assert ours.r == pytest.approx(theirs.statistic, abs=1e-9)
    assert (ours.low, ours.high) == (
        pytest.approx(interval.low, abs=1e-6),
        pytest.approx(interval.high, abs=1e-6),
    )


def test_too_few_units_give_no_interval():
    assert pearson([1, 2, 3], [1, 3, 2]).low is None
    assert pearson([1, 2], [1, 2]).r is None


def test_topic_impact_is_the_nps_gap_with_an_interval():
    impact = topic_impact([0, 2, 5, 9], [10, 9, 9, 8, 3])
    assert impact.with_topic.score == -50 and impact.without_topic.score == 40
    assert impact.difference == -90
    assert impact.low < -90 < impact.high
