import numpy as np
import pytest

import gdcore as gd

from .conftest import SOURCE_X, SOURCE_Y


def random_problems():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(30, 4))
    y = rng.normal(size=30)
    yb = (rng.random(30) < 0.5).astype(float)
    M = rng.normal(size=(4, 4))
    return [
        gd.LinearRegression(X, y),
        gd.LinearRegression(X, y, fit_intercept=True),
        gd.Quadratic(M @ M.T + np.eye(4), rng.normal(size=4)),
        gd.Rosenbrock(),
        gd.Rosenbrock(a=-0.5, b=10.0),
        gd.LogisticRegression(X, yb, l2=0.1),
    ]


@pytest.mark.parametrize("p", random_problems(), ids=repr)
def test_gradients_match_central_differences(p):
    rng = np.random.default_rng(2)
    for _ in range(3):
        theta = rng.normal(size=p.dim)
        # central differences with h = 1e-6 are accurate to ~1e-8 relative here
        assert gd.check_grad(p, theta) < 1e-6


@pytest.mark.parametrize("p", random_problems(), ids=repr)
def test_batch_of_thetas_matches_rows(p):
    rng = np.random.default_rng(3)
    thetas = rng.normal(size=(5, p.dim))
    L, G = p.loss(thetas), p.grad(thetas)
    assert L.shape == (5,) and G.shape == (5, p.dim)
    for i in range(5):
        # BLAS may sum in another order for a matrix than for a vector: allow rounding
        assert np.isclose(L[i], p.loss(thetas[i]), rtol=1e-12, atol=1e-14)
        assert np.allclose(G[i], p.grad(thetas[i]), rtol=1e-12, atol=1e-14)
        Li, Gi = p.loss_and_grad(thetas[i])
        assert np.isclose(Li, L[i], rtol=1e-12, atol=1e-14) and np.allclose(Gi, G[i], rtol=1e-12, atol=1e-14)


def test_source_problem_facts(source_problem):
    p = source_problem
    assert np.allclose(p.solution(), [1.0, 1.0])
    assert p.loss(np.array([1.0, 1.0])) == 0.0
    L, mu = p.smoothness(), p.strong_convexity()
    assert np.isclose(L, np.linalg.eigvalsh(SOURCE_X.T @ SOURCE_X / 4)[-1])
    assert round(p.condition_number()) == 351
    assert abs(2 / L - 0.0955) < 5e-5
    assert np.isclose(mu, 0.0597, atol=1e-4)


def test_linear_regression_formulas():
    rng = np.random.default_rng(4)
    X, y = rng.normal(size=(20, 3)), rng.normal(size=20)
    p = gd.LinearRegression(X, y)
    th = rng.normal(size=3)
    r = X @ th - y
    assert np.isclose(p.loss(th), r @ r / 40)
    assert np.allclose(p.grad(th), X.T @ r / 20)
    idx = np.array([3, 7, 11])
    assert np.allclose(p.grad(th, idx), X[idx].T @ (X[idx] @ th - y[idx]) / 3)
    assert np.allclose(p.solution(), np.linalg.lstsq(X, y, rcond=None)[0])
    assert np.allclose(p.hessian(), X.T @ X / 20)


def test_column_target_is_flattened_not_broadcast():
    p_col = gd.LinearRegression(SOURCE_X, SOURCE_Y[:, None])
    p_flat = gd.LinearRegression(SOURCE_X, SOURCE_Y)
    th = np.array([0.3, -0.2])
    assert p_col.loss(th) == p_flat.loss(th)
    assert p_col.grad(th).shape == (2,)


def test_intercept_column():
    x = np.arange(5.0)[:, None]
    p = gd.LinearRegression(x, 2 + 3 * x[:, 0], fit_intercept=True)
    assert p.dim == 2 and np.allclose(p.solution(), [2, 3])


def test_quadratic_and_rosenbrock_optima():
    q = gd.Quadratic(np.diag([1.0, 10.0]), [1.0, 1.0])
    assert np.allclose(q.solution(), [1.0, 0.1])
    assert np.allclose(q.grad(q.solution()), 0)
    assert (q.smoothness(), q.strong_convexity(), q.condition_number()) == (10.0, 1.0, 10.0)
    r = gd.Rosenbrock(a=2.0, b=5.0)
    assert np.allclose(r.solution(), [2.0, 4.0]) and r.loss(r.solution()) == 0.0
    assert np.allclose(r.grad(r.solution()), 0)


def test_logistic_loss_is_stable_for_huge_margins():
    X = np.array([[1000.0], [-1000.0]])
    p = gd.LogisticRegression(X, [1, 0])
    assert np.isfinite(p.loss(np.array([5.0])))
    assert p.loss(np.array([5.0])) < 1e-300 + 1e-12
    assert np.isclose(p.loss(np.array([-5.0])), 5000.0)
    assert np.all(np.isfinite(p.grad(np.array([-5.0]))))
