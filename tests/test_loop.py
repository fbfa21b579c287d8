"""minimize: recording, stopping rules, divergence, batched runs, minibatches, convergence."""

import warnings

import numpy as np
import pytest

import gdcore as gd

from .conftest import ALL_OPTIMIZERS, SOURCE_X, SOURCE_Y

TH0 = np.array([1.764052345967664, 0.4001572083672233])   # np.random.seed(0); randn(2), the source's start


def test_history_shapes_and_contents(source_problem):
    h = gd.minimize(source_problem, gd.GradientDescent(lr=0.01), TH0, iterations=50)
    assert h.path.shape == (51, 2) and h.loss.shape == (51,)
    assert h.lr.shape == (50,) and h.grad_norm.shape == (50,)
    assert h.iterations == 50 and h.status == "max_iterations"
    assert np.array_equal(h.path[0], TH0) and np.array_equal(h.theta, h.path[-1])
    for t in (0, 17, 50):
        assert np.isclose(h.loss[t], source_problem.loss(h.path[t]), rtol=1e-14)
    for t in (0, 17, 49):
        assert np.isclose(h.grad_norm[t], np.linalg.norm(source_problem.grad(h.path[t])), rtol=1e-12)
    assert np.all(h.lr == 0.01)


def test_minimize_matches_a_hand_written_loop(source_problem):
    theta = TH0.copy()
    for _ in range(1000):
        theta = theta - 0.01 * SOURCE_X.T @ (SOURCE_X @ theta - SOURCE_Y) / 4
    h = gd.minimize(source_problem, gd.GradientDescent(lr=0.01), TH0, iterations=1000)
    assert np.allclose(h.theta, theta, rtol=1e-12)
    # the book's claim: the source's settings only reach about (1.43, 0.68)
    assert np.allclose(h.theta, [1.43, 0.68], atol=0.005)


def test_theta0_is_not_modified(source_problem):
    th0 = TH0.copy()
    gd.minimize(source_problem, gd.Adam(lr=0.1), th0, iterations=10)
    assert np.array_equal(th0, TH0)


def test_gd_diverges_just_above_2_over_L_and_converges_just_below(source_problem):
    L = source_problem.smoothness()
    assert round(source_problem.condition_number()) == 351
    with warnings.catch_warnings():
        warnings.simplefilter("error")            # divergence must not warn
        above = gd.minimize(source_problem, gd.GradientDescent(lr=1.01 * 2 / L), TH0, iterations=100_000)
        below = gd.minimize(source_problem, gd.GradientDescent(lr=0.99 * 2 / L), TH0, iterations=100_000,
                            grad_tol=1e-9)
    assert above.status == "diverged" and above.iterations < 100_000
    assert below.status == "converged" and np.allclose(below.theta, [1, 1], atol=1e-6)


@pytest.mark.parametrize("lr", [0.1, 1.0, 1e3, 1e150])
def test_divergence_is_reported_without_warnings(source_problem, lr):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        h = gd.minimize(source_problem, gd.GradientDescent(lr=lr), TH0, iterations=5000)
    assert h.status == "diverged"
    assert h.iterations == len(h.loss) - 1
    assert not h.loss[-1] <= gd.DIVERGENCE_FACTOR * (h.loss[0] + 1)
    assert np.all(np.isfinite(h.loss[:-1]))


def test_grad_tol_stops_before_the_update(source_problem):
    h = gd.minimize(source_problem, gd.Momentum(lr=0.05, beta=0.9), TH0, iterations=100_000, grad_tol=1e-6)
    assert h.status == "converged"
    assert np.linalg.norm(source_problem.grad(h.theta)) <= 1e-6
    assert np.all(h.grad_norm > 1e-6)          # every update was taken at a larger gradient
    assert np.array_equal(h.theta, h.path[-1])
    # already converged at the start: zero updates
    h0 = gd.minimize(source_problem, gd.GradientDescent(0.01), np.ones(2), iterations=10, grad_tol=1e-12)
    assert h0.iterations == 0 and h0.status == "converged" and h0.path.shape == (1, 2)


def test_loss_tol_stops_when_an_update_changes_little(source_problem):
    h = gd.minimize(source_problem, gd.GradientDescent(lr=0.01), TH0, iterations=100_000, loss_tol=1e-9)
    assert h.status == "converged"
    assert abs(h.loss[-1] - h.loss[-2]) <= 1e-9
    assert np.all(np.abs(np.diff(h.loss[:-1])) > 1e-9)


def test_zero_iterations(source_problem):
    h = gd.minimize(source_problem, gd.Adam(), TH0, iterations=0)
    assert h.iterations == 0 and h.status == "max_iterations" and h.path.shape == (1, 2)
    hb = gd.minimize(source_problem, gd.Adam(lr=[0.1, 0.2]), np.tile(TH0, (2, 1)), iterations=0)
    assert hb.path.shape == (1, 2, 2) and list(hb.iterations) == [0, 0]


# -- convergence of every optimizer --------------------------------------------------------

CONVERGENCE_SETTINGS = {
    # name: (optimizer on the ill-conditioned quadratic, on Rosenbrock, iterations)
    "gd": (gd.GradientDescent(lr=0.009), gd.GradientDescent(lr=0.001), 60_000),
    "momentum-ema": (gd.Momentum(lr=0.05, beta=0.9), gd.Momentum(lr=0.002, beta=0.9), 20_000),
    "momentum-hb": (gd.Momentum(lr=0.005, beta=0.9, form="heavy_ball"),
                    gd.Momentum(lr=0.0002, beta=0.9, form="heavy_ball"), 20_000),
    "nesterov-hb": (gd.Momentum(lr=0.005, beta=0.9, form="heavy_ball", nesterov=True),
                    gd.Momentum(lr=0.0002, beta=0.9, form="heavy_ball", nesterov=True), 20_000),
    "rmsprop": (gd.RMSprop(lr=gd.schedules.time_decay(0.01, 0.01)), gd.RMSprop(lr=gd.schedules.time_decay(0.01, 0.01)), 60_000),
    "adagrad": (gd.Adagrad(lr=0.5), gd.Adagrad(lr=0.5), 60_000),
    "adam": (gd.Adam(lr=gd.schedules.time_decay(0.05, 0.001)), gd.Adam(lr=gd.schedules.time_decay(0.02, 0.001)), 60_000),
}


@pytest.mark.parametrize("name", list(CONVERGENCE_SETTINGS))
def test_reaches_optimum_of_ill_conditioned_quadratic(name):
    q = gd.Quadratic(np.diag([1.0, 100.0]) @ np.eye(2), b=[1.0, 2.0])     # kappa = 100
    opt, _, T = CONVERGENCE_SETTINGS[name]
    h = gd.minimize(q, opt, np.array([-3.0, 3.0]), iterations=T, grad_tol=1e-8)
    assert h.status in ("converged", "max_iterations")
    assert np.allclose(h.theta, q.solution(), atol=1e-5), (name, h)


@pytest.mark.parametrize("name", list(CONVERGENCE_SETTINGS))
def test_reaches_rosenbrock_minimum(name):
    r = gd.Rosenbrock()
    _, opt, T = CONVERGENCE_SETTINGS[name]
    h = gd.minimize(r, opt, np.array([-1.2, 1.0]), iterations=4 * T, grad_tol=1e-8)
    assert np.allclose(h.theta, [1.0, 1.0], atol=2e-3), (name, h)


@pytest.mark.parametrize("make", ALL_OPTIMIZERS)
def test_linear_regression_matches_lstsq(make):
    rng = np.random.default_rng(5)
    X = rng.normal(size=(200, 4))
    y = X @ np.array([1.0, -2.0, 0.5, 3.0]) + 0.1 * rng.normal(size=200)
    p = gd.LinearRegression(X, y, fit_intercept=True)
    opt = make()
    kw = {h: getattr(opt, h) for h in opt._hypers}
    if isinstance(opt, gd.Momentum):
        kw.update(form=opt.form, nesterov=opt.nesterov)
    if isinstance(opt, (gd.RMSprop, gd.Adam)):
        # with a constant rate these hover at a distance ~lr from the optimum: decay it
        opt = type(opt)(lr=gd.schedules.time_decay(opt.lr, 0.002), **kw)
    elif isinstance(opt, gd.Adagrad):
        opt = gd.Adagrad(lr=1.0)               # Adagrad decays its own rate like 1/sqrt(t)
    h = gd.minimize(p, opt, np.zeros(5), iterations=30_000, grad_tol=1e-9)
    ref = np.linalg.lstsq(p.X, y, rcond=None)[0]
    tol = 2e-3 if isinstance(opt, gd.AdamW) else 1e-4     # AdamW's decay pulls towards 0 by design
    assert np.allclose(h.theta, ref, atol=tol), h


# -- batched runs ----------------------------------------------------------------------------

@pytest.mark.parametrize("make", ALL_OPTIMIZERS)
def test_batched_rows_equal_single_runs(source_problem, make):
    base = make()
    lrs = np.array([0.001, 0.01, 0.08, 0.5])       # the last diverges for the fast methods
    kw = {h: getattr(base, h) for h in base._hypers}
    if isinstance(base, gd.Momentum):
        kw.update(form=base.form, nesterov=base.nesterov)
    # A decaying rate keeps every method contractive, so rounding differences between the
    # batched (matrix-matrix) and single (matrix-vector) products stay at rounding level;
    # at a constant rate RMSprop hovers near the optimum and amplifies them.
    sched = gd.schedules.time_decay(lrs, 0.05)
    hb = gd.minimize(source_problem, type(base)(lr=sched, **kw), np.tile(TH0, (4, 1)), iterations=400,
                     loss_tol=1e-12)
    assert hb.loss.shape[1] == 4 and hb.path.shape[1:] == (4, 2)
    for i, lr in enumerate(lrs):
        h = gd.minimize(source_problem, type(base)(lr=gd.schedules.time_decay(lr, 0.05), **kw), TH0,
                        iterations=400, loss_tol=1e-12)
        assert hb.status[i] == h.status and hb.iterations[i] == h.iterations
        row = hb.row(i)
        # gemm and gemv may round differently in the last bits (1e-16). RMSprop near the
        # optimum takes sign-like steps that amplify such differences exponentially (its
        # iterates depend sensitively on rounding), so it is compared over its first 50 steps.
        w = 51 if isinstance(base, gd.RMSprop) else None
        assert np.allclose(row.path[:w], h.path[:w], rtol=1e-9, atol=1e-12, equal_nan=True)
        assert np.allclose(row.loss[:w], h.loss[:w], rtol=1e-9, atol=1e-12, equal_nan=True)
        assert np.allclose(row.lr, h.lr) and np.allclose(row.grad_norm[:w], h.grad_norm[:w], rtol=1e-9)
        # a stopped row is frozen: it repeats its last values
        T = h.iterations
        assert np.all(hb.path[T:, i] == hb.path[T, i])
        assert np.all(hb.loss[T:, i] == hb.loss[T, i])


def test_batched_rows_stop_on_their_own(source_problem):
    lrs = np.array([0.01, 0.05, 0.2])
    h = gd.minimize(source_problem, gd.GradientDescent(lr=lrs), np.tile(TH0, (3, 1)), iterations=20_000,
                    grad_tol=1e-7)
    assert list(h.status) == ["max_iterations", "converged", "diverged"]
    assert h.iterations[1] < 20_000 and h.iterations[2] < h.iterations[1]


def test_batched_with_schedule_arrays_and_several_starts(source_problem):
    sched = gd.schedules.time_decay(np.array([0.01, 0.05]), 0.01)
    h = gd.minimize(source_problem, gd.GradientDescent(lr=sched), np.tile(TH0, (2, 1)), iterations=50)
    assert h.lr.shape == (50, 2) and np.isclose(h.lr[10, 1], 0.05 / 1.1)
    starts = np.array([[0.0, 0.0], [2.0, -1.0], [5.0, 5.0]])
    h2 = gd.minimize(source_problem, gd.GradientDescent(lr=0.05), starts, iterations=30)
    for i in range(3):
        assert np.allclose(h2.row(i).path, gd.minimize(source_problem, gd.GradientDescent(0.05), starts[i],
                                                       iterations=30).path, rtol=1e-12)


# -- minibatches and determinism ---------------------------------------------------------

def _noisy_problem():
    rng = np.random.default_rng(7)
    X = rng.normal(size=(103, 3))
    return gd.LinearRegression(X, X @ [1.0, 2.0, 3.0] + rng.normal(size=103))


def test_seeded_minibatch_runs_are_bit_identical():
    p = _noisy_problem()
    opt = gd.Adam(lr=0.05)
    a = gd.minimize(p, opt, np.zeros(3), iterations=300, batch_size=10, seed=3)
    b = gd.minimize(p, opt, np.zeros(3), iterations=300, batch_size=10, seed=3)
    c = gd.minimize(p, opt, np.zeros(3), iterations=300, batch_size=10, seed=4)
    assert np.array_equal(a.path, b.path) and np.array_equal(a.loss, b.loss)
    assert not np.array_equal(a.path, c.path)


def test_minibatches_are_shuffled_epochs():
    p = _noisy_problem()
    # 103 rows in batches of 10: epochs of 11 steps (the last batch has 3 rows)
    h = gd.minimize(p, gd.GradientDescent(0.01), np.zeros(3), iterations=11, batch_size=10, seed=0)
    rng = np.random.default_rng(0)
    perm = rng.permutation(103)
    theta = np.zeros(3)
    for i in range(11):
        idx = perm[10 * i:10 * i + 10]
        theta = theta - 0.01 * p.grad(theta, idx)
    assert np.allclose(h.theta, theta, rtol=1e-13)
    # a full-batch "minibatch" run equals the full-batch run
    full = gd.minimize(p, gd.GradientDescent(0.01), np.zeros(3), iterations=20)
    mb = gd.minimize(p, gd.GradientDescent(0.01), np.zeros(3), iterations=20, batch_size=103)
    assert np.allclose(full.path, mb.path, rtol=1e-12)


def test_sgd_with_decay_gets_close():
    p = _noisy_problem()
    h = gd.minimize(p, gd.GradientDescent(lr=gd.schedules.time_decay(0.1, 0.01)), np.zeros(3),
                    iterations=5000, batch_size=8, seed=0)
    assert np.allclose(h.theta, p.solution(), atol=0.05)


def test_batched_minibatch_rows_equal_single_runs():
    p = _noisy_problem()
    lrs = np.array([0.01, 0.1])
    hb = gd.minimize(p, gd.Momentum(lr=lrs), np.zeros((2, 3)), iterations=200, batch_size=16, seed=9)
    for i, lr in enumerate(lrs):
        h = gd.minimize(p, gd.Momentum(lr=lr), np.zeros(3), iterations=200, batch_size=16, seed=9)
        assert np.allclose(hb.row(i).path, h.path, rtol=1e-10, atol=1e-13)


def test_repr_and_final_loss(source_problem):
    h = gd.minimize(source_problem, gd.GradientDescent(0.01), TH0, iterations=3)
    assert "max_iterations after 3 iterations" in repr(h) and isinstance(h.final_loss, float)
    hb = gd.minimize(source_problem, gd.GradientDescent([0.01, 1.0]), np.tile(TH0, (2, 1)), iterations=300)
    assert "'diverged': 1" in repr(hb)
    with pytest.raises(ValueError, match="batched"):
        h.row(0)
