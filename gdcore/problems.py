"""Objectives: a loss J(theta) and its gradient, for one theta or a batch.

Every problem takes ``theta`` of shape ``(n,)`` (one point, loss is a scalar)
or ``(k, n)`` (k points, loss has shape ``(k,)``); the gradient has the shape
of ``theta``. ``loss_and_grad`` computes both in one pass, which is what
:func:`gdcore.minimize` calls at every step.

The public methods validate their arguments; the underscored ones
(``_loss``, ``_grad``, ``_loss_grad``) trust their caller and are what the
loop uses.
"""

from __future__ import annotations

import numpy as np

from . import _validation as V

__all__ = ["Problem", "LinearRegression", "Quadratic", "Rosenbrock", "LogisticRegression", "check_grad"]


class Problem:
    """Base class. Subclasses set ``dim`` (n) and ``n_samples`` (m, or None)."""

    dim: int
    n_samples: int | None = None

    # -- public, validated -------------------------------------------------
    def _check_theta(self, theta):
        return V.parameters("theta", theta, self.dim)

    def _check_idx(self, idx):
        if idx is None:
            return None
        if self.n_samples is None:
            V.fail("idx", f"None for {type(self).__name__}, which has no data rows", idx)
        arr = np.asarray(idx)
        if arr.ndim != 1 or arr.size == 0 or not np.issubdtype(arr.dtype, np.integer):
            V.fail("idx", "a non-empty 1-D array of row indices", idx, TypeError)
        if arr.min() < 0 or arr.max() >= self.n_samples:
            V.fail("idx", f"row indices in [0, {self.n_samples - 1}]", idx)
        return arr

    def loss(self, theta):
        """J(theta): a float for theta of shape (n,), an array (k,) for (k, n)."""
        theta = self._check_theta(theta)
        with np.errstate(all="ignore"):
            out = self._loss(theta)
        return float(out) if theta.ndim == 1 else out

    def grad(self, theta, idx=None):
        """The gradient of J at theta (same shape as theta); over rows ``idx`` if given."""
        theta = self._check_theta(theta)
        idx = self._check_idx(idx)
        with np.errstate(all="ignore"):
            return self._grad(theta, idx)

    def loss_and_grad(self, theta):
        """``(loss(theta), grad(theta))`` computed in one pass."""
        theta = self._check_theta(theta)
        with np.errstate(all="ignore"):
            value, g = self._loss_grad(theta)
        return (float(value) if theta.ndim == 1 else value), g

    # -- internal defaults --------------------------------------------------
    def _loss_grad(self, theta):
        return self._loss(theta), self._grad(theta, None)

    def _loss_grad_into(self, theta, gout):
        """The loss, with the gradient written into ``gout`` (the loop's history buffer)."""
        value, gout[...] = self._loss_grad(theta)
        return value

    def smoothness(self):  # pragma: no cover - overridden where defined
        raise NotImplementedError(f"{type(self).__name__} has no global smoothness constant")


def _sumsq(R):
    """Row-wise sum of squares: r @ r for a vector, one per row for a matrix."""
    if R.ndim == 1:
        return R @ R
    return np.einsum("ij,ij->i", R, R)


class LinearRegression(Problem):
    r"""Least squares, the source's objective (eq. 4.2):

    .. math:: J(\theta) = \frac{1}{2m} \lVert X\theta - y \rVert^2,
              \qquad \nabla J(\theta) = \frac{1}{m} X^\top (X\theta - y).

    Parameters
    ----------
    X : array (m, n)
        Design matrix, one sample a row.
    y : array (m,) or (m, 1)
        Targets; a column is flattened. Any other shape is refused (the
        source's listing lets a ``(4,)`` target broadcast against ``(4, 1)``
        predictions into a ``(4, 4)`` residual).
    fit_intercept : bool
        Prepend a column of ones, so ``theta[0]`` is the intercept
        :math:`\theta_0` of the source's :math:`y = \theta_0 + \theta_1 x_1 + \dots`.

    Example
    -------
    >>> p = LinearRegression([[1, 2], [2, 3], [3, 4], [4, 5]], [3, 5, 7, 9])
    >>> p.solution()
    array([1., 1.])
    """

    def __init__(self, X, y, fit_intercept=False):
        X = V.data_matrix("X", X)
        if not isinstance(fit_intercept, (bool, np.bool_)):
            V.fail("fit_intercept", "True or False", fit_intercept, TypeError)
        y = V.target_vector("y", y, X.shape[0])
        if fit_intercept:
            X = np.hstack([np.ones((X.shape[0], 1)), X])
        self.X, self.y = X, y
        self.XT = np.ascontiguousarray(X.T)
        self.fit_intercept = bool(fit_intercept)
        self.n_samples, self.dim = X.shape
        self._inv_m = 1.0 / self.n_samples
        self._half_inv_m = 0.5 / self.n_samples
        # the 1/m and 1/(2m) folded into the arrays, so the loop's products need no extra pass
        self._X_over_m = X * self._inv_m
        self._half_over_m = np.full(self.n_samples, self._half_inv_m)
        self._eig = None

    def __repr__(self):
        return f"LinearRegression(m={self.n_samples}, n={self.dim})"

    def _loss(self, theta):
        return _sumsq(theta @ self.XT - self.y) * self._half_inv_m

    def _grad(self, theta, idx):
        if idx is None:
            return ((theta @ self.XT - self.y) @ self.X) * self._inv_m
        Xb = self.X[idx]
        return ((theta @ Xb.T - self.y[idx]) @ Xb) * (1.0 / len(idx))

    def _loss_grad(self, theta):
        r = theta @ self.XT - self.y          # residual X theta - y, one pass over X
        if r.ndim == 1:
            return (r @ r) * self._half_inv_m, r @ self._X_over_m
        return (r * r) @ self._half_over_m, r @ self._X_over_m

    def _loss_grad_into(self, theta, gout):
        r = theta @ self.XT - self.y
        np.matmul(r, self._X_over_m, out=gout)
        return (r * r) @ self._half_over_m

    def _eigvals(self):
        if self._eig is None:
            self._eig = np.linalg.eigvalsh(self.XT @ self.X * self._inv_m)
        return self._eig

    def hessian(self):
        """X^T X / m, the constant Hessian of J."""
        return self.XT @ self.X * self._inv_m

    def smoothness(self):
        """L, the largest eigenvalue of X^T X / m: gradient descent is stable for lr < 2/L."""
        return float(self._eigvals()[-1])

    def strong_convexity(self):
        """mu, the smallest eigenvalue of X^T X / m (0 when X has dependent columns)."""
        return float(max(self._eigvals()[0], 0.0))

    def condition_number(self):
        """kappa = L / mu (inf when mu is 0)."""
        mu = self.strong_convexity()
        return float(self.smoothness() / mu) if mu > 0 else float("inf")

    def solution(self):
        """The least-squares optimum (minimum norm when X is rank deficient)."""
        return np.linalg.lstsq(self.X, self.y, rcond=None)[0]


class Quadratic(Problem):
    r"""A quadratic bowl :math:`f(\theta) = \tfrac12 \theta^\top A \theta - b^\top \theta`.

    ``A`` must be symmetric (n, n); ``b`` defaults to zeros. The gradient is
    :math:`A\theta - b`, the optimum solves :math:`A\theta = b`.

    Example
    -------
    >>> q = Quadratic([[1.0, 0.0], [0.0, 10.0]])
    >>> q.smoothness(), q.strong_convexity()
    (10.0, 1.0)
    """

    def __init__(self, A, b=None):
        A = V.data_matrix("A", A)
        n = A.shape[0]
        if A.shape != (n, n):
            V.fail("A", "a square (n, n) matrix", A)
        if not np.allclose(A, A.T, rtol=1e-12, atol=1e-12 * max(1.0, np.abs(A).max())):
            V.fail("A", "symmetric", A)
        self.A = 0.5 * (A + A.T)
        self.b = np.zeros(n) if b is None else V.target_vector("b", b, n)
        self.dim = n
        self._eig = np.linalg.eigvalsh(self.A)

    def __repr__(self):
        return f"Quadratic(n={self.dim})"

    def _loss(self, theta):
        At = theta @ self.A
        if theta.ndim == 1:
            return 0.5 * (At @ theta) - self.b @ theta
        return 0.5 * np.einsum("ij,ij->i", At, theta) - theta @ self.b

    def _grad(self, theta, idx):
        return theta @ self.A - self.b

    def _loss_grad(self, theta):
        g = theta @ self.A - self.b
        # f = 1/2 theta.(A theta - b) - 1/2 b.theta reuses the gradient
        if theta.ndim == 1:
            return 0.5 * ((g - self.b) @ theta), g
        return 0.5 * np.einsum("ij,ij->i", g - self.b, theta), g

    def hessian(self):
        return self.A.copy()

    def smoothness(self):
        """L, the largest eigenvalue of A."""
        return float(self._eig[-1])

    def strong_convexity(self):
        """mu, the smallest eigenvalue of A (0 if A is only semidefinite, negative if indefinite)."""
        return float(self._eig[0])

    def condition_number(self):
        mu = self.strong_convexity()
        return float(self.smoothness() / mu) if mu > 0 else float("inf")

    def solution(self):
        """The minimizer A^{-1} b; a ValueError if A is not positive definite."""
        if self._eig[0] <= 0:
            raise ValueError("A must be positive definite for a unique minimizer; "
                             f"got smallest eigenvalue {self._eig[0]:g}.")
        return np.linalg.solve(self.A, self.b)


class Rosenbrock(Problem):
    r"""Rosenbrock's banana :math:`f(x, y) = (a - x)^2 + b (y - x^2)^2`.

    Non-convex, with a curved narrow valley; the minimum is at
    :math:`(a, a^2)` with value 0. ``a`` is any real, ``b > 0``.
    """

    dim = 2

    def __init__(self, a=1.0, b=100.0):
        self.a = V.real("a", a)
        self.b = V.real("b", b, low=0.0, low_open=True)

    def __repr__(self):
        return f"Rosenbrock(a={self.a:g}, b={self.b:g})"

    def _loss(self, theta):
        x, y = theta[..., 0], theta[..., 1]
        return (self.a - x) ** 2 + self.b * (y - x * x) ** 2

    def _grad(self, theta, idx):
        x, y = theta[..., 0], theta[..., 1]
        w = y - x * x
        return np.stack([-2.0 * (self.a - x) - 4.0 * self.b * x * w, 2.0 * self.b * w], axis=-1)

    def solution(self):
        return np.array([self.a, self.a * self.a])


class LogisticRegression(Problem):
    r"""Binary logistic regression, labels in {0, 1}:

    .. math:: J(\theta) = \frac1m \sum_i \big[\log(1 + e^{z_i}) - y_i z_i\big]
              + \frac{\lambda}{2}\lVert\theta\rVert^2,\quad z = X\theta,

    with gradient :math:`X^\top(\sigma(z) - y)/m + \lambda\theta`. The log-loss is
    computed stably (``logaddexp``). ``l2`` is :math:`\lambda \ge 0`.
    """

    def __init__(self, X, y, l2=0.0):
        X = V.data_matrix("X", X)
        y = V.target_vector("y", y, X.shape[0])
        if not np.all((y == 0) | (y == 1)):
            V.fail("y", "labels in {0, 1}", y)
        self.X, self.y = X, y
        self.XT = np.ascontiguousarray(X.T)
        self.l2 = V.real("l2", l2, low=0.0)
        self.n_samples, self.dim = X.shape

    def __repr__(self):
        return f"LogisticRegression(m={self.n_samples}, n={self.dim}, l2={self.l2:g})"

    def _penalty(self, theta):
        return 0.5 * self.l2 * _sumsq(theta)

    def _loss(self, theta):
        z = theta @ self.XT
        return np.mean(np.logaddexp(0.0, z) - self.y * z, axis=-1) + self._penalty(theta)

    def _grad(self, theta, idx):
        X, y = (self.X, self.y) if idx is None else (self.X[idx], self.y[idx])
        z = theta @ X.T
        p = 0.5 * (1.0 + np.tanh(0.5 * z))      # sigmoid without overflow
        return (p - y) @ X * (1.0 / len(y)) + self.l2 * theta

    def _loss_grad(self, theta):
        z = theta @ self.XT
        loss = np.mean(np.logaddexp(0.0, z) - self.y * z, axis=-1) + self._penalty(theta)
        p = 0.5 * (1.0 + np.tanh(0.5 * z))
        return loss, (p - self.y) @ self.X * (1.0 / self.n_samples) + self.l2 * theta

    def smoothness(self):
        """An upper bound on L: lambda_max(X^T X)/(4m) + l2 (the sigmoid's slope is at most 1/4)."""
        return float(np.linalg.eigvalsh(self.XT @ self.X)[-1] / (4 * self.n_samples) + self.l2)

    def predict_proba(self, theta):
        theta = V.parameters("theta", theta, self.dim, allow_batch=False)
        return 0.5 * (1.0 + np.tanh(0.5 * (self.X @ theta)))


def check_grad(problem, theta, h=1e-6):
    """Largest relative error between ``problem.grad`` and central differences.

    For each coordinate i the numerical derivative is
    ``(J(theta + h e_i) - J(theta - h e_i)) / (2h)``; the error is
    ``|analytic - numeric| / (max(|analytic|, |numeric|) + 1e-6 * scale)`` with
    ``scale = max(1, max|analytic|)``, so tiny components do not produce huge
    ratios. A correct gradient gives about 1e-7 or less in double precision.
    """
    if not isinstance(problem, Problem):
        V.fail("problem", "a gdcore Problem", problem, TypeError)
    theta = V.parameters("theta", theta, problem.dim, allow_batch=False)
    h = V.real("h", h, low=0.0, low_open=True)
    analytic = problem.grad(theta)
    numeric = np.empty_like(theta)
    for i in range(theta.size):
        e = np.zeros_like(theta)
        e[i] = h
        numeric[i] = (problem.loss(theta + e) - problem.loss(theta - e)) / (2 * h)
    scale = max(1.0, float(np.max(np.abs(analytic))))
    denom = np.maximum(np.abs(analytic), np.abs(numeric)) + 1e-6 * scale
    return float(np.max(np.abs(analytic - numeric) / denom))
