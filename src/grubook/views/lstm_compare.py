"""Chapter 4 views: how much a GRU and an LSTM keep and write, step by step, on the same inputs.

Both cells update their memory as "keep some of the old, write some of the new"::

    GRU   h_t = z_t ⊙ h_{t-1} + (1 - z_t) ⊙ h~_t      keep = z_t,  write = 1 - z_t
    LSTM  c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t             keep = f_t,  write = i_t

In the GRU one gate sets both, so keep + write = 1 for every unit at every step; in the LSTM the
forget and input gates are separate layers, so a unit can keep everything *and* write (add), or keep
nothing and write nothing (erase).

Data functions (each runs a real ``grubook`` model, a :class:`grubook.training.SequenceModel`
with cell "gru" or "lstm"):

- :func:`gate_fractions`: keep and write for every sequence, step and unit of a batch.
- :func:`keep_write_step`: what the views show for one sequence at one step: keep and write per unit
  for a GRU and an LSTM fed the same inputs.

One figure function, :func:`keep_write_figure` (example, step t), drawn by two drivers:
:func:`static_keep_write_figure` (a precomputed slider over t, for the page) and
:func:`keep_write_explorer` (continuous sliders over the example and t, in a kernel). Not a view:
the matplotlib summary over a whole batch, :func:`draw_keep_write_cloud`.
"""

from __future__ import annotations

import numpy as np
import torch

from .. import _checks, sliders
from ..plotting import COLORS, OKABE_ITO

KEEP_NAME = {"gru": "z<sub>t</sub>", "lstm": "f<sub>t</sub>"}
WRITE_NAME = {"gru": "1 − z<sub>t</sub>", "lstm": "i<sub>t</sub>"}
KEEP_TEX = {"gru": "$z_t$", "lstm": "$f_t$"}
WRITE_TEX = {"gru": "$1 - z_t$", "lstm": "$i_t$"}


def _cell_of(model) -> str:
    cell = getattr(model, "cell", None)
    if cell not in ("gru", "lstm"):
        raise ValueError(
            "model must be a grubook.training.SequenceModel with cell 'gru' or 'lstm', "
            f"got cell {cell!r}."
        )
    return cell


def _check_x(x) -> None:
    if not isinstance(x, torch.Tensor) or x.ndim != 3 or x.shape[-1] != 2:
        shape = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
        raise ValueError(
            f"x must be a tensor of shape (batch, length, 2) from the adding task, got {shape}."
        )


def _check_step(x, index, t) -> tuple[int, int]:
    """Sequence ``index`` (0-based) and step ``t`` (1-based) of x, checked: whole numbers in
    range."""
    _check_x(x)
    index, t = _checks.index("index", index), _checks.index("t", t)
    if not 0 <= index < x.shape[0]:
        raise ValueError(f"index must be in 0..{x.shape[0] - 1}, got {index}.")
    if not 1 <= t <= x.shape[1]:
        raise ValueError(f"t must be a step in 1..{x.shape[1]}, got {t}.")
    return index, t


def gate_fractions(model, x: torch.Tensor) -> dict:
    """Keep and write fractions of a trained model on a batch x: (batch, length, 2).

    GRU: keep = z_t, write = 1 - z_t. LSTM: keep = f_t (forget gate), write = i_t (input gate). Read
    from the last layer of ``model(x, return_gates=True)``.

    Returns numpy arrays: {"cell": "gru" or "lstm", "keep": (batch, length, hidden), "write":
    (batch, length, hidden), "marked": (batch, length) bool, true at the marked steps,
    "prediction": (batch,)}.
    """
    cell = _cell_of(model)
    _check_x(x)
    with torch.no_grad():
        pred, gates = model(x, return_gates=True)
    if cell == "gru":
        keep, write = gates.update[-1], 1 - gates.update[-1]
    else:
        keep, write = gates.forget[-1], gates.input[-1]
    return {
        "cell": cell,
        "keep": keep.numpy(),
        "write": write.numpy(),
        "marked": (x[..., 1] == 1).numpy(),
        "prediction": pred.reshape(-1).numpy(),
    }


def keep_write_step(gru_model, lstm_model, x: torch.Tensor, index: int, t: int) -> dict:
    """What the GRU and the LSTM keep and write at step ``t`` (1-based) of sequence ``index`` of x:
    (batch, length, 2), both models fed the same inputs.

    Returns {"t": t, "time": (length,) 1..length, "value": (length,) the input values, "marked":
    list of the marked steps (1-based), "is_marked": bool, "gru_keep", "gru_write":
    (hidden_gru,), "lstm_keep", "lstm_write": (hidden_lstm,), "gru_prediction",
    "lstm_prediction", "target": floats}.
    """
    if _cell_of(gru_model) != "gru" or _cell_of(lstm_model) != "lstm":
        raise ValueError("keep_write_step needs a GRU model first and an LSTM model second.")
    index, t = _check_step(x, index, t)
    seq = x[index : index + 1]
    g, l = gate_fractions(gru_model, seq), gate_fractions(lstm_model, seq)
    marked = [int(s) + 1 for s in np.flatnonzero(g["marked"][0])]
    return {
        "t": int(t),
        "time": np.arange(1, x.shape[1] + 1),
        "value": seq[0, :, 0].numpy(),
        "marked": marked,
        "is_marked": int(t) in marked,
        "gru_keep": g["keep"][0, t - 1],
        "gru_write": g["write"][0, t - 1],
        "lstm_keep": l["keep"][0, t - 1],
        "lstm_write": l["write"][0, t - 1],
        "gru_prediction": float(g["prediction"][0]),
        "lstm_prediction": float(l["prediction"][0]),
        "target": float(seq[0, [m - 1 for m in marked], 0].sum()),
    }


def _step_title(d: dict) -> str:
    where = "a marked step" if d["is_marked"] else "an unmarked step"
    return (
        f"Step {d['t']} ({where}, input {d['value'][d['t'] - 1]:.2f}). "
        f"Target sum {d['target']:.2f}; "
        f"GRU answers {d['gru_prediction']:.2f}, LSTM {d['lstm_prediction']:.2f}"
    )


# ----- the figure function and its drivers ------------------------------------------------------
def keep_write_figure(gru_model, lstm_model, x: torch.Tensor, index: int = 0, t: int = 1):
    """Sequence ``index`` of x: (batch, length, 2) at step ``t`` (1-based), fed to both models
    (:func:`keep_write_step`): the input sequence with the current step (top) and keep against
    write for every unit of the GRU (bottom left) and the LSTM (bottom right), the diagonal
    keep + write = 1 dashed.

    Returns a ``plotly.graph_objects.Figure`` with six traces: the inputs, the current-step line,
    and a diagonal and the units for each cell.
    """
    import plotly.graph_objects as go

    d = keep_write_step(gru_model, lstm_model, x, index, t)
    colors = [COLORS["hidden"] if s in d["marked"] else OKABE_ITO["grey"] for s in d["time"]]
    marker = {"size": 10, "line": {"color": "white", "width": 1}}

    def diagonal(axis: str):
        return go.Scatter(
            x=[0, 1],
            y=[1, 0],
            mode="lines",
            xaxis=f"x{axis}",
            yaxis=f"y{axis}",
            showlegend=False,
            hoverinfo="skip",
            line={"color": OKABE_ITO["grey"], "dash": "dash", "width": 1.5},
        )

    def units(cell: str, axis: str, symbol: str):
        return go.Scatter(
            x=d[f"{cell}_keep"],
            y=d[f"{cell}_write"],
            mode="markers",
            xaxis=f"x{axis}",
            yaxis=f"y{axis}",
            name=f"{cell.upper()} unit: keep {KEEP_NAME[cell]}, write {WRITE_NAME[cell]}",
            marker={"color": COLORS[cell], "symbol": symbol, **marker},
            hovertemplate=f"{cell.upper()}: keep %{{x:.2f}}, write %{{y:.2f}}<extra></extra>",
        )

    traces = [
        go.Bar(
            x=d["time"],
            y=d["value"],
            marker_color=colors,
            name="input value",
            showlegend=False,
            hovertemplate="step %{x}: value %{y:.2f}<extra></extra>",
        ),
        go.Scatter(
            x=[t, t],
            y=[0, 1.05],
            mode="lines",
            name="current step",
            showlegend=False,
            line={"color": COLORS["update"], "width": 3},
            hoverinfo="skip",
        ),
        diagonal("2"),
        units("gru", "2", "circle"),
        diagonal("3"),
        units("lstm", "3", "diamond"),
    ]
    T = x.shape[1]

    def gate_axis(anchor, domain, title):  # a keep or write axis: 0 to 1 in quarters
        square = {"range": [-0.03, 1.03], "dtick": 0.25}
        return {"anchor": anchor, "domain": domain, "title": {"text": title}, **square}

    grey = {"color": OKABE_ITO["grey"]}

    def note(text, x_, y_, ref="paper", **kw):
        return {
            "text": text,
            "x": x_,
            "y": y_,
            "xref": ref if ref == "paper" else f"x{ref}",
            "yref": ref if ref == "paper" else f"y{ref}",
            "showarrow": False,
            **kw,
        }

    heading = {"xanchor": "center", "yanchor": "bottom"}
    layout = {
        "title": {"text": _step_title(d), "font": {"size": 14}},
        "height": 760,
        "margin": {"t": 80, "b": 50, "l": 70, "r": 20},
        "showlegend": False,
        "xaxis": {"anchor": "y", "range": [0.5, T + 0.5], "title": {"text": "time step t"}},
        "yaxis": {
            "domain": [0.76, 1.0],
            "range": [0, 1.05],
            "title": {"text": "input x<sub>t</sub>"},
        },
        "xaxis2": gate_axis("y2", [0.0, 0.44], "keep z<sub>t</sub>"),
        "yaxis2": gate_axis("x2", [0.0, 0.5], "write 1 − z<sub>t</sub>"),
        "xaxis3": gate_axis("y3", [0.56, 1.0], "keep f<sub>t</sub> (forget gate)"),
        "yaxis3": gate_axis("x3", [0.0, 0.5], "write i<sub>t</sub> (input gate)"),
        "annotations": [
            note(
                "<b>GRU</b>: one gate sets both",
                0.22,
                0.53,
                font={"color": COLORS["gru"]},
                **heading,
            ),
            note(
                "<b>LSTM</b>: two independent gates",
                0.78,
                0.53,
                font={"color": COLORS["lstm"]},
                **heading,
            ),
            note("keep + write = 1", 0.42, 0.42, "2", textangle=45, font=grey),
            note("keep + write = 1", 0.42, 0.42, "3", textangle=45, font=grey),
        ],
        # below 600 px (static/figures.js) the two gate panels stack, each the page's width
        "meta": {
            "narrow": {
                "height": 980,
                "yaxis.domain": [0.84, 1.0],
                "xaxis2.domain": [0.0, 1.0],
                "yaxis2.domain": [0.45, 0.7],
                "xaxis3.domain": [0.0, 1.0],
                "yaxis3.domain": [0.0, 0.25],
                "annotations[0].x": 0.5,
                "annotations[0].y": 0.71,
                "annotations[1].x": 0.5,
                "annotations[1].y": 0.26,
            }
        },
    }
    return go.Figure(traces, layout)


def static_keep_write_figure(gru_model, lstm_model, x: torch.Tensor, index: int = 0, steps=None):
    """:func:`keep_write_figure` for sequence ``index`` with a slider over the step t (all steps
    unless ``steps`` is given), opening at the first marked step; step i is
    ``keep_write_figure(gru_model, lstm_model, x, index=index, t=steps[i])``."""
    steps = list(range(1, x.shape[1] + 1)) if steps is None else list(steps)
    first_marker = keep_write_step(gru_model, lstm_model, x, index, steps[0])["marked"][0]
    return sliders.static(
        lambda t: keep_write_figure(gru_model, lstm_model, x, index=index, t=t),
        steps,
        label="step t",
        fmt="{:d}",
        initial=steps.index(first_marker) if first_marker in steps else 0,
    )


def keep_write_explorer(gru_model, lstm_model, x: torch.Tensor, index: int = 0, t: int = 1):
    """ipywidgets: continuous sliders over the example (``index``) and the step ``t``, redrawing
    :func:`keep_write_figure`."""
    import ipywidgets as widgets

    _check_step(x, index, t)  # an IntSlider would silently truncate 1.5 to 1
    return sliders.explorer(
        lambda index, t: keep_write_figure(gru_model, lstm_model, x, index=index, t=t),
        index=widgets.IntSlider(value=index, min=0, max=x.shape[0] - 1, description="example"),
        t=widgets.IntSlider(value=t, min=1, max=x.shape[1], description="step t"),
    )


# ----- matplotlib: the summary over a whole batch (a still figure, not a view) -----------------
def draw_keep_write_cloud(axes, gru_fractions: dict, lstm_fractions: dict) -> None:
    """Matplotlib, two axes: keep against write for every unit at every step of a batch (from
    :func:`gate_fractions`), GRU left and LSTM right; the marked steps in black on top."""
    for ax, d in zip(axes, (gru_fractions, lstm_fractions)):
        cell = d["cell"]
        marked = d["marked"]
        keep, write = d["keep"], d["write"]
        ax.scatter(
            keep[~marked].ravel(),
            write[~marked].ravel(),
            s=5,
            alpha=0.2,
            color=COLORS[cell],
            rasterized=True,
            label="unmarked steps",
        )
        ax.scatter(
            keep[marked].ravel(),
            write[marked].ravel(),
            s=2,
            alpha=0.3,
            color=COLORS["hidden"],
            rasterized=True,
            label="marked steps",
        )
        ax.plot([0, 1], [1, 0], color=OKABE_ITO["grey"], ls="--", lw=1)
        ax.set_xlim(-0.03, 1.03)
        ax.set_ylim(-0.03, 1.03)
        ax.set_aspect("equal")
        ax.set_xlabel(f"keep {KEEP_TEX[cell]} (fraction of the old memory)")
        ax.set_ylabel(f"write {WRITE_TEX[cell]} (fraction of the candidate)")
        ax.set_title(cell.upper())
        legend = ax.legend(loc="upper right", fontsize=9, markerscale=4)
        for handle in legend.legend_handles:
            handle.set_alpha(1)
