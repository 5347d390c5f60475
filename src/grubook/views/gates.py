"""Chapter 3 views: the GRU's gates, set by hand and read from a trained network.

Data functions (each runs the real :class:`grubook.GRUCell` / :class:`grubook.GRU`):

- :func:`gate_mix`: one GRU step on a small hidden state with z_t and r_t *set by hand*. The cell's
  update- and reset-gate weights are zeroed and their biases set to logit(z) and logit(r), so
  sigmoid gives exactly the chosen values; the rest of the cell is a seeded, untouched GRU.
- :func:`memory_trace`: a one-unit GRU with a constant update gate z: an input is written into the
  state once and then left alone; the fraction still there after k steps is z**k, half-life
  ln 0.5 / ln z steps.
- :func:`recall_gates`: z_t and r_t of a trained model for one sequence of the recall task.

Static (Plotly, precomputed slider steps) wrappers: :func:`static_mix_figure` (slider over z),
:func:`static_reset_figure` (slider over r), :func:`static_memory_figure` (slider over z),
:func:`static_recall_figure` (slider over the example). Live (ipywidgets) wrappers:
:func:`live_gate_explorer`, :func:`live_memory`, :func:`live_recall`.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from ..gru import GRU, GRUCell
from ..plotting import COLORS, OKABE_ITO

DTYPE = torch.float64
HIDDEN = 6  # units in the hand-set explorer
GATE_VALUES = tuple(round(0.1 * i, 1) for i in range(11))  # 0.0, 0.1, ..., 1.0
# the hidden state the explorer starts from: spread over (-1, 1) so every unit reads differently
H_PREV = (0.8, -0.6, 0.3, -0.9, 0.5, -0.2)
X_INPUT = (1.0,)
MEMORY_Z = (0.5, 0.7, 0.8, 0.9, 0.95, 0.97, 0.98, 0.99)
MEMORY_STEPS = 80

# heat-map colour scales that keep each gate's colour: white (0) to the gate's colour (1)
Z_SCALE = [[0.0, "#FFFFFF"], [1.0, COLORS["update"]]]
R_SCALE = [[0.0, "#FFFFFF"], [1.0, COLORS["reset"]]]


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
    """
    z = _check_gate("z", z)
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


# ----- static (Plotly) wrappers -----------------------------------------------------------------
def _mix_traces(d: dict):
    import plotly.graph_objects as go

    u = d["unit"]
    return [
        go.Bar(
            x=u,
            y=d["h_prev"],
            name="old state h<sub>t−1</sub>",
            marker_color=OKABE_ITO["grey"],
            offsetgroup="old",
        ),
        go.Bar(
            x=u,
            y=d["candidate"],
            name="candidate h̃<sub>t</sub>",
            marker_color=COLORS["candidate"],
            offsetgroup="cand",
        ),
        go.Scatter(
            x=u,
            y=d["h"],
            name="new state h<sub>t</sub>",
            mode="markers",
            marker={
                "symbol": "diamond",
                "size": 16,
                "color": COLORS["hidden"],
                "line": {"color": "white", "width": 1.5},
            },
        ),
    ]


def _bar_layout(title: str, ytitle: str) -> dict:
    return {
        "title": {
            "text": title,
            "y": 0.98,
            "yanchor": "top",
            "x": 0.5,
            "xanchor": "center",
            "font": {"size": 15},
        },
        "barmode": "group",
        "height": 500,
        "margin": {"t": 120, "b": 40},
        "xaxis": {"title": {"text": "hidden unit"}, "dtick": 1},
        "yaxis": {"title": {"text": ytitle}, "range": [-1.25, 1.25], "zeroline": True},
        "legend": {"orientation": "h", "y": 1.02, "x": 0, "yanchor": "bottom"},
    }


def static_mix_figure(values=GATE_VALUES, r: float = 1.0, **kwargs):
    """Plotly: h_{t-1}, the candidate and h_t per unit, with a slider over z (r held at ``r``).
    Step i holds :func:`gate_mix` (values[i], r)."""
    from ..sliders import static_slider

    initial = list(values).index(0.5) if 0.5 in values else 0
    return static_slider(
        lambda z: _mix_traces(gate_mix(z, r, **kwargs)),
        values,
        label="update gate z",
        fmt="{:.1f}",
        initial=initial,
        layout=_bar_layout(
            "The update gate mixes the old state and the candidate", "value of the unit"
        ),
    )


def _reset_traces(d: dict):
    import plotly.graph_objects as go

    u = d["unit"]
    return [
        go.Bar(
            x=u,
            y=d["input_term"],
            name="W<sub>n</sub>x<sub>t</sub> + b<sub>in</sub>",
            marker_color=OKABE_ITO["grey"],
            offsetgroup="in",
        ),
        go.Bar(
            x=u,
            y=d["gated_recurrent"],
            name="r⊙(U<sub>n</sub>h<sub>t−1</sub> + b<sub>hn</sub>)",
            marker_color=COLORS["reset"],
            offsetgroup="rec",
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
        ),
        go.Scatter(
            x=u,
            y=d["candidate"],
            name="candidate h̃<sub>t</sub>",
            mode="markers",
            marker={
                "symbol": "diamond",
                "size": 16,
                "color": COLORS["candidate"],
                "line": {"color": "white", "width": 1.5},
            },
        ),
    ]


def static_reset_figure(values=GATE_VALUES, z: float = 0.5, **kwargs):
    """Plotly: the two terms inside the candidate's tanh and the candidate, per unit, with a slider
    over r (z held at ``z``; it does not enter the candidate). Step i holds :func:`gate_mix`
    (z, values[i])."""
    from ..sliders import static_slider

    initial = list(values).index(0.5) if 0.5 in values else 0
    return static_slider(
        lambda r: _reset_traces(gate_mix(z, r, **kwargs)),
        values,
        label="reset gate r",
        fmt="{:.1f}",
        initial=initial,
        layout=_bar_layout(
            "The reset gate scales the old state's part of the candidate",
            "value inside the candidate",
        ),
    )


def _memory_traces(d: dict):
    import plotly.graph_objects as go

    hl = d["half_life"]
    hl_x = [hl, hl] if math.isfinite(hl) else [None, None]
    return [
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


def static_memory_figure(values=MEMORY_Z, steps: int = MEMORY_STEPS):
    """Plotly: the fraction of an input left in the state k steps later, with a slider over a
    constant z. Step i holds :func:`memory_trace` (values[i])."""
    from ..sliders import static_slider

    layout = {
        "title": {"text": "How long a constant update gate z keeps an input", "font": {"size": 15}},
        "height": 450,
        "margin": {"t": 60, "b": 40},
        "xaxis": {"title": {"text": "steps k since the input was written"}, "range": [0, steps]},
        "yaxis": {"title": {"text": "fraction retained, h_k / h_0"}, "range": [0, 1.05]},
        "legend": {
            "y": 0.98,
            "x": 0.98,
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
    initial = list(values).index(0.9) if 0.9 in values else 0
    return static_slider(
        lambda z: _memory_traces(memory_trace(z, steps)),
        values,
        label="update gate z",
        fmt="{:g}",
        initial=initial,
        layout=layout,
    )


def _recall_layout(d: dict) -> dict:
    """Per-example layout: a title with the answer and a line at the marked step on every panel."""
    m = d["marked"]
    shapes = [
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
    ]
    return {
        "title": {
            "text": f"Marked value {d['target']:+.2f} at step {m}; "
            f"the GRU answers {d['prediction']:+.2f}",
            "font": {"size": 15},
        },
        "shapes": shapes,
    }


def static_recall_figure(model, x: torch.Tensor, y: torch.Tensor, examples=range(8), order=None):
    """Plotly: the input values (top) and heat maps of z_t (middle) and r_t (bottom), units by time,
    with a slider over the example. Step i holds :func:`recall_gates` (model, x, y, examples[i])."""
    import plotly.graph_objects as go

    from ..sliders import static_slider

    examples = list(examples)
    cache = {i: recall_gates(model, x, y, i, order) for i in examples}
    units = [str(u) for u in cache[examples[0]]["units"]]  # category labels, in the sorted order

    def traces(i):
        d = cache[i]
        colors = [COLORS["hidden"] if t == d["marked"] else OKABE_ITO["grey"] for t in d["time"]]
        return [
            go.Bar(
                x=d["time"],
                y=d["value"],
                marker_color=colors,
                name="input value",
                showlegend=False,
                hovertemplate="step %{x}: value %{y:.2f}<extra></extra>",
            ),
            go.Heatmap(
                x=d["time"],
                y=units,
                z=d["z"],
                zmin=0,
                zmax=1,
                colorscale=Z_SCALE,
                xaxis="x2",
                yaxis="y2",
                colorbar={"title": {"text": "z<sub>t</sub>"}, "y": 0.525, "len": 0.3, "x": 1.01},
                hovertemplate="step %{x}, %{y}: z = %{z:.2f}<extra></extra>",
            ),
            go.Heatmap(
                x=d["time"],
                y=units,
                z=d["r"],
                zmin=0,
                zmax=1,
                colorscale=R_SCALE,
                xaxis="x3",
                yaxis="y3",
                colorbar={"title": {"text": "r<sub>t</sub>"}, "y": 0.155, "len": 0.3, "x": 1.01},
                hovertemplate="step %{x}, %{y}: r = %{z:.2f}<extra></extra>",
            ),
        ]

    T = x.shape[1]
    unit_axis = {
        "type": "category",
        "autorange": "reversed",
        "tickmode": "array",
        "tickvals": units,
        "ticktext": units,
        "tickfont": {"size": 9},
    }
    layout = {
        "height": 760,
        "margin": {"t": 70, "b": 40, "l": 70},
        "xaxis": {"anchor": "y", "range": [0.5, T + 0.5], "showticklabels": False},
        "yaxis": {
            "domain": [0.74, 1.0],
            "range": [-1.05, 1.05],
            "title": {"text": "input x<sub>t</sub>"},
        },
        "xaxis2": {
            "anchor": "y2",
            "range": [0.5, T + 0.5],
            "showticklabels": False,
            "matches": "x",
        },
        "yaxis2": {
            "domain": [0.37, 0.68],
            "title": {"text": "z<sub>t</sub>, by unit"},
            **unit_axis,
        },
        "xaxis3": {
            "anchor": "y3",
            "range": [0.5, T + 0.5],
            "title": {"text": "time step t"},
            "matches": "x",
        },
        "yaxis3": {"domain": [0.0, 0.31], "title": {"text": "r<sub>t</sub>, by unit"}, **unit_axis},
    }
    return static_slider(
        traces,
        examples,
        label="example",
        fmt="{:d}",
        layout=layout,
        layout_for=lambda i: _recall_layout(cache[i]),
    )


# ----- live (ipywidgets + matplotlib) wrappers --------------------------------------------------
def draw_mix(axes, d: dict) -> None:
    """Matplotlib, two panels: the candidate's two terms (left) and the mix into h_t (right)."""
    u = d["unit"]
    w = 0.38
    ax = axes[0]
    ax.bar(u - w / 2, d["input_term"], w, color=OKABE_ITO["grey"], label="$W_n x_t + b_{in}$")
    ax.bar(
        u + w / 2,
        d["gated_recurrent"],
        w,
        color=COLORS["reset"],
        label=r"$r_t \odot (U_n h_{t-1} + b_{hn})$",
    )
    ax.scatter(
        u + w / 2,
        d["recurrent_term"],
        marker="_",
        s=400,
        color=COLORS["reset"],
        label="the same at $r=1$",
    )
    ax.scatter(
        u,
        d["candidate"],
        marker="D",
        s=60,
        color=COLORS["candidate"],
        edgecolor="white",
        zorder=3,
        label=r"candidate $\tilde h_t$",
    )
    ax.set_title("Inside the candidate")
    ax.set_ylabel("value")
    ax = axes[1]
    ax.bar(u - w / 2, d["h_prev"], w, color=OKABE_ITO["grey"], label="$h_{t-1}$")
    ax.bar(u + w / 2, d["candidate"], w, color=COLORS["candidate"], label=r"$\tilde h_t$")
    ax.scatter(
        u,
        d["h"],
        marker="D",
        s=60,
        color=COLORS["hidden"],
        edgecolor="white",
        zorder=3,
        label="$h_t$",
    )
    ax.set_title("The mix into the new state")
    for ax in axes:
        ax.axhline(0, color=COLORS["hidden"], lw=0.8)
        ax.set_ylim(-1.6, 1.6)
        ax.set_xticks(u)
        ax.set_xlabel("hidden unit")
        ax.legend(fontsize=9, loc="lower left", ncol=2)


def live_gate_explorer():
    """ipywidgets: sliders for z and r; redraws :func:`draw_mix` from :func:`gate_mix`."""
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    from ..sliders import live

    def draw(z, r):
        fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
        draw_mix(axes, gate_mix(z, r))
        fig.suptitle(f"One GRU step with $z_t$ = {z:.2f} and $r_t$ = {r:.2f} on every unit")
        fig.tight_layout()
        plt.show()

    kw = {"min": 0.0, "max": 1.0, "step": 0.05, "continuous_update": False}
    return live(
        draw,
        z=widgets.FloatSlider(value=0.5, description="z (update)", **kw),
        r=widgets.FloatSlider(value=1.0, description="r (reset)", **kw),
    )


def live_memory():
    """ipywidgets: a slider over a constant z; redraws :func:`memory_trace`."""
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    from ..sliders import live

    def draw(z):
        d = memory_trace(z)
        fig, ax = plt.subplots(figsize=(7.5, 3.5))
        ax.plot(d["k"], d["retained"], color=COLORS["update"], lw=2.5)
        ax.axhline(0.5, color=OKABE_ITO["grey"], ls=":")
        if math.isfinite(d["half_life"]):
            ax.axvline(d["half_life"], color=COLORS["hidden"], ls="--", lw=1)
        ax.set_ylim(0, 1.05)
        ax.set_xlabel("steps k since the input was written")
        ax.set_ylabel("fraction retained $h_k / h_0$")
        ax.set_title(f"z = {z:.3f}: half-life {d['half_life']:.1f} steps")
        plt.show()

    return live(
        draw,
        z=widgets.FloatSlider(
            value=0.9,
            min=0.3,
            max=0.995,
            step=0.005,
            readout_format=".3f",
            description="z",
            continuous_update=False,
        ),
    )


def draw_recall(axes, d: dict) -> None:
    """Matplotlib, three stacked panels: input values, z_t heat map, r_t heat map."""
    T = len(d["time"])
    colors = [COLORS["hidden"] if t == d["marked"] else OKABE_ITO["grey"] for t in d["time"]]
    axes[0].bar(d["time"], d["value"], color=colors)
    axes[0].set_ylabel("input $x_t$")
    axes[0].set_ylim(-1.05, 1.05)
    from matplotlib.colors import LinearSegmentedColormap

    for ax, key, color, name in (
        (axes[1], "z", COLORS["update"], "$z_t$"),
        (axes[2], "r", COLORS["reset"], "$r_t$"),
    ):
        cmap = LinearSegmentedColormap.from_list(key, ["#FFFFFF", color])
        im = ax.imshow(
            d[key],
            aspect="auto",
            cmap=cmap,
            vmin=0,
            vmax=1,
            extent=(0.5, T + 0.5, len(d["units"]) + 0.5, 0.5),
            interpolation="nearest",
        )
        ax.set_ylabel(f"{name}, by unit")
        ax.set_yticks(range(1, len(d["units"]) + 1), [str(u) for u in d["units"]], fontsize=7)
        ax.grid(False)
        ax.figure.colorbar(im, ax=ax, fraction=0.03, pad=0.01)
    for ax in axes:
        ax.axvline(d["marked"], color=COLORS["hidden"], ls=":", lw=1.5)
        ax.set_xlim(0.5, T + 0.5)
    axes[2].set_xlabel("time step t")
    axes[2].set_xticks(range(1, T + 1, 2 if T > 12 else 1))


def live_recall(model, x: torch.Tensor, y: torch.Tensor, order=None):
    """ipywidgets: a slider over the examples of x; redraws :func:`draw_recall`."""
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    from ..sliders import live

    def draw(index):
        d = recall_gates(model, x, y, index, order)
        fig, axes = plt.subplots(
            3, 1, figsize=(9, 7), sharex=True, gridspec_kw={"height_ratios": [1, 1.6, 1.6]}
        )
        draw_recall(axes, d)
        axes[0].set_title(
            f"Marked value {d['target']:+.2f} at step {d['marked']}; "
            f"the GRU answers {d['prediction']:+.2f}"
        )
        plt.show()

    return live(
        draw,
        index=widgets.IntSlider(
            value=0, min=0, max=x.shape[0] - 1, description="example", continuous_update=False
        ),
    )
