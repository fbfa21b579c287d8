"""Each update rule against its equation written out by hand, and identities between methods."""

import numpy as np
import pytest

import gdcore as gd

RNG = np.random.default_rng(0)
THETA = RNG.normal(size=3)
G1, G2, G3 = RNG.normal(size=(3, 3))


def run_steps(opt, grads, theta=THETA):
    state = opt.init(theta)
    out = []
    for g in grads:
        theta, state = opt.step(theta, g, state)
        out.append(theta)
    return out, state


def test_gradient_descent_step():
    (t1, t2), state = run_steps(gd.GradientDescent(lr=0.1), [G1, G2])
    assert np.array_equal(t1, THETA - 0.1 * G1)
    assert np.array_equal(t2, THETA - 0.1 * G1 - 0.1 * G2)
    assert state.t == 2


@pytest.mark.parametrize("nesterov", [False, True])
@pytest.mark.parametrize("form", ["ema", "heavy_ball"])
def test_momentum_steps(form, nesterov):
    lr, b = 0.1, 0.9
    c = 1 - b if form == "ema" else 1.0
    (t1, t2, t3), state = run_steps(gd.Momentum(lr=lr, beta=b, form=form, nesterov=nesterov), [G1, G2, G3])
    v, th = np.zeros(3), THETA
    for g, got in zip([G1, G2, G3], [t1, t2, t3]):
        v = b * v + c * g
        d = c * g + b * v if nesterov else v
        th = th - lr * d
        assert np.allclose(got, th, rtol=0, atol=1e-15)
    assert np.allclose(state.v, v, rtol=0, atol=1e-15) and state.t == 3


def test_rmsprop_steps():
    lr, b, eps = 0.01, 0.9, 1e-8
    (t1, t2), state = run_steps(gd.RMSprop(lr=lr, beta=b, eps=eps), [G1, G2])
    s1 = (1 - b) * G1**2
    e1 = THETA - lr * G1 / (np.sqrt(s1) + eps)       # eps outside the root (source eq. 3.6)
    s2 = b * s1 + (1 - b) * G2**2
    e2 = e1 - lr * G2 / (np.sqrt(s2) + eps)
    assert np.allclose(t1, e1, rtol=0, atol=1e-15) and np.allclose(t2, e2, rtol=0, atol=1e-15)
    assert np.allclose(state.s, s2)
    # first step ~ lr / sqrt(1 - beta) per coordinate: s starts at zero, not random
    assert np.allclose(np.abs(t1 - THETA), lr / np.sqrt(1 - b), rtol=1e-6)


def test_adagrad_steps():
    lr, eps = 0.1, 1e-10
    (t1, t2), state = run_steps(gd.Adagrad(lr=lr, eps=eps), [G1, G2])
    s1 = G1**2
    e1 = THETA - lr * G1 / (np.sqrt(s1) + eps)
    s2 = s1 + G2**2
    e2 = e1 - lr * G2 / (np.sqrt(s2) + eps)
    assert np.allclose(t2, e2, rtol=0, atol=1e-15) and np.allclose(state.s, s2)


def _adam_by_hand(theta, grads, lr, b1, b2, eps, wd=0.0):
    v = s = np.zeros_like(theta)
    for t, g in enumerate(grads, start=1):
        theta = theta - lr * wd * theta
        v = b1 * v + (1 - b1) * g
        s = b2 * s + (1 - b2) * g**2
        theta = theta - lr * (v / (1 - b1**t)) / (np.sqrt(s / (1 - b2**t)) + eps)
    return theta, v, s


@pytest.mark.parametrize("wd", [0.0, 0.1])
def test_adam_and_adamw_steps(wd):
    opt = gd.AdamW(lr=0.01, beta1=0.8, beta2=0.95, eps=1e-6, weight_decay=wd) if wd else \
        gd.Adam(lr=0.01, beta1=0.8, beta2=0.95, eps=1e-6)
    (_, _, t3), state = run_steps(opt, [G1, G2, G3])
    th, v, s = _adam_by_hand(THETA, [G1, G2, G3], 0.01, 0.8, 0.95, 1e-6, wd)
    assert np.allclose(t3, th, rtol=0, atol=1e-15)
    assert np.allclose(state.v, v) and np.allclose(state.s, s) and state.t == 3


def test_adam_first_step_is_lr_times_sign():
    # bias correction makes v_hat = g and s_hat = g^2 at t = 0: the step is lr * g / (|g| + eps)
    opt = gd.Adam(lr=0.1, eps=0.0 + 1e-12)
    t1, _ = opt.step(THETA, G1, opt.init(THETA))
    assert np.allclose(THETA - t1, 0.1 * np.sign(G1), rtol=1e-9)


def test_momentum_beta_zero_is_gradient_descent():
    grads = [G1, G2, G3]
    ref, _ = run_steps(gd.GradientDescent(lr=0.1), grads)
    for form in ("ema", "heavy_ball"):
        got, _ = run_steps(gd.Momentum(lr=0.1, beta=0.0, form=form), grads)
        assert all(np.array_equal(a, b) for a, b in zip(got, ref))


def test_ema_momentum_is_heavy_ball_with_rescaled_lr(source_problem):
    # v_ema = (1 - beta) v_hb, so EMA with lr a equals heavy ball with lr a (1 - beta)
    a, b = 0.05, 0.9
    th0 = np.array([1.7, 0.4])
    h1 = gd.minimize(source_problem, gd.Momentum(lr=a, beta=b, form="ema"), th0, iterations=500)
    h2 = gd.minimize(source_problem, gd.Momentum(lr=a * (1 - b), beta=b, form="heavy_ball"), th0, iterations=500)
    # equal up to rounding: the two multiply in a different order
    assert np.allclose(h1.path, h2.path, rtol=1e-10, atol=1e-12)


def test_gradient_descent_on_quadratic_is_matrix_power():
    A = np.array([[3.0, 1.0], [1.0, 2.0]])
    q, lr, th0 = gd.Quadratic(A), 0.2, np.array([1.0, -2.0])
    h = gd.minimize(q, gd.GradientDescent(lr=lr), th0, iterations=25)
    M = np.eye(2) - lr * A
    for t in (1, 5, 25):
        assert np.allclose(h.path[t], np.linalg.matrix_power(M, t) @ th0, rtol=1e-12, atol=1e-15)


def test_adam_beta1_zero_is_bias_corrected_rmsprop():
    # with beta1 = 0, v_hat = g; s_hat = s / (1 - beta2^(t+1)): RMSprop with a corrected s
    b2, lr, eps = 0.9, 0.01, 1e-8
    (got, *_), _ = run_steps(gd.Adam(lr=lr, beta1=0.0, beta2=b2, eps=eps), [G1])
    rms = gd.RMSprop(lr=lr, beta=b2, eps=eps)
    s = rms.init(THETA).s
    th, s_t = THETA, s
    for t, g in enumerate([G1]):
        s_t = b2 * s_t + (1 - b2) * g**2
        th = th - lr * g / (np.sqrt(s_t / (1 - b2 ** (t + 1))) + eps)
    assert np.allclose(got, th, rtol=0, atol=1e-15)
    # and over many steps, once the correction factor is ~1, the two coincide to high accuracy
    grads = list(RNG.normal(size=(400, 3)))
    a, _ = run_steps(gd.Adam(lr=lr, beta1=0.0, beta2=b2, eps=eps), grads)
    r, _ = run_steps(gd.RMSprop(lr=lr, beta=b2, eps=eps), grads)
    assert not np.allclose(a[0], r[0])
    assert np.allclose(a[-1] - a[-2], r[-1] - r[-2], rtol=1e-12, atol=1e-18)


def test_step_is_pure(make_opt):
    opt = make_opt()
    theta, g = THETA.copy(), G1.copy()
    state = opt.init(theta)
    theta2, state2 = opt.step(theta, g, state)
    theta3, state3 = opt.step(theta2, G2, state2)
    snapshot = [a.copy() for a in state3[:-1]]
    opt.step(theta3, G3, state3)
    assert np.array_equal(theta, THETA) and np.array_equal(g, G1)
    assert all(np.array_equal(a, b) for a, b in zip(state3[:-1], snapshot))
    assert state.t == 0 and state2.t == 1 and state3.t == 2
    # the same call twice gives the same bits
    again, _ = opt.step(theta2, G2, state2)
    assert np.array_equal(again, theta3)


def test_state_starts_at_zero(make_opt):
    opt = make_opt()
    state = opt.init(THETA)
    assert state.t == 0
    for arr in state[:-1]:
        assert arr.shape == THETA.shape and not arr.any()


def test_schedule_rate_is_picked_by_update_number():
    sched = gd.schedules.step_decay(1.0, 0.5, every=2)
    (t1, t2, t3), state = run_steps(gd.GradientDescent(lr=sched), [G1, G1, G1])
    assert np.allclose(t2 - t1, -1.0 * G1) and np.allclose(t3 - t2, -0.5 * G1)
    assert gd.GradientDescent(lr=sched).lr_at(4) == 0.25


def test_batched_step_rows_match_single(make_opt):
    cls_opt = make_opt()
    lrs = np.array([0.01, 0.02, 0.05])
    opt_b = type(cls_opt)(**{**_kwargs(cls_opt), "lr": lrs})
    thetas = np.tile(THETA, (3, 1))
    grads = np.stack([G1, G2, G3])
    got, _ = opt_b.step(thetas, grads, opt_b.init(thetas))
    for i in range(3):
        single = type(cls_opt)(**{**_kwargs(cls_opt), "lr": lrs[i]})
        ref, _ = single.step(THETA, grads[i], single.init(THETA))
        assert np.array_equal(got[i], ref)


def _kwargs(opt):
    kw = {h: getattr(opt, h) for h in opt._hypers}
    if isinstance(opt, gd.Momentum):
        kw.update(form=opt.form, nesterov=opt.nesterov)
    return kw


def test_repr_names_hyperparameters():
    assert repr(gd.Momentum(lr=0.1, beta=0.9, form="heavy_ball", nesterov=True)) == \
        "Momentum(lr=0.1, beta=0.9, form='heavy_ball', nesterov=True)"
    assert "lr=array(k=3)" in repr(gd.GradientDescent(lr=[0.1, 0.2, 0.3]))
