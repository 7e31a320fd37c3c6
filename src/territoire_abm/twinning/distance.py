"""Climate dissimilarity between a target and many candidates (pure array functions).

All functions take candidate features ``X`` of shape (n, p) and the target's ``t`` of shape
(p,), on the comparison scale of :func:`territoire_abm.twinning.features.transform`, and
return one value per candidate. They are vectorised: 10,000 candidates take milliseconds.

References
----------
1. Grenier P. et al. (2013). An assessment of six dissimilarity metrics for climate analogs.
   J. Appl. Meteor. Climatol. 52:733–752. doi:10.1175/JAMC-D-12-0170.1 — the standardised
   Euclidean distance; metrics agree on analogue regions, not always on the best analogue.
2. Mahony C. R. et al. (2017). A closer look at novel climates: new methods and insights at
   continental to landscape scales. Global Change Biology 23:3934–3955.
   doi:10.1111/gcb.13645 — Mahalanobis distance in units of interannual variability turned
   into a "sigma dissimilarity" through the chi distribution.
3. Fitzpatrick M. C. & Dunn R. R. (2019). Contemporary climatic analogs for 540 North
   American urban areas in the late 21st century. Nature Communications 10:614.
   doi:10.1038/s41467-019-08540-3 — sigma < 2 read as a good analogue.
"""

from __future__ import annotations

import numpy as np
from scipy import linalg, special, stats
from scipy.spatial import distance as scipy_distance

#: Shrinkage of an estimated correlation matrix towards the identity (keeps it invertible).
CORRELATION_SHRINKAGE = 0.1


def normalised_weights(weights: np.ndarray | None, p: int) -> np.ndarray:
    """Weights scaled to mean 1 (so an all-ones vector changes nothing)."""
    if weights is None:
        return np.ones(p)
    w = np.asarray(weights, dtype=float)
    if w.shape != (p,) or (w < 0).any() or not np.isfinite(w).all() or w.sum() <= 0:
        raise ValueError("weights must be p finite non-negative numbers, not all zero")
    return w * (p / w.sum())


def standardised_differences(X: np.ndarray, t: np.ndarray, scales: np.ndarray) -> np.ndarray:
    """``(X − t) / scales``, shape (n, p)."""
    return (np.asarray(X, dtype=float) - np.asarray(t, dtype=float)) / np.asarray(scales)


def seuclidean(
    X: np.ndarray, t: np.ndarray, scales: np.ndarray, weights: np.ndarray | None = None
) -> np.ndarray:
    """Standardised (weighted) Euclidean distance ``sqrt(Σ w_j ((x_j − t_j)/s_j)²)``.

    Computed by :func:`scipy.spatial.distance.cdist` (weighted Euclidean on the standardised
    values; identical to scipy's ``seuclidean`` with ``V = s²/w``).
    """
    z_x = np.asarray(X, dtype=float) / np.asarray(scales, dtype=float)
    z_t = np.asarray(t, dtype=float) / np.asarray(scales, dtype=float)
    w = normalised_weights(weights, z_x.shape[1])
    return scipy_distance.cdist(z_x, z_t[None, :], "euclidean", w=w)[:, 0]


def mahalanobis(
    X: np.ndarray, t: np.ndarray, cov: np.ndarray, weights: np.ndarray | None = None
) -> np.ndarray:
    """Mahalanobis distance ``sqrt(dᵀ Σ⁻¹ d)`` with ``d = √w · (x − t)``.

    The points are whitened with the Cholesky factor ``L`` of ``cov`` (``Σ = L Lᵀ``, which
    also checks that ``cov`` is positive definite) and the Euclidean distance between the
    whitened points is computed by :func:`scipy.spatial.distance.cdist`: equal to cdist's
    ``mahalanobis`` with ``VI = Σ⁻¹`` without forming the inverse, and about 4 times faster
    for 36 features.
    """
    sqrt_w = np.sqrt(normalised_weights(weights, np.asarray(X).shape[1]))
    chol = linalg.cholesky(np.asarray(cov, dtype=float), lower=True)
    x_w = linalg.solve_triangular(chol, (np.asarray(X, dtype=float) * sqrt_w).T, lower=True)
    t_w = linalg.solve_triangular(chol, np.asarray(t, dtype=float) * sqrt_w, lower=True)
    return scipy_distance.cdist(x_w.T, t_w[None, :], "euclidean")[:, 0]


def sigma_dissimilarity(distance: np.ndarray, dof: int) -> np.ndarray:
    """Mahony et al. (2017) sigma: the percentile of a Mahalanobis distance in the chi
    distribution with ``dof`` degrees of freedom, expressed as the equivalent number of
    standard deviations of a one-dimensional normal.

    ``sigma = Φ⁻¹(1 − sf/2)`` with ``sf = P(χ²_dof > D²)``. For one variable sigma equals
    the distance. Beyond about 38 sigma the tail underflows and the distance is returned.
    """
    d = np.asarray(distance, dtype=float)
    sf = special.chdtrc(dof, d * d)  # = stats.chi2.sf(d², dof), without the dispatch cost
    with np.errstate(divide="ignore"):
        sigma = -special.ndtri(sf / 2.0)  # = stats.norm.isf(sf / 2)
    return np.where(np.isfinite(sigma), sigma, d)


def distance_for_sigma(sigma: float, dof: int) -> float:
    """Inverse of :func:`sigma_dissimilarity`: the distance whose sigma is ``sigma``."""
    sf = 2.0 * stats.norm.sf(sigma)
    return float(np.sqrt(stats.chi2.isf(sf, dof)))


def correlation(samples: np.ndarray, shrinkage: float = CORRELATION_SHRINKAGE) -> np.ndarray:
    """Correlation between the columns of ``samples`` (rows are observations), shrunk
    towards the identity by ``shrinkage`` so it stays invertible."""
    data = np.asarray(samples, dtype=float)
    data = data[np.isfinite(data).all(axis=1)]
    p = data.shape[1]
    if data.shape[0] < p + 2 or p < 2:
        return np.eye(p)
    corr = np.corrcoef(data, rowvar=False)
    corr = np.nan_to_num(corr, nan=0.0)
    np.fill_diagonal(corr, 1.0)
    return (1.0 - shrinkage) * corr + shrinkage * np.eye(p)


def covariance(scales: np.ndarray, corr: np.ndarray | None = None) -> np.ndarray:
    """``S R S`` with ``S = diag(scales)``; the identity correlation when ``corr`` is None."""
    s = np.asarray(scales, dtype=float)
    r = np.eye(s.size) if corr is None else np.asarray(corr, dtype=float)
    return r * np.outer(s, s)


def top_contributions(z: np.ndarray, k: int = 2) -> np.ndarray:
    """Column indices of the ``k`` largest ``|z|`` per row, largest first, shape (n, k)."""
    a = np.abs(np.nan_to_num(z, nan=0.0))
    k = min(k, a.shape[1])
    part = np.argpartition(-a, kth=k - 1, axis=1)[:, :k]
    order = np.argsort(-np.take_along_axis(a, part, axis=1), axis=1, kind="stable")
    return np.take_along_axis(part, order, axis=1)
