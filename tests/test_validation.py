"""Every public argument's allowed range, refused in one format naming the parameter."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gdcore as gd
from gdcore import schedules as S

from .conftest import SOURCE_X, SOURCE_Y

TH0 = np.zeros(2)

BAD_HYPERS = [
    # (constructor, kwargs, parameter named in the message, exception type)
    (gd.GradientDescent, {"lr": 0.0}, "lr", ValueError),
    (gd.GradientDescent, {"lr": -0.1}, "lr", ValueError),
    (gd.GradientDescent, {"lr": math.inf}, "lr", ValueError),
    (gd.GradientDescent, {"lr": math.nan}, "lr", ValueError),
    (gd.GradientDescent, {"lr": "0.1"}, "lr", TypeError),
    (gd.GradientDescent, {"lr": True}, "lr", TypeError),
    (gd.GradientDescent, {"lr": [0.1, -0.1]}, "lr", ValueError),
    (gd.GradientDescent, {"lr": [[0.1]]}, "lr", ValueError),
    (gd.GradientDescent, {"lr": []}, "lr", ValueError),
    (gd.Momentum, {"beta": 1.0}, "beta", ValueError),
    (gd.Momentum, {"beta": -0.1}, "beta", ValueError),
    (gd.Momentum, {"form": "nesterov"}, "form", ValueError),
    (gd.Momentum, {"nesterov": 1}, "nesterov", TypeError),
    (gd.RMSprop, {"beta": 1.5}, "beta", ValueError),
    (gd.RMSprop, {"eps": 0.0}, "eps", ValueError),
    (gd.Adagrad, {"eps": -1e-8}, "eps", ValueError),
    (gd.Adam, {"beta1": 1.0}, "beta1", ValueError),
    (gd.Adam, {"beta2": -0.5}, "beta2", ValueError),
    (gd.Adam, {"eps": None}, "eps", TypeError),
    (gd.AdamW, {"weight_decay": -0.01}, "weight_decay", ValueError),
]


@pytest.mark.parametrize("cls, kwargs, name, exc", BAD_HYPERS)
def test_bad_hyperparameters_are_refused(cls, kwargs, name, exc):
    with pytest.raises(exc, match=rf"^{name} must be .*; got .*\.$"):
        cls(**kwargs)


@pytest.mark.parametrize("make, name, exc", [
    (lambda: S.constant(0.0), "lr0", ValueError),
    (lambda: S.time_decay(0.1, -0.01), "decay", ValueError),
    (lambda: S.exponential_decay(0.1, 0.0), "rate", ValueError),
    (lambda: S.step_decay(0.1, 0.5, 0), "every", ValueError),
    (lambda: S.step_decay(0.1, 0.5, 2.0), "every", TypeError),
    (lambda: S.step_decay(0.1, -0.5, 2), "drop", ValueError),
    (lambda: S.cosine_decay(0.1, 0), "total", ValueError),
    (lambda: S.cosine_decay(0.1, 10, lr_min=0.2), "lr_min", ValueError),
    (lambda: S.warmup(0.1, 0), "steps", ValueError),
    (lambda: S.warmup(-0.1, 3), "schedule", ValueError),
])
def test_bad_schedule_parameters_are_refused(make, name, exc):
    with pytest.raises(exc, match=rf"^{name} must be"):
        make()


def test_schedule_returning_bad_rates_is_refused(source_problem):
    with pytest.raises(ValueError, match="lr must be a schedule"):
        gd.minimize(source_problem, gd.GradientDescent(lr=lambda t: -0.1 + 0 * t), TH0, iterations=3)
    opt = gd.GradientDescent(lr=lambda t: float("nan"))
    with pytest.raises(ValueError, match="lr must be"):
        opt.step(TH0, TH0, opt.init(TH0))


@pytest.mark.parametrize("kwargs, name, exc", [
    ({"iterations": -1}, "iterations", ValueError),
    ({"iterations": 10.0}, "iterations", TypeError),
    ({"batch_size": 0}, "batch_size", ValueError),
    ({"batch_size": 5}, "batch_size", ValueError),          # m = 4
    ({"batch_size": 2.0}, "batch_size", TypeError),
    ({"seed": -3}, "seed", ValueError),
    ({"loss_tol": -1e-3}, "loss_tol", ValueError),
    ({"grad_tol": math.nan}, "grad_tol", ValueError),
    ({"theta0": np.zeros(3)}, "theta0", ValueError),
    ({"theta0": np.zeros((2, 1))}, "theta0", ValueError),   # a column is refused, not broadcast
    ({"theta0": np.array([np.nan, 0.0])}, "theta0", ValueError),
    ({"theta0": "ab"}, "theta0", (TypeError, ValueError)),
])
def test_bad_minimize_arguments_are_refused(source_problem, kwargs, name, exc):
    args = {"theta0": TH0, **kwargs}
    theta0 = args.pop("theta0")
    with pytest.raises(exc, match=rf"^{name} must be"):
        gd.minimize(source_problem, gd.GradientDescent(0.01), theta0, **args)


def test_batch_shape_mismatches_are_refused(source_problem):
    with pytest.raises(ValueError, match=r"^theta0 must be of shape \(3, 2\)"):
        gd.minimize(source_problem, gd.GradientDescent([0.1, 0.2, 0.3]), np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"^theta0 must be of shape \(3, 2\)"):
        gd.minimize(source_problem, gd.GradientDescent([0.1, 0.2, 0.3]), np.zeros(2))
    with pytest.raises(ValueError, match="share one length"):
        gd.Momentum(lr=[0.1, 0.2], beta=[0.1, 0.2, 0.3]).k
    with pytest.raises(ValueError, match="batch_size must be None"):
        gd.minimize(gd.Rosenbrock(), gd.GradientDescent(0.01), TH0, batch_size=2)
    with pytest.raises(TypeError, match="problem must be"):
        gd.minimize("problem", gd.GradientDescent(0.01), TH0)
    with pytest.raises(TypeError, match="optimizer must be"):
        gd.minimize(source_problem, "sgd", TH0)


def test_step_refuses_mismatched_shapes():
    opt = gd.Momentum()
    state = opt.init(TH0)
    with pytest.raises(ValueError, match=r"^grad must be of the same shape as theta \(2,\)"):
        opt.step(TH0, np.zeros((2, 1)), state)
    with pytest.raises(ValueError, match=r"^state\.v must be of the same shape"):
        opt.step(np.zeros(3), np.zeros(3), state)
    with pytest.raises(TypeError, match="^state must be a MomentumState"):
        opt.step(TH0, TH0, gd.RMSprop().init(TH0))
    with pytest.raises(ValueError, match=r"^theta must be of shape \(2, n\)"):
        gd.Adam(lr=[0.1, 0.2]).init(np.zeros(3))


@pytest.mark.parametrize("make, name", [
    (lambda: gd.LinearRegression(np.zeros((4, 2)), np.zeros(3)), "y"),
    (lambda: gd.LinearRegression(np.zeros((4, 2)), np.zeros((4, 2))), "y"),
    (lambda: gd.LinearRegression(np.zeros(4), np.zeros(4)), "X"),
    (lambda: gd.LinearRegression(np.array([[np.inf, 1.0]]), np.zeros(1)), "X"),
    (lambda: gd.LinearRegression(np.zeros((2, 2)), [np.nan, 1.0]), "y"),
    (lambda: gd.LinearRegression(np.zeros((2, 2)), np.zeros(2), fit_intercept=1), "fit_intercept"),
    (lambda: gd.Quadratic(np.array([[1.0, 2.0], [0.0, 1.0]])), "A"),
    (lambda: gd.Quadratic(np.ones((2, 3))), "A"),
    (lambda: gd.Quadratic(np.eye(2), b=[1.0]), "b"),
    (lambda: gd.Rosenbrock(b=0.0), "b"),
    (lambda: gd.LogisticRegression(np.eye(2), [0, 2]), "y"),
    (lambda: gd.LogisticRegression(np.eye(2), [0, 1], l2=-1.0), "l2"),
])
def test_bad_problems_are_refused(make, name):
    with pytest.raises((ValueError, TypeError), match=rf"^{name} must be"):
        make()


def test_problem_methods_validate(source_problem):
    with pytest.raises(ValueError, match=r"^theta must be of shape \(2,\) or \(k, 2\)"):
        source_problem.loss(np.zeros((2, 1)))
    with pytest.raises(ValueError, match=r"^idx must be row indices in \[0, 3\]"):
        source_problem.grad(TH0, np.array([0, 4]))
    with pytest.raises(TypeError, match="^idx must be"):
        source_problem.grad(TH0, np.array([0.5]))


def test_the_source_broadcast_cannot_happen():
    # The source's listing: y (4,) beside theta (2, 1) makes an (4, 4) residual. Here a
    # (4, 1) target is flattened, and a (2, 1) theta is refused with a clear message.
    p = gd.LinearRegression(SOURCE_X, SOURCE_Y.reshape(4, 1))
    assert p.grad(np.zeros(2)).shape == (2,)
    with pytest.raises(ValueError, match=r"got array"):
        p.grad(np.zeros((2, 1)))


# -- property tests -------------------------------------------------------------------------

@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 6), frac=st.floats(0.01, 0.99),
       cond=st.floats(1.0, 1e4))
def test_gd_below_2_over_L_never_increases_the_loss(seed, n, frac, cond):
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.normal(size=(n, n)))
    eig = np.geomspace(1.0, cond, n) * rng.uniform(0.1, 10)
    q = gd.Quadratic((Q * eig) @ Q.T, rng.normal(size=n))
    lr = frac * 2 / q.smoothness()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        h = gd.minimize(q, gd.GradientDescent(lr=lr), rng.normal(size=n) * 10, iterations=50)
    assert h.status != "diverged"
    # monotone up to rounding of the loss values themselves
    scale = np.abs(h.loss).max() + 1.0
    assert np.all(np.diff(h.loss) <= 1e-12 * scale)


bad_reals = st.one_of(st.floats(max_value=0.0), st.just(math.nan), st.just(math.inf), st.just(-math.inf))


@settings(max_examples=80, deadline=None)
@given(lr=bad_reals, beta=st.one_of(st.floats(min_value=1.0), st.floats(max_value=-1e-300)),
       which=st.sampled_from(["lr", "beta", "eps"]))
def test_random_bad_hyperparameters_are_always_refused(lr, beta, which):
    kwargs = {"lr": lr} if which == "lr" else {"beta": beta} if which == "beta" else {"eps": lr}
    for cls in (gd.RMSprop, gd.Momentum):
        if which == "eps" and cls is gd.Momentum:
            continue
        with pytest.raises(ValueError, match=rf"^{which} must be"):
            cls(**kwargs)
    if which == "beta":
        with pytest.raises(ValueError, match="^beta1 must be"):
            gd.Adam(beta1=beta)
