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


def animate(histories, problem, labels=None, frames=30, xlim=None, ylim=None, figsize=(4.8, 3.6), dpi=72,
            interval=150, alt="An animation of optimization paths on loss contours", colors=32):
    """An animation of 2-D runs moving on ``problem``'s contours, as self-contained HTML.

    Returns HTML for ``IPython.display.HTML``: an image, a play/pause button
    and a slider to scrub through the updates, with the frames embedded as
    palette PNGs (``colors`` colours each) and no external resources, so it
    plays in a static page without a kernel or a network. ``frames`` steps
    are spread over the longest run; each frame is a few kB.
    """
    import base64
    import html as _html
    import io
    import json
    import uuid

    from PIL import Image

    plt = _plt()
    if not isinstance(histories, (list, tuple)):
        histories = [histories]
    labels = labels or [h.optimizer for h in histories]
    paths = [np.asarray(h.path) for h in histories]
    T = max(len(p) for p in paths) - 1
    steps = np.unique(np.linspace(0, T, frames).round().astype(int))
    fig, ax = plt.subplots(figsize=figsize, dpi=dpi)
    finite = np.concatenate([p[np.all(np.isfinite(p), axis=1)] for p in paths])
    pad = 0.1 * (finite.max(0) - finite.min(0) + 1e-9)
    xlim = xlim or (finite[:, 0].min() - pad[0], finite[:, 0].max() + pad[0])
    ylim = ylim or (finite[:, 1].min() - pad[1], finite[:, 1].max() + pad[1])
    contours(problem, xlim, ylim, ax=ax, resolution=120, levels=15)
    lines = [ax.plot([], [], color=PALETTE[i % 8], linestyle=LINESTYLES[i % 8], marker="o", ms=2.5, lw=1.3,
                     label=lab)[0] for i, lab in enumerate(labels)]
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    ax.legend(loc="upper right", fontsize=7)
    title = ax.set_title(f"update t = {T}", fontsize=9)     # sized before the layout is fixed
    fig.tight_layout()
    encoded = []
    for t in steps:
        for line, p in zip(lines, paths):
            q = p[:min(t, len(p) - 1) + 1]
            line.set_data(q[:, 0], q[:, 1])
        title.set_text(f"update t = {t}")
        raw = io.BytesIO()
        fig.savefig(raw, format="png", dpi=dpi)
        img = Image.open(io.BytesIO(raw.getvalue())).convert("RGB").quantize(colors=colors, dither=Image.Dither.NONE)
        out = io.BytesIO()
        img.save(out, format="PNG", optimize=True)
        encoded.append("data:image/png;base64," + base64.b64encode(out.getvalue()).decode())
    plt.close(fig)
    uid = "gdanim-" + uuid.uuid5(uuid.NAMESPACE_OID, "".join(encoded[:1]) + str(len(encoded))).hex[:10]
    n = len(encoded)
    return f"""<div class="gd-animation" id="{uid}" style="max-width:{int(figsize[0] * dpi)}px">
<img id="{uid}-img" src="{encoded[0]}" alt="{_html.escape(alt)}" style="width:100%">
<div style="display:flex;gap:0.5em;align-items:center">
<button type="button" id="{uid}-play" aria-label="play or pause">&#9654; play</button>
<input type="range" id="{uid}-slider" min="0" max="{n - 1}" value="0" aria-label="frame" style="flex:1">
<span id="{uid}-label">update t = 0</span></div>
<script>
(function() {{
  var frames = {json.dumps(encoded)};
  var steps = {json.dumps([int(s) for s in steps])};
  var img = document.getElementById("{uid}-img"), slider = document.getElementById("{uid}-slider");
  var button = document.getElementById("{uid}-play"), label = document.getElementById("{uid}-label");
  var timer = null;
  function show(k) {{ img.src = frames[k]; slider.value = k; label.textContent = "update t = " + steps[k]; }}
  function stop() {{ clearInterval(timer); timer = null; button.innerHTML = "&#9654; play"; }}
  slider.addEventListener("input", function() {{ stop(); show(+slider.value); }});
  button.addEventListener("click", function() {{
    if (timer) {{ stop(); return; }}
    if (+slider.value >= frames.length - 1) show(0);
    button.innerHTML = "&#10074;&#10074; pause";
    timer = setInterval(function() {{
      var k = +slider.value + 1;
      if (k >= frames.length) {{ stop(); return; }}
      show(k);
    }}, {int(interval)});
  }});
}})();
</script>
</div>"""
