"""Matplotlib figures from :class:`~gdcore.History` objects. Computes nothing.

One palette for the whole book: Okabe and Ito's eight colours, chosen to stay
distinguishable under the common forms of colour blindness. Lines also
differ in style, so a figure reads in greyscale too.
"""

from __future__ import annotations

import numpy as np

__all__ = ["PALETTE", "LINESTYLES", "style", "loss_curves", "trajectories", "contours", "schedule_curves"]

#: Okabe-Ito colour-blind-safe palette (black last, for reference lines).
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]
LINESTYLES = ["-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1)), (0, (1, 1)), "-"]


def _plt():
    import matplotlib.pyplot as plt  # imported here: numpy is gdcore's only import-time dependency
    return plt


def style():
    """Apply the book's matplotlib defaults: the palette, readable sizes, light grids."""
    plt = _plt()
    from cycler import cycler
    plt.rcParams.update({
        "axes.prop_cycle": cycler(color=PALETTE),
        "figure.figsize": (6.4, 4.0),
        "figure.dpi": 100,
        "savefig.dpi": 100,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "legend.frameon": False,
        "font.size": 10,
    })


def _ax(ax):
    if ax is None:
        _, ax = _plt().subplots()
    return ax


def loss_curves(histories, labels=None, ax=None, optimum=0.0, log=True):
    """Plot ``loss - optimum`` against the update number for each History.

    ``optimum`` is subtracted so a log scale shows the gap to the minimum.
    Returns the Axes.
    """
    ax = _ax(ax)
    if not isinstance(histories, (list, tuple)):
        histories = [histories]
    labels = labels or [h.optimizer for h in histories]
    for i, (h, lab) in enumerate(zip(histories, labels)):
        gap = np.asarray(h.loss, dtype=float) - optimum
        ax.plot(np.arange(len(gap)), gap, color=PALETTE[i % 8], linestyle=LINESTYLES[i % 8], label=lab)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("update t")
    ax.set_ylabel("J(θ_t) − J*" if optimum else "J(θ_t)")
    ax.legend()
    return ax


def contours(problem, xlim, ylim, ax=None, levels=30, resolution=200, log=True):
    """Filled-line contours of a 2-D problem's loss over a box. Returns the Axes."""
    ax = _ax(ax)
    xs = np.linspace(*xlim, resolution)
    ys = np.linspace(*ylim, resolution)
    XX, YY = np.meshgrid(xs, ys)
    grid = np.stack([XX.ravel(), YY.ravel()], axis=1)
    Z = problem.loss(grid).reshape(XX.shape)
    if log:
        lo = max(float(Z.min()), 1e-12)
        lv = np.geomspace(lo + 1e-12, float(Z.max()), levels) if Z.min() > 0 else \
            np.geomspace(1e-6 * max(Z.max(), 1e-12), float(Z.max()), levels) + float(Z.min())
        ax.contour(XX, YY, Z, levels=np.unique(lv), colors="0.6", linewidths=0.6)
    else:
        ax.contour(XX, YY, Z, levels=levels, colors="0.6", linewidths=0.6)
    ax.set_xlabel("θ₁")
    ax.set_ylabel("θ₂")
    return ax


def trajectories(histories, labels=None, ax=None, problem=None, xlim=None, ylim=None, optimum=None,
                 markers=True):
    """Paths of 2-D runs, optionally on ``problem``'s contours. Returns the Axes."""
    ax = _ax(ax)
    if not isinstance(histories, (list, tuple)):
        histories = [histories]
    labels = labels or [h.optimizer for h in histories]
    if problem is not None:
        allp = np.concatenate([np.asarray(h.path)[np.all(np.isfinite(h.path), axis=1)] for h in histories])
        pad = 0.1 * (allp.max(0) - allp.min(0) + 1e-9)
        xlim = xlim or (allp[:, 0].min() - pad[0], allp[:, 0].max() + pad[0])
        ylim = ylim or (allp[:, 1].min() - pad[1], allp[:, 1].max() + pad[1])
        contours(problem, xlim, ylim, ax=ax)
    for i, (h, lab) in enumerate(zip(histories, labels)):
        p = np.asarray(h.path)
        ax.plot(p[:, 0], p[:, 1], color=PALETTE[i % 8], linestyle=LINESTYLES[i % 8], lw=1.4,
                marker="o" if markers and len(p) <= 60 else None, ms=2.5, label=lab)
    if optimum is not None:
        ax.plot(*optimum, marker="*", color="black", ms=12, linestyle="none", label="optimum")
    if xlim:
        ax.set_xlim(xlim)
    if ylim:
        ax.set_ylim(ylim)
    ax.legend(loc="best")
    return ax


def schedule_curves(schedules, T, labels=None, ax=None, log=False):
    """Plot each schedule's rate for updates 0..T-1. Returns the Axes."""
    ax = _ax(ax)
    t = np.arange(T)
    labels = labels or [repr(s) for s in schedules]
    for i, (s, lab) in enumerate(zip(schedules, labels)):
        ax.plot(t, s(t), color=PALETTE[i % 8], linestyle=LINESTYLES[i % 8], label=lab)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("update t")
    ax.set_ylabel("learning rate α_t")
    ax.legend()
    return ax
