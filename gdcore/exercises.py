"""Self-checking exercises: test a student's function against the reference on varied cases.

Each ``check_*`` function calls the student's function on randomized cases
(seeded, so every student sees the same cases), compares with the engine's
reference, and prints feedback: a pass, or the first failing case with its
inputs, the expected and received values, and a hint when the answer matches
a common mistake (wrong sign, missing 1/m, eps inside the root, heavy-ball
instead of EMA momentum, an (m, 1) column broadcast against an (m,) vector).
It returns a :class:`CheckResult`, true when every case passed, so a notebook
can ``assert`` it. The feedback shows values, never the reference code.

>>> import numpy as np
>>> from gdcore import exercises
>>> def gd_step(theta, grad, lr):
...     return theta - lr * grad
>>> bool(exercises.check_gd_step(gd_step, verbose=False))
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import schedules as S
from .optimizers import (Adagrad, AdagradState, Adam, AdamState, GradientDescent, GDState, Momentum,
                         MomentumState, RMSprop, RMSpropState)
from .problems import LinearRegression

__all__ = ["CheckResult", "check_gd_step", "check_linreg_loss", "check_linreg_grad", "check_time_decay",
           "check_exponential_decay", "check_step_decay", "check_momentum_step", "check_heavy_ball_step",
           "check_rmsprop_step", "check_adagrad_step", "check_adam_step"]

N_CASES = 20
RTOL, ATOL = 1e-9, 1e-12      # the reference and a correct answer differ only by rounding


@dataclass
class CheckResult:
    """The outcome of a check; true when every case passed."""
    passed: bool
    message: str
    cases: int

    def __bool__(self):
        return self.passed

    def __repr__(self):
        return self.message


def _fmt(x):
    if isinstance(x, np.ndarray):
        return np.array2string(x, precision=6, separator=", ", threshold=12)
    if isinstance(x, float):
        return f"{x:.6g}"
    if isinstance(x, tuple):
        return "(" + ", ".join(_fmt(v) for v in x) + ")"
    return repr(x)


def _as_tuple(x, k):
    return tuple(x) if k > 1 and isinstance(x, (tuple, list)) else (x,)


def _close(got, want):
    got = np.asarray(got, dtype=float)
    want = np.asarray(want, dtype=float)
    return got.shape == want.shape and bool(np.allclose(got, want, rtol=RTOL, atol=ATOL))


def _run(name, student, cases, reference, mistakes, outputs=("result",), verbose=True):
    """Compare ``student(**case)`` with ``reference(**case)`` on every case.

    ``mistakes`` maps a hint to a function computing what that mistake would
    give; the first one matching the student's answer is shown.
    """
    k = len(outputs)
    for i, case in enumerate(cases, start=1):
        want = _as_tuple(reference(**case), k)
        inputs = ", ".join(f"{key}={_fmt(val)}" for key, val in case.items())
        try:
            got = student(**{key: (v.copy() if isinstance(v, np.ndarray) else v) for key, v in case.items()})
        except Exception as exc:  # the student's code failed: report it, with the inputs
            msg = (f"✗ {name}: case {i} of {len(cases)} raised {type(exc).__name__}: {exc}\n"
                   f"  inputs: {inputs}")
            if isinstance(exc, NotImplementedError):
                msg = f"✗ {name}: not implemented yet (the function raised NotImplementedError)."
            return _done(False, msg, len(cases), verbose)
        got_t = _as_tuple(got, k)
        if len(got_t) != k:
            msg = (f"✗ {name}: case {i}: expected {k} return values ({', '.join(outputs)}), "
                   f"received {len(got_t)}.")
            return _done(False, msg, len(cases), verbose)
        bad = [j for j in range(k) if not _close(got_t[j], want[j])]
        if not bad:
            continue
        j = bad[0]
        got_j = np.asarray(got_t[j], dtype=float) if _is_num(got_t[j]) else got_t[j]
        lines = [f"✗ {name}: case {i} of {len(cases)} failed on {outputs[j]!r}.",
                 f"  inputs:   {inputs}",
                 f"  expected: {_fmt(np.asarray(want[j], dtype=float))}",
                 f"  received: {_fmt(got_j)}"]
        hint = None
        if _is_num(got_t[j]) and np.shape(got_t[j]) != np.shape(want[j]):
            hint = (f"the shape is {np.shape(got_t[j])} but should be {np.shape(want[j])}; "
                    "a column of shape (m, 1) next to a vector of shape (m,) broadcasts to (m, m)")
        else:
            for text, wrong in mistakes.items():
                try:
                    alt = _as_tuple(wrong(**case), k)
                except Exception:
                    continue
                if _close(got_t[j], alt[j]):
                    hint = text
                    break
        if hint:
            lines.append(f"  hint: {hint}.")
        return _done(False, "\n".join(lines), len(cases), verbose)
    return _done(True, f"✓ {name}: all {len(cases)} cases pass.", len(cases), verbose)


def _is_num(x):
    try:
        np.asarray(x, dtype=float)
        return True
    except (TypeError, ValueError):
        return False


def _done(passed, message, n, verbose):
    if verbose:
        print(message)
    return CheckResult(passed, message, n)


def _rng():
    return np.random.default_rng(20261128)


# -- gradient descent --------------------------------------------------------------------------

def check_gd_step(fn, verbose=True):
    """``fn(theta, grad, lr)`` returns theta after one gradient-descent step."""
    rng = _rng()
    cases = [dict(theta=rng.normal(size=n), grad=rng.normal(size=n), lr=float(10 ** rng.uniform(-3, 0)))
             for n in rng.integers(1, 6, N_CASES)]
    def ref(theta, grad, lr):
        return GradientDescent(lr=lr).step(theta, grad, GDState(0))[0]
    return _run("gradient-descent step", fn, cases, ref, {
        "the step goes against the gradient: theta - lr * grad, not plus": lambda theta, grad, lr: theta + lr * grad,
        "multiply the gradient by the learning rate": lambda theta, grad, lr: theta - grad,
    }, verbose=verbose)


def _regression_cases(rng):
    cases = []
    for _ in range(N_CASES):
        m, n = int(rng.integers(2, 9)), int(rng.integers(1, 5))
        cases.append(dict(X=rng.normal(size=(m, n)), y=rng.normal(size=m), theta=rng.normal(size=n)))
    return cases


def check_linreg_loss(fn, verbose=True):
    """``fn(X, y, theta)`` returns J = ||X theta - y||^2 / (2m) (the source's MSE loss)."""
    def ref(X, y, theta):
        return LinearRegression(X, y).loss(theta)
    return _run("linear-regression loss", fn, _regression_cases(_rng()), ref, {
        "divide by 2m, not m (the 1/2 makes the gradient simpler)": lambda X, y, theta: 2 * ref(X, y, theta),
        "average over the m samples: divide by 2m": lambda X, y, theta: 2 * len(y) * ref(X, y, theta),
        "divide by 2m: both the 1/2 and the 1/m": lambda X, y, theta: len(y) * ref(X, y, theta),
    }, verbose=verbose)


def check_linreg_grad(fn, verbose=True):
    """``fn(X, y, theta)`` returns the gradient X^T (X theta - y) / m, shape (n,)."""
    def ref(X, y, theta):
        return LinearRegression(X, y).grad(theta)
    return _run("linear-regression gradient", fn, _regression_cases(_rng()), ref, {
        "the 1/m is missing: the gradient of an average is an average": lambda X, y, theta: X.T @ (X @ theta - y),
        "the sign is flipped: the residual is X theta - y": lambda X, y, theta: -ref(X, y, theta),
        "the factor is 1/m, not 1/(2m): the 2 from the square cancels the 1/2": lambda X, y, theta: ref(X, y, theta) / 2,
        "this is the residual X theta - y, not the gradient X^T (X theta - y) / m":
            lambda X, y, theta: X @ theta - y,
    }, verbose=verbose)


# -- schedules ------------------------------------------------------------------------------------

def _schedule_cases(rng, extra):
    return [dict(lr0=float(10 ** rng.uniform(-3, 0)), **{k: f(rng) for k, f in extra.items()},
                 t=int(rng.integers(0, 500))) for _ in range(N_CASES)]


def check_time_decay(fn, verbose=True):
    """``fn(lr0, decay, t)`` returns lr0 / (1 + decay * t), t the 0-based update number."""
    cases = _schedule_cases(_rng(), {"decay": lambda r: float(10 ** r.uniform(-4, 0))})
    cases[0]["t"] = 0
    return _run("time decay", fn, cases, lambda lr0, decay, t: S.time_decay(lr0, decay)(t), {
        "t counts from 0: the first update uses lr0 itself": lambda lr0, decay, t: lr0 / (1 + decay * (t + 1)),
        "divide lr0 by (1 + decay * t), don't multiply": lambda lr0, decay, t: lr0 * (1 + decay * t),
        "the decay multiplies t inside the denominator": lambda lr0, decay, t: lr0 / (1 + decay) ** t,
    }, verbose=verbose)


def check_exponential_decay(fn, verbose=True):
    """``fn(lr0, rate, t)`` returns lr0 * rate ** t."""
    cases = _schedule_cases(_rng(), {"rate": lambda r: float(r.uniform(0.9, 0.999))})
    return _run("exponential decay", fn, cases, lambda lr0, rate, t: S.exponential_decay(lr0, rate)(t), {
        "t counts from 0: the first update uses lr0 itself": lambda lr0, rate, t: lr0 * rate ** (t + 1),
        "use rate ** t, not exp(-rate * t)": lambda lr0, rate, t: lr0 * math.exp(-rate * t),
    }, verbose=verbose)


def check_step_decay(fn, verbose=True):
    """``fn(lr0, drop, every, t)`` returns lr0 * drop ** floor(t / every)."""
    cases = _schedule_cases(_rng(), {"drop": lambda r: float(r.uniform(0.1, 0.9)),
                                     "every": lambda r: int(r.integers(1, 60))})
    cases[0].update(t=10, every=10)
    return _run("step decay", fn, cases, lambda lr0, drop, every, t: S.step_decay(lr0, drop, every)(t), {
        "use floor(t / every): the rate is constant within each block": lambda lr0, drop, every, t: lr0 * drop ** (t / every),
        "updates 0 .. every-1 use lr0; the first drop is at t = every":
            lambda lr0, drop, every, t: lr0 * drop ** ((t + 1) // every),
    }, verbose=verbose)


# -- momentum and adaptive methods ----------------------------------------------------------------

def _state_cases(rng, names, extra):
    cases = []
    for n in rng.integers(1, 6, N_CASES):
        case = {"theta": rng.normal(size=n)}
        for name in names:
            case[name] = np.abs(rng.normal(size=n)) if name == "s" else rng.normal(size=n)
        case["grad"] = rng.normal(size=n)
        case.update({k: f(rng) for k, f in extra.items()})
        cases.append(case)
    return cases


_HYP = {"lr": lambda r: float(10 ** r.uniform(-3, -0.5)), "beta": lambda r: float(r.uniform(0.5, 0.99))}


def check_momentum_step(fn, verbose=True):
    """``fn(theta, v, grad, lr, beta)`` returns ``(theta, v)`` after one step of the source's EMA momentum:
    v = beta v + (1 - beta) grad; theta = theta - lr v."""
    def ref(theta, v, grad, lr, beta):
        new, state = Momentum(lr=lr, beta=beta, form="ema").step(theta, grad, MomentumState(v, 0))
        return new, state.v

    def heavy(theta, v, grad, lr, beta):
        v = beta * v + grad
        return theta - lr * v, v

    def swapped(theta, v, grad, lr, beta):
        v = (1 - beta) * v + beta * grad
        return theta - lr * v, v

    def old_v(theta, v, grad, lr, beta):
        return theta - lr * v, beta * v + (1 - beta) * grad
    return _run("momentum step (EMA form)", fn, _state_cases(_rng(), ["v"], _HYP), ref, {
        "this is the heavy-ball form v = beta v + grad; the EMA form weights grad by (1 - beta)": heavy,
        "beta weights the old velocity, (1 - beta) the new gradient": swapped,
        "update v first, then step theta with the new v": old_v,
    }, outputs=("theta", "v"), verbose=verbose)


def check_heavy_ball_step(fn, verbose=True):
    """``fn(theta, v, grad, lr, beta)`` returns ``(theta, v)`` for heavy-ball momentum:
    v = beta v + grad; theta = theta - lr v (PyTorch's SGD with momentum)."""
    def ref(theta, v, grad, lr, beta):
        new, state = Momentum(lr=lr, beta=beta, form="heavy_ball").step(theta, grad, MomentumState(v, 0))
        return new, state.v

    def ema(theta, v, grad, lr, beta):
        v = beta * v + (1 - beta) * grad
        return theta - lr * v, v
    return _run("momentum step (heavy-ball form)", fn, _state_cases(_rng(), ["v"], _HYP), ref, {
        "this is the EMA form; heavy ball adds the whole gradient: v = beta v + grad": ema,
    }, outputs=("theta", "v"), verbose=verbose)


def check_rmsprop_step(fn, verbose=True):
    """``fn(theta, s, grad, lr, beta, eps)`` returns ``(theta, s)`` after one RMSprop step:
    s = beta s + (1 - beta) grad^2; theta = theta - lr grad / (sqrt(s) + eps)."""
    hyp = {**_HYP, "eps": lambda r: float(10 ** r.uniform(-8, -2))}

    def ref(theta, s, grad, lr, beta, eps):
        new, state = RMSprop(lr=lr, beta=beta, eps=eps).step(theta, grad, RMSpropState(s, 0))
        return new, state.s

    def inside(theta, s, grad, lr, beta, eps):
        s = beta * s + (1 - beta) * grad ** 2
        return theta - lr * grad / np.sqrt(s + eps), s

    def stale(theta, s, grad, lr, beta, eps):
        return theta - lr * grad / (np.sqrt(s) + eps), s

    def not_squared(theta, s, grad, lr, beta, eps):
        s = beta * s + (1 - beta) * grad
        return theta - lr * grad / (np.sqrt(np.abs(s)) + eps), s
    return _run("RMSprop step", fn, _state_cases(_rng(), ["s"], hyp), ref, {
        "eps goes outside the root here: sqrt(s) + eps (optax and Keras put it inside)": inside,
        "s must be updated before it is used (it never changes otherwise)": stale,
        "s averages the SQUARED gradient": not_squared,
    }, outputs=("theta", "s"), verbose=verbose)


def check_adagrad_step(fn, verbose=True):
    """``fn(theta, s, grad, lr, eps)`` returns ``(theta, s)`` for Adagrad:
    s = s + grad^2; theta = theta - lr grad / (sqrt(s) + eps)."""
    hyp = {"lr": _HYP["lr"], "eps": lambda r: float(10 ** r.uniform(-8, -2))}

    def ref(theta, s, grad, lr, eps):
        new, state = Adagrad(lr=lr, eps=eps).step(theta, grad, AdagradState(s, 0))
        return new, state.s

    def ema(theta, s, grad, lr, eps):
        s = 0.9 * s + 0.1 * grad ** 2
        return theta - lr * grad / (np.sqrt(s) + eps), s
    return _run("Adagrad step", fn, _state_cases(_rng(), ["s"], hyp), ref, {
        "Adagrad keeps a plain sum of squared gradients, not a moving average": ema,
    }, outputs=("theta", "s"), verbose=verbose)


def check_adam_step(fn, verbose=True):
    """``fn(theta, v, s, grad, t, lr, beta1, beta2, eps)`` returns ``(theta, v, s)`` after Adam's
    update number ``t`` (0-based): moments, bias correction by 1 - beta**(t+1), then the step."""
    rng = _rng()
    hyp = {"t": lambda r: int(r.integers(0, 30)), "lr": _HYP["lr"],
           "beta1": lambda r: float(r.uniform(0.5, 0.95)), "beta2": lambda r: float(r.uniform(0.9, 0.999)),
           "eps": lambda r: float(10 ** r.uniform(-8, -3))}
    cases = _state_cases(rng, ["v", "s"], hyp)
    cases[0]["t"] = 0

    def make(correct=True, shift=1, eps_inside=False):
        def f(theta, v, s, grad, t, lr, beta1, beta2, eps):
            v = beta1 * v + (1 - beta1) * grad
            s = beta2 * s + (1 - beta2) * grad ** 2
            vh = v / (1 - beta1 ** (t + shift)) if correct else v
            sh = s / (1 - beta2 ** (t + shift)) if correct else s
            den = np.sqrt(sh + eps) if eps_inside else np.sqrt(sh) + eps
            return theta - lr * vh / den, v, s
        return f
    def ref(theta, v, s, grad, t, lr, beta1, beta2, eps):
        opt = Adam(lr=lr, beta1=beta1, beta2=beta2, eps=eps)
        new, state = opt.step(theta, grad, AdamState(v, s, t))
        return new, state.v, state.s
    return _run("Adam step", fn, cases, ref, {
        "divide the moments by 1 - beta**(t+1) (bias correction): they start at zero": make(correct=False),
        "t is 0-based here: the first update (t = 0) divides by 1 - beta": make(shift=0),
        "eps goes outside the root: sqrt(s_hat) + eps": make(eps_inside=True),
    }, outputs=("theta", "v", "s"), verbose=verbose)
