"""Chapter 3 views: the GRU's gates, set by hand and read from a trained network.

Data functions (each runs the real :class:`grubook.GRUCell` / :class:`grubook.GRU`, whose
equations are :func:`grubook.gru_step`):

- :func:`gate_mix`: one GRU step on a small hidden state with z_t and r_t *set by hand*. The cell's
  update- and reset-gate weights are zeroed and their biases set to logit(z) and logit(r), so
  sigmoid gives exactly the chosen values; the rest of the cell is a seeded, untouched GRU.
- :func:`memory_trace`: a one-unit GRU with a constant update gate z: an input is written into the
  state once and then left alone; the fraction still there after k steps is z**k, half-life
  ln 0.5 / ln z steps.
- :func:`recall_gates`: z_t and r_t of a trained model for one sequence of the recall task.

Figure functions (one per view; each returns a whole Plotly figure) and their drivers
(:func:`grubook.sliders.static` for the page, :func:`grubook.sliders.explorer` for a kernel):

- :func:`gate_step_figure` (z, r): inside the candidate (top) and the mix into h_t (bottom).
  Static: :func:`static_mix_figure` (slider over z), :func:`static_reset_figure` (slider over r).
  Live: :func:`gate_explorer` (both).
- :func:`memory_figure` (z): the fraction of an input still in the state k steps later.
  Static: :func:`static_memory_figure`. Live: :func:`memory_explorer`.
- :func:`recall_figure` (index, from 0): the inputs and heat maps of z_t and r_t of a trained model.
  Static: :func:`static_recall_figure`. Live: :func:`recall_explorer`.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from .. import _checks, sliders
from ..gru import GRU, GRUCell
from ..plotting import COLORS, GATE_SCALES, OKABE_ITO

DTYPE = torch.float64
HIDDEN = 6  # units in the hand-set explorer
GATE_VALUES = tuple(round(0.1 * i, 1) for i in range(11))  # 0.0, 0.1, ..., 1.0
# the hidden state the explorer starts from: spread over (-1, 1) so every unit reads differently
H_PREV = (0.8, -0.6, 0.3, -0.9, 0.5, -0.2)
X_INPUT = (1.0,)
MEMORY_Z = (0.5, 0.7, 0.8, 0.9, 0.95, 0.97, 0.98, 0.99)
MEMORY_STEPS = 80


def _check_gate(name: str, value) -> float:
    value = float(value)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be a gate value in [0, 1], got {value}.")
    return value


def hand_set_cell(
    z: float, r: float, hidden_size: int = HIDDEN, input_size: int = 1, seed: int = 0
) -> GRUCell:
    """A seeded float64 :class:`grubook.GRUCell` whose update gate is the constant ``z`` and reset
    gate the constant ``r`` for every input: W_z = U_z = W_r = U_r = 0, b_iz = logit(z),
    b_ir = logit(r), b_hz = b_hr = 0. The candidate's weights (W_n, U_n, b_in, b_hn) keep their
    random values."""
    z, r = _check_gate("z", z), _check_gate("r", r)
    # seeded weights, and the caller's random stream left untouched
    seed = _checks.seed(seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        cell = GRUCell(input_size, hidden_size, dtype=DTYPE)
    H = hidden_size
    with torch.no_grad():
        for w in (cell.weight_ih, cell.weight_hh):
            w[: 2 * H].zero_()  # rows of W_r, W_z and U_r, U_z: the gates ignore x_t and h_{t-1}
        cell.bias_hh[: 2 * H].zero_()
        # logit(0) = -inf and logit(1) = inf: sigmoid then gives exactly 0 or 1
        cell.bias_ih[:H] = torch.logit(torch.tensor(r, dtype=DTYPE))
        cell.bias_ih[H : 2 * H] = torch.logit(torch.tensor(z, dtype=DTYPE))
    return cell


def gate_mix(z: float, r: float, h_prev=H_PREV, x=X_INPUT, seed: int = 0) -> dict:
    """One step of a GRU with z_t = z and r_t = r set by hand (see :func:`hand_set_cell`).

    Returns numpy arrays of shape (hidden,): "h_prev" (h_{t-1}), "z", "r" (the gates the cell
    computed), "input_term" (W_n x_t + b_in), "recurrent_term" (U_n h_{t-1} + b_hn),
    "gated_recurrent" (r_t * recurrent_term, what reaches the candidate), "candidate" (h~_t),
    "kept" (z_t * h_{t-1}), "new" ((1 - z_t) * h~_t) and "h" (h_t, from the cell); plus "unit"
    (1..hidden).
    """
    h_prev = torch.as_tensor(h_prev, dtype=DTYPE)
    x = torch.as_tensor(x, dtype=DTYPE)
    cell = hand_set_cell(z, r, hidden_size=h_prev.shape[-1], input_size=x.shape[-1], seed=seed)
    with torch.no_grad():
        h, gates = cell.step(x, h_prev)
        H = cell.hidden_size
        input_term = x @ cell.weight_ih[2 * H :].T + cell.bias_ih[2 * H :]
        recurrent_term = h_prev @ cell.weight_hh[2 * H :].T + cell.bias_hh[2 * H :]
    out = {
        "unit": np.arange(1, H + 1),
        "h_prev": h_prev.numpy(),
        "z": gates.update.numpy(),
        "r": gates.reset.numpy(),
        "input_term": input_term.numpy(),
        "recurrent_term": recurrent_term.numpy(),
        "gated_recurrent": (gates.reset * recurrent_term).numpy(),
        "candidate": gates.candidate.numpy(),
        "kept": (gates.update * h_prev).numpy(),
        "new": ((1 - gates.update) * gates.candidate).numpy(),
        "h": h.numpy(),
    }
    return out


def memory_trace(z: float, steps: int = MEMORY_STEPS) -> dict:
    """How an input fades from a GRU whose update gate is held at the constant ``z``.

    A one-unit :class:`grubook.GRU` (z set by hand as in :func:`hand_set_cell`, U_n = 0 and zero
    candidate biases, W_n = 1) sees x = 1 at step 0 and x = 0 for ``steps`` more steps; after step 0
    the candidate is tanh(0) = 0, so h_k = z * h_{k-1}.

    Returns {"k": (steps + 1,) steps since the input, "h": (steps + 1,) the state, "retained":
    (steps + 1,) h_k / h_0, equal to z**k, "half_life": ln 0.5 / ln z (inf for z = 1, 0 for z = 0),
    "z": z}.
    z = 1 is refused: h_0 = (1 - z) * tanh(1) is then 0, nothing is written, and the retained
    fraction would be 0 / 0.
    """
    z = _check_gate("z", z)
    steps = _checks.positive_int("steps", steps, 10_000)
    if z == 1.0:
        raise ValueError(
            "memory_trace: z=1 writes nothing (h_0 = (1 - z) tanh(1) = 0 and h stays 0), so "
            "nothing can fade and h_k / h_0 is 0 / 0; give a z below 1 (its half-life is then "
            "finite)."
        )
    gru = GRU(1, 1, dtype=DTYPE)
    with torch.no_grad():
        for p in gru.parameters():
            p.zero_()
        gru.bias_ih_l0[1] = torch.logit(torch.tensor(z, dtype=DTYPE))  # update-gate bias: z_t = z
        gru.weight_ih_l0[2, 0] = 1.0  # W_n: the input reaches the candidate
        x = torch.zeros(steps + 1, 1, dtype=DTYPE)
        x[0, 0] = 1.0
        h, _ = gru(x)  # one unbatched sequence: (steps + 1, 1)
    h = h[:, 0].numpy()
    return {
        "k": np.arange(steps + 1),
        "h": h,
        "retained": h / h[0],
        "half_life": half_life(z),
        "z": z,
    }


def half_life(z: float) -> float:
    """Steps until a value kept by a constant update gate z has halved: ln 0.5 / ln z."""
    z = _check_gate("z", z)
    if z == 0.0:
        return 0.0
    if z == 1.0:
        return math.inf
    return math.log(0.5) / math.log(z)


def unit_order(model, x: torch.Tensor) -> np.ndarray:
    """Hidden units of a recall model sorted by how far z_t drops at the marked step (largest drop
    first), over a batch x: (batch, length, 2). Returns (hidden,) indices."""
    from ..tasks.recall import marked_steps

    with torch.no_grad():
        _, gates = model(x, return_gates=True)
    z = gates.update[-1]  # last layer: (batch, time, hidden)
    marked = marked_steps(x)
    rows = torch.arange(x.shape[0])
    at_marker = z[rows, marked].mean(0)
    elsewhere = (z.sum(1) - z[rows, marked]).mean(0) / (x.shape[1] - 1)
    return torch.argsort(at_marker - elsewhere).numpy()


def recall_gates(model, x: torch.Tensor, y: torch.Tensor, index: int, order=None) -> dict:
    """The gates of a trained recall model (``grubook.training.SequenceModel``, cell "gru") on
    sequence ``index`` of the batch x: (batch, length, 2), y: (batch, 1).

    Returns {"time": (length,) 1..length, "value": (length,) the input values, "marked": the marked
    step (1-based), "z": (hidden, length) z_t with units in ``order``, "r": (hidden, length) r_t,
    "prediction": float, "target": float, "units": (hidden,) the unit numbers (1-based) in order}.
    """
    index = _checks.index("index", index)
    if not 0 <= index < x.shape[0]:
        raise ValueError(f"index must be in 0..{x.shape[0] - 1}, got {index}.")
    with torch.no_grad():
        pred, gates = model(x[index : index + 1], return_gates=True)
    z = gates.update[-1, 0].T.numpy()  # (hidden, time)
    r = gates.reset[-1, 0].T.numpy()
    order = np.arange(z.shape[0]) if order is None else np.asarray(order)
    return {
        "time": np.arange(1, x.shape[1] + 1),
        "value": x[index, :, 0].numpy(),
        "marked": int(x[index, :, 1].argmax()) + 1,
        "z": z[order],
        "r": r[order],
        "prediction": float(pred[0, 0]),
        "target": float(y[index, 0]),
        "units": order + 1,
    }


# ----- figure functions and their drivers -------------------------------------------------------
def _title(text: str, top: bool = False) -> dict:
    """A centred title; ``top`` pins it to the top edge, so that a legend that wraps on a narrow
    screen grows up to it, not over it."""
    title = {"text": text, "x": 0.5, "xanchor": "center", "font": {"size": 15}}
    return {**title, "y": 0.985, "yanchor": "top"} if top else title


def _panel_legend(y: float, title: str) -> dict:
    return {
        "title": {"text": title, "side": "top"},
        "orientation": "h",
        "x": 0,
        "y": y,
        "xanchor": "left",
        "yanchor": "bottom",
    }


def gate_step_figure(z: float = 0.5, r: float = 1.0, h_prev=H_PREV, x=X_INPUT, seed: int = 0):
    """One GRU step with z_t = z and r_t = r on every unit (:func:`gate_mix`), per hidden unit.

    Top panel, where r_t acts: the candidate's two terms, W_n x_t + b_in and
    r_t ⊙ (U_n h_{t-1} + b_hn) (with the same term at r = 1 as a short line), and the candidate
    h~_t = tanh(their sum). Bottom panel, where z_t acts: h_{t-1}, h~_t and the new state
    h_t = (1 - z_t) ⊙ h~_t + z_t ⊙ h_{t-1}.

    Returns a ``plotly.graph_objects.Figure`` with seven traces (four on top, three below).
    """
    import plotly.graph_objects as go

    d = gate_mix(z, r, h_prev=h_prev, x=x, seed=seed)
    u = d["unit"]
    top, bottom = {"xaxis": "x", "yaxis": "y"}, {"xaxis": "x2", "yaxis": "y2", "legend": "legend2"}

    def bar(key, name, color, group, axes):
        return go.Bar(x=u, y=d[key], name=name, marker_color=color, offsetgroup=group, **axes)

    def diamonds(key, name, color, axes):
        edge = {"color": "white", "width": 1.5}
        marker = {"symbol": "diamond", "size": 16, "color": color, "line": edge}
        return go.Scatter(x=u, y=d[key], name=name, mode="markers", marker=marker, **axes)

    traces = [
        bar(
            "input_term",
            "W<sub>n</sub>x<sub>t</sub> + b<sub>in</sub>",
            OKABE_ITO["grey"],
            "in",
            top,
        ),
        bar(
            "gated_recurrent",
            "r<sub>t</sub> ⊙ (U<sub>n</sub>h<sub>t−1</sub> + b<sub>hn</sub>)",
            COLORS["reset"],
            "rec",
            top,
        ),
        go.Scatter(
            x=u,
            y=d["recurrent_term"],
            name="the same at r = 1",
            mode="markers",
            marker={
                "symbol": "line-ew",
                "size": 22,
                "color": COLORS["reset"],
                "line": {"color": COLORS["reset"], "width": 2},
            },
            **top,
        ),
        diamonds("candidate", "candidate h̃<sub>t</sub> = tanh(sum)", COLORS["candidate"], top),
        bar("h_prev", "old state h<sub>t−1</sub>", OKABE_ITO["grey"], "old", bottom),
        bar("candidate", "candidate h̃<sub>t</sub>", COLORS["candidate"], "cand", bottom),
        diamonds("h", "new state h<sub>t</sub>", COLORS["hidden"], bottom),
    ]
    value_range = {"range": [-1.25, 1.25], "zeroline": True}
    layout = {
        "title": _title(
            f"One GRU step, z<sub>t</sub> = {d['z'][0]:.2f} and "
            f"r<sub>t</sub> = {d['r'][0]:.2f} on every unit",
            top=True,
        ),
        "barmode": "group",
        "height": 780,
        "margin": {"t": 150, "b": 50},
        "xaxis": {"anchor": "y", "dtick": 1},
        "yaxis": {"domain": [0.6, 1.0], "title": {"text": "inside the candidate"}, **value_range},
        "xaxis2": {"anchor": "y2", "dtick": 1, "title": {"text": "hidden unit"}},
        "yaxis2": {"domain": [0.0, 0.4], "title": {"text": "value of the unit"}, **value_range},
        "legend": _panel_legend(1.01, "<b>The candidate</b> (r<sub>t</sub> acts here):"),
        "legend2": _panel_legend(0.42, "<b>The mix</b> (z<sub>t</sub> acts here):"),
        # below 600 px (static/figures.js) each legend wraps to four rows: the panels move apart
        "meta": {
            "narrow": {
                "height": 960,
                "yaxis.domain": [0.62, 1.0],
                "yaxis2.domain": [0.0, 0.36],
                "legend2.y": 0.38,
            }
        },
    }
    return go.Figure(traces, layout)


def _gate_index(values, value: float) -> int:
    values = list(values)
    return values.index(value) if value in values else 0


def static_mix_figure(values=GATE_VALUES, r: float = 1.0, **kwargs):
    """:func:`gate_step_figure` with a slider over z (r held at ``r``); step i is
    ``gate_step_figure(z=values[i], r=r, **kwargs)``."""
    return sliders.static(
        lambda z: gate_step_figure(z=z, r=r, **kwargs),
        values,
        label="update gate z",
        fmt="{:.1f}",
        initial=_gate_index(values, 0.5),
    )


def static_reset_figure(values=GATE_VALUES, z: float = 0.5, **kwargs):
    """:func:`gate_step_figure` with a slider over r (z held at ``z``; it does not enter the
    candidate); step i is ``gate_step_figure(z=z, r=values[i], **kwargs)``."""
    return sliders.static(
        lambda r: gate_step_figure(z=z, r=r, **kwargs),
        values,
        label="reset gate r",
        fmt="{:.1f}",
        initial=_gate_index(values, 0.5),
    )


def gate_explorer(z: float = 0.5, r: float = 1.0):
    """ipywidgets: continuous sliders for z and r, redrawing :func:`gate_step_figure`."""
    import ipywidgets as widgets

    kw = {"min": 0.0, "max": 1.0, "step": 0.05}
    return sliders.explorer(
        gate_step_figure,
        z=widgets.FloatSlider(value=z, description="z (update)", **kw),
        r=widgets.FloatSlider(value=r, description="r (reset)", **kw),
    )


def memory_figure(z: float = 0.9, steps: int = MEMORY_STEPS):
    """The fraction of an input still in the state k steps after it was written, for a GRU whose
    update gate is held at ``z`` (:func:`memory_trace`), with its half-life ln 0.5 / ln z.

    Returns a ``plotly.graph_objects.Figure`` with two traces: the retained fraction and the
    half-life marker (empty when the half-life is infinite, at z = 1).
    """
    import plotly.graph_objects as go

    d = memory_trace(z, steps)
    hl = d["half_life"]
    hl_x = [hl, hl] if math.isfinite(hl) else [None, None]
    traces = [
        go.Scatter(
            x=d["k"],
            y=d["retained"],
            mode="lines",
            name="fraction of the input still in h",
            line={"color": COLORS["update"], "width": 3},
        ),
        go.Scatter(
            x=hl_x,
            y=[0, 0.5],
            mode="lines+text",
            name="half-life ln 0.5 / ln z",
            line={"color": COLORS["hidden"], "dash": "dash", "width": 1.5},
            text=["", f"  half-life {hl:.1f} steps"],
            textposition="middle right",
        ),
    ]
    layout = {
        "title": _title(
            f"An update gate held at z = {d['z']:.3f} keeps half an input for {hl:.1f} steps"
        ),
        "height": 450,
        "margin": {"t": 60, "b": 40},
        "xaxis": {"title": {"text": "steps k since the input was written"}, "range": [0, steps]},
        "yaxis": {
            "title": {"text": "fraction retained, h<sub>k</sub> / h<sub>0</sub>"},
            "range": [0, 1.05],
        },
        "legend": {
            "x": 0.98,
            "y": 0.98,
            "xanchor": "right",
            "yanchor": "top",
            "bgcolor": "rgba(255,255,255,0.8)",
        },
        "shapes": [
            {
                "type": "line",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "y0": 0.5,
                "y1": 0.5,
                "line": {"color": OKABE_ITO["grey"], "dash": "dot", "width": 1},
            }
        ],
    }
    return go.Figure(traces, layout)


def static_memory_figure(values=MEMORY_Z, steps: int = MEMORY_STEPS):
    """:func:`memory_figure` with a slider over a constant z; step i is
    ``memory_figure(z=values[i], steps=steps)``."""
    return sliders.static(
        lambda z: memory_figure(z=z, steps=steps),
        values,
        label="update gate z",
        fmt="{:g}",
        initial=_gate_index(values, 0.9),
    )


def memory_explorer(z: float = 0.9, steps: int = MEMORY_STEPS):
    """ipywidgets: a continuous slider over z (0.3 to 0.99), redrawing :func:`memory_figure`."""
    import ipywidgets as widgets

    return sliders.explorer(
        lambda z: memory_figure(z=z, steps=steps),
        z=widgets.FloatSlider(
            value=z,
            min=0.3,
            max=0.99,
            step=0.005,
            readout_format=".3f",
            description="z",
        ),
    )


def recall_figure(model, x: torch.Tensor, y: torch.Tensor, index: int = 0, order=None):
    """Sequence ``index`` of a recall batch x: (batch, length, 2), y: (batch, 1), through a trained
    model (:func:`recall_gates`): its input values (top) and heat maps of z_t (middle) and r_t
    (bottom), units (rows, in ``order``) by time step, with a line at the marked step.

    Returns a ``plotly.graph_objects.Figure`` with four traces: the unmarked and the marked input
    values (bars) and the two heat maps.
    """
    import plotly.graph_objects as go

    d = recall_gates(model, x, y, index, order)
    m, T = d["marked"], len(d["time"])
    units = [str(u) for u in d["units"]]  # category labels, in the sorted order
    other = d["time"] != m

    def heatmap(gate: str, scale: str, axis: str, y_bar: float):
        return go.Heatmap(
            x=d["time"],
            y=units,
            z=d[gate],
            zmin=0,
            zmax=1,
            colorscale=GATE_SCALES[scale],
            xaxis=f"x{axis}",
            yaxis=f"y{axis}",
            colorbar={"title": {"text": f"{gate}<sub>t</sub>"}, "y": y_bar, "len": 0.3, "x": 1.01},
            hovertemplate=f"step %{{x}}, unit %{{y}}: {gate} = %{{z:.2f}}<extra></extra>",
        )

    traces = [
        # the marked value in black, the others in grey: two bar traces, so that only their data
        # changes from one example to the next
        go.Bar(
            x=d["time"][other],
            y=d["value"][other],
            marker_color=OKABE_ITO["grey"],
            name="input value",
            showlegend=False,
            hovertemplate="step %{x}: value %{y:.2f}<extra></extra>",
        ),
        go.Bar(
            x=[m],
            y=[d["value"][m - 1]],
            marker_color=COLORS["hidden"],
            name="marked value",
            showlegend=False,
            hovertemplate="step %{x}: marked value %{y:.2f}<extra></extra>",
        ),
        heatmap("z", "update", "2", 0.525),
        heatmap("r", "reset", "3", 0.155),
    ]
    unit_axis = {
        "type": "category",
        "autorange": "reversed",
        "tickmode": "array",
        "tickvals": units,
        "ticktext": units,
        "tickfont": {"size": 9},
    }
    steps_axis = {"range": [0.5, T + 0.5], "matches": "x"}
    layout = {
        "title": _title(
            f"Marked value {d['target']:+.2f} at step {m}; the GRU answers {d['prediction']:+.2f}"
        ),
        "height": 760,
        "barmode": "overlay",
        "margin": {"t": 70, "b": 40, "l": 70},
        "xaxis": {"anchor": "y", "range": [0.5, T + 0.5], "showticklabels": False},
        "yaxis": {
            "domain": [0.74, 1.0],
            "range": [-1.05, 1.05],
            "title": {"text": "input x<sub>t</sub>"},
        },
        "xaxis2": {"anchor": "y2", "showticklabels": False, **steps_axis},
        "yaxis2": {
            "domain": [0.37, 0.68],
            "title": {"text": "z<sub>t</sub>, by unit"},
            **unit_axis,
        },
        "xaxis3": {"anchor": "y3", "title": {"text": "time step t"}, **steps_axis},
        "yaxis3": {"domain": [0.0, 0.31], "title": {"text": "r<sub>t</sub>, by unit"}, **unit_axis},
        "shapes": [
            {
                "type": "line",
                "xref": f"x{a}",
                "yref": f"y{a} domain",
                "x0": m,
                "x1": m,
                "y0": 0,
                "y1": 1,
                "line": {"color": COLORS["hidden"], "dash": "dot", "width": 2},
            }
            for a in ("", "2", "3")
        ],
    }
    return go.Figure(traces, layout)


def static_recall_figure(
    model, x: torch.Tensor, y: torch.Tensor, examples=range(8), order=None, name="sequence"
):
    """:func:`recall_figure` with a slider over sequences of x; step i is
    ``recall_figure(model, x, y, index=examples[i], order=order)``. The slider reads ``name`` and
    the sequence's number counted from 1, as the book counts them: "held-out sequence = 1" is
    x[0], the sequence the chapter's lab calls held-out sequence 1."""
    return sliders.static(
        lambda i: recall_figure(model, x, y, index=i, order=order),
        examples,
        label=name,
        fmt=lambda i: str(i + 1),
    )


def recall_explorer(model, x: torch.Tensor, y: torch.Tensor, order=None, name="sequence"):
    """ipywidgets: a continuous slider over the sequences of x, counted from 1 as
    :func:`static_recall_figure` counts them, redrawing :func:`recall_figure`."""
    import ipywidgets as widgets

    return sliders.explorer(
        lambda sequence: recall_figure(model, x, y, index=sequence - 1, order=order),
        sequence=widgets.IntSlider(
            value=1,
            min=1,
            max=x.shape[0],
            description=name,
            style={"description_width": "initial"},
        ),
    )
