"""Driver weights against published values and independent computations (within 1e-6)."""

from itertools import permutations

import numpy as np
import pytest

from cxloop.drivers import relative_importance as ri


def _data(n: int = 300, p: int = 4, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    base = rng.normal(size=(n, 1))
    x = base + rng.normal(size=(n, p)) * np.linspace(0.5, 2, p)  # correlated drivers
    y = x @ np.array([0.8, 0.3, -0.5, 0.1][:p]) + rng.normal(size=n)
    return x, y


def _raw_r2(x: np.ndarray, y: np.ndarray, cols: list[int]) -> float:
    """R² by least squares on the raw data (a different route from the correlation matrix)."""
    if not cols:
        return 0.0
    design = np.column_stack([np.ones(len(y)), x[:, cols]])
    fitted = design @ np.linalg.lstsq(design, y, rcond=None)[0]
    return 1 - np.sum((y - fitted) ** 2) / np.sum((y - y.mean()) ** 2)


def test_lmg_equals_the_shapley_value_over_all_orders_of_entry():
    x, y = _data()
    p = x.shape[1]
    shapley = np.zeros(p)
    orders = list(permutations(range(p)))
    for order in orders:
        for position, j in enumerate(order):
            before = list(order[:position])
            shapley[j] += _raw_r2(x, y, [*before, j]) - _raw_r2(x, y, before)
    shapley /= len(orders)
    assert np.allclose(ri.lmg(x, y), shapley, atol=1e-6)
    assert ri.lmg(x, y).sum() == pytest.approx(_raw_r2(x, y, list(range(p))), abs=1e-9)


def test_lmg_matches_pingouin_on_its_tips_example():
    pg = pytest.importorskip("pingouin")
    tips = pg.read_dataset("tips")
    x, y = tips[["size", "total_bill"]].to_numpy(float), tips["tip"].to_numpy(float)
    published = pg.linear_regression(tips[["size", "total_bill"]], tips["tip"], relimp=True)
    expected = published.set_index("names").loc[["size", "total_bill"], "relimp"].to_numpy()
    assert np.allclose(ri.lmg(x, y), expected, atol=1e-6)
    # pingouin's documented values (relimp 0.125333 and 0.342536)
    assert np.allclose(ri.lmg(x, y), [0.125333, 0.342536], atol=1e-6)


def _johnson_by_svd(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Johnson (2000) as written there: orthogonalise X by its SVD, regress y on Z, map back with Λ."""
    z_x = (x - x.mean(0)) / x.std(0, ddof=1)
    z_y = (y - y.mean()) / y.std(ddof=1)
    u, d, vt = np.linalg.svd(z_x, full_matrices=False)
    z = np.sqrt(len(y) - 1) * u @ vt  # the orthogonal (standardised) matrix closest to X
    lam = np.linalg.lstsq(z, z_x, rcond=None)[0]  # X ≈ Z Λ
    beta = np.linalg.lstsq(z, z_y, rcond=None)[0]  # y on the orthogonal variables
    return (lam.T**2) @ (beta**2)


def test_relative_weights_match_johnsons_svd_construction_and_sum_to_r2():
    x, y = _data(p=4)
    weights = ri.relative_weights(x, y)
    assert np.allclose(weights, _johnson_by_svd(x, y), atol=1e-6)
    assert weights.sum() == pytest.approx(_raw_r2(x, y, [0, 1, 2, 3]), abs=1e-9)


def test_uncorrelated_drivers_get_their_squared_correlations_in_both_methods():
    rng = np.random.default_rng(1)
    x = np.linalg.qr(rng.normal(size=(200, 3)) - 0)[0]
    x -= x.mean(0)
    x = np.linalg.qr(x)[0]
    y = x @ np.array([3.0, 1.0, 0.5]) + rng.normal(size=200) * 0.1
    r = np.array([np.corrcoef(x[:, j], y)[0, 1] for j in range(3)])
    assert np.allclose(ri.lmg(x, y), r**2, atol=1e-6)
    assert np.allclose(ri.relative_weights(x, y), r**2, atol=1e-6)


def test_perfectly_collinear_drivers_are_refused():
    x, y = _data(p=2)
    with pytest.raises(ValueError):
        ri.relative_weights(np.column_stack([x, x[:, 0] * 2]), y)
