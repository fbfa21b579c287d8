"""Benchmark: gdcore.minimize against hand-written numpy loops doing the same work.

Each comparison times its two sides alternately, several rounds, and keeps the
best time of each side, so a slow spell of a shared machine falls on both.
Prints one line per comparison: the two best times, their ratio, the target.
These are targets for this benchmark, not timed tests.

Run: ``make bench`` (or ``python benchmarks/bench_engine.py [--rounds N]``).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import gdcore as gd


def hand_loop(X, y, theta, lr, T):
    """Full-batch gradient descent by hand: residual, loss, gradient, update every step."""
    m = X.shape[0]
    losses = np.empty(T + 1)
    for t in range(T):
        r = X @ theta - y
        losses[t] = r @ r / (2 * m)
        g = X.T @ r / m
        theta = theta - lr * g
    r = X @ theta - y
    losses[T] = r @ r / (2 * m)
    return theta, losses


def hand_batched(X, y, Theta, lrs, T):
    """The same for k learning rates at once: Theta is (k, n), lrs is (k,)."""
    m = X.shape[0]
    losses = np.empty((T + 1, Theta.shape[0]))
    lr = lrs[:, None]
    for t in range(T):
        R = Theta @ X.T - y                   # (k, m)
        losses[t] = np.einsum("ij,ij->i", R, R) / (2 * m)
        G = R @ X / m
        Theta = Theta - lr * G
    R = Theta @ X.T - y
    losses[T] = np.einsum("ij,ij->i", R, R) / (2 * m)
    return Theta, losses


def best_alternating(fa, fb, rounds):
    """Best-of-``rounds`` wall times of fa and fb, run alternately (a, b, a, b, ...)."""
    ta, tb = [], []
    for _ in range(rounds):
        for f, acc in ((fa, ta), (fb, tb)):
            t0 = time.perf_counter()
            f()
            acc.append(time.perf_counter() - t0)
    return min(ta), min(tb)


def report(name, t_engine, t_ref, target, sense="<="):
    ratio = t_engine / t_ref
    ok = ratio <= target if sense == "<=" else ratio >= target
    print(f"{name:<58s} {t_engine * 1e3:9.2f} ms {t_ref * 1e3:9.2f} ms  ratio {ratio:6.2f}  "
          f"(target {sense} {target})  {'OK' if ok else 'MISSED'}")
    return ok


def main(rounds=7):
    rng = np.random.default_rng(0)
    results = []

    # 1. a 5000 x 100 linear regression, 300 steps
    X = rng.normal(size=(5000, 100))
    y = X @ rng.normal(size=100) + 0.1 * rng.normal(size=5000)
    p = gd.LinearRegression(X, y)
    lr = 1.0 / p.smoothness()
    th0 = np.zeros(100)
    opt = gd.GradientDescent(lr=lr)
    h = gd.minimize(p, opt, th0, iterations=300)
    ref_theta, ref_loss = hand_loop(X, y, th0, lr, 300)
    assert np.allclose(h.theta, ref_theta, rtol=1e-10) and np.allclose(h.loss, ref_loss, rtol=1e-10)
    te, tr = best_alternating(lambda: gd.minimize(p, opt, th0, iterations=300),
                              lambda: hand_loop(X, y, th0, lr, 300), rounds)
    results.append(report("minimize / hand loop, 5000x100, 300 steps", te, tr, 1.15))

    # 2. the source's 4 x 2 problem, 2000 steps (overhead-bound)
    Xs = np.array([[1.0, 2.0], [2.0, 3.0], [3.0, 4.0], [4.0, 5.0]])
    ys = np.array([3.0, 5.0, 7.0, 9.0])
    ps = gd.LinearRegression(Xs, ys)
    th0s = np.array([1.764052345967664, 0.4001572083672233])
    opts = gd.GradientDescent(lr=0.01)
    hs = gd.minimize(ps, opts, th0s, iterations=2000)
    assert np.allclose(hs.theta, hand_loop(Xs, ys, th0s, 0.01, 2000)[0], rtol=1e-12)
    te, tr = best_alternating(lambda: gd.minimize(ps, opts, th0s, iterations=2000),
                              lambda: hand_loop(Xs, ys, th0s, 0.01, 2000), rounds)
    results.append(report("minimize / hand loop, source 4x2, 2000 steps", te, tr, 2.0))

    # 3. one batched run of 64 learning rates (a learning-rate sweep, as the book runs them)
    #    on the source's problem, 2000 steps; every rate is stable, so no row stops early
    k, T = 64, 2000
    lrs = np.geomspace(1e-3, 0.09, k)
    Th0 = np.tile(th0s, (k, 1))
    optb = gd.GradientDescent(lr=lrs)
    hb = gd.minimize(ps, optb, Th0, iterations=T)
    assert np.all(hb.status == "max_iterations")
    refb, _ = hand_batched(Xs, ys, Th0, lrs, T)
    assert np.allclose(hb.theta, refb, rtol=1e-9, atol=1e-12)
    te, tr = best_alternating(lambda: gd.minimize(ps, optb, Th0, iterations=T),
                              lambda: hand_batched(Xs, ys, Th0, lrs, T), rounds)
    results.append(report(f"batched minimize / hand batched loop, 4x2, k={k}", te, tr, 1.25))

    # 4. the batched run against 64 separate runs
    singles = [gd.GradientDescent(lr=float(a)) for a in lrs]
    te, tr = best_alternating(lambda: [gd.minimize(ps, o, th0s, iterations=T) for o in singles],
                              lambda: gd.minimize(ps, optb, Th0, iterations=T), max(2, rounds // 2))
    results.append(report(f"speed-up: {k} separate runs / one batched run, 4x2", te, tr, 8.0, sense=">="))

    # 5. for information (no target): the same on the 5000 x 100 problem, where one
    #    matrix-vector product already runs near the machine's arithmetic speed, so a
    #    matrix-matrix product for 64 rows costs about as much as 64 of them.
    k5, T5 = 64, 100
    lrs5 = np.geomspace(1e-3, 1.9, k5) / p.smoothness()
    Th5 = np.zeros((k5, 100))
    opt5 = gd.GradientDescent(lr=lrs5)
    singles5 = [gd.GradientDescent(lr=float(a)) for a in lrs5]
    tb5, th5 = best_alternating(lambda: gd.minimize(p, opt5, Th5, iterations=T5),
                                lambda: hand_batched(X, y, Th5, lrs5, T5), max(2, rounds // 2))
    ts5, _ = best_alternating(lambda: [gd.minimize(p, o, th0, iterations=T5) for o in singles5],
                              lambda: None, 2)
    print(f"{'(info) 5000x100, k=64, 100 steps: batched / hand batched':<58s} {tb5 * 1e3:9.2f} ms "
          f"{th5 * 1e3:9.2f} ms  ratio {tb5 / th5:6.2f}")
    print(f"{'(info) 5000x100: 64 separate runs / one batched run':<58s} {ts5 * 1e3:9.2f} ms "
          f"{tb5 * 1e3:9.2f} ms  ratio {ts5 / tb5:6.2f}")
    print(f"{sum(results)}/{len(results)} targets met")
    return all(results)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=7)
    main(ap.parse_args().rounds)
