"""Known answers for the climate distances (computed by scipy's cdist since issue 14)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import linalg

from territoire_abm.twinning import distance as dist


def _hand_seuclidean(X, t, s, w=None):
    """The formula the package used before the cdist swap (kept as the reference)."""
    z = (np.asarray(X, float) - t) / s
    w = dist.normalised_weights(w, z.shape[1])
    return np.sqrt(np.einsum("ij,j->i", z * z, w))


def _hand_mahalanobis(X, t, cov, w=None):
    diff = (np.asarray(X, float) - t) * np.sqrt(dist.normalised_weights(w, np.shape(X)[1]))
    chol = linalg.cholesky(cov, lower=True)
    solved = linalg.solve_triangular(chol, diff.T, lower=True)
    return np.sqrt(np.einsum("ij,ij->j", solved, solved))


def test_seuclidean_known_answers():
    X = np.array([[1.0, 2.0], [3.0, 5.0], [0.0, 0.0]])
    t = np.zeros(2)
    got = dist.seuclidean(X, t, np.array([1.0, 2.0]))
    np.testing.assert_allclose(got, [math.sqrt(2.0), math.sqrt(9 + 6.25), 0.0], atol=1e-15)
    # weights 3:1 normalise to 1.5:0.5 → sqrt(1.5·1 + 0.5·4)
    weighted = dist.seuclidean(X[:1], t, np.ones(2), np.array([3.0, 1.0]))
    assert weighted[0] == pytest.approx(math.sqrt(3.5), abs=1e-15)
    # weight 0 drops a feature
    assert dist.seuclidean(X[:1], t, np.ones(2), np.array([1.0, 0.0]))[0] == pytest.approx(
        math.sqrt(2.0), abs=1e-15)


def test_mahalanobis_known_answer():
    cov = np.array([[2.0, 1.0], [1.0, 2.0]])  # inverse (1/3)[[2,-1],[-1,2]]
    got = dist.mahalanobis(np.array([[1.0, 0.0], [1.0, 1.0]]), np.zeros(2), cov)
    np.testing.assert_allclose(got, [math.sqrt(2 / 3), math.sqrt(2 / 3)], atol=1e-15)
    with pytest.raises(linalg.LinAlgError):
        dist.mahalanobis(np.ones((1, 2)), np.zeros(2), np.array([[1.0, 2.0], [2.0, 1.0]]))


def test_cdist_equals_hand_coded_within_1e12():
    """The library swap changes nothing beyond rounding (1e-12)."""
    rng = np.random.default_rng(11)
    for p in (1, 4, 12, 36):
        X, t = rng.normal(size=(500, p)) * 3, rng.normal(size=p)
        s, w = rng.uniform(0.2, 2.0, p), rng.uniform(0.0, 3.0, p)
        np.testing.assert_allclose(dist.seuclidean(X, t, s, w), _hand_seuclidean(X, t, s, w),
                                   rtol=0, atol=1e-12)
        cov = dist.covariance(s, dist.correlation(rng.normal(size=(4 * p + 10, p))))
        np.testing.assert_allclose(dist.mahalanobis(X, t, cov, w),
                                   _hand_mahalanobis(X, t, cov, w), rtol=0, atol=1e-12)
