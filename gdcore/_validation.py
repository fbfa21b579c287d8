"""Argument checks at the public boundary, all in one format.

Every failure reads ``<name> must be <requirement>; got <value>.`` and raises
``TypeError`` when the kind of object is wrong (a string where a number
belongs) and ``ValueError`` when the kind is right but the value is not (a
negative learning rate, a matrix of the wrong shape). Internal helpers trust
their callers: checks happen once, here.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["fail", "real", "integer", "hyper", "data_matrix", "target_vector", "parameters"]


def _show(value) -> str:
    if isinstance(value, np.ndarray):
        if value.size <= 6:
            return f"array {np.array2string(value, precision=6, separator=', ')}"
        return f"an array of shape {value.shape}"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def fail(name: str, requirement: str, value, kind=ValueError):
    """Raise ``kind`` with the library's single message format."""
    raise kind(f"{name} must be {requirement}; got {_show(value)}.")


def _interval(low, high, low_open, high_open) -> str:
    if low is not None and high is not None:
        return f"in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
    if low is not None:
        return f"{'>' if low_open else '>='} {low:g}"
    if high is not None:
        return f"{'<' if high_open else '<='} {high:g}"
    return "finite"


def _in_range(x, low, high, low_open, high_open):
    ok = np.isfinite(x)
    if low is not None:
        ok &= (x > low) if low_open else (x >= low)
    if high is not None:
        ok &= (x < high) if high_open else (x <= high)
    return bool(np.all(ok))


def real(name, value, *, low=None, high=None, low_open=False, high_open=False):
    """A finite real number in the given interval, returned as ``float``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        fail(name, f"a real number {_interval(low, high, low_open, high_open)}", value, TypeError)
    x = float(value)
    if not _in_range(x, low, high, low_open, high_open):
        fail(name, f"a finite number {_interval(low, high, low_open, high_open)}", value)
    return x


def integer(name, value, *, low=None, high=None):
    """An ``int`` (not a bool, not a float) in ``[low, high]``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        fail(name, f"an int {_interval(low, high, False, False)}", value, TypeError)
    v = int(value)
    if (low is not None and v < low) or (high is not None and v > high):
        fail(name, f"an int {_interval(low, high, False, False)}", value)
    return v


def hyper(name, value, *, low=None, high=None, low_open=False, high_open=False):
    """A hyperparameter: a real number, or a 1-D array of them (one per batched run).

    Returns a ``float`` or a read-only 1-D float array of length ``k >= 1``.
    """
    if isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_)):
        return real(name, value, low=low, high=high, low_open=low_open, high_open=high_open)
    if isinstance(value, (list, tuple, np.ndarray)):
        arr = np.asarray(value)
        if arr.dtype == bool or not np.issubdtype(arr.dtype, np.number) or np.iscomplexobj(arr):
            fail(name, "a real number or a 1-D array of real numbers", value, TypeError)
        if arr.ndim == 0:
            return real(name, arr.item(), low=low, high=high, low_open=low_open, high_open=high_open)
        if arr.ndim != 1 or arr.size == 0:
            fail(name, "a real number or a non-empty 1-D array (one value per batched run)", value)
        arr = arr.astype(float)
        if not _in_range(arr, low, high, low_open, high_open):
            fail(name, f"finite, every entry {_interval(low, high, low_open, high_open)}", value)
        arr.flags.writeable = False
        return arr
    fail(name, "a real number or a 1-D array of real numbers", value, TypeError)


def data_matrix(name, X):
    """A finite 2-D float array with at least one row and one column."""
    try:
        arr = np.asarray(X, dtype=float)
    except (TypeError, ValueError):
        fail(name, "a 2-D array of real numbers", X, TypeError)
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
        fail(name, "a 2-D array of shape (m, n) with m, n >= 1", arr)
    if not np.all(np.isfinite(arr)):
        fail(name, "finite (no NaN or inf)", arr)
    return np.ascontiguousarray(arr)


def target_vector(name, y, m):
    """A finite vector of ``m`` targets; shape ``(m,)`` or ``(m, 1)`` (flattened).

    Anything else is refused: a ``(m,)`` target beside ``(m, 1)`` predictions is
    exactly the broadcast that turns a residual into an ``(m, m)`` matrix.
    """
    try:
        arr = np.asarray(y, dtype=float)
    except (TypeError, ValueError):
        fail(name, "a 1-D array of real numbers", y, TypeError)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1 or arr.shape[0] != m:
        fail(name, f"of shape ({m},) or ({m}, 1), one target per row of X", arr)
    if not np.all(np.isfinite(arr)):
        fail(name, "finite (no NaN or inf)", arr)
    return np.ascontiguousarray(arr)


def parameters(name, theta, n, *, k=None, allow_batch=True):
    """Parameters of shape ``(n,)`` or, when ``allow_batch``, ``(k, n)``.

    A column ``(n, 1)`` is refused, not reshaped: it is the source of the
    silent broadcasts this library exists to prevent.
    """
    try:
        arr = np.asarray(theta, dtype=float)
    except (TypeError, ValueError):
        fail(name, "an array of real numbers", theta, TypeError)
    shapes = f"({n},)" + (f" or (k, {n})" if allow_batch else "")
    if arr.ndim == 1 and arr.shape[0] == n:
        if k is not None:
            fail(name, f"of shape ({k}, {n}) to match the {k} batched hyperparameter values", arr)
    elif allow_batch and arr.ndim == 2 and arr.shape[1] == n and arr.shape[0] >= 1:
        if k is not None and arr.shape[0] != k:
            fail(name, f"of shape ({k}, {n}) to match the {k} batched hyperparameter values", arr)
    else:
        fail(name, f"of shape {shapes}", arr)
    return arr
