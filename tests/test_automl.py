"""AutoML: the search finds what a designed problem says it should, cheaply, reproducibly, anywhere."""

import concurrent.futures as cf

import numpy as np
import pytest

import gdcore as gd
from gdcore import automl

# A designed problem: a rotated quadratic with kappa = 1000 (not axis-aligned, so per-coordinate
# scaling does not solve it), whose initial error lies mostly along the flat directions
# (weights 1, 0.3, 0.1, 0.03 from flattest to steepest). Within a few hundred updates plain
# gradient descent, held below 2/L by the steepest curvature, barely moves along the flattest
# direction, while well-tuned momentum contracts it at about 1 - 1/sqrt(kappa) per step. With
# the error mostly in the slow directions, early progress predicts late progress: the premise
# of successive halving (a problem whose error starts in the steep directions makes
# aggressive settings late bloomers, and halving can then drop the eventual winner).
_U = np.linalg.qr(np.random.default_rng(0).normal(size=(4, 4)))[0]
_A = (_U * np.geomspace(1.0, 1000.0, 4)) @ _U.T
Q = gd.Quadratic(_A, b=_A @ (_U @ (10 * np.array([1.0, 0.3, 0.1, 0.03]))))
TH0 = np.zeros(4)
SPACE = {
    "GradientDescent": {"lr": [1e-4, 3e-4, 1e-3, 1.9e-3]},
    "Momentum": {"lr": [3e-3, 1e-2, 3e-2, 0.1], "beta": [0.5, 0.8, 0.9, 0.95], "form": ["ema"]},
    "Adam": {"lr": [0.01, 0.03, 0.1, 0.3]},
}


def _summary(res):
    return [(t.optimizer, sorted(t.params.items()), t.valid_loss, t.iterations, t.status, t.rung)
            for t in res.trials]


def test_grid_search_picks_the_right_family():
    res = automl.search(Q, Q, SPACE, method="grid", iterations=243)
    assert len(res.trials) == 4 + 16 + 4
    assert res.best.optimizer == "Momentum"
    f_star = Q.loss(Q.solution())
    gap = {name: min(t.valid_loss for t in res.trials if t.optimizer == name) - f_star for name in SPACE}
    assert gap["Momentum"] < 1e-6 and gap["GradientDescent"] > 1.0      # GD is far from done
    # the too-large steps are recorded as diverged, not fatal
    assert any(t.status == "diverged" and t.valid_loss == np.inf for t in res.trials)
    assert "Momentum" in res.table(top=3).splitlines()[1]


def test_grid_trials_equal_single_runs():
    res = automl.search(Q, Q, SPACE, method="grid", iterations=243)
    for t in res.trials[:3] + res.trials[-3:]:
        h = gd.minimize(Q, t.make(), TH0, iterations=243)
        assert t.status == h.status and t.iterations == h.iterations
        if np.isfinite(t.valid_loss):
            assert np.isclose(t.valid_loss, Q.loss(h.theta), rtol=1e-9, atol=1e-12)


def test_halving_finds_the_grid_winner_for_fewer_iterations():
    grid = automl.search(Q, Q, SPACE, method="grid", iterations=243)
    halving = automl.search(Q, Q, SPACE, method="halving", iterations=243, eta=3, min_iterations=9)
    assert halving.best.optimizer == grid.best.optimizer == "Momentum"
    assert halving.best.params == grid.best.params
    assert halving.best.iterations == 243
    assert halving.total_iterations < grid.total_iterations / 4
    assert sorted({t.rung for t in halving.trials}) == [0, 1, 2, 3]          # 9, 27, 81, 243 updates
    assert [sum(t.rung == r for t in halving.trials) for r in range(4)] == [24, 8, 2, 1]


def test_random_and_hyperband_with_distributions_and_schedules():
    space = {
        "GradientDescent": {"lr": automl.loguniform(1e-4, 3e-3)},
        "Momentum": {"lr": automl.loguniform(1e-3, 0.3), "beta": automl.uniform(0.5, 0.99)},
        "Adam": {"lr": automl.loguniform(1e-3, 1.0), "schedule": ["constant", "time_decay"],
                 "decay": automl.loguniform(1e-4, 1e-1)},
    }
    rnd = automl.search(Q, Q, space, method="random", n_trials=40, iterations=300, seed=1)
    assert len(rnd.trials) == 40 and rnd.best.optimizer in ("Momentum", "Adam")
    assert {t.params.get("schedule") for t in rnd.trials if t.optimizer == "Adam"} == {"constant", "time_decay"}
    hb = automl.search(Q, Q, space, method="hyperband", iterations=243, eta=3, min_iterations=9, seed=1)
    assert {getattr(t, "bracket") for t in hb.trials} == {0, 1, 2, 3}
    assert hb.best.optimizer in ("Momentum", "Adam")


def test_same_seed_same_result_and_executors_agree():
    space = {"Momentum": {"lr": automl.loguniform(1e-3, 0.3), "beta": automl.uniform(0.5, 0.99)},
             "Adam": {"lr": automl.loguniform(1e-3, 1.0)}}
    a = automl.search(Q, Q, space, method="halving", n_trials=18, iterations=243, seed=5)
    b = automl.search(Q, Q, space, method="halving", n_trials=18, iterations=243, seed=5)
    c = automl.search(Q, Q, space, method="halving", n_trials=18, iterations=243, seed=6)
    assert _summary(a) == _summary(b) and _summary(a) != _summary(c)
    with cf.ThreadPoolExecutor(max_workers=2) as ex:
        d = automl.search(Q, Q, space, method="halving", n_trials=18, iterations=243, seed=5, executor=ex)
    assert _summary(a) == _summary(d)


def test_dask_distributed_executor_gives_the_same_result():
    distributed = pytest.importorskip("distributed")   # installed by the `distributed` extra
    space = {"GradientDescent": {"lr": [1e-3, 1.9e-3]}, "Adam": {"lr": [0.01, 0.1, 1.0]}}
    ref = automl.search(Q, Q, space, method="grid", iterations=200)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        got = automl.search(Q, Q, space, method="grid", iterations=200, executor=client.get_executor())
    assert _summary(ref) == _summary(got)


def test_progress_bar(capsys):
    automl.search(Q, Q, SPACE, method="grid", iterations=10, progress=True)
    err = capsys.readouterr().err
    assert "3/3 groups" in err   # one batched group per optimizer


def test_split_and_selection_against_scikit_learn():
    sklearn = pytest.importorskip("sklearn")
    from sklearn.datasets import load_diabetes
    from sklearn.feature_selection import SequentialFeatureSelector
    from sklearn.linear_model import LinearRegression as SkLR

    X, y = load_diabetes(return_X_y=True)
    X = (X - X.mean(0)) / X.std(0)
    perm = np.random.default_rng(0).permutation(len(y))
    va, tr = perm[:110], perm[110:]
    fwd = automl.forward_selection(X[tr], y[tr], X[va], y[va], n_features=4)
    sfs = SequentialFeatureSelector(SkLR(), n_features_to_select=4, direction="forward",
                                    scoring="neg_mean_squared_error", cv=[(tr, va)]).fit(X, y)
    assert sorted(fwd.features) == sorted(np.flatnonzero(sfs.get_support()).tolist())
    # each step's validation loss is the least-squares model's (gradient descent converged)
    cols = fwd.features
    ref = SkLR().fit(X[tr][:, cols], y[tr])
    mse = np.mean((ref.predict(X[va][:, cols]) - y[va]) ** 2)
    assert np.isclose(fwd.history[-1][1], mse, rtol=1e-6)
    bwd = automl.backward_selection(X[tr], y[tr], X[va], y[va], n_features=4)
    sbs = SequentialFeatureSelector(SkLR(), n_features_to_select=4, direction="backward",
                                    scoring="neg_mean_squared_error", cv=[(tr, va)]).fit(X, y)
    assert sorted(bwd.features) == sorted(np.flatnonzero(sbs.get_support()).tolist())
    corr = automl.correlation_filter(X[tr], y[tr], 3)
    r = [abs(np.corrcoef(X[tr][:, j], y[tr])[0, 1]) for j in range(10)]
    assert corr == list(np.argsort(r)[::-1][:3])


@pytest.mark.parametrize("space, match", [
    ({}, "space must be"),
    ({"SGD": {"lr": [0.1]}}, "space must be keyed by optimizer names"),
    ({"Adam": {"lr": []}}, r"space\['Adam'\]\['lr'\] must be a non-empty list"),
    ({"Adam": {"momentum": [0.9]}}, r"space\['Adam'\] must be keyed by hyperparameters"),
    ({"Adam": {"lr": [0.1], "schedule": ["linear"]}}, r"schedule'\] must be a non-empty list of names"),
    ({"Adam": {"lr": [0.1], "schedule": ["time_decay"]}}, "given 'decay'"),
    ({"Adam": {"lr": [-0.1]}}, "lr must be"),
])
def test_bad_spaces_are_refused(space, match):
    with pytest.raises((ValueError, TypeError), match=match):
        automl.search(Q, Q, space, method="grid", iterations=5)


@pytest.mark.parametrize("make, match", [
    (lambda: automl.loguniform(-1.0, 1.0), "low must be"),
    (lambda: automl.loguniform(1.0, 0.5), "high must be"),
    (lambda: automl.uniform(1.0, 1.0), "high must be"),
    (lambda: automl.choice([]), "options must be"),
    (lambda: automl.search(Q, Q, SPACE, method="bayes"), "method must be"),
    (lambda: automl.search(Q, gd.Rosenbrock(), SPACE), "valid must be"),
    (lambda: automl.search(Q, Q, SPACE, iterations=0), "iterations must be"),
    (lambda: automl.search(Q, Q, SPACE, executor="threads"), "executor must be"),
    (lambda: automl.search(Q, Q, {"GradientDescent": {"lr": automl.loguniform(0.1, 1)}}, method="grid"),
     "a list for grid search"),
])
def test_bad_arguments_are_refused(make, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make()
