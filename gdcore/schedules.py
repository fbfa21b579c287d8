r"""Learning-rate schedules: callables of the 0-based update number ``t``.

``schedule(t)`` is the rate the update numbered ``t`` uses (the first update
is ``t = 0``), as with PyTorch's schedulers stepped after each update and
optax's schedules of the update count. Each accepts an int or an int array
(to plot :math:`\alpha(t)` in one call) and returns floats.

A schedule's numeric parameters may also be 1-D arrays of length ``k``, one
per batched run: then ``schedule(t)`` has shape ``(k,)`` for an int ``t`` and
``t.shape + (k,)`` for an array.

Conventions elsewhere, for readers comparing libraries:

- Keras' ``InverseTimeDecay(lr0, decay_steps, decay_rate)`` is
  ``lr0 / (1 + decay_rate * t / decay_steps)``: :func:`time_decay` with
  ``decay = decay_rate / decay_steps``.
- Keras' ``ExponentialDecay(lr0, decay_steps, decay_rate)`` is
  ``lr0 * decay_rate ** (t / decay_steps)``; ``staircase=True`` floors the
  exponent, which is :func:`step_decay`. PyTorch's ``ExponentialLR(gamma)`` is
  :func:`exponential_decay` with ``rate = gamma``; ``StepLR(step_size, gamma)``
  is :func:`step_decay` with ``every = step_size`` and ``drop = gamma``
  (PyTorch counts in whatever unit ``scheduler.step()`` is called: often epochs).
- optax's ``cosine_decay_schedule(init_value, decay_steps, alpha)`` ends at
  ``alpha * init_value``; here ``lr_min`` is given as a rate, not a fraction.
"""

from __future__ import annotations

import numbers

import numpy as np

from . import _validation as V

__all__ = ["Schedule", "constant", "time_decay", "exponential_decay", "step_decay",
           "cosine_decay", "warmup", "as_schedule"]


def _steps(t):
    """Validate ``t``: an int >= 0 or an integer array of them."""
    if isinstance(t, (bool, np.bool_)):
        V.fail("t", "an int >= 0 or an integer array", t, TypeError)
    if isinstance(t, numbers.Integral):
        if t < 0:
            V.fail("t", "an int >= 0", t)
        return int(t)
    arr = np.asarray(t)
    if not np.issubdtype(arr.dtype, np.integer):
        V.fail("t", "an int >= 0 or an integer array", t, TypeError)
    if arr.size and arr.min() < 0:
        V.fail("t", "non-negative", t)
    return arr


def _k(*values):
    """The batch length shared by array-valued parameters (None if all scalar)."""
    ks = {v.shape[0] for v in values if isinstance(v, np.ndarray)}
    if len(ks) > 1:
        raise ValueError(f"schedule parameters given as arrays must share one length; got lengths {sorted(ks)}.")
    return ks.pop() if ks else None


class Schedule:
    """Base class: subclasses implement ``_rate(t)`` for a validated ``t``."""

    _k = None

    def __call__(self, t):
        t = _steps(t)
        if self._k is not None and not isinstance(t, int):
            t = t[..., None]          # steps along the leading axes, runs along the last
        # ints go through numpy too, so rate(t) has the same bits as rate(array)[t]
        out = np.asarray(self._rate(np.asarray(t)), dtype=float)
        return out if out.ndim else float(out)

    def _rate(self, t):  # pragma: no cover
        raise NotImplementedError

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self._params().items())
        return f"{type(self).__name__}({args})"

    def _params(self):
        return {}


class constant(Schedule):
    r"""A fixed rate, :math:`\alpha_t = \alpha_0`."""

    def __init__(self, lr0):
        self.lr0 = V.hyper("lr0", lr0, low=0.0, low_open=True)
        self._k = _k(self.lr0)

    def _params(self):
        return {"lr0": self.lr0}

    def _rate(self, t):
        return self.lr0 + 0.0 * np.asarray(t, dtype=float)     # t arrives as an array (0-d for an int)


class time_decay(Schedule):
    r"""Inverse-time decay, the source's eq. (3.2): :math:`\alpha_t = \alpha_0 / (1 + \beta t)`.

    ``decay`` is :math:`\beta \ge 0`; the rate halves at :math:`t = 1/\beta`.
    Summed over all steps it diverges while the sum of squares converges:
    Robbins and Monro's conditions for stochastic gradient descent.

    >>> s = time_decay(0.1, 0.01)
    >>> s(0), s(100)
    (0.1, 0.05)
    """

    def __init__(self, lr0, decay):
        self.lr0 = V.hyper("lr0", lr0, low=0.0, low_open=True)
        self.decay = V.hyper("decay", decay, low=0.0)
        self._k = _k(self.lr0, self.decay)

    def _params(self):
        return {"lr0": self.lr0, "decay": self.decay}

    def _rate(self, t):
        return self.lr0 / (1.0 + self.decay * t)


class exponential_decay(Schedule):
    r"""Exponential decay :math:`\alpha_t = \alpha_0 r^t`, ``rate`` :math:`r > 0`.

    ``rate < 1`` decays (halving every :math:`\ln 2 / (-\ln r)` steps);
    ``rate > 1`` grows, as in a learning-rate range test.

    >>> exponential_decay(0.1, 0.5)(3)
    0.0125
    """

    def __init__(self, lr0, rate):
        self.lr0 = V.hyper("lr0", lr0, low=0.0, low_open=True)
        self.rate = V.hyper("rate", rate, low=0.0, low_open=True)
        self._k = _k(self.lr0, self.rate)

    def _params(self):
        return {"lr0": self.lr0, "rate": self.rate}

    def _rate(self, t):
        return self.lr0 * self.rate ** t


class step_decay(Schedule):
    r"""Piecewise-constant decay :math:`\alpha_t = \alpha_0\, d^{\lfloor t / e \rfloor}`.

    ``drop`` is :math:`d > 0`, ``every`` is :math:`e`, an int >= 1: updates
    ``0 .. e-1`` use :math:`\alpha_0`, updates ``e .. 2e-1`` use :math:`\alpha_0 d`, and so on.

    >>> s = step_decay(0.1, 0.5, every=10)
    >>> s(9), s(10)
    (0.1, 0.05)
    """

    def __init__(self, lr0, drop, every):
        self.lr0 = V.hyper("lr0", lr0, low=0.0, low_open=True)
        self.drop = V.hyper("drop", drop, low=0.0, low_open=True)
        self.every = V.integer("every", every, low=1)
        self._k = _k(self.lr0, self.drop)

    def _params(self):
        return {"lr0": self.lr0, "drop": self.drop, "every": self.every}

    def _rate(self, t):
        return self.lr0 * self.drop ** (t // self.every)


class cosine_decay(Schedule):
    r"""Cosine annealing from :math:`\alpha_0` to :math:`\alpha_{\min}` over ``total`` updates:

    .. math:: \alpha_t = \alpha_{\min} + \tfrac12(\alpha_0 - \alpha_{\min})
              \big(1 + \cos(\pi \min(t, T)/T)\big),

    with :math:`T` = ``total`` (an int >= 1) and :math:`0 \le \alpha_{\min} \le \alpha_0`;
    after ``total`` updates the rate stays at ``lr_min`` (as optax's
    ``cosine_decay_schedule``; PyTorch's ``CosineAnnealingLR`` instead rises
    again past ``T_max``).

    >>> s = cosine_decay(0.1, total=100)
    >>> s(0), s(50), s(100)
    (0.1, 0.05, 0.0)
    """

    def __init__(self, lr0, total, lr_min=0.0):
        self.lr0 = V.hyper("lr0", lr0, low=0.0, low_open=True)
        self.total = V.integer("total", total, low=1)
        self.lr_min = V.hyper("lr_min", lr_min, low=0.0)
        self._k = _k(self.lr0, self.lr_min)
        if np.any(np.asarray(self.lr_min) > np.asarray(self.lr0)):
            V.fail("lr_min", "<= lr0", lr_min)

    def _params(self):
        return {"lr0": self.lr0, "total": self.total, "lr_min": self.lr_min}

    def _rate(self, t):
        frac = np.minimum(t, self.total) / self.total
        out = self.lr_min + 0.5 * (self.lr0 - self.lr_min) * (1.0 + np.cos(np.pi * frac))
        # cos(pi) is -1 only to rounding: land exactly on lr_min at the end
        return np.where(frac >= 1.0, self.lr_min + 0.0 * out, out)


class warmup(Schedule):
    r"""Linear warm-up for ``steps`` updates, then ``schedule`` with its clock restarted:

    .. math:: \alpha_t = \begin{cases} s(0)\,(t+1)/W & t < W \\ s(t - W) & t \ge W \end{cases}

    where :math:`s` is the wrapped schedule (or a constant rate) and :math:`W`
    = ``steps``, an int >= 1. The first update already moves (rate
    :math:`s(0)/W`, not 0), and the wrapped schedule starts its decay after the
    warm-up, as optax's ``join_schedules`` does.

    >>> s = warmup(0.1, steps=4)
    >>> [round(s(t), 3) for t in range(6)]
    [0.025, 0.05, 0.075, 0.1, 0.1, 0.1]
    """

    def __init__(self, schedule, steps):
        self.schedule = as_schedule(schedule, name="schedule")
        self.steps = V.integer("steps", steps, low=1)
        self._k = getattr(self.schedule, "_k", None)

    def _params(self):
        return {"schedule": self.schedule, "steps": self.steps}

    def __call__(self, t):
        t = _steps(t)
        base0 = np.asarray(self.schedule(0), dtype=float)
        if isinstance(t, int):
            out = base0 * (t + 1) / self.steps if t < self.steps else self.schedule(t - self.steps)
            return out.astype(float) if isinstance(out, np.ndarray) and out.ndim else float(out)
        after = np.asarray(self.schedule(np.maximum(t - self.steps, 0)), dtype=float)
        tt = t[..., None] if after.ndim > t.ndim else t
        ramp = base0 * (tt + 1.0) / self.steps
        return np.where(tt < self.steps, ramp, after)


def as_schedule(lr, name="lr"):
    """A schedule from a schedule, any callable of ``t``, or a number (a :class:`constant`)."""
    if isinstance(lr, Schedule) or callable(lr):
        return lr
    return constant(V.hyper(name, lr, low=0.0, low_open=True))
