import numpy as np
import pytest

import gdcore as gd
from gdcore import schedules as S

T = np.arange(0, 50)


@pytest.mark.parametrize("sched, formula", [
    (S.constant(0.3), lambda t: 0.3 + 0 * t),
    (S.time_decay(0.1, 0.01), lambda t: 0.1 / (1 + 0.01 * t)),
    (S.time_decay(0.1, 0.0), lambda t: 0.1 + 0 * t),
    (S.exponential_decay(0.1, 0.9), lambda t: 0.1 * 0.9 ** t),
    (S.exponential_decay(0.1, 1.1), lambda t: 0.1 * 1.1 ** t),
    (S.step_decay(0.1, 0.5, 7), lambda t: 0.1 * 0.5 ** np.floor(t / 7)),
    (S.cosine_decay(0.1, 30, lr_min=0.01), lambda t: 0.01 + 0.045 * (1 + np.cos(np.pi * np.minimum(t, 30) / 30))),
])
def test_schedules_follow_their_formulas(sched, formula):
    arr = sched(T)
    assert arr.shape == T.shape and arr.dtype == float
    assert np.allclose(arr, formula(T.astype(float)), rtol=1e-14)
    for t in (0, 1, 7, 29, 30, 49):
        v = sched(t)
        assert isinstance(v, float) and np.isclose(v, formula(float(t)), rtol=1e-14)
        assert v == arr[t]                                 # scalar and array paths agree exactly


def test_documented_values():
    assert S.time_decay(0.1, 0.01)(100) == 0.05
    assert S.step_decay(0.1, 0.5, every=10)(9) == 0.1 and S.step_decay(0.1, 0.5, every=10)(10) == 0.05
    c = S.cosine_decay(0.1, total=100)
    assert c(0) == 0.1 and np.isclose(c(50), 0.05) and c(100) == 0.0 and c(1000) == 0.0
    w = S.warmup(0.1, steps=4)
    assert np.allclose([w(t) for t in range(6)], [0.025, 0.05, 0.075, 0.1, 0.1, 0.1])


def test_warmup_restarts_the_wrapped_clock():
    base = S.exponential_decay(1.0, 0.5)
    w = S.warmup(base, steps=3)
    assert np.allclose(w(np.arange(7)), [1 / 3, 2 / 3, 1.0, 1.0, 0.5, 0.25, 0.125])
    assert [w(t) for t in range(7)] == list(w(np.arange(7)))


def test_array_parameters_give_one_column_per_run():
    s = S.time_decay(np.array([0.1, 0.2, 0.4]), 0.5)
    assert s(2).shape == (3,) and np.allclose(s(2), [0.05, 0.1, 0.2])
    assert s(np.arange(4)).shape == (4, 3)
    assert np.allclose(s(np.arange(4))[:, 1], 0.2 / (1 + 0.5 * np.arange(4)))
    w = S.warmup(s, steps=2)
    assert w(np.arange(4)).shape == (4, 3) and np.allclose(w(0), [0.05, 0.1, 0.2])
    with pytest.raises(ValueError, match="share one length"):
        S.time_decay(np.array([0.1, 0.2]), np.array([0.1, 0.2, 0.3]))


def test_source_recursion_is_time_decay_in_disguise():
    # the source's listing does alpha <- alpha / (1 + 0.01 alpha) each step
    alpha, seq = 0.1, []
    for _ in range(1001):
        seq.append(alpha)
        alpha = alpha / (1 + 0.01 * alpha)
    assert np.allclose(seq, S.time_decay(0.1, 0.001)(np.arange(1001)), rtol=1e-12)
    assert np.isclose(seq[1000], 0.05) and np.isclose(S.time_decay(0.1, 0.01)(1000), 0.1 / 11)


@pytest.mark.parametrize("bad_t, exc", [(-1, ValueError), (1.5, TypeError), (True, TypeError),
                                        (np.array([0, -2]), ValueError), (np.array([0.5]), TypeError)])
def test_bad_steps_refused(bad_t, exc):
    with pytest.raises(exc, match="t must be"):
        S.time_decay(0.1, 0.1)(bad_t)


def test_repr():
    assert repr(S.step_decay(0.1, 0.5, 10)) == "step_decay(lr0=0.1, drop=0.5, every=10)"
