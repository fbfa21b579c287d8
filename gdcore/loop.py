"""The optimization loop, :func:`minimize`, and the :class:`History` it returns."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from . import _validation as V
from .optimizers import Optimizer
from .problems import Problem

__all__ = ["minimize", "History", "DIVERGENCE_FACTOR"]

#: A run diverges when its loss is not finite or exceeds DIVERGENCE_FACTOR * (|J(theta_0)| + 1).
DIVERGENCE_FACTOR = 1e10


@dataclass(eq=False)
class History:
    """What a run of :func:`minimize` did.

    Attributes (``T`` = number of recorded updates; batched runs add a ``k``
    axis after the time axis):

    - ``theta``: final parameters, ``(n,)`` or ``(k, n)``.
    - ``path``: ``(T+1, n)``, theta_0 .. theta_T.
    - ``loss``: ``(T+1,)``, J(theta_0) .. J(theta_T) (always the full objective,
      also in minibatch runs).
    - ``lr``: ``(T,)``, the rate each update used.
    - ``grad_norm``: ``(T,)``, the norm of the gradient each update used.
    - ``iterations``: updates made (an int, or ``(k,)`` ints).
    - ``status``: ``"max_iterations"``, ``"converged"`` or ``"diverged"``
      (a str, or a ``(k,)`` array of them).

    In a batched run a row that stopped is frozen: its entries repeat their
    last values while the other rows go on.
    """

    theta: np.ndarray
    path: np.ndarray
    loss: np.ndarray
    lr: np.ndarray
    grad_norm: np.ndarray
    iterations: int | np.ndarray
    status: str | np.ndarray
    optimizer: str = ""
    problem: str = ""
    batch_size: int | None = None
    seed: int | None = None
    extra: dict = field(default_factory=dict)

    @property
    def batched(self) -> bool:
        return self.theta.ndim == 2

    @property
    def final_loss(self):
        """J at the final theta (a float, or (k,) for a batched run)."""
        return self.loss[-1] if self.batched else float(self.loss[-1])

    def row(self, i: int) -> "History":
        """Row ``i`` of a batched run as a single-run History, trimmed to its own updates."""
        if not self.batched:
            raise ValueError("row() needs a batched History; this one holds a single run.")
        i = V.integer("i", i, low=0, high=self.theta.shape[0] - 1)
        T = int(self.iterations[i])
        return History(theta=self.theta[i].copy(), path=self.path[:T + 1, i].copy(),
                       loss=self.loss[:T + 1, i].copy(), lr=self.lr[:T, i].copy(),
                       grad_norm=self.grad_norm[:T, i].copy(), iterations=T,
                       status=str(self.status[i]), optimizer=self.optimizer, problem=self.problem,
                       batch_size=self.batch_size, seed=self.seed)

    def __repr__(self):
        if self.batched:
            counts = {str(s): int(np.sum(self.status == s)) for s in np.unique(self.status)}
            return (f"History({self.optimizer} on {self.problem}: {self.theta.shape[0]} runs, "
                    f"status {counts}, iterations {int(np.min(self.iterations))}..{int(np.max(self.iterations))})")
        return (f"History({self.optimizer} on {self.problem}: {self.status} after "
                f"{self.iterations} iterations, loss {self.loss[0]:.6g} -> {self.loss[-1]:.6g})")


def _batches(m, b, T, seed):
    """Row indices for T minibatch steps: shuffled epochs, cut in batches of b.

    Each epoch is a fresh permutation from ``np.random.default_rng(seed)``;
    when ``b`` does not divide ``m`` the last batch of an epoch is smaller
    (PyTorch's ``DataLoader(shuffle=True, drop_last=False)``).
    """
    rng = np.random.default_rng(seed)
    out = []
    while len(out) < T:
        perm = rng.permutation(m)
        out.extend(perm[i:i + b] for i in range(0, m, b))
    return out[:T]


def _lr_table(opt, T, k):
    """The rate of every update, (T,) or (T, k), from a constant or a schedule."""
    if opt._lr_const is not None:
        lr = opt._lr_const
        return np.broadcast_to(lr, (T,) if k is None else (T, k))
    if T == 0:
        return np.empty((0,) if k is None else (0, k))
    try:
        table = np.asarray(opt.lr(np.arange(T)), dtype=float)
    except (TypeError, ValueError):            # a callable that only takes ints
        table = np.array([opt.lr(t) for t in range(T)], dtype=float)
    want = (T,) if k is None else (T, k)
    if table.shape != want:
        if k is not None and table.shape == (T,):
            table = np.repeat(table[:, None], k, axis=1)
        else:
            V.fail("lr", f"a schedule giving one rate per update, shape {want} for {T} updates", table)
    if not np.all(np.isfinite(table)) or np.any(table < 0):
        V.fail("lr", "a schedule returning finite rates >= 0", table)
    return table


def minimize(problem, optimizer, theta0, iterations=1000, batch_size=None, seed=0,
             loss_tol=None, grad_tol=None):
    """Run ``optimizer`` on ``problem`` from ``theta0``; return a :class:`History`.

    Parameters
    ----------
    problem : Problem
        The objective (``LinearRegression``, ``Quadratic``, ...).
    optimizer : Optimizer
        Its hyperparameters may be length-``k`` arrays, with ``theta0`` of
        shape ``(k, n)``: ``k`` configurations run in one vectorized loop,
        each row stopping on its own and equal to the same configuration run
        alone (up to floating-point rounding of the matrix products).
    theta0 : array (n,) or (k, n)
        Starting point (not modified).
    iterations : int >= 0
        Most updates to make.
    batch_size : int in [1, m] or None
        None for full-batch gradients; else minibatch gradients on rows drawn
        in shuffled epochs from ``np.random.default_rng(seed)``.
    seed : int >= 0
        Seeds the minibatch order; same seed, same bits.
    loss_tol : float >= 0 or None
        Stop (``"converged"``) once an update changes the loss by at most this.
    grad_tol : float >= 0 or None
        Before each update, stop (``"converged"``) if the gradient's norm is at
        most this; ``theta`` is then that point.

    A run whose loss becomes non-finite or exceeds ``1e10 * (|J(theta_0)| + 1)``
    stops with status ``"diverged"``; no numpy warnings are emitted.

    Example
    -------
    >>> import numpy as np, gdcore as gd
    >>> p = gd.LinearRegression([[1, 2], [2, 3], [3, 4], [4, 5]], [3, 5, 7, 9])
    >>> h = gd.minimize(p, gd.Momentum(lr=0.05, beta=0.9), np.zeros(2), iterations=10_000, grad_tol=1e-10)
    >>> h.status, np.round(h.theta, 6)
    ('converged', array([1., 1.]))
    """
    if not isinstance(problem, Problem):
        V.fail("problem", "a gdcore Problem (LinearRegression, Quadratic, ...)", problem, TypeError)
    if not isinstance(optimizer, Optimizer):
        V.fail("optimizer", "a gdcore Optimizer (GradientDescent, Momentum, ...)", optimizer, TypeError)
    k = optimizer._check_k()
    theta = V.parameters("theta0", theta0, problem.dim, k=k)
    if not np.all(np.isfinite(theta)):
        V.fail("theta0", "finite", theta)
    T = V.integer("iterations", iterations, low=0)
    seed = V.integer("seed", seed, low=0)
    if batch_size is not None:
        if problem.n_samples is None:
            V.fail("batch_size", f"None for {type(problem).__name__}, which has no data rows", batch_size)
        batch_size = V.integer("batch_size", batch_size, low=1, high=problem.n_samples)
    loss_tol = None if loss_tol is None else V.real("loss_tol", loss_tol, low=0.0)
    grad_tol = None if grad_tol is None else V.real("grad_tol", grad_tol, low=0.0)
    theta = theta.copy()
    if k is None and theta.ndim == 2:
        k = theta.shape[0]            # several starts, shared scalar hyperparameters
    lrs = _lr_table(optimizer, T, k)
    batches = None if batch_size is None else _batches(problem.n_samples, batch_size, T, seed)
    with np.errstate(all="ignore"):
        run = _run_single if theta.ndim == 1 else _run_batched
        hist = run(problem, optimizer, theta, T, lrs, batches, loss_tol, grad_tol)
    hist.optimizer, hist.problem = repr(optimizer), repr(problem)
    hist.batch_size, hist.seed = batch_size, seed
    return hist


def _run_single(problem, opt, theta, T, lrs, batches, loss_tol, grad_tol):
    n = theta.shape[0]
    update = opt._update
    moments = opt._zeros(theta)
    path = np.empty((T + 1, n))
    loss = np.empty(T + 1)
    gnorm = np.empty(T)
    full = batches is None
    lossgrad, lossf, gradf = problem._loss_grad, problem._loss, problem._grad
    lr_list = lrs.tolist()

    if full:
        L, g = lossgrad(theta)
    else:
        L, g = lossf(theta), (gradf(theta, batches[0]) if T else None)
    L = float(L)
    path[0] = theta
    loss[0] = L
    limit = DIVERGENCE_FACTOR * (abs(L) + 1.0) if math.isfinite(L) else -math.inf
    status, t = ("diverged", 0) if not L <= limit else ("max_iterations", T)
    if status == "max_iterations":
        for i in range(T):
            gn = math.sqrt(float(g @ g))
            if grad_tol is not None and gn <= grad_tol:
                status, t = "converged", i
                break
            theta, moments = update(theta, g, moments, lr_list[i], i)
            if full:
                L_new, g = lossgrad(theta)
            else:
                L_new = lossf(theta)
                if i + 1 < T:
                    g = gradf(theta, batches[i + 1])
            L_new = float(L_new)
            path[i + 1] = theta
            loss[i + 1] = L_new
            gnorm[i] = gn
            if not L_new <= limit:
                status, t = "diverged", i + 1
                break
            if loss_tol is not None and abs(L_new - L) <= loss_tol:
                status, t = "converged", i + 1
                break
            L = L_new
    return History(theta=path[t].copy(), path=path[:t + 1], loss=loss[:t + 1],
                   lr=np.array(lrs[:t], dtype=float), grad_norm=gnorm[:t], iterations=t, status=status)


def _run_batched(problem, opt, theta, T, lrs, batches, loss_tol, grad_tol):
    k, n = theta.shape
    update = opt._update
    moments = opt._zeros(theta)
    path = np.empty((T + 1, k, n))
    loss = np.empty((T + 1, k))
    grads = np.empty((T + 1, k, n))      # the gradient each update used; norms taken at the end
    full = batches is None
    lossgrad, lossf, gradf = problem._loss_grad_into, problem._loss, problem._grad
    status = np.full(k, "max_iterations", dtype="<U14")
    iters = np.full(k, T, dtype=int)
    const_lr = opt._lr_const is not None
    lr_col = np.ascontiguousarray(lrs[0] if T else np.zeros(k))[:, None] if const_lr else None
    lr_cols = None if const_lr else np.ascontiguousarray(lrs)[:, :, None]
    if full:
        L = lossgrad(theta, grads[0])
    else:
        L = lossf(theta)
        if T:
            grads[0] = gradf(theta, batches[0])
    path[0] = theta
    loss[0] = L
    limit = DIVERGENCE_FACTOR * (np.abs(L) + 1.0)
    limit[~np.isfinite(limit)] = -np.inf
    limit_min = float(limit.min())
    active = L <= limit
    status[~active] = "diverged"
    iters[~active] = 0
    n_active = int(active.sum())
    # Without tolerances, divergence is looked for every `every` steps, over the steps since
    # the last look; a row found diverged is rolled back to its first bad step and frozen
    # there, exactly as if it had been checked at every step.
    every = 1 if (loss_tol is not None or grad_tol is not None) else 8
    checked = 0
    stop = 0
    grad_rows = list(grads)              # views: a list index is cheaper than an array index
    lr_rows = None if const_lr else list(lr_cols)
    for i in range(T):
        if n_active == 0:
            break
        G = grad_rows[i]
        if grad_tol is not None:
            done = active & (np.sqrt(np.einsum("ij,ij->i", G, G)) <= grad_tol)
            if done.any():
                status[done], iters[done] = "converged", i
                active &= ~done
                n_active = int(active.sum())
                if n_active == 0:
                    break
        new_theta, moments = update(theta, G, moments, lr_col if const_lr else lr_rows[i], i)
        frozen = n_active < k
        if frozen:                       # stopped rows keep their last point
            new_theta = np.where(active[:, None], new_theta, theta)
        theta = new_theta
        if full:
            L_new = lossgrad(theta, grad_rows[i + 1])
        else:
            L_new = lossf(theta)
            if i + 1 < T:
                grads[i + 1] = gradf(theta, batches[i + 1])
        if frozen:
            L_new = np.where(active, L_new, L)
        path[i + 1] = theta
        loss[i + 1] = L_new
        stop = i + 1
        if stop - checked >= every or stop == T:
            window = loss[checked + 1:stop + 1]
            # one reduction tells whether any row may have diverged (NaN fails the test too)
            if not float(window.max()) <= limit_min:
                ok = window <= limit
                bad = active & ~ok.all(axis=0)
                for j in np.flatnonzero(bad):
                    first = checked + 1 + int(np.argmin(ok[:, j]))
                    status[j], iters[j] = "diverged", first
                    path[first + 1:stop + 1, j] = path[first, j]
                    loss[first + 1:stop + 1, j] = loss[first, j]
                    theta[j] = path[first, j]
                    L_new[j] = loss[first, j]
                active &= ~bad
                n_active = int(active.sum())
            checked = stop
        if loss_tol is not None:
            done = active & (np.abs(L_new - L) <= loss_tol)
            if done.any():
                status[done], iters[done] = "converged", i + 1
                active &= ~done
                n_active = int(active.sum())
        L = L_new
    if n_active == 0:
        stop = int(iters.max())          # rows found diverged late were rolled back
    gnorm = np.sqrt(np.einsum("tij,tij->ti", grads[:stop], grads[:stop]))
    lr_rec = np.array(lrs[:stop], dtype=float).reshape(stop, k)
    for j in np.flatnonzero(iters < stop):     # frozen rows repeat their last values
        last = iters[j]
        gnorm[last:, j] = gnorm[last - 1, j] if last else np.nan
        lr_rec[last:, j] = lr_rec[last - 1, j] if last else np.nan
    return History(theta=path[stop].copy(), path=path[:stop + 1].copy(), loss=loss[:stop + 1].copy(),
                   lr=lr_rec, grad_norm=gnorm, iterations=iters, status=status)
