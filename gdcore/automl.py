"""Automated machine learning, small: choose the optimizer, its hyperparameters and the features.

Three tasks from the book's chapter 2.1, each a function:

- :func:`search` — hyperparameter optimization and algorithm selection in one
  call: grid search, random search, successive halving or Hyperband over a
  dict of candidate optimizers and their search spaces. Trials that share an
  optimizer (and its non-numeric settings) run as ONE batched
  :func:`gdcore.minimize`, each trial a row.
- :func:`forward_selection`, :func:`backward_selection` — stepwise feature
  selection by validation loss, fitting each candidate model with gdcore.
- :func:`correlation_filter` — keep the features most correlated with the target.

Search spaces map a hyperparameter to a list (a grid) or a distribution
(:func:`loguniform`, :func:`uniform`, :func:`choice`). The key ``"schedule"``
chooses a learning-rate schedule by name (``"constant"``, ``"time_decay"``,
``"exponential_decay"``, ``"step_decay"``, ``"cosine_decay"``); its own
parameters (``decay``, ``rate``, ``drop``, ``every``, ``total``, ``lr_min``) sit
beside it, and ``lr`` becomes the schedule's ``lr0``.

Example
-------
>>> import numpy as np, gdcore as gd
>>> from gdcore import automl
>>> rng = np.random.default_rng(0)
>>> X = rng.normal(size=(200, 3)) * [1.0, 10.0, 0.1]
>>> y = X @ [1.0, 0.2, 5.0] + 0.1 * rng.normal(size=200)
>>> train, valid = automl.split(X, y, valid_fraction=0.25, seed=0)
>>> space = {"GradientDescent": {"lr": [1e-3, 1e-2]},
...          "Adam": {"lr": automl.loguniform(1e-3, 1.0)}}
>>> res = automl.search(train, valid, space, method="random", n_trials=8, iterations=300, seed=0)
>>> res.best.optimizer
'Adam'
>>> len(res.trials), res.total_iterations <= 8 * 300
(8, True)

Scaling out: pass any :class:`concurrent.futures.Executor` (a thread or
process pool, or a ``dask.distributed`` client's ``client.get_executor()``);
each batched group of trials is one task, and results are gathered in
submission order, so the outcome is the same with or without an executor.
"""

from __future__ import annotations

import itertools
import math
import sys
import time
from dataclasses import dataclass, field

import numpy as np

from . import _validation as V
from . import schedules as S
from .loop import minimize
from .optimizers import OPTIMIZERS, Momentum
from .problems import LinearRegression, Problem

__all__ = ["loguniform", "uniform", "choice", "split", "search", "SearchResult", "Trial",
           "forward_selection", "backward_selection", "correlation_filter", "SelectionResult"]

SCHEDULES = {"constant": S.constant, "time_decay": S.time_decay, "exponential_decay": S.exponential_decay,
             "step_decay": S.step_decay, "cosine_decay": S.cosine_decay}
_SCHEDULE_PARAMS = {"constant": (), "time_decay": ("decay",), "exponential_decay": ("rate",),
                    "step_decay": ("drop", "every"), "cosine_decay": ("total", "lr_min")}
_STRUCTURAL = ("form", "nesterov", "schedule", "every", "total")   # grouped on, never batched


# -- distributions ------------------------------------------------------------------------------

class Distribution:
    """A distribution to sample a hyperparameter from (random search, halving)."""

    def sample(self, rng, size):  # pragma: no cover
        raise NotImplementedError


@dataclass(frozen=True)
class loguniform(Distribution):
    """Log-uniform on [low, high], 0 < low < high: equal mass per decade."""
    low: float
    high: float

    def __post_init__(self):
        V.real("low", self.low, low=0.0, low_open=True)
        V.real("high", self.high, low=self.low, low_open=True)

    def sample(self, rng, size):
        return np.exp(rng.uniform(math.log(self.low), math.log(self.high), size)).tolist()


@dataclass(frozen=True)
class uniform(Distribution):
    """Uniform on [low, high], low < high."""
    low: float
    high: float

    def __post_init__(self):
        V.real("low", self.low)
        V.real("high", self.high, low=self.low, low_open=True)

    def sample(self, rng, size):
        return rng.uniform(self.low, self.high, size).tolist()


@dataclass(frozen=True)
class choice(Distribution):
    """One of a non-empty list of options, equally likely."""
    options: tuple

    def __init__(self, options):
        if not isinstance(options, (list, tuple)) or len(options) == 0:
            V.fail("options", "a non-empty list", options)
        object.__setattr__(self, "options", tuple(options))

    def sample(self, rng, size):
        return [self.options[i] for i in rng.integers(0, len(self.options), size)]


# -- spaces ---------------------------------------------------------------------------------------

def _check_space(space):
    """Validate ``{optimizer name: {hyperparameter: list | Distribution}}``."""
    if not isinstance(space, dict) or not space:
        V.fail("space", "a non-empty dict {optimizer name: {hyperparameter: values}}", space, TypeError)
    for name, params in space.items():
        if name not in OPTIMIZERS:
            V.fail("space", f"keyed by optimizer names from {sorted(OPTIMIZERS)}", name)
        if not isinstance(params, dict):
            V.fail(f"space[{name!r}]", "a dict {hyperparameter: list or distribution}", params, TypeError)
        allowed = set(OPTIMIZERS[name]._hypers) | {"lr"} | ({"form", "nesterov"} if name == "Momentum" else set())
        sched_names = params.get("schedule", ["constant"])
        opts = sched_names.options if isinstance(sched_names, choice) else sched_names
        if not isinstance(opts, (list, tuple)) or not opts or any(o not in SCHEDULES for o in opts):
            V.fail(f"space[{name!r}]['schedule']", f"a non-empty list of names from {sorted(SCHEDULES)}", sched_names)
        allowed |= {"schedule"} | {p for o in opts for p in _SCHEDULE_PARAMS[o]}
        for key, values in params.items():
            if key not in allowed:
                V.fail(f"space[{name!r}]", f"keyed by hyperparameters of {name} from {sorted(allowed)}", key)
            if isinstance(values, Distribution):
                continue
            if not isinstance(values, (list, tuple)) or len(values) == 0:
                V.fail(f"space[{name!r}][{key!r}]", "a non-empty list or a distribution", values)
        for o in opts:
            for p in _SCHEDULE_PARAMS[o]:
                if p not in params:
                    V.fail(f"space[{name!r}]", f"given {p!r} for the {o!r} schedule", sorted(params))
    return space


def _tidy(cfg):
    """Drop the parameters of schedules that this configuration did not choose."""
    chosen = cfg.get("schedule", "constant")
    unused = {p for o, ps in _SCHEDULE_PARAMS.items() if o != chosen for p in ps} - set(_SCHEDULE_PARAMS[chosen])
    return {k: v for k, v in cfg.items() if k not in unused}


def _grid(space):
    """Every combination of every list; distributions are refused here."""
    out = []
    for name, params in space.items():
        keys = list(params)
        for key in keys:
            if isinstance(params[key], Distribution) and not isinstance(params[key], choice):
                V.fail(f"space[{name!r}][{key!r}]", "a list for grid search (not a distribution)", params[key])
        lists = [params[k].options if isinstance(params[k], choice) else params[k] for k in keys]
        seen = set()
        for combo in itertools.product(*lists):
            cfg = _tidy(dict(zip(keys, combo)))
            key = tuple(sorted(cfg.items()))
            if key not in seen:            # a constant schedule ignores decay: one trial, not many
                seen.add(key)
                out.append((name, cfg))
    return out


def _sample(space, n, rng):
    """``n`` random configurations: an optimizer uniformly, then each hyperparameter."""
    names = list(space)
    which = rng.integers(0, len(names), n)
    out = []
    for i in range(n):
        name = names[which[i]]
        cfg = {}
        for key, values in space[name].items():
            if isinstance(values, Distribution):
                cfg[key] = values.sample(rng, 1)[0]
            else:
                cfg[key] = values[int(rng.integers(0, len(values)))]
        out.append((name, _tidy(cfg)))
    return out


# -- running trials -------------------------------------------------------------------------------

@dataclass
class Trial:
    """One configuration and what it achieved."""
    optimizer: str
    params: dict
    valid_loss: float
    train_loss: float
    iterations: int
    status: str
    rung: int = 0          # halving: 0 for the shortest runs, rising with the budget
    bracket: int = 0       # Hyperband: which bracket of successive halving

    def make(self):
        """The configured optimizer."""
        return _build(self.optimizer, self.params)


def _build(name, params):
    """An optimizer from a configuration (numeric values may be arrays, one per batched trial)."""
    params = dict(params)
    sched = params.pop("schedule", "constant")
    sched_args = {p: params.pop(p) for p in _SCHEDULE_PARAMS[sched]}
    lr = params.pop("lr", None)
    if lr is not None and sched != "constant":
        lr = SCHEDULES[sched](lr, **sched_args)
    kwargs = params if lr is None else {"lr": lr, **params}
    return OPTIMIZERS[name](**kwargs)


def _run_group(train, valid, name, configs, theta0, iterations, seed, batch_size, grad_tol):
    """Run configurations of one optimizer with equal structural settings as one batched run."""
    k = len(configs)
    keys = list(configs[0])
    batched = {}
    for key in keys:
        vals = [c[key] for c in configs]
        if key in _STRUCTURAL:
            batched[key] = vals[0]
        else:
            batched[key] = np.array(vals, dtype=float)
    opt = _build(name, batched)
    th0 = np.tile(theta0, (k, 1))
    hist = minimize(train, opt, th0, iterations=iterations, batch_size=batch_size, seed=seed,
                    grad_tol=grad_tol)
    with np.errstate(all="ignore"):
        vl = valid._loss(hist.theta)
    vl = np.where(hist.status == "diverged", np.inf, vl)
    vl = np.where(np.isfinite(vl), vl, np.inf)
    return [(float(vl[i]), float(hist.loss[-1, i]), int(hist.iterations[i]), str(hist.status[i]))
            for i in range(k)]


def _group_key(name, cfg):
    return (name,) + tuple((k, cfg[k]) for k in sorted(cfg) if k in _STRUCTURAL) + (tuple(sorted(cfg)),)


def _evaluate(train, valid, configs, theta0, iterations, seed, batch_size, grad_tol, executor, progress,
              label=""):
    """Run (name, cfg) configurations, batched by group; results in the order given."""
    groups = {}
    for idx, (name, cfg) in enumerate(configs):
        groups.setdefault(_group_key(name, cfg), []).append(idx)
    tasks = []
    for key, idxs in groups.items():
        name = key[0]
        args = (train, valid, name, [configs[i][1] for i in idxs], theta0, iterations, seed, batch_size, grad_tol)
        tasks.append((idxs, executor.submit(_run_group, *args) if executor is not None else args))
    results = [None] * len(configs)
    for done, (idxs, task) in enumerate(tasks, start=1):
        out = task.result() if executor is not None else _run_group(*task)
        for i, r in zip(idxs, out):
            results[i] = r
        if progress:
            _progress(done, len(tasks), label)
    return results


def _progress(done, total, label):
    width = 30
    filled = int(width * done / total)
    sys.stderr.write(f"\r{label}[{'#' * filled}{'.' * (width - filled)}] {done}/{total} groups")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()


@dataclass
class SearchResult:
    """Every trial of a search, the best one, and what the search cost."""
    trials: list
    method: str
    wall_time: float
    extra: dict = field(default_factory=dict)

    @property
    def best(self) -> Trial:
        """The trial with the lowest validation loss among the longest-trained (final rung)."""
        top = max(t.rung for t in self.trials)
        final = [t for t in self.trials if t.rung == top]
        return min(final, key=lambda t: (t.valid_loss, t.iterations))

    @property
    def total_iterations(self) -> int:
        """Updates made over all trials: the search's cost in gradient evaluations."""
        return int(sum(t.iterations for t in self.trials))

    def table(self, top=None) -> str:
        """A plain-text table of the trials, best first."""
        rows = sorted(self.trials, key=lambda t: (-t.rung, t.valid_loss))[:top]
        lines = [f"{'optimizer':<16}{'hyperparameters':<52}{'valid loss':>12}{'iters':>8}  status"]
        for t in rows:
            hp = ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in t.params.items())
            lines.append(f"{t.optimizer:<16}{hp[:51]:<52}{t.valid_loss:>12.4g}{t.iterations:>8}  {t.status}")
        return "\n".join(lines)

    def plot(self, ax=None, param="lr"):
        """Validation loss against one hyperparameter, one marker style per optimizer."""
        import matplotlib.pyplot as plt

        from .plotting import PALETTE
        if ax is None:
            _, ax = plt.subplots()
        markers = "os^Dv<>p"
        names = sorted({t.optimizer for t in self.trials})
        finite = [t.valid_loss for t in self.trials if np.isfinite(t.valid_loss)]
        ceiling = max(finite) * 10 if finite else 1.0
        for i, name in enumerate(names):
            ts = [t for t in self.trials if t.optimizer == name and param in t.params]
            x = [t.params[param] for t in ts]
            yv = [t.valid_loss if np.isfinite(t.valid_loss) else ceiling for t in ts]
            ax.scatter(x, yv, color=PALETTE[i % 8], marker=markers[i % 8], label=name, s=18, alpha=0.8)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(param)
        ax.set_ylabel("validation loss (diverged drawn at the top)")
        ax.legend()
        return ax


def _check_common(train, valid, theta0, iterations, seed, executor):
    if not isinstance(train, Problem):
        V.fail("train", "a gdcore Problem", train, TypeError)
    if not isinstance(valid, Problem):
        V.fail("valid", "a gdcore Problem", valid, TypeError)
    if valid.dim != train.dim:
        V.fail("valid", f"a problem of the same dimension as train ({train.dim})", valid.dim)
    theta0 = np.zeros(train.dim) if theta0 is None else V.parameters("theta0", theta0, train.dim,
                                                                     allow_batch=False)
    iterations = V.integer("iterations", iterations, low=1)
    seed = V.integer("seed", seed, low=0)
    if executor is not None and not hasattr(executor, "submit"):
        V.fail("executor", "None or a concurrent.futures.Executor", executor, TypeError)
    return theta0, iterations, seed


def search(train, valid, space, method="grid", iterations=1000, n_trials=None, seed=0, theta0=None,
           batch_size=None, grad_tol=None, eta=3, min_iterations=None, executor=None, progress=False):
    """Search optimizers and hyperparameters; return a :class:`SearchResult`.

    Parameters
    ----------
    train, valid : Problem
        Trials minimize ``train`` and are ranked by ``valid``'s loss at their
        final parameters (a diverged trial scores ``inf``).
    space : dict
        ``{optimizer name: {hyperparameter: list or distribution}}``.
    method : "grid" | "random" | "halving" | "hyperband"
        Grid search takes every combination (lists only). Random search
        samples ``n_trials`` configurations. Successive halving samples
        ``n_trials``, trains all for ``min_iterations``, keeps the best
        ``1/eta``, and repeats with ``eta`` times more iterations until
        ``iterations`` is reached. Hyperband runs brackets of successive
        halving that trade many short trials against few long ones
        (Li et al. 2018). In halving and Hyperband each rung retrains its
        survivors from ``theta0``; every rung's trials are recorded.
    iterations : int >= 1
        The most updates one trial makes (halving's maximum resource).
    n_trials : int >= 1 or None
        Configurations sampled (random: default 20; halving: by default the
        whole grid when every entry of the space is a list, else 27).
        Hyperband sizes its own brackets.
    seed : int >= 0
        Seeds sampling and minibatches: same seed, same result.
    eta : int >= 2
        Halving's reduction factor.
    min_iterations : int >= 1 or None
        Halving's first rung; default ``iterations // eta**3`` (at least 1).
    executor : concurrent.futures.Executor or None
        Where batched groups of trials run; None runs them in this process.
    progress : bool
        Print a progress bar to stderr.
    """
    _check_space(space)
    theta0, iterations, seed = _check_common(train, valid, theta0, iterations, seed, executor)
    if method not in ("grid", "random", "halving", "hyperband"):
        V.fail("method", "'grid', 'random', 'halving' or 'hyperband'", method)
    all_lists = all(not isinstance(v, Distribution) or isinstance(v, choice)
                    for params in space.values() for v in params.values())
    if n_trials is not None:
        n_trials = V.integer("n_trials", n_trials, low=1)
    eta = V.integer("eta", eta, low=2)
    if min_iterations is None:
        min_iterations = max(1, iterations // eta ** 3)
    min_iterations = V.integer("min_iterations", min_iterations, low=1, high=iterations)
    rng = np.random.default_rng(seed)
    run = dict(train=train, valid=valid, theta0=theta0, seed=seed, batch_size=batch_size,
               grad_tol=grad_tol, executor=executor, progress=progress)
    t0 = time.perf_counter()
    trials = []
    if method in ("grid", "random"):
        configs = _grid(space) if method == "grid" else _sample(space, n_trials or 20, rng)
        out = _evaluate(configs=configs, iterations=iterations, label=f"{method} ", **run)
        trials = [Trial(n, c, *r) for (n, c), r in zip(configs, out)]
    elif method == "halving":
        if n_trials is None and all_lists:
            configs = _grid(space)
        else:
            configs = _sample(space, n_trials or 27, rng)
        trials = _halving(configs, min_iterations, iterations, eta, run)
    else:
        s_max = max(0, int(math.floor(math.log(iterations / min_iterations, eta) + 1e-9)))
        for s in range(s_max, -1, -1):
            n = int(math.ceil((s_max + 1) / (s + 1) * eta ** s))
            r = max(1, int(round(iterations / eta ** s)))
            for t in _halving(_sample(space, n, rng), r, iterations, eta, run):
                t.bracket = s
                trials.append(t)
    return SearchResult(trials=trials, method=method, wall_time=time.perf_counter() - t0,
                        extra={"eta": eta, "min_iterations": min_iterations, "iterations": iterations})


def _halving(configs, r, R, eta, run):
    """Successive halving: train all for r, keep the best 1/eta, multiply r by eta, up to R."""
    trials = []
    rung = 0
    while True:
        out = _evaluate(configs=configs, iterations=r, label=f"rung {rung} ", **run)
        rung_trials = [Trial(n, c, *res, rung=rung) for (n, c), res in zip(configs, out)]
        trials += rung_trials
        if r >= R:
            break
        keep = max(1, len(configs) // eta)
        order = sorted(range(len(configs)), key=lambda i: (rung_trials[i].valid_loss, i))[:keep]
        configs = [configs[i] for i in sorted(order)]
        r = min(R, r * eta)
        rung += 1
    return trials


def split(X, y, valid_fraction=0.25, seed=0, fit_intercept=False):
    """Shuffle rows with ``seed`` and return ``(train, valid)`` LinearRegression problems."""
    X = V.data_matrix("X", X)
    y = V.target_vector("y", y, X.shape[0])
    valid_fraction = V.real("valid_fraction", valid_fraction, low=0.0, high=1.0, low_open=True, high_open=True)
    seed = V.integer("seed", seed, low=0)
    m = X.shape[0]
    n_valid = int(round(m * valid_fraction))
    if not 1 <= n_valid <= m - 1:
        V.fail("valid_fraction", f"a fraction leaving at least one row on each side of {m}", valid_fraction)
    perm = np.random.default_rng(seed).permutation(m)
    tr, va = perm[n_valid:], perm[:n_valid]
    return (LinearRegression(X[tr], y[tr], fit_intercept=fit_intercept),
            LinearRegression(X[va], y[va], fit_intercept=fit_intercept))


# -- feature selection ------------------------------------------------------------------------------

@dataclass
class SelectionResult:
    """Chosen feature indices, in the order chosen, and the validation loss after each step."""
    features: list
    history: list          # [(features after the step, validation loss)]

    def __repr__(self):
        return f"SelectionResult(features={self.features}, valid_loss={self.history[-1][1]:.6g})"


def _fit_valid_loss(X_tr, y_tr, X_va, y_va, cols, iterations, tol):
    """Validation MSE of a linear model with an intercept on ``cols``, fitted by gradient descent.

    The step is 1/L (safe for least squares) and the run stops once the
    gradient norm falls below ``tol``.
    """
    cols = list(cols)
    train = LinearRegression(X_tr[:, cols], y_tr, fit_intercept=True)
    valid = LinearRegression(X_va[:, cols], y_va, fit_intercept=True)
    L, mu = train.smoothness(), max(train.strong_convexity(), 1e-12)
    # heavy ball with the tuned parameters for a quadratic converges in ~sqrt(kappa) log(1/tol) steps
    lr = 4.0 / (math.sqrt(L) + math.sqrt(mu)) ** 2
    beta = ((math.sqrt(L / mu) - 1) / (math.sqrt(L / mu) + 1)) ** 2
    h = minimize(train, Momentum(lr=lr, beta=min(beta, 0.999), form="heavy_ball"), np.zeros(train.dim),
                 iterations=iterations, grad_tol=tol)
    return 2.0 * valid.loss(h.theta)        # J = MSE / 2


def _check_selection(X_train, y_train, X_valid, y_valid, n_features):
    X_tr = V.data_matrix("X_train", X_train)
    y_tr = V.target_vector("y_train", y_train, X_tr.shape[0])
    X_va = V.data_matrix("X_valid", X_valid)
    if X_va.shape[1] != X_tr.shape[1]:
        V.fail("X_valid", f"of shape (m, {X_tr.shape[1]}) like X_train", X_va)
    y_va = V.target_vector("y_valid", y_valid, X_va.shape[0])
    n_features = V.integer("n_features", n_features, low=1, high=X_tr.shape[1])
    return X_tr, y_tr, X_va, y_va, n_features


def forward_selection(X_train, y_train, X_valid, y_valid, n_features, iterations=20_000, tol=1e-10):
    """Greedy forward selection: add, one at a time, the feature that lowers validation MSE most.

    Each candidate model is a linear regression with an intercept, fitted with
    gdcore (heavy-ball momentum at the tuned step for a quadratic).
    """
    X_tr, y_tr, X_va, y_va, n_features = _check_selection(X_train, y_train, X_valid, y_valid, n_features)
    chosen, history = [], []
    remaining = list(range(X_tr.shape[1]))
    while len(chosen) < n_features:
        scores = [(_fit_valid_loss(X_tr, y_tr, X_va, y_va, chosen + [j], iterations, tol), j) for j in remaining]
        best_loss, best_j = min(scores)
        chosen.append(best_j)
        remaining.remove(best_j)
        history.append((list(chosen), best_loss))
    return SelectionResult(features=chosen, history=history)


def backward_selection(X_train, y_train, X_valid, y_valid, n_features, iterations=20_000, tol=1e-10):
    """Greedy backward elimination: drop, one at a time, the feature whose removal hurts least.

    ``features`` lists the survivors in their original order; ``history`` the
    validation MSE after each removal.
    """
    X_tr, y_tr, X_va, y_va, n_features = _check_selection(X_train, y_train, X_valid, y_valid, n_features)
    kept = list(range(X_tr.shape[1]))
    history = [(list(kept), _fit_valid_loss(X_tr, y_tr, X_va, y_va, kept, iterations, tol))]
    while len(kept) > n_features:
        scores = [(_fit_valid_loss(X_tr, y_tr, X_va, y_va, [c for c in kept if c != j], iterations, tol), j)
                  for j in kept]
        best_loss, drop = min(scores)
        kept.remove(drop)
        history.append((list(kept), best_loss))
    return SelectionResult(features=kept, history=history)


def correlation_filter(X, y, n_features):
    """Indices of the ``n_features`` columns with the largest |Pearson correlation| with y, best first."""
    X = V.data_matrix("X", X)
    y = V.target_vector("y", y, X.shape[0])
    n_features = V.integer("n_features", n_features, low=1, high=X.shape[1])
    Xc, yc = X - X.mean(0), y - y.mean()
    denom = np.sqrt((Xc ** 2).sum(0) * (yc @ yc))
    with np.errstate(all="ignore"):
        r = np.where(denom > 0, (Xc.T @ yc) / denom, 0.0)
    order = np.argsort(-np.abs(r), kind="stable")
    return [int(i) for i in order[:n_features]]
