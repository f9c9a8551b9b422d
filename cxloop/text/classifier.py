"""A small trained classifier: L2-regularised logistic regression by Newton's method (IRLS), in numpy.

Hastie, Tibshirani & Friedman (2009), The Elements of Statistical Learning, §4.4.1. One binary
model per label (one-vs-rest); weights are plain lists so a model is stored as JSON.
"""

from dataclasses import dataclass

import numpy as np


@dataclass
class BinaryModel:
    """Weights and bias of one logistic regression."""

    weights: list[float]
    bias: float

    def probability(self, features: np.ndarray) -> np.ndarray:
        """P(label) for each row of features."""
        return _sigmoid(features @ np.asarray(self.weights, dtype=np.float64) + self.bias)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


def train_binary(
    features: np.ndarray, labels: np.ndarray, *, l2: float = 1.0, iterations: int = 25
) -> BinaryModel:
    """Fit P(y=1|x) = σ(w·x + b) with penalty l2·|w|²/2; labels are 0/1; classes are balanced by weight."""
    x = np.hstack([np.asarray(features, dtype=np.float64), np.ones((len(features), 1))])
    y = np.asarray(labels, dtype=np.float64)
    positives = max(1.0, y.sum())
    negatives = max(1.0, len(y) - y.sum())
    sample_weight = np.where(y == 1, len(y) / (2 * positives), len(y) / (2 * negatives))
    penalty = np.full(x.shape[1], l2)
    penalty[-1] = 0.0  # the bias is not shrunk
    w = np.zeros(x.shape[1])
    dual = x.shape[1] > len(y)
    for _ in range(iterations):
        p = _sigmoid(x @ w)
        gradient = x.T @ (sample_weight * (p - y)) + penalty * w
        curvature = sample_weight * p * (1 - p) + 1e-9
        if dual:
            # Many features, few examples: solve in the n-dimensional space (Woodbury identity).
            step = _woodbury_step(x, curvature, penalty + 1e-6, gradient)
        else:
            hessian = x.T @ (x * curvature[:, None]) + np.diag(penalty + 1e-6)
            step = np.linalg.solve(hessian, gradient)
        w -= step
        if float(np.max(np.abs(step))) < 1e-7:
            break
    return BinaryModel(weights=w[:-1].tolist(), bias=float(w[-1]))


def _woodbury_step(
    x: np.ndarray, curvature: np.ndarray, penalty: np.ndarray, gradient: np.ndarray
) -> np.ndarray:
    # (D + Xᵀ C X)⁻¹ g = D⁻¹g − D⁻¹Xᵀ (C⁻¹ + X D⁻¹ Xᵀ)⁻¹ X D⁻¹ g
    d_inv = 1.0 / penalty
    xd = x * d_inv
    inner = np.diag(1.0 / curvature) + xd @ x.T
    return d_inv * gradient - xd.T @ np.linalg.solve(inner, xd @ gradient)


def f1(predicted: np.ndarray, actual: np.ndarray) -> float:
    """F1 of binary predictions."""
    tp = float(np.sum(predicted & actual))
    fp = float(np.sum(predicted & ~actual))
    fn = float(np.sum(~predicted & actual))
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def holdout_split(
    n: int, *, fraction: float = 0.25, seed: int = 7
) -> tuple[np.ndarray, np.ndarray]:
    """Indices of a fixed random train/test split."""
    order = np.random.default_rng(seed).permutation(n)
    cut = max(1, int(round(n * fraction)))
    return order[cut:], order[:cut]
