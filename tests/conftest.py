"""Shared fixtures: one list of optimizers that every property test runs through."""

import numpy as np
import pytest

import gdcore as gd

SOURCE_X = np.array([[1.0, 2.0], [2.0, 3.0], [3.0, 4.0], [4.0, 5.0]])
SOURCE_Y = np.array([3.0, 5.0, 7.0, 9.0])

# Every optimizer and form, with settings that are stable on the problems used below.
ALL_OPTIMIZERS = [
    pytest.param(lambda: gd.GradientDescent(lr=0.05), id="gd"),
    pytest.param(lambda: gd.Momentum(lr=0.05, beta=0.8, form="ema"), id="momentum-ema"),
    pytest.param(lambda: gd.Momentum(lr=0.01, beta=0.8, form="heavy_ball"), id="momentum-hb"),
    pytest.param(lambda: gd.Momentum(lr=0.05, beta=0.8, form="ema", nesterov=True), id="nesterov-ema"),
    pytest.param(lambda: gd.Momentum(lr=0.01, beta=0.8, form="heavy_ball", nesterov=True), id="nesterov-hb"),
    pytest.param(lambda: gd.RMSprop(lr=0.01, beta=0.9, eps=1e-8), id="rmsprop"),
    pytest.param(lambda: gd.Adagrad(lr=0.1, eps=1e-10), id="adagrad"),
    pytest.param(lambda: gd.Adam(lr=0.01), id="adam"),
    pytest.param(lambda: gd.AdamW(lr=0.01, weight_decay=0.01), id="adamw"),
]


@pytest.fixture
def source_problem():
    return gd.LinearRegression(SOURCE_X, SOURCE_Y)


@pytest.fixture(params=ALL_OPTIMIZERS)
def make_opt(request):
    return request.param
