r"""Optimizers: hyperparameters fixed at construction, state explicit, ``step`` pure.

Every optimizer follows one protocol (the shape of optax's transformations)::

    state = opt.init(theta)                        # zeros, and the update count t = 0
    theta, state = opt.step(theta, grad, state)    # new arrays; inputs untouched

``state`` is a small named tuple whose fields are named after the symbols of
the book's equations (``v`` velocity or first moment, ``s`` running mean of
squared gradients, ``t`` the number of updates made so far). ``lr`` is a
positive number or a schedule (any callable of the 0-based update number
``t``, see :mod:`gdcore.schedules`); update ``t`` uses ``lr(t)``.

Batched runs: hyperparameters may be 1-D arrays of length ``k``; then
``theta`` must have shape ``(k, n)`` and row ``i`` uses entry ``i``.

Conventions across libraries are noted in each class; the book's appendix
tabulates them.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import _validation as V
from .schedules import Schedule, as_schedule

__all__ = ["Optimizer", "GradientDescent", "Momentum", "RMSprop", "Adagrad", "Adam", "AdamW",
           "GDState", "MomentumState", "RMSpropState", "AdagradState", "AdamState", "OPTIMIZERS"]


class GDState(NamedTuple):
    t: int


class MomentumState(NamedTuple):
    v: np.ndarray
    t: int


class RMSpropState(NamedTuple):
    s: np.ndarray
    t: int


class AdagradState(NamedTuple):
    s: np.ndarray
    t: int


class AdamState(NamedTuple):
    v: np.ndarray
    s: np.ndarray
    t: int


def _col(value):
    """A batched hyperparameter (k,) as a column (k, 1) so it scales rows of (k, n)."""
    if isinstance(value, np.ndarray):
        return value[:, None] if value.ndim == 1 else float(value)
    return value


class Optimizer:
    """Base class. Subclasses define ``State``, ``_hypers`` and ``_update``.

    ``_update(theta, g, moments, lr, t)`` is the update rule itself: it takes
    the moment arrays as a tuple (``()`` for plain gradient descent), the
    rate as a float or a (k, 1) column, and returns ``(theta, moments)``.
    :func:`gdcore.minimize` calls it directly after validating once.
    """

    State: type = GDState
    _hypers: tuple = ()

    def __init__(self, lr):
        if isinstance(lr, Schedule) or callable(lr):
            self.lr = lr
            self._lr_const = None
            self._lr_k = getattr(lr, "_k", None)
        else:
            self.lr = V.hyper("lr", lr, low=0.0, low_open=True)
            self._lr_const = self.lr
            self._lr_k = self.lr.shape[0] if isinstance(self.lr, np.ndarray) else None

    # -- batch bookkeeping -------------------------------------------------
    @property
    def k(self):
        """Number of batched configurations (None when every hyperparameter is a scalar)."""
        ks = {getattr(self, h).shape[0] for h in self._hypers if isinstance(getattr(self, h), np.ndarray)}
        if self._lr_k is not None:
            ks.add(self._lr_k)
        if len(ks) > 1:
            raise ValueError(f"hyperparameters given as arrays must share one length k; got lengths {sorted(ks)}.")
        return ks.pop() if ks else None

    def _check_k(self):
        return self.k  # raises on mismatched lengths

    def __repr__(self):
        def show(v):
            if isinstance(v, np.ndarray):
                return f"array(k={v.shape[0]})"
            if isinstance(v, float):
                return f"{v:g}"
            return repr(v)
        args = ", ".join(f"{h}={show(getattr(self, h))}" for h in ("lr",) + self._hypers)
        return f"{type(self).__name__}({args})"

    @property
    def label(self):
        """A short name for legends: the class and its scalar hyperparameters."""
        return repr(self)

    # -- the protocol ------------------------------------------------------
    def _zeros(self, theta):
        return tuple(np.zeros_like(theta) for _ in self.State._fields[:-1])

    def init(self, theta):
        """State for ``theta``: every accumulator zero (never random), ``t = 0``."""
        theta = np.asarray(theta, dtype=float)
        self._check_theta(theta)
        return self.State(*self._zeros(theta), 0)

    def _check_theta(self, theta, name="theta"):
        k = self._check_k()
        if theta.ndim not in (1, 2) or theta.size == 0:
            V.fail(name, "an array of shape (n,) or (k, n)", theta)
        if k is not None and (theta.ndim != 2 or theta.shape[0] != k):
            V.fail(name, f"of shape ({k}, n): the hyperparameters hold {k} batched values", theta)

    def lr_at(self, t):
        """The rate update ``t`` uses: a float, or a (k,) array for batched rates."""
        if self._lr_const is not None:
            return self._lr_const
        value = self.lr(t)
        arr = np.asarray(value, dtype=float)
        if not np.all(np.isfinite(arr)) or np.any(arr < 0):
            V.fail("lr", f"a schedule returning finite rates >= 0 (at t={t})", value)
        return value

    def step(self, theta, grad, state):
        """One update: returns ``(new_theta, new_state)``; the inputs are not modified."""
        theta = np.asarray(theta, dtype=float)
        grad = np.asarray(grad, dtype=float)
        self._check_theta(theta)
        if grad.shape != theta.shape:
            V.fail("grad", f"of the same shape as theta {theta.shape}", grad)
        if not isinstance(state, self.State):
            V.fail("state", f"a {self.State.__name__} from {type(self).__name__}.init", state, TypeError)
        for name, arr in zip(state._fields[:-1], state[:-1]):
            if np.shape(arr) != theta.shape:
                V.fail(f"state.{name}", f"of the same shape as theta {theta.shape}", arr)
        t = V.integer("state.t", state.t, low=0)
        lr = _col(np.asarray(self.lr_at(t), dtype=float)) if self._lr_const is None else _col(self.lr)
        with np.errstate(all="ignore"):
            new_theta, moments = self._update(theta, grad, tuple(state[:-1]), lr, t)
        return new_theta, self.State(*moments, t + 1)

    def _update(self, theta, g, moments, lr, t):  # pragma: no cover
        raise NotImplementedError


class GradientDescent(Optimizer):
    r"""Gradient descent, the source's eq. (3.1): :math:`\theta_{t+1} = \theta_t - \alpha_t \nabla J(\theta_t)`.

    No state beyond the count ``t``. With a minibatch gradient this is SGD.
    Equals PyTorch's ``SGD(lr)`` with ``momentum=0``, optax's ``sgd``.

    >>> import numpy as np
    >>> opt = GradientDescent(lr=0.1)
    >>> theta, state = opt.step(np.array([1.0]), np.array([2.0]), opt.init(np.array([1.0])))
    >>> theta
    array([0.8])
    """

    State = GDState

    def __init__(self, lr=0.01):
        super().__init__(lr)

    def _update(self, theta, g, moments, lr, t):
        return theta - lr * g, moments                            # (3.1)


class Momentum(Optimizer):
    r"""Momentum, in the source's EMA form or the heavy-ball form.

    ``form="ema"`` (the source's eq. 3.3, an exponential moving average of gradients)::

        v     = beta * v + (1 - beta) * g
        theta = theta - lr * v

    ``form="heavy_ball"`` (Polyak 1964; a plain trace, PyTorch's ``SGD(momentum=beta)``
    with ``dampening=0``, optax's ``sgd(momentum=beta)``)::

        v     = beta * v + g
        theta = theta - lr * v

    The two produce identical iterates when the heavy-ball rate is
    ``lr * (1 - beta)``: the EMA velocity is ``(1 - beta)`` times the trace.
    Keras' ``SGD(momentum)`` keeps ``v = beta v - lr g`` (the rate inside the
    velocity), which matches heavy ball for a constant rate but not when the
    rate changes.

    ``nesterov=True`` steps along ``g + beta v`` (heavy ball) or
    ``(1 - beta) g + beta v`` (EMA) after updating ``v``: PyTorch's and optax's
    Nesterov form, a look-ahead written without evaluating the gradient
    elsewhere (Sutskever et al. 2013).

    ``v`` starts at zero (the source's text says random; a random start adds a
    push in an arbitrary direction). ``beta`` in [0, 1); ``beta = 0`` is
    gradient descent.
    """

    State = MomentumState
    _hypers = ("beta",)

    def __init__(self, lr=0.1, beta=0.9, form="ema", nesterov=False):
        super().__init__(lr)
        self.beta = V.hyper("beta", beta, low=0.0, high=1.0, high_open=True)
        if form not in ("ema", "heavy_ball"):
            V.fail("form", "'ema' or 'heavy_ball'", form)
        if not isinstance(nesterov, (bool, np.bool_)):
            V.fail("nesterov", "True or False", nesterov, TypeError)
        self.form, self.nesterov = form, bool(nesterov)
        self._b = _col(self.beta)
        self._c = 1.0 - self._b if form == "ema" else 1.0    # weight of g in v

    def __repr__(self):
        extra = f", form={self.form!r}" + (", nesterov=True" if self.nesterov else "")
        return super().__repr__()[:-1] + extra + ")"

    def _update(self, theta, g, moments, lr, t):
        (v,) = moments
        b, c = self._b, self._c
        v = b * v + c * g                                           # (3.3)
        d = c * g + b * v if self.nesterov else v
        return theta - lr * d, (v,)                                 # (3.4)


class RMSprop(Optimizer):
    r"""RMSprop (Tieleman and Hinton 2012), the source's eq. (3.5)-(3.7)::

        s     = beta * s + (1 - beta) * g**2          # EMA of squared gradients
        theta = theta - lr * g / (sqrt(s) + eps)      # eps outside the root

    Each coordinate's step is divided by the root mean square of its recent
    gradients, so steep and shallow directions move at similar speeds. There
    is no momentum term here (the source's text says there is; RMSprop with
    momentum and Adam add one). ``s`` starts at zero, so the first step has
    size about ``lr / sqrt(1 - beta)`` per coordinate.

    Conventions: PyTorch's ``RMSprop(alpha=beta, eps)`` puts eps outside the
    root as here (default ``alpha=0.99, eps=1e-8``); optax's ``rmsprop`` and
    Keras' put it inside, ``g / sqrt(s + eps)`` (defaults ``decay=0.9,
    eps=1e-8`` and ``rho=0.9, epsilon=1e-7``). Inside, eps bounds the step by
    ``|g| / sqrt(eps)``; outside, by ``|g| / eps``.
    """

    State = RMSpropState
    _hypers = ("beta", "eps")

    def __init__(self, lr=0.01, beta=0.9, eps=1e-8):
        super().__init__(lr)
        self.beta = V.hyper("beta", beta, low=0.0, high=1.0, high_open=True)
        self.eps = V.hyper("eps", eps, low=0.0, low_open=True)
        self._b, self._e = _col(self.beta), _col(self.eps)

    def _update(self, theta, g, moments, lr, t):
        (s,) = moments
        s = self._b * s + (1.0 - self._b) * (g * g)                 # (3.5)
        return theta - lr * g / (np.sqrt(s) + self._e), (s,)        # (3.6), (3.7)


class Adagrad(Optimizer):
    r"""Adagrad (Duchi, Hazan and Singer 2011): a plain trace of squared gradients::

        s     = s + g**2
        theta = theta - lr * g / (sqrt(s) + eps)

    Because ``s`` only grows, each coordinate's effective rate decays like
    ``1/sqrt(t)`` by itself: a built-in learning-rate decay (RMSprop replaces
    the trace by an EMA so the rate can recover). PyTorch's ``Adagrad`` has eps
    outside the root (default ``1e-10``) and ``s`` starting at 0 as here;
    optax's ``adagrad`` starts ``s`` at 0.1 and puts eps inside.
    """

    State = AdagradState
    _hypers = ("eps",)

    def __init__(self, lr=0.01, eps=1e-10):
        super().__init__(lr)
        self.eps = V.hyper("eps", eps, low=0.0, low_open=True)
        self._e = _col(self.eps)

    def _update(self, theta, g, moments, lr, t):
        (s,) = moments
        s = s + g * g
        return theta - lr * g / (np.sqrt(s) + self._e), (s,)


class Adam(Optimizer):
    r"""Adam (Kingma and Ba 2015): momentum on ``g`` and RMSprop's scaling, bias-corrected::

        v     = beta1 * v + (1 - beta1) * g           # EMA of gradients
        s     = beta2 * s + (1 - beta2) * g**2        # EMA of squared gradients
        v_hat = v / (1 - beta1**(t+1))                # undo the pull towards the zero start
        s_hat = s / (1 - beta2**(t+1))
        theta = theta - lr * v_hat / (sqrt(s_hat) + eps)

    ``t`` is the 0-based update number, so the first update divides by
    ``1 - beta``. eps is added after the root of the corrected moment, as in
    the paper, PyTorch and optax (``eps_root=0``); Keras adds it to the root
    of the *uncorrected* ``s`` (its "epsilon hat"), which differs slightly.
    """

    State = AdamState
    _hypers = ("beta1", "beta2", "eps")

    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        super().__init__(lr)
        self.beta1 = V.hyper("beta1", beta1, low=0.0, high=1.0, high_open=True)
        self.beta2 = V.hyper("beta2", beta2, low=0.0, high=1.0, high_open=True)
        self.eps = V.hyper("eps", eps, low=0.0, low_open=True)
        self._b1, self._b2, self._e = _col(self.beta1), _col(self.beta2), _col(self.eps)

    def _adam(self, theta, g, moments, lr, t):
        v, s = moments
        b1, b2 = self._b1, self._b2
        v = b1 * v + (1.0 - b1) * g
        s = b2 * s + (1.0 - b2) * (g * g)
        v_hat = v / (1.0 - b1 ** (t + 1))
        s_hat = s / (1.0 - b2 ** (t + 1))
        return theta - lr * v_hat / (np.sqrt(s_hat) + self._e), (v, s)

    _update = _adam


class AdamW(Adam):
    r"""AdamW (Loshchilov and Hutter 2019): Adam with decoupled weight decay::

        theta = theta - lr * weight_decay * theta     # shrink first (PyTorch's order)
        theta = Adam step from the shrunk theta, with the gradient g unchanged

    Adding ``weight_decay * theta`` to ``g`` instead (L2 regularisation) would
    pass the decay through Adam's per-coordinate scaling; decoupling keeps it a
    uniform shrink. optax's ``adamw`` adds ``weight_decay * theta`` to Adam's
    direction and then scales by the rate, which gives the same iterate.
    """

    _hypers = ("beta1", "beta2", "eps", "weight_decay")

    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
        super().__init__(lr, beta1, beta2, eps)
        self.weight_decay = V.hyper("weight_decay", weight_decay, low=0.0)
        self._wd = _col(self.weight_decay)

    def _update(self, theta, g, moments, lr, t):
        theta = theta - lr * self._wd * theta
        return self._adam(theta, g, moments, lr, t)


#: Every optimizer class, by name: the list tests and the AutoML search share.
OPTIMIZERS = {cls.__name__: cls for cls in (GradientDescent, Momentum, RMSprop, Adagrad, Adam, AdamW)}
