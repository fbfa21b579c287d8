"""Interactive explorers (ipywidgets) that rerun :func:`gdcore.minimize` as sliders move.

Imported lazily: ``import gdcore.widgets`` needs ipywidgets and matplotlib,
``import gdcore`` does not. Each explorer draws into its own matplotlib
``Figure`` (no pyplot state) and shows it as a PNG in an ``ipywidgets.Image``,
so it works the same in JupyterLab, in a static page with embedded widget
state, and in tests without a screen. Sliders use ``continuous_update=False``:
the run happens when the slider is released.

>>> from gdcore import widgets                          # doctest: +SKIP
>>> widgets.lr_explorer()                               # doctest: +SKIP
"""

from __future__ import annotations

import io

import ipywidgets as W
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from . import schedules as S
from .loop import minimize
from .optimizers import OPTIMIZERS, GradientDescent, Momentum
from .plotting import LINESTYLES, PALETTE
from .problems import LinearRegression, Quadratic, Rosenbrock

__all__ = ["Explorer", "lr_explorer", "momentum_explorer", "schedule_explorer", "comparison_explorer"]


def _default_quadratic():
    """An ill-conditioned, rotated 2-D bowl (kappa = 20) with its minimum at (1, 1)."""
    c, s = np.cos(0.5), np.sin(0.5)
    R = np.array([[c, -s], [s, c]])
    A = R @ np.diag([1.0, 20.0]) @ R.T
    return Quadratic(A, A @ np.ones(2))


def _contours(ax, problem, xlim, ylim, levels=25):
    xs, ys = np.linspace(*xlim, 120), np.linspace(*ylim, 120)
    XX, YY = np.meshgrid(xs, ys)
    Z = problem.loss(np.stack([XX.ravel(), YY.ravel()], 1)).reshape(XX.shape)
    Z = Z - Z.min() + 1e-9
    ax.contour(XX, YY, Z, levels=np.geomspace(Z.min() + 1e-3 * (Z.max() - Z.min()), Z.max(), levels),
               colors="0.65", linewidths=0.6)
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)


def _path(ax, hist, i, label):
    p = hist.path[np.all(np.isfinite(hist.path), axis=1)]
    ax.plot(p[:, 0], p[:, 1], color=PALETTE[i % 8], linestyle=LINESTYLES[i % 8], marker="o", ms=2.5,
            lw=1.3, label=label)


class Explorer:
    """Controls plus a figure redrawn by ``draw(figure, **values)`` whenever a control changes.

    ``widget`` is the ipywidgets box to display; ``figure`` the matplotlib
    figure (inspect ``figure.axes`` in tests); ``results`` what the last
    redraw computed (``History`` objects and the like).
    """

    def __init__(self, controls, draw, figsize=(8.0, 3.4)):
        self.controls = controls
        self._draw = draw
        self.figure = Figure(figsize=figsize, dpi=80, layout="constrained")
        FigureCanvasAgg(self.figure)
        self.image = W.Image(format="png", layout=W.Layout(width="100%", max_width=f"{int(figsize[0] * 80)}px"))
        self.status = W.HTML()
        self.results = {}
        for w in controls.values():
            w.observe(lambda change: self.redraw(), names="value")
        self.widget = W.VBox([W.HBox(list(controls.values()), layout=W.Layout(flex_flow="row wrap")),
                              self.status, self.image])
        self.redraw()

    def values(self):
        return {name: w.value for name, w in self.controls.items()}

    def redraw(self):
        self.figure.clear()
        self.results = self._draw(self.figure, **self.values()) or {}
        self.status.value = self.results.get("status", "")
        buf = io.BytesIO()
        self.figure.savefig(buf, format="png")
        self.image.value = buf.getvalue()

    def _ipython_display_(self):
        from IPython.display import display
        display(self.widget)


def _slider(value, lo, hi, step, desc, fmt=".3f", log=False):
    kw = dict(value=value, description=desc, continuous_update=False, readout_format=fmt,
              style={"description_width": "initial"}, layout=W.Layout(width="300px"))
    if log:
        return W.FloatLogSlider(min=lo, max=hi, step=step, base=10, **kw)
    return W.FloatSlider(min=lo, max=hi, step=step, **kw)


def lr_explorer(problem=None, theta0=(-1.5, 2.5), iterations=100):
    """Gradient descent on a 2-D quadratic as the learning rate moves across the bound 2/L.

    Left: the path on the loss contours. Right: the factor ``|1 - lr * lambda|``
    by which each eigen-direction's error is multiplied per step, against lr,
    with 2/L marked: the run converges while every factor is below 1.
    """
    problem = problem or _default_quadratic()
    theta0 = np.asarray(theta0, dtype=float)
    L, mu = problem.smoothness(), problem.strong_convexity()
    bound = 2.0 / L
    lam = np.array([mu, L])

    def draw(fig, lr):
        ax1, ax2 = fig.subplots(1, 2)
        h = minimize(problem, GradientDescent(lr=lr), theta0, iterations=iterations)
        _contours(ax1, problem, (-2.5, 3.0), (-1.5, 3.5))
        _path(ax1, h, 0, f"lr = {lr:.3f}")
        ax1.plot(*problem.solution(), "k*", ms=10)
        ax1.set_title(f"{h.status} after {h.iterations} updates", fontsize=9)
        grid = np.linspace(1e-4, 1.3 * bound, 300)
        for i, lv in enumerate(lam):
            ax2.plot(grid, np.abs(1 - grid * lv), color=PALETTE[i], linestyle=LINESTYLES[i],
                     label=f"|1 − lr·λ|, λ = {lv:.3g}")
        ax2.axvline(bound, color="black", lw=1, linestyle=":", label=f"2/L = {bound:.3f}")
        ax2.axhline(1.0, color="0.5", lw=0.8)
        ax2.axvline(lr, color=PALETTE[4], lw=2, label="current lr")
        ax2.set_ylim(0, 1.6)
        ax2.set_xlabel("learning rate")
        ax2.legend(fontsize=7, loc="upper left")
        return {"history": h, "status": f"<b>lr = {lr:.4f}</b> ({lr / bound:.2f} × 2/L): {h.status}"}

    return Explorer({"lr": _slider(0.5 * bound, 0.02 * bound, 1.15 * bound, bound / 200, "learning rate")}, draw)


def momentum_explorer(problem=None, theta0=(-1.5, 2.5), iterations=60):
    """Momentum (EMA form) against gradient descent at the same lr, on the contours, as lr and beta move."""
    problem = problem or _default_quadratic()
    theta0 = np.asarray(theta0, dtype=float)
    bound = 2.0 / problem.smoothness()

    def draw(fig, lr, beta):
        ax1, ax2 = fig.subplots(1, 2)
        hg = minimize(problem, GradientDescent(lr=lr), theta0, iterations=iterations)
        hm = minimize(problem, Momentum(lr=lr, beta=beta), theta0, iterations=iterations)
        _contours(ax1, problem, (-2.5, 3.0), (-1.5, 3.5))
        _path(ax1, hg, 0, "gradient descent")
        _path(ax1, hm, 1, f"momentum β = {beta:.2f}")
        ax1.plot(*problem.solution(), "k*", ms=10)
        ax1.legend(fontsize=7)
        fstar = problem.loss(problem.solution())
        for i, (h, lab) in enumerate([(hg, "gradient descent"), (hm, "momentum")]):
            gap = np.maximum(h.loss - fstar, 1e-16)
            ax2.semilogy(gap, color=PALETTE[i], linestyle=LINESTYLES[i], label=lab)
        ax2.set_xlabel("update t")
        ax2.set_ylabel("J(θ_t) − J*")
        ax2.legend(fontsize=7)
        return {"gd": hg, "momentum": hm,
                "status": f"gradient descent: {hg.status}; momentum: {hm.status}"}

    return Explorer({"lr": _slider(0.3 * bound, 0.02 * bound, 1.5 * bound, bound / 100, "lr"),
                     "beta": _slider(0.8, 0.0, 0.99, 0.01, "β", fmt=".2f")}, draw)


_SCHEDULE_KINDS = ("constant", "time_decay", "exponential_decay", "step_decay", "cosine_decay")


def schedule_explorer(T=300, batch_size=8, seed=0):
    """A schedule's rate alpha(t) and the loss of minibatch SGD that uses it, on a noisy regression."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(400, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.5 * rng.normal(size=400)
    problem = LinearRegression(X, y)
    fstar = problem.loss(problem.solution())

    def make(kind, lr0, knob):
        if kind == "time_decay":
            return S.time_decay(lr0, knob)
        if kind == "exponential_decay":
            return S.exponential_decay(lr0, 1.0 - knob / 10)
        if kind == "step_decay":
            return S.step_decay(lr0, 0.5, every=max(1, int(round(10 / knob))))
        if kind == "cosine_decay":
            return S.cosine_decay(lr0, T)
        return S.constant(lr0)

    def draw(fig, kind, lr0, knob):
        ax1, ax2 = fig.subplots(1, 2)
        sched = make(kind, lr0, knob)
        t = np.arange(T)
        ax1.plot(t, sched(t), color=PALETTE[0])
        ax1.set_xlabel("update t")
        ax1.set_ylabel("α_t")
        ax1.set_title(repr(sched), fontsize=8)
        h = minimize(problem, GradientDescent(lr=sched), np.zeros(3), iterations=T, batch_size=batch_size, seed=seed)
        ax2.semilogy(np.maximum(h.loss - fstar, 1e-16), color=PALETTE[1])
        ax2.set_xlabel("update t")
        ax2.set_ylabel("J(θ_t) − J*")
        return {"history": h, "schedule": sched,
                "status": f"final gap J − J* = {h.loss[-1] - fstar:.3g} ({h.status})"}

    controls = {"kind": W.Dropdown(options=_SCHEDULE_KINDS, value="time_decay", description="schedule"),
                "lr0": _slider(0.1, 0.005, 0.5, 0.005, "α₀"),
                "knob": _slider(0.05, 0.001, 1.0, 0.001, "decay speed")}
    return Explorer(controls, draw)


def comparison_explorer(iterations=300):
    """Loss curves of chosen optimizers, at settings that suit each problem, times a common lr factor."""
    X = np.array([[1.0, 2.0], [2.0, 3.0], [3.0, 4.0], [4.0, 5.0]])
    source = LinearRegression(X, [3.0, 5.0, 7.0, 9.0])
    quad = _default_quadratic()
    problems = {
        "source's four points (κ ≈ 351)": (source, np.zeros(2), 1.0 / source.smoothness()),
        "rotated quadratic (κ = 20)": (quad, np.array([-1.5, 2.5]), 1.0 / quad.smoothness()),
        "Rosenbrock": (Rosenbrock(), np.array([-1.2, 1.0]), 1e-3),
    }

    def settings(name, step):
        # gradient descent at 1/L; EMA momentum at 4/L (heavy ball 0.4/L); adaptive methods at
        # rates that do not depend on L (their steps are about lr per coordinate)
        return {"GradientDescent": dict(lr=step), "Momentum": dict(lr=4 * step, beta=0.9),
                "RMSprop": dict(lr=0.01), "Adagrad": dict(lr=0.5), "Adam": dict(lr=0.05),
                "AdamW": dict(lr=0.05, weight_decay=1e-3)}[name]

    def draw(fig, problem, names, lr_scale):
        ax = fig.subplots()
        p, th0, step = problems[problem]
        fstar = p.loss(p.solution())
        out = {}
        for i, name in enumerate(names):
            kw = settings(name, step)
            kw["lr"] *= lr_scale
            h = minimize(p, OPTIMIZERS[name](**kw), th0, iterations=iterations)
            out[name] = h
            ax.semilogy(np.maximum(h.loss - fstar, 1e-16), color=PALETTE[i % 8], linestyle=LINESTYLES[i % 8],
                        label=f"{name} ({h.status})")
        ax.set_xlabel("update t")
        ax.set_ylabel("J(θ_t) − J*")
        if names:
            ax.legend(fontsize=7)
        return {"histories": out, "status": f"{len(names)} optimizers on the {problem}"}

    names = ("GradientDescent", "Momentum", "RMSprop", "Adagrad", "Adam", "AdamW")
    controls = {"problem": W.Dropdown(options=list(problems), description="problem",
                                      style={"description_width": "initial"}),
                "names": W.SelectMultiple(options=names, value=("GradientDescent", "Momentum", "Adam"),
                                          description="optimizers", rows=6),
                "lr_scale": _slider(1.0, 0.1, 3.0, 0.1, "lr × ", fmt=".1f")}
    return Explorer(controls, draw, figsize=(7.0, 3.4))
