"""Chapter 1 views: the unrolled RNN diagram and the hidden-state trajectory explorer.

Data function: :func:`hidden_trajectory` runs a real :class:`grubook.RNN` (one input feature, zero
biases, recurrent matrix U rescaled to a chosen spectral radius) on a burst of constant input
followed by silence, and returns every h_t.

Figure function: :func:`trajectory_figure` (radius, amplitudes): the first hidden units over time,
one row per input amplitude, a whole Plotly figure. Its drivers: :func:`static_trajectory_figure`
(:func:`grubook.sliders.static`, a slider over the spectral radius, three amplitudes) for the page
and :func:`explorer` (:func:`grubook.sliders.explorer`, continuous sliders for the radius and one
amplitude) for a kernel. :func:`unrolled_diagram` draws the folded and unrolled RNN (a still
matplotlib figure, not a view).
"""

from __future__ import annotations

import numpy as np
import torch

from .. import _checks, sliders
from ..plotting import COLORS, OKABE_ITO, PALETTE
from ..rnn import RNN

HIDDEN = 16
STEPS = 60
BURST = 10  # the input is on for steps 1..BURST, then zero
UNITS_SHOWN = 4
RADII = (0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0)
AMPLITUDES = (0.5, 2.0, 8.0)


def scale_spectral_radius(matrix: torch.Tensor, radius: float) -> torch.Tensor:
    """matrix * radius / (its largest absolute eigenvalue): the same matrix with spectral radius
    ``radius``. matrix: (n, n)."""
    radius = _checks.finite_number("radius", radius)
    if radius < 0:
        raise ValueError(f"radius must be a spectral radius >= 0, got {radius}.")
    current = torch.linalg.eigvals(matrix.detach()).abs().max()
    return matrix * (radius / current.item())


def trajectory_rnn(radius: float, hidden_size: int = HIDDEN, seed: int = 0) -> RNN:
    """A one-feature tanh :class:`grubook.RNN` at default (seeded) initialisation, biases set to
    zero so that h = 0 is a resting state, and U = ``weight_hh_l0`` rescaled to spectral radius
    ``radius``."""
    torch.manual_seed(_checks.seed(seed))
    rnn = RNN(1, hidden_size, dtype=torch.float64)
    with torch.no_grad():
        rnn.weight_hh_l0.copy_(scale_spectral_radius(rnn.weight_hh_l0, radius))
        rnn.bias_ih_l0.zero_()
        rnn.bias_hh_l0.zero_()
    return rnn


def burst_input(amplitude: float, steps: int = STEPS, burst: int = BURST) -> torch.Tensor:
    """x: (steps, 1), equal to ``amplitude`` for the first ``burst`` steps and 0 after."""
    steps = _checks.positive_int("steps", steps, 10_000)
    burst = _checks.non_negative_int("burst", burst)
    if burst > steps:
        raise ValueError(f"burst must be at most steps={steps}, got {burst}.")
    x = torch.zeros(steps, 1, dtype=torch.float64)
    x[:burst] = _checks.finite_number("amplitude", amplitude)
    return x


def hidden_trajectory(
    radius: float,
    amplitude: float,
    steps: int = STEPS,
    burst: int = BURST,
    hidden_size: int = HIDDEN,
    seed: int = 0,
) -> dict:
    """Every hidden state of a tanh RNN driven by a burst of input, then left alone.

    Returns {"time": (steps,) 1..steps, "x": (steps,) the input, "h": (steps, hidden_size) h_1..h_T,
    "rms": (steps,) root-mean-square of h_t over units}.
    """
    rnn = trajectory_rnn(radius, hidden_size, seed)
    x = burst_input(amplitude, steps, burst)
    with torch.no_grad():
        h, _ = rnn(x)  # one unbatched sequence: (steps, hidden)
    h = h.numpy()
    return {
        "time": np.arange(1, steps + 1),
        "x": x[:, 0].numpy(),
        "h": h,
        "rms": np.sqrt((h**2).mean(axis=1)),
    }


# ----- the unrolled diagram ---------------------------------------------------------------------
def unrolled_diagram(steps: int = 4):
    """Matplotlib figure: the RNN cell with its loop (left) and the same cell unrolled over
    ``steps`` time steps (right), labelled with the book's notation."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    fig, ax = plt.subplots(figsize=(10, 3.4))
    ax.set_axis_off()
    cell_fc, edge = "#DCEBF7", COLORS["hidden"]

    def cell(cx, label="RNN\ncell"):
        ax.add_patch(
            FancyBboxPatch(
                (cx - 0.45, -0.35), 0.9, 0.7, boxstyle="round,pad=0.05", fc=cell_fc, ec=edge, lw=1.5
            )
        )
        ax.text(cx, 0, label, ha="center", va="center", fontsize=10)

    def arrow(a, b, color=edge, style="-|>", **kw):
        ax.add_patch(
            FancyArrowPatch(a, b, arrowstyle=style, mutation_scale=14, color=color, lw=1.5, **kw)
        )

    # folded: one cell with a loop
    cell(0)
    arrow((0, -1.25), (0, -0.42), color=COLORS["input"])
    ax.text(0, -1.45, "$x_t$", ha="center", va="top", fontsize=12)
    arrow((0, 0.42), (0, 1.2))
    ax.text(0, 1.3, "$h_t$", ha="center", va="bottom", fontsize=12)
    # the loop: h_t comes back in as h_{t-1} at the next step
    arrow((0.5, 0.18), (0.5, -0.18), connectionstyle="bar,fraction=-1.3")
    ax.text(1.02, 0, "$h_{t-1}$", fontsize=11, va="center")
    ax.text(1.95, 0, "=", fontsize=22, ha="center", va="center")

    # unrolled
    x0, dx = 3.6, 1.9
    ax.text(x0 - 1.25, 0, "$h_0$", ha="center", va="center", fontsize=12)
    for k in range(steps):
        cx = x0 + k * dx
        cell(cx)
        t = f"{k + 1}" if k < steps - 1 else "T"
        arrow((cx, -1.25), (cx, -0.42), color=COLORS["input"])
        ax.text(cx, -1.45, f"$x_{{{t}}}$", ha="center", va="top", fontsize=12)
        arrow((cx, 0.42), (cx, 1.2))
        ax.text(cx, 1.3, f"$h_{{{t}}}$", ha="center", va="bottom", fontsize=12)
        arrow((cx - dx + 0.5 if k else x0 - 1.05, 0), (cx - 0.5, 0))
    ax.text(x0 + (steps - 1.5) * dx, 0.12, "···", ha="center", fontsize=14)
    ax.text(
        x0 + (steps - 1) * dx / 2,
        -2.15,
        "the same weights W, U, b at every step: $h_t = \\tanh(W x_t + U h_{t-1} + b)$",
        ha="center",
        va="center",
        fontsize=11,
    )
    ax.set_xlim(-1.0, x0 + (steps - 1) * dx + 0.8)
    ax.set_ylim(-2.4, 1.8)
    ax.set_aspect("equal")
    ax.set_title("A recurrent network, folded (left) and unrolled over time (right)")
    fig.tight_layout()
    return fig


# ----- the trajectory view: one figure function, two drivers -----------------------------------
def trajectory_figure(
    radius: float = 1.0,
    amplitudes=AMPLITUDES,
    units: int = UNITS_SHOWN,
    steps: int = STEPS,
    burst: int = BURST,
    hidden_size: int = HIDDEN,
    seed: int = 0,
):
    """The first ``units`` hidden units over time for U of spectral radius ``radius``, one row per
    input amplitude in ``amplitudes`` (:func:`hidden_trajectory`), the input burst shaded.

    Returns a ``plotly.graph_objects.Figure`` with ``len(amplitudes) * units`` line traces, row by
    row (unit 1..units of the first amplitude, then of the second...).
    """
    import plotly.graph_objects as go

    amplitudes = tuple(amplitudes)
    rows = len(amplitudes)
    if rows == 0:
        raise ValueError("amplitudes must hold at least one input amplitude, got none.")
    gap = 0.06 if rows > 1 else 0.0
    height = (1 - gap * (rows - 1)) / rows
    traces, shapes = [], []
    layout = {
        "height": 230 * rows + 170,
        "margin": {"t": 110, "b": 40, "l": 70, "r": 20},
        "title": {
            "text": f"Hidden state after a burst of input (shaded), spectral radius ρ = {radius:g}",
            "y": 0.985,
            "yanchor": "top",
            "x": 0.02,
            "font": {"size": 16},
        },
        "legend": {"orientation": "h", "y": 1.01, "yanchor": "bottom", "x": 0},
    }
    for row, amplitude in enumerate(amplitudes, start=1):
        d = hidden_trajectory(radius, amplitude, steps, burst, hidden_size, seed)
        axis = "" if row == 1 else str(row)
        traces += [
            go.Scatter(
                x=d["time"],
                y=d["h"][:, i],
                mode="lines",
                name=f"unit {i + 1}",
                legendgroup=f"u{i}",
                showlegend=row == 1,
                line={"color": PALETTE[i % len(PALETTE)], "width": 2},
                xaxis=f"x{axis}",
                yaxis=f"y{axis}",
            )
            for i in range(units)
        ]
        top = 1 - (row - 1) * (height + gap)
        layout[f"yaxis{axis}"] = {
            "domain": [top - height, top],
            "range": [-1.08, 1.08],
            "title": {"text": f"h_t, input {amplitude:.2g}"},
            "anchor": f"x{axis}",
        }
        layout[f"xaxis{axis}"] = {
            "range": [0, steps + 1],
            "anchor": f"y{axis}",
            "showticklabels": row == rows,
        }
        if row == rows:
            layout[f"xaxis{axis}"]["title"] = {"text": "time step t"}
        refs = {"xref": f"x{axis}", "yref": f"y{axis}"}
        shapes.append(
            {
                "type": "rect",
                **refs,
                "x0": 0.5,
                "x1": burst + 0.5,
                "y0": -1.08,
                "y1": 1.08,
                "fillcolor": OKABE_ITO["grey"],
                "opacity": 0.18,
                "line": {"width": 0},
                "layer": "below",
            }
        )
        for y in (-1, 1):  # tanh's bounds
            shapes.append(
                {
                    "type": "line",
                    **refs,
                    "x0": 0,
                    "x1": steps + 1,
                    "y0": y,
                    "y1": y,
                    "line": {"color": OKABE_ITO["grey"], "dash": "dot", "width": 1},
                }
            )
    layout["shapes"] = shapes
    return go.Figure(traces, layout)


def static_trajectory_figure(
    radii=RADII, amplitudes=AMPLITUDES, units: int = UNITS_SHOWN, **kwargs
):
    """:func:`trajectory_figure` with a slider over the spectral radius of U, one row per input
    amplitude; step i is ``trajectory_figure(radii[i], amplitudes, units, **kwargs)``. Opens at
    radius 1 when ``radii`` holds it."""
    radii = list(radii)
    return sliders.static(
        lambda radius: trajectory_figure(radius, amplitudes, units, **kwargs),
        radii,
        label="spectral radius ρ of U",
        fmt="{:g}",
        initial=radii.index(1.0) if 1.0 in radii else 0,
    )


def explorer(radius: float = 1.0, amplitude: float = 2.0):
    """ipywidgets: continuous sliders for the spectral radius of U and the input amplitude,
    redrawing ``trajectory_figure(radius, amplitudes=(amplitude,))``, one row."""
    import ipywidgets as widgets

    def figure(radius, amplitude):
        return trajectory_figure(radius, amplitudes=(amplitude,))

    return sliders.explorer(
        figure,
        radius=widgets.FloatSlider(value=radius, min=0.1, max=3.0, step=0.05, description="ρ of U"),
        amplitude=widgets.FloatLogSlider(
            value=amplitude,
            base=10,
            min=-1,
            max=1.3,
            step=0.05,
            description="input",
        ),
    )
