"""Chapter 5 views: reading the carry from a trained GRU, and asking it to add.

Data functions (they run the real model):

- :func:`gate_trace`: one sum, step by step: the bits of a and b, the carry into and out of every
  column, the true and predicted sum bits, and the GRU's z_t, r_t and h_t at every step.
- :func:`carry_correlations`: over many sums, the correlation of every unit's z_t, r_t and h_t with
  the carry, and how well a linear read-out of all units recovers it.
- :func:`sums_table`: the model's answers to a list of sums, beside the true ones.

Wrappers: :func:`static_gate_figure` (Plotly, a slider over example sums, precomputed at build
time), :func:`live_gate_view` (ipywidgets sliders for a and b), :func:`live_adder` (type two
numbers, get the model's sum). :func:`learning_curve_figure` and :func:`comparison_figure` draw
read-only matplotlib figures of training runs.
"""

from __future__ import annotations

import numpy as np
import torch

from ..plotting import COLORS, GATE_COLORSCALE, OKABE_ITO
from ..tasks import addition as A

BIT_ROWS = ("a_t", "b_t", "carry in", "sum s_t", "model")
ADDER_NOTE = (
    "On the static website, the table of sums above was computed when the page was built, by the "
    "same model."
)


# ----- data functions ---------------------------------------------------------------------------
def _gru_gates(model, x: torch.Tensor):
    """Run a SequenceModel with a GRU on x (n, time, 2): (logits (n, time), z, r, h each (n, time,
    hidden))."""
    if getattr(model, "cell", None) != "gru":
        raise ValueError(
            "the gate view needs a model with cell='gru', "
            f"got cell={getattr(model, 'cell', None)!r}."
        )
    model.eval()
    with torch.no_grad():
        out, _, gates = model.rnn(x, return_gates=True)
        logits = model.head(out)[..., 0]
    return logits, gates.update[0], gates.reset[0], out


def gate_trace(model, a: int, b: int, bits: int = 8) -> dict:
    """Everything the gate view shows for one sum a + b, step by step (t = 0 .. bits).

    model: a trained addition SequenceModel with cell "gru". Returns a dict with "step" (T,) where
    T = bits + 1; the bit rows "a_bits", "b_bits", "carry_in", "carry_out", "sum_bits", "pred_bits"
    (T,) int; "z", "r", "h" (T, hidden) float; and the integers "a", "b", "sum", "pred" and
    "correct".
    """
    x, y = A.encode(a, b, bits)
    bits = x.shape[1] - 1
    a_bits, b_bits = x[0, :bits, 0].long(), x[0, :bits, 1].long()
    _, carry_out = A.add_bits(a_bits[None], b_bits[None])
    carry_out = carry_out[0]
    carry_in = torch.cat([carry_out.new_zeros(1), carry_out[:-1]])
    logits, z, r, h = _gru_gates(model, x)
    pred_bits = (logits[0] > 0).long()
    pad = torch.zeros(1, dtype=torch.int64)
    total, pred = A.decode(y)[0], A.decode(pred_bits[None])[0]
    return {
        "step": np.arange(bits + 1),
        "a_bits": torch.cat([a_bits, pad]).numpy(),
        "b_bits": torch.cat([b_bits, pad]).numpy(),
        "carry_in": carry_in.numpy(),
        "carry_out": carry_out.numpy(),
        "sum_bits": y[0, :, 0].long().numpy(),
        "pred_bits": pred_bits.numpy(),
        "z": z[0].numpy(),
        "r": r[0].numpy(),
        "h": h[0].numpy(),
        "a": int(a),
        "b": int(b),
        "sum": total,
        "pred": pred,
        "correct": pred == total,
    }


def _corr_per_unit(values: torch.Tensor, target: torch.Tensor) -> np.ndarray:
    """Pearson correlation of every unit (last dim of values (n, T, H)) with target (n, T)."""
    v = values.reshape(-1, values.shape[-1]).double()
    t = target.reshape(-1, 1).double()
    v, t = v - v.mean(0), t - t.mean(0)
    return ((v * t).sum(0) / (v.norm(dim=0) * t.norm(dim=0)).clamp_min(1e-12)).numpy()


def _linear_probe(features: torch.Tensor, target: torch.Tensor) -> float:
    """Least-squares read-out of a 0/1 target from features (n, T, H), fitted on the first half of
    the
    sums and scored (threshold 1/2) on the second half: held-out accuracy."""
    n = features.shape[0] // 2
    f = torch.cat([features, torch.ones(*features.shape[:-1], 1)], dim=-1).double()
    fit = torch.linalg.lstsq(
        f[:n].reshape(-1, f.shape[-1]), target[:n].reshape(-1, 1).double()
    ).solution
    guess = (f[n:].reshape(-1, f.shape[-1]) @ fit)[:, 0] > 0.5
    return (guess == target[n:].reshape(-1).bool()).double().mean().item()


def carry_correlations(
    model, bits: int = 8, n: int = 1000, seed: int = 7, from_step: int = 0
) -> dict:
    """How visible is the carry in the trained GRU? Measured on n random bits-bit sums.

    Returns {"z", "r", "h"}: each a dict with "carry_in" and "carry_out", the (hidden,)
    correlations of every unit with that carry over all steps; "best": {(quantity, carry): (unit,
    correlation)} for the unit with the largest |correlation|; "probe": {(quantity, carry):
    accuracy} of a linear read-out of all units (fitted on half the sums, scored on the other
    half), with quantity "x" (the two input bits alone) as the baseline. carry_in at step t is the
    carry from column t - 1, which the GRU holds in h_{t-1}; carry_out is the carry that column t
    produces. from_step: use only steps t >= from_step (1 leaves out step 0, where the carry in is
    always 0 and the state starts from zero).
    """
    gen = torch.Generator().manual_seed(seed)
    a_bits, b_bits = A.random_operands(n, bits, gen)
    x, _ = A.encode_bits(a_bits, b_bits)
    _, carry_out = A.add_bits(a_bits, b_bits)
    carry_in = torch.cat([carry_out.new_zeros(n, 1), carry_out[:, :-1]], dim=1)
    _, z, r, h = _gru_gates(model, x)
    if not 0 <= from_step <= bits:
        raise ValueError(f"from_step must be in 0..bits={bits}, got {from_step}.")
    z, r, h, x = z[:, from_step:], r[:, from_step:], h[:, from_step:], x[:, from_step:]
    carry_in, carry_out = carry_in[:, from_step:], carry_out[:, from_step:]
    result, best, probe = {}, {}, {}
    for name, values in (("z", z), ("r", r), ("h", h)):
        result[name] = {}
        for carry_name, carry in (("carry_in", carry_in), ("carry_out", carry_out)):
            c = _corr_per_unit(values, carry)
            result[name][carry_name] = c
            unit = int(np.argmax(np.abs(c)))
            best[(name, carry_name)] = (unit, float(c[unit]))
            probe[(name, carry_name)] = _linear_probe(values, carry)
    for carry_name, carry in (("carry_in", carry_in), ("carry_out", carry_out)):
        probe[("x", carry_name)] = _linear_probe(x, carry)  # baseline: the two input bits alone
    result["best"], result["probe"] = best, probe
    return result


def encoding_table(a: int, b: int, bits: int | None = None):
    """The worked example as a table: one column per step t, rows a_t, b_t, carry in, column sum,
    s_t (the target) and carry out, computed by :func:`grubook.tasks.addition.encode` and
    :func:`~grubook.tasks.addition.add_bits`. Returns a pandas DataFrame."""
    import pandas as pd

    x, y = A.encode(a, b, bits)
    bits = x.shape[1] - 1
    _, carry_out = A.add_bits(x[:, :bits, 0].long(), x[:, :bits, 1].long())
    carry_out = carry_out[0]
    carry_in = torch.cat([carry_out.new_zeros(1), carry_out[:-1]])
    a_t, b_t = x[0, :, 0].long(), x[0, :, 1].long()
    rows = {
        "a_t": a_t,
        "b_t": b_t,
        "carry in": carry_in,
        "column sum": a_t + b_t + carry_in,
        "s_t (target)": y[0, :, 0].long(),
        "carry out": carry_out,
    }
    table = pd.DataFrame({k: v.tolist() for k, v in rows.items()}).T
    table.columns = [f"t = {t}" for t in range(bits + 1)]
    return table


def _ranges(positions: list[int]) -> str:
    """[3, 4, 5, 9] -> "3-5, 9"."""
    parts, start = [], None
    for i, p in enumerate(positions):
        if start is None:
            start = p
        if i + 1 == len(positions) or positions[i + 1] != p + 1:
            parts.append(str(start) if start == p else f"{start}-{p}")
            start = None
    return ", ".join(parts)


def sums_table(models: dict, pairs, labels=None, bits=None):
    """The models' answers to a list of sums: a pandas DataFrame, one row per pair.

    models: {column name: trained addition model}. pairs: (a, b) tuples of any size. labels: how to
    write each sum (default "a + b"). bits: one width for every pair, or None for each pair's own
    width (at least 8, the training width). Columns: "sum", "bits", "true sum" (with thousands
    separators), then
    one per model: "✓" when its answer is right, else "✗" and the positions of the wrong bits
    (bit 0 is the least significant).
    """
    import pandas as pd

    labels = list(labels) if labels is not None else [f"{a} + {b}" for a, b in pairs]
    if len(labels) != len(pairs):
        raise ValueError(
            f"labels must name every pair: {len(labels)} labels for {len(pairs)} pairs."
        )
    rows = []
    for (a, b), label in zip(pairs, labels, strict=True):
        width = bits if bits is not None else max(8, int(a).bit_length(), int(b).bit_length())
        row = {"sum": label, "bits": width, "true sum": f"{a + b:,}"}
        for name, model in models.items():
            answer = A.add_with_model(model, a, b, width)
            wrong = [t for t in range(width + 1) if ((answer ^ (a + b)) >> t) & 1]
            row[name] = "✓" if not wrong else f"✗ bits {_ranges(wrong)}"
        rows.append(row)
    return pd.DataFrame(rows)


def styled(table, formats: dict | None = None, wrap=()):
    """A DataFrame as the book shows it: no index column, some room between columns. wrap: columns
    whose long values (e.g. 30-digit numbers) may break anywhere to fit the page."""
    style = table.style.hide(axis="index").set_table_styles(
        [{"selector": "th, td", "props": "padding: 3px 12px; text-align: left;"}]
    )
    if wrap:
        style = style.set_properties(subset=list(wrap), **{"overflow-wrap": "anywhere"})
    return style.format(formats) if formats else style


# ----- static (Plotly) wrapper ------------------------------------------------------------------
def unit_order(corr: dict, gate: str = "z") -> np.ndarray:
    """Units sorted by how strongly their ``gate`` ("z" or "r") follows the carry into the step,
    strongest first."""
    return np.argsort(-np.abs(corr[gate]["carry_in"]), kind="stable")


def view_setup(corr: dict) -> dict:
    """What the gate view needs from :func:`carry_correlations`: the unit order of each gate map
    ("z_order", "r_order") and the single units drawn as lines ("z_unit", "r_unit")."""
    return {
        "z_order": unit_order(corr, "z"),
        "r_order": unit_order(corr, "r"),
        "z_unit": corr["best"][("z", "carry_in")][0],
        "r_unit": corr["best"][("r", "carry_in")][0],
    }


def _title(d: dict) -> str:
    mark = "right" if d["correct"] else "WRONG"
    return f"{d['a']} + {d['b']} = {d['sum']}; the GRU says {d['pred']} ({mark})"


def gate_traces(d: dict, setup: dict):
    """The Plotly traces of the gate view for one :func:`gate_trace` result ``d``; setup from
    :func:`view_setup`."""
    import plotly.graph_objects as go

    steps = d["step"]
    bit_rows = np.stack([d["a_bits"], d["b_bits"], d["carry_in"], d["sum_bits"], d["pred_bits"]])
    z_order, r_order = setup["z_order"], setup["r_order"]
    z_unit, r_unit = setup["z_unit"], setup["r_unit"]
    return [
        go.Heatmap(
            x=steps,
            y=list(BIT_ROWS),
            z=bit_rows,
            text=bit_rows.astype(str),
            texttemplate="%{text}",
            colorscale=[[0, "#FFFFFF"], [1, OKABE_ITO["sky_blue"]]],
            zmin=0,
            zmax=1,
            showscale=False,
            xgap=2,
            ygap=2,
            hovertemplate="%{y}, t=%{x}: %{z}<extra></extra>",
            xaxis="x",
            yaxis="y",
        ),
        go.Heatmap(
            x=steps,
            y=[f"unit {u}" for u in z_order],
            z=d["z"][:, z_order].T,
            colorscale=GATE_COLORSCALE,
            zmin=0,
            zmax=1,
            colorbar={"title": {"text": "gate"}, "len": 0.58, "y": 0.47, "yanchor": "middle"},
            hovertemplate="z_t, %{y}, t=%{x}: %{z:.2f}<extra></extra>",
            xaxis="x2",
            yaxis="y2",
        ),
        go.Heatmap(
            x=steps,
            y=[f"unit {u}" for u in r_order],
            z=d["r"][:, r_order].T,
            colorscale=GATE_COLORSCALE,
            zmin=0,
            zmax=1,
            showscale=False,
            hovertemplate="r_t, %{y}, t=%{x}: %{z:.2f}<extra></extra>",
            xaxis="x3",
            yaxis="y3",
        ),
        go.Scatter(
            x=steps,
            y=d["carry_in"],
            mode="lines+markers",
            name="carry into column t",
            line={"color": OKABE_ITO["black"], "shape": "hvh", "width": 2, "dash": "dot"},
            xaxis="x4",
            yaxis="y4",
        ),
        go.Scatter(
            x=steps,
            y=d["z"][:, z_unit],
            mode="lines+markers",
            name=f"z_t of unit {z_unit}",
            line={"color": COLORS["update"], "width": 2},
            xaxis="x4",
            yaxis="y4",
        ),
        go.Scatter(
            x=steps,
            y=d["r"][:, r_unit],
            mode="lines+markers",
            name=f"r_t of unit {r_unit}",
            line={"color": COLORS["reset"], "width": 2},
            xaxis="x4",
            yaxis="y4",
        ),
    ]


def static_gate_figure(model, pairs, bits: int = 8, corr: dict | None = None):
    """Plotly figure with a slider over the sums in ``pairs``: the bits and carries (top), z_t and
    r_t of every unit (middle; in each map the units are sorted by how strongly they follow the
    carry), and the carry beside the most carry-correlated z and r units (bottom).
    Step i holds ``gate_trace(model, *pairs[i], bits)``."""
    from ..sliders import static_slider

    corr = corr if corr is not None else carry_correlations(model, bits)
    setup = view_setup(corr)
    traces = {tuple(p): gate_trace(model, *p, bits=bits) for p in pairs}
    domains = {"y": [0.80, 1.0], "y2": [0.48, 0.76], "y3": [0.18, 0.44], "y4": [0.0, 0.105]}
    # one compact layout: four panels sharing the time axis
    layout = {
        "height": 950,
        "margin": {"t": 90, "b": 40, "l": 90, "r": 30},
        "legend": {
            "orientation": "h",
            "y": 0.112,
            "yanchor": "bottom",
            "x": 0,
            "font": {"size": 12},
        },
        "yaxis": {"domain": domains["y"], "autorange": "reversed", "title": {"text": "bits"}},
        "yaxis2": {
            "domain": domains["y2"],
            "title": {"text": "update gate z_t"},
            "autorange": "reversed",
            "tickfont": {"size": 9},
        },
        "yaxis3": {
            "domain": domains["y3"],
            "title": {"text": "reset gate r_t"},
            "autorange": "reversed",
            "tickfont": {"size": 9},
        },
        "yaxis4": {"domain": domains["y4"], "range": [-0.1, 1.1], "title": {"text": "value"}},
    }
    for i, axis in enumerate(("xaxis", "xaxis2", "xaxis3", "xaxis4"), start=1):
        layout[axis] = {"anchor": "y" if i == 1 else f"y{i}", "dtick": 1, "showticklabels": i == 4}
        if i > 1:
            layout[axis]["matches"] = "x"
    layout["xaxis4"]["title"] = {"text": "step t (bit position, least significant first)"}
    return static_slider(
        lambda p: gate_traces(traces[tuple(p)], setup),
        [tuple(p) for p in pairs],
        label="sum",
        fmt=lambda p: f"{p[0]} + {p[1]}",
        layout=layout,
        layout_for=lambda p: {"title": {"text": _title(traces[tuple(p)])}},
    )


# ----- live (ipywidgets + matplotlib) wrappers --------------------------------------------------
def draw_gate_trace(d: dict, setup: dict):
    """Matplotlib version of the gate view for one :func:`gate_trace` result. Returns the figure."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(
        4, 1, figsize=(8, 8.5), sharex=True, gridspec_kw={"height_ratios": [1.1, 2, 2, 1.1]}
    )
    bit_rows = np.stack([d["a_bits"], d["b_bits"], d["carry_in"], d["sum_bits"], d["pred_bits"]])
    axes[0].imshow(bit_rows, cmap="Blues", vmin=-0.3, vmax=2.5, aspect="auto")
    for (i, t), v in np.ndenumerate(bit_rows):
        axes[0].text(t, i, str(v), ha="center", va="center", fontsize=9)
    axes[0].set_yticks(range(len(BIT_ROWS)), BIT_ROWS)
    axes[0].grid(False)
    z_unit, r_unit = setup["z_unit"], setup["r_unit"]
    for ax, key, name in ((axes[1], "z", "update gate $z_t$"), (axes[2], "r", "reset gate $r_t$")):
        order = setup[f"{key}_order"]
        im = ax.imshow(
            d[key][:, order].T, cmap=GATE_COLORSCALE.lower(), vmin=0, vmax=1, aspect="auto"
        )
        ax.set_ylabel(name)
        ax.set_yticks(range(len(order)), [f"unit {u}" for u in order], fontsize=7)
        ax.grid(False)
    fig.colorbar(im, ax=axes[1:3], label="gate value", shrink=0.8)
    axes[3].step(
        d["step"],
        d["carry_in"],
        where="mid",
        color=OKABE_ITO["black"],
        ls=":",
        lw=2,
        label="carry into column t",
    )
    axes[3].plot(
        d["step"], d["z"][:, z_unit], "o-", color=COLORS["update"], label=f"$z_t$, unit {z_unit}"
    )
    axes[3].plot(
        d["step"], d["r"][:, r_unit], "s-", color=COLORS["reset"], label=f"$r_t$, unit {r_unit}"
    )
    axes[3].set_ylim(-0.1, 1.1)
    axes[3].set_xlabel("step t (bit position, least significant first)")
    axes[3].set_xticks(d["step"])
    axes[3].legend(fontsize=8, ncol=3, loc="upper left", bbox_to_anchor=(0, -0.45))
    axes[0].set_title(_title(d))
    return fig


def live_gate_view(model, bits: int = 8, corr: dict | None = None):
    """ipywidgets: sliders for a and b (0 .. 2**bits - 1) redraw the gate view through
    :func:`gate_trace`."""
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    from ..sliders import live

    setup = view_setup(corr if corr is not None else carry_correlations(model, bits))

    def draw(a, b):
        draw_gate_trace(gate_trace(model, a, b, bits), setup)
        plt.show()

    top = (1 << bits) - 1
    return live(
        draw,
        a=widgets.IntSlider(value=173, min=0, max=top, description="a", continuous_update=False),
        b=widgets.IntSlider(value=95, min=0, max=top, description="b", continuous_update=False),
    )


def adder_answer(model, a: int, b: int) -> dict:
    """The model's answer to a + b at the pair's own width (at least 8 bits): {"a", "b", "bits",
    "sum", "pred", "correct", "sum_bin", "pred_bin"} (binary strings written most significant
    first)."""
    bits = max(8, int(a).bit_length(), int(b).bit_length())
    pred = A.add_with_model(model, a, b, bits)
    width = bits + 1
    return {
        "a": a,
        "b": b,
        "bits": bits,
        "sum": a + b,
        "pred": pred,
        "correct": pred == a + b,
        "sum_bin": format(a + b, f"0{width}b"),
        "pred_bin": format(pred, f"0{width}b"),
    }


def live_adder(model):
    """ipywidgets: type two non-negative integers (any size) and see the model's sum, right or
    wrong."""
    import ipywidgets as widgets
    from IPython.display import HTML, display

    from ..sliders import live

    def draw(a, b):
        if a < 0 or b < 0:
            display(
                HTML("<p>The model adds non-negative numbers: please enter two numbers ≥ 0.</p>")
            )
            return
        d = adder_answer(model, a, b)
        verdict = "right ✓" if d["correct"] else "wrong ✗"
        display(
            HTML(
                f"<p><b>{a} + {b}</b> ({d['bits']}-bit operands, {d['bits'] + 1} steps)</p>"
                f"<pre>true sum  {d['sum_bin']}  = {d['sum']}\n"
                f"the GRU   {d['pred_bin']}  = {d['pred']}</pre>"
                f"<p>The model is <b>{verdict}</b>.</p>"
            )
        )

    box = live(
        draw,
        a=widgets.IntText(value=12345, description="a"),
        b=widgets.IntText(value=67890, description="b"),
    )
    box.children = (
        *box.children,
        widgets.HTML(f'<p class="grubook-kernel-note"><em>{ADDER_NOTE}</em></p>'),
    )
    return box


# ----- read-only figures of training runs -------------------------------------------------------
def learning_curve_figure(run):
    """Matplotlib: training loss (left) and held-out per-bit and exact-match accuracy (right) of one
    :class:`grubook.tasks.addition.AdditionRun`, with the step where exact match first reached
    100%."""
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8))
    loss = np.asarray(run.history.loss)
    ax1.plot(
        np.arange(1, len(loss) + 1),
        loss,
        color=COLORS[run.cell],
        lw=1,
        alpha=0.35,
        label="each batch",
    )
    k = 10
    smooth = np.convolve(loss, np.ones(k) / k, mode="valid")
    ax1.plot(
        np.arange(k, len(loss) + 1), smooth, color=COLORS[run.cell], lw=2, label=f"mean of {k}"
    )
    ax1.set_yscale("log")
    ax1.set_xlabel("training step")
    ax1.set_ylabel("BCE loss per bit")
    ax1.set_title("Training loss")
    ax1.legend(fontsize=9)
    steps, bit = run.bit_curve
    _, exact = run.exact_curve
    ax2.plot(steps, bit, color=OKABE_ITO["sky_blue"], lw=2, label="per-bit accuracy")
    ax2.plot(steps, exact, color=COLORS[run.cell], lw=2, label="exact match (whole sum)")
    if run.solved_at is not None:
        for ax in (ax1, ax2):
            ax.axvline(run.solved_at, color=OKABE_ITO["grey"], ls="--", lw=1)
        ax2.annotate(
            f"100% at step {run.solved_at}",
            (run.solved_at, 0.5),
            xytext=(8, 0),
            textcoords="offset points",
            fontsize=9,
        )
    ax2.set_ylim(0, 1.03)
    ax2.set_xlabel("training step")
    ax2.set_ylabel("held-out accuracy")
    ax2.set_title("Held-out accuracy (1000 pairs)")
    ax2.legend(fontsize=9, loc="lower right")
    fig.tight_layout()
    return fig


def comparison_figure(runs: dict):
    """Matplotlib: held-out exact match against training step for every run, one panel per cell.
    runs: {cell name: [AdditionRun, ...]} (one run per seed)."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(runs), figsize=(10, 3.6), sharey=True, squeeze=False)
    longest = max(r.history.eval_step[-1] for rs in runs.values() for r in rs)
    for ax, (cell, rs) in zip(axes[0], runs.items(), strict=True):
        for r in rs:
            steps, exact = r.exact_curve
            ax.plot(steps, exact, color=COLORS[cell], lw=1.5, alpha=0.8)
            if r.solved_at is not None:
                ax.plot([r.solved_at], [1.0], "o", color=COLORS[cell], ms=5)
        ax.set_title(f"{cell.upper()} ({len(rs)} seeds)")
        ax.set_xlabel("training step")
        ax.set_xlim(0, longest)
    axes[0][0].set_ylabel("held-out exact match")
    axes[0][0].set_ylim(0, 1.03)
    fig.tight_layout()
    return fig
