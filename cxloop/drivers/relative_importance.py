"""Relative importance of correlated drivers in a linear regression, as pure functions of the data.

- LMG (Shapley value regression): each driver's R² gain averaged over all orders of entry.
  Lindeman, Merenda & Gold (1980), Introduction to Bivariate and Multivariate Analysis, p.119ff;
  Grömping (2006), "Relative importance for linear regression in R: the package relaimpo",
  Journal of Statistical Software 17(1). Computed exactly over all 2^p subsets of the
  correlation matrix: R²(S) = r_Sᵀ R_SS⁻¹ r_S.
- Relative weights: Johnson (2000), "A heuristic method for estimating the relative weight of
  predictor variables in multiple regression", Multivariate Behavioral Research 35(1), 1–19.
Both sum to the model's R².
"""

from itertools import combinations
from math import factorial

import numpy as np

MAX_EXACT_LMG = 14  # 2^14 subsets; beyond that the drivers are too many to read anyway


def correlations(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The predictors' correlation matrix and their correlations with the outcome."""
    data = np.column_stack([np.asarray(x, dtype=float), np.asarray(y, dtype=float)])
    r = np.corrcoef(data, rowvar=False)
    return r[:-1, :-1], r[:-1, -1]


def r_squared(rxx: np.ndarray, rxy: np.ndarray, subset: tuple[int, ...]) -> float:
    """R² of the regression on a subset of predictors, from correlations."""
    if not subset:
        return 0.0
    idx = list(subset)
    r_s = rxy[idx]
    return float(r_s @ np.linalg.solve(rxx[np.ix_(idx, idx)], r_s))


def lmg(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """LMG share of R² per predictor (columns of x); the shares sum to the full model's R²."""
    rxx, rxy = correlations(x, y)
    return lmg_from_correlations(rxx, rxy)


def lmg_from_correlations(rxx: np.ndarray, rxy: np.ndarray) -> np.ndarray:
    """LMG from a correlation matrix: Σ over subsets S without j of |S|!(p−|S|−1)!/p! · (R²(S∪j) − R²(S))."""
    p = len(rxy)
    if p > MAX_EXACT_LMG:
        raise ValueError(
            f"exact LMG over {p} drivers needs 2^{p} regressions; use at most {MAX_EXACT_LMG}"
        )
    cache: dict[tuple[int, ...], float] = {}

    def r2(subset: tuple[int, ...]) -> float:
        if subset not in cache:
            cache[subset] = r_squared(rxx, rxy, subset)
        return cache[subset]

    weights = [factorial(k) * factorial(p - k - 1) / factorial(p) for k in range(p)]
    shares = np.zeros(p)
    for j in range(p):
        others = [i for i in range(p) if i != j]
        for k in range(p):
            for subset in combinations(others, k):
                with_j = tuple(sorted((*subset, j)))
                shares[j] += weights[k] * (r2(with_j) - r2(subset))
    return shares


def relative_weights(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Johnson's relative weights per predictor; they sum to the full model's R²."""
    rxx, rxy = correlations(x, y)
    return relative_weights_from_correlations(rxx, rxy)


def relative_weights_from_correlations(rxx: np.ndarray, rxy: np.ndarray) -> np.ndarray:
    """ε_j = Σ_k Λ_jk² β_k², with Λ = R^½ (symmetric square root) and β = R^−½ r_xy."""
    eigenvalues, vectors = np.linalg.eigh(rxx)
    if eigenvalues.min() <= 1e-12:
        raise ValueError("the drivers are perfectly collinear")
    root = vectors @ np.diag(np.sqrt(eigenvalues)) @ vectors.T
    beta = np.linalg.solve(root, rxy)
    return (root**2) @ (beta**2)


def standardised_coefficients(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Standardised regression coefficients, for the direction of each driver."""
    rxx, rxy = correlations(x, y)
    return np.linalg.solve(rxx, rxy)
