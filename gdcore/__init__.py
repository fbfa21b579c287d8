"""gdcore: gradient descent and adaptive optimization in numpy, for the book.

>>> import numpy as np, gdcore as gd
>>> p = gd.LinearRegression([[1, 2], [2, 3], [3, 4], [4, 5]], [3, 5, 7, 9])
>>> hist = gd.minimize(p, gd.GradientDescent(lr=0.09), np.zeros(2), iterations=100_000, grad_tol=1e-10)
>>> hist.status, np.round(hist.theta, 6)
('converged', array([1., 1.]))

numpy is the only import-time dependency; ``gdcore.plotting`` (matplotlib)
and ``gdcore.widgets`` (ipywidgets) load theirs when imported.
"""

from . import automl, exercises, schedules
from .loop import DIVERGENCE_FACTOR, History, minimize
from .optimizers import (OPTIMIZERS, Adagrad, Adam, AdamW, GradientDescent, Momentum, Optimizer,
                         RMSprop)
from .problems import LinearRegression, LogisticRegression, Problem, Quadratic, Rosenbrock, check_grad

__version__ = "0.1.0"

__all__ = [
    "automl", "schedules", "minimize", "History", "DIVERGENCE_FACTOR",
    "Optimizer", "GradientDescent", "Momentum", "RMSprop", "Adagrad", "Adam", "AdamW", "OPTIMIZERS",
    "Problem", "LinearRegression", "Quadratic", "Rosenbrock", "LogisticRegression", "check_grad",
]
