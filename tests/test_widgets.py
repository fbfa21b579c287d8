"""Widgets and animations, headless: build each, move its controls, check the figure changed."""

import numpy as np
import pytest

pytest.importorskip("ipywidgets")
import matplotlib  # noqa: E402

matplotlib.use("Agg")

import gdcore as gd  # noqa: E402
from gdcore import plotting, widgets  # noqa: E402


def _lines(explorer):
    return [line.get_xydata().copy() for ax in explorer.figure.axes for line in ax.lines]


def _changed(before, after):
    return len(before) != len(after) or any(a.shape != b.shape or not np.allclose(a, b, equal_nan=True)
                                            for a, b in zip(before, after))


@pytest.mark.parametrize("make, control, value", [
    (widgets.lr_explorer, "lr", None),
    (widgets.momentum_explorer, "beta", 0.3),
    (widgets.momentum_explorer, "lr", None),
    (widgets.schedule_explorer, "kind", "cosine_decay"),
    (widgets.schedule_explorer, "lr0", 0.3),
    (widgets.comparison_explorer, "names", ("RMSprop", "Adagrad")),
    (widgets.comparison_explorer, "problem", "Rosenbrock"),
])
def test_moving_a_control_reruns_and_redraws(make, control, value):
    ex = make()
    assert ex.image.value[:4] == b"\x89PNG"
    before_lines, before_png = _lines(ex), ex.image.value
    w = ex.controls[control]
    if value is None:                   # a slider: move it to its upper end
        value = w.max
    w.value = value
    assert ex.values()[control] == value
    assert _changed(before_lines, _lines(ex))
    assert ex.image.value != before_png


def test_lr_explorer_reports_divergence_past_2_over_L():
    ex = widgets.lr_explorer()
    bound = 2 / widgets._default_quadratic().smoothness()
    ex.controls["lr"].value = 0.5 * bound
    assert ex.results["history"].status != "diverged"
    ex.controls["lr"].value = ex.controls["lr"].max        # 1.15 x 2/L
    assert ex.results["history"].status == "diverged"
    assert "diverged" in ex.status.value


def test_animation_has_controls_and_stays_light():
    q = gd.Quadratic(np.diag([1.0, 10.0]))
    hs = [gd.minimize(q, gd.GradientDescent(0.15), np.array([-2.0, 1.5]), iterations=60),
          gd.minimize(q, gd.Momentum(0.15, 0.8), np.array([-2.0, 1.5]), iterations=60)]
    html = plotting.animate(hs, q, labels=["GD", "momentum"], frames=30, alt="two paths")
    assert 'type="range"' in html and "play" in html and 'alt="two paths"' in html
    assert html.count("data:image/png;base64") == 30 + 1        # the frames, and the first shown
    assert "http" not in html                                   # nothing fetched from a network
    assert len(html) < 400_000, len(html)            # "a few hundred kB at most"
    assert html == plotting.animate(hs, q, labels=["GD", "momentum"], frames=30, alt="two paths")
