"""The exercise checkers: pass correct answers, catch the usual mistakes with the right hint."""

import numpy as np
import pytest

from gdcore import exercises as ex


def gd_ok(theta, grad, lr):
    return theta - lr * grad


def linreg_grad_ok(X, y, theta):
    return X.T @ (X @ theta - y) / len(y)


def momentum_ok(theta, v, grad, lr, beta):
    v = beta * v + (1 - beta) * grad
    return theta - lr * v, v


def heavy_ok(theta, v, grad, lr, beta):
    v = beta * v + grad
    return theta - lr * v, v


def rmsprop_ok(theta, s, grad, lr, beta, eps):
    s = beta * s + (1 - beta) * grad**2
    return theta - lr * grad / (np.sqrt(s) + eps), s


def adagrad_ok(theta, s, grad, lr, eps):
    s = s + grad**2
    return theta - lr * grad / (np.sqrt(s) + eps), s


def adam_ok(theta, v, s, grad, t, lr, beta1, beta2, eps):
    v = beta1 * v + (1 - beta1) * grad
    s = beta2 * s + (1 - beta2) * grad**2
    return theta - lr * (v / (1 - beta1 ** (t + 1))) / (np.sqrt(s / (1 - beta2 ** (t + 1))) + eps), v, s


CORRECT = [
    (ex.check_gd_step, gd_ok),
    (ex.check_linreg_loss, lambda X, y, theta: np.sum((X @ theta - y) ** 2) / (2 * len(y))),
    (ex.check_linreg_grad, linreg_grad_ok),
    (ex.check_time_decay, lambda lr0, decay, t: lr0 / (1 + decay * t)),
    (ex.check_exponential_decay, lambda lr0, rate, t: lr0 * rate**t),
    (ex.check_step_decay, lambda lr0, drop, every, t: lr0 * drop ** np.floor(t / every)),
    (ex.check_momentum_step, momentum_ok),
    (ex.check_heavy_ball_step, heavy_ok),
    (ex.check_rmsprop_step, rmsprop_ok),
    (ex.check_adagrad_step, adagrad_ok),
    (ex.check_adam_step, adam_ok),
]


@pytest.mark.parametrize("check, fn", CORRECT, ids=lambda x: getattr(x, "__name__", ""))
def test_correct_answers_pass(check, fn, capsys):
    res = check(fn)
    assert res and res.cases == ex.N_CASES
    assert "all 20 cases pass" in capsys.readouterr().out


def _rms_inside(theta, s, grad, lr, beta, eps):
    s = beta * s + (1 - beta) * grad**2
    return theta - lr * grad / np.sqrt(s + eps), s


def _rms_stale(theta, s, grad, lr, beta, eps):
    return theta - lr * grad / (np.sqrt(s) + eps), s


@pytest.mark.parametrize("check, fn, hint", [
    (ex.check_gd_step, lambda theta, grad, lr: theta + lr * grad, "against the gradient"),
    (ex.check_linreg_grad, lambda X, y, theta: X.T @ (X @ theta - y), "1/m is missing"),
    (ex.check_linreg_grad, lambda X, y, theta: X.T @ (y - X @ theta) / len(y), "sign is flipped"),
    (ex.check_linreg_grad, lambda X, y, theta: X.T @ (X @ theta[:, None] - y) / len(y), "shape"),
    (ex.check_linreg_loss, lambda X, y, theta: np.mean((X @ theta - y) ** 2), "divide by 2m"),
    (ex.check_time_decay, lambda lr0, decay, t: lr0 / (1 + decay * (t + 1)), "t counts from 0"),
    (ex.check_step_decay, lambda lr0, drop, every, t: lr0 * drop ** (t / every), "floor"),
    (ex.check_momentum_step, heavy_ok, "heavy-ball form"),
    (ex.check_heavy_ball_step, momentum_ok, "EMA form"),
    (ex.check_rmsprop_step, _rms_inside, "eps goes outside the root"),
    (ex.check_rmsprop_step, _rms_stale, "must be updated"),
    (ex.check_adam_step, lambda theta, v, s, grad, t, lr, beta1, beta2, eps:
        (lambda v2, s2: (theta - lr * v2 / (np.sqrt(s2) + eps), v2, s2))(
            beta1 * v + (1 - beta1) * grad, beta2 * s + (1 - beta2) * grad**2), "bias correction"),
])
def test_usual_mistakes_get_their_hint(check, fn, hint, capsys):
    res = check(fn)
    out = capsys.readouterr().out
    assert not res
    assert "case 1 of 20 failed" in out or "failed" in out
    assert "expected:" in out and "received:" in out and "inputs:" in out
    assert hint in out, out


def test_errors_and_stubs_are_reported_not_raised(capsys):
    def stub(theta, grad, lr):
        raise NotImplementedError

    def broken(theta, grad, lr):
        return thetaa  # noqa: F821 - a typo, as students make

    assert not ex.check_gd_step(stub)
    assert "not implemented yet" in capsys.readouterr().out
    assert not ex.check_gd_step(broken)
    assert "raised NameError" in capsys.readouterr().out
    assert not ex.check_momentum_step(lambda theta, v, grad, lr, beta: theta)
    assert "expected 2 return values" in capsys.readouterr().out


def test_feedback_never_shows_the_reference_code(capsys):
    ex.check_rmsprop_step(_rms_inside)
    out = capsys.readouterr().out
    assert "def " not in out and "np.sqrt" not in out and "return" not in out


def test_student_inputs_are_not_mutated_between_cases():
    seen = []

    def mutating(theta, grad, lr):
        seen.append(theta.copy())
        theta -= lr * grad
        return theta
    assert ex.check_gd_step(mutating, verbose=False)
