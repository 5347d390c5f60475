"""Chapter 5 views: reading the carry from a trained GRU, and asking it to add.

Data functions (they run the real model):

- :func:`gate_trace`: one sum, step by step: the bits of a and b, the carry into and out of every
  column, the true and predicted sum bits, and the GRU's z_t, r_t and h_t at every step.
- :func:`carry_correlations`: over many sums, the correlation of every unit's z_t, r_t and h_t with
  the carry, and how well a linear read-out of all units recovers it.
- :func:`sums_table`: the model's answers to sums, beside the true ones.

One figure function, :func:`gate_figure` (the bits, the carry and the gates of one sum), drawn by
four wrappers: :func:`static_gate_figure` (a slider over example 8-bit sums, computed when the page
is built) and :func:`gate_explorer` (continuous sliders for a and b, in a kernel);
:func:`static_adder_figure` (a slider over sums of any size) and :func:`adder_explorer` (type two
numbers, see the model add them). :func:`learning_curve_figure` and :func:`comparison_figure` draw
read-only matplotlib figures of training runs.
"""

from __future__ import annotations

import html
import re

import numpy as np
import torch

from .. import _checks
from ..plotting import COLORS, GATE_SCALES, OKABE_ITO
from ..tasks import addition as A

BIT_ROWS = ("a_t", "b_t", "carry in", "sum s_t", "model")
# the widest number the adder explorer takes, as the page's lab (MAX_BITS in grubook_site's lab.js)
MAX_BITS = 256


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
    half), with two baselines that see no state: quantity "x" (the two input bits of column t) and
    "x_prev" (the two bits of column t - 1; zeros at t = 0). carry_in at step t is the carry from
    column t - 1, which the GRU holds in h_{t-1}; carry_out is the carry that column t produces.
    from_step: use only steps t >= from_step (1 leaves out step 0, where the carry in is always 0
    and the state starts from zero). Run it on an untrained model (:func:`grubook.tasks.addition.
    make_model` with the run's seed) for the control: what a read-out finds before any training.
    """
    bits, from_step = _checks.positive_int("bits", bits), _checks.index("from_step", from_step)
    if not 0 <= from_step <= bits:
        raise ValueError(f"from_step must be in 0..bits={bits}, got {from_step}.")
    gen = torch.Generator().manual_seed(_checks.seed(seed))
    a_bits, b_bits = A.random_operands(n, bits, gen)
    x, _ = A.encode_bits(a_bits, b_bits)
    _, carry_out = A.add_bits(a_bits, b_bits)
    carry_in = torch.cat([carry_out.new_zeros(n, 1), carry_out[:, :-1]], dim=1)
    x_prev = torch.cat([x.new_zeros(n, 1, 2), x[:, :-1]], dim=1)
    _, z, r, h = _gru_gates(model, x)
    z, r, h, x = z[:, from_step:], r[:, from_step:], h[:, from_step:], x[:, from_step:]
    x_prev = x_prev[:, from_step:]
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
        probe[("x", carry_name)] = _linear_probe(x, carry)  # baselines: the input bits alone,
        probe[("x_prev", carry_name)] = _linear_probe(x_prev, carry)  # the previous column's
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
    """[3, 4, 5, 9, 11, 12] -> "3–5, 9 and 11–12": runs of consecutive positions, as a list."""
    parts, start = [], None
    for i, p in enumerate(positions):
        if start is None:
            start = p
        if i + 1 == len(positions) or positions[i + 1] != p + 1:
            parts.append(str(start) if start == p else f"{start}–{p}")
            start = None
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _wrong_bits(positions: list[int]) -> str:
    """[16] -> "bit 16", [3, 4, 5, 9] -> "bits 3–5 and 9": the wrong bits of an answer, named."""
    return ("bit " if len(positions) == 1 else "bits ") + _ranges(positions)


def sums_table(models: dict, pairs, labels=None, bits=None):
    """The models' answers to a list of sums: a pandas DataFrame, one row per pair.

    models: {column name: trained addition model}. pairs: (a, b) tuples of any size. labels: how to
    write each sum (default "a + b"). bits: one width for every pair, or None for each pair's own
    width (at least 8, the training width). Columns: "sum", "bits", "true sum" (with thousands
    separators), then
    one per model: "✓" when its answer is right, else "✗" and the positions of the wrong bits
    ("✗ bit 16", "✗ bits 15–32"; bit 0 is the least significant).
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
            row[name] = "✓" if not wrong else f"✗ {_wrong_bits(wrong)}"
        rows.append(row)
    return pd.DataFrame(rows)


def styled(table, formats: dict | None = None, wrap=(), nowrap=(), cards: bool = False):
    """A DataFrame as the book shows it: no index column, some room between columns.

    formats: Styler formats by column. wrap: columns of long numbers with thousands separators
    (e.g. "18,446,744,073,709,551,616") that may break after a separator to fit the page, never
    inside a group of digits. nowrap: columns whose short values never break ("✗ bits 15–32").
    cards: on a page narrower than 600 px each row shows as a card, one
    "column: value" line per cell, instead of a table squeezed to a few characters a column (the
    labels are set here; the layout is the site's, ``table.grubook-cards`` in grubook.css).
    """
    style = table.style.hide(axis="index").set_table_styles(
        [{"selector": "th, td", "props": "padding: 3px 12px; text-align: left;"}]
    )
    if formats:
        style = style.format(formats)
    if wrap:
        style = style.format(
            lambda v: html.escape(str(v)).replace(",", ",<wbr>"), subset=list(wrap)
        )
    if nowrap:
        style = style.set_properties(subset=list(nowrap), **{"white-space": "nowrap"})
    if cards:

        def css_string(text: str) -> str:
            return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'

        labels = [
            # the label is shown, not read: screen readers have the column's own header
            {
                "selector": f"td.col{i}::before",
                "props": [("content", css_string(f"{c}: ") + ' / ""')],
            }
            for i, c in enumerate(table.columns)
        ]
        style = style.set_table_attributes('class="grubook-cards"').set_table_styles(
            labels, overwrite=False
        )
    return style


def probe_table(trained: dict, untrained: dict, carry: str = "carry_in"):
    """The carry read-outs side by side: a pandas DataFrame, one row per thing read from.

    trained, untrained: :func:`carry_correlations` of the trained GRU and of the same GRU before
    training. carry: "carry_in" or "carry_out". Rows z_t, r_t, h_t (16 units each), then the two
    baselines that see no state (the bits of column t, the bits of column t - 1); columns: the
    best single unit (numbered from 1) with its correlation, and how often the linear read-out is
    right (:func:`share`), trained and untrained.
    """
    import pandas as pd

    if carry not in ("carry_in", "carry_out"):
        raise ValueError(f"carry must be 'carry_in' or 'carry_out', got {carry!r}.")

    def unit(corr, q):
        u, c = corr["best"][(q, carry)]
        return f"unit {u + 1} ({c:+.2f})"  # numbered from 1, as the page names them

    rows = []
    for q, name in (("z", "z_t"), ("r", "r_t"), ("h", "h_t")):
        rows.append(
            {
                "read from": name,
                "best unit, trained": unit(trained, q),
                "read-out, trained": share(trained["probe"][(q, carry)]),
                "best unit, untrained": unit(untrained, q),
                "read-out, untrained": share(untrained["probe"][(q, carry)]),
            }
        )
    for q, name in (("x", "a_t, b_t"), ("x_prev", "a_t-1, b_t-1")):
        rows.append(
            {
                "read from": name,
                "best unit, trained": "",
                "read-out, trained": share(trained["probe"][(q, carry)]),
                "best unit, untrained": "",
                "read-out, untrained": "",
            }
        )
    return pd.DataFrame(rows)


# ----- words: sentence fragments the chapter glues, right for every value ----------------------
def share(p: float) -> str:
    """A fraction as the prose writes it, never rounded up to all or down to none: "all",
    "more than 99.9%", "97.5%", "less than 0.1%", "none"."""
    p = float(p)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"p must be a fraction in [0, 1], got {p}.")
    if p == 1.0:
        return "all"
    if p == 0.0:
        return "none"
    if p > 0.999:
        return "more than 99.9%"
    if p < 0.001:
        return "less than 0.1%"
    return f"{100 * p:.1f}%"


def gate_shares(p_update: float, p_reset: float) -> str:
    """Two read-outs' accuracies in one phrase, without saying a number twice: "all of the held-out
    steps, from either gate", or "99.9% of the held-out steps from the update gate and 97.5% from
    the reset gate" (each as :func:`share` writes it)."""
    z, r = share(p_update), share(p_reset)
    if z == r:
        return f"{z} of the held-out steps, from either gate"
    return f"{z} of the held-out steps from the update gate and {r} from the reset gate"


def of_n(k: int, n: int, what: str) -> str:
    """k of n things are ``what``: "none was perfect", "1 of 5 was perfect", "3 of 5 were
    perfect", "all 5 were perfect" ("it was perfect" when n is 1)."""
    k, n = _checks.non_negative_int("k", k), _checks.positive_int("n", n)
    if k > n:
        raise ValueError(f"k must be at most n = {n}, got {k}.")
    if k == 0:
        return f"none was {what}" if n > 1 else f"it was not {what}"
    if k == n:
        return f"all {n} were {what}" if n > 1 else f"it was {what}"
    return f"{k} of {n} {'was' if k == 1 else 'were'} {what}"


def count_of(k: int, n: int, with_share: bool = True) -> str:
    """k of n, with its :func:`share` where it helps: "none of the 10,000", "1 of the 10,000 (less
    than 0.1%)", "18 of the 10,000 (0.2%)", "all 10,000". with_share=False leaves the share out
    ("3 of the 5")."""
    k, n = _checks.non_negative_int("k", k), _checks.positive_int("n", n)
    with_share = _checks.boolean("with_share", with_share)
    if k > n:
        raise ValueError(f"k must be at most n = {n}, got {k}.")
    if k == 0:
        return f"none of the {n:,}"
    if k == n:
        return f"all {n:,}"
    return f"{k:,} of the {n:,}" + (f" ({share(k / n)})" if with_share else "")


def listing(values, fmt: str = "{:,}") -> str:
    """Values in a sentence: "53", "0 and 51", "1, 95 and 53" (in the order given)."""
    values = [fmt.format(v) for v in values]
    if not values:
        raise ValueError("values must hold at least one value.")
    return values[0] if len(values) == 1 else f"{', '.join(values[:-1])} and {values[-1]}"


def seeds_text(seeds) -> str:
    """A list of seeds in words: "no seed", "seed 3", "seeds 1 and 3", "seeds 0, 2 and 4"."""
    seeds = list(seeds)
    if not seeds:
        return "no seed"
    return f"seed{'s' if len(seeds) > 1 else ''} {listing(seeds, '{}')}"


def all_right(counts, total: int) -> str:
    """How many models got every one of ``total`` sums right, from each model's count of right
    sums: "all 5 got all 100 right", "3 of 5 got all 100 right (the others got 0 and 51)", "none got
    all 100 right (they got 1, 95 and 53)", "none got any of the 100 right", and for one model "it
    got all 100 right" or "it got 53 of the 100 right"."""
    counts = [_checks.non_negative_int("count", c) for c in counts]
    total = _checks.positive_int("total", total)
    if not counts:
        raise ValueError("counts must hold at least one model's count.")
    if max(counts) > total:
        raise ValueError(f"a count must be at most total = {total}, got {max(counts)}.")
    n, others = len(counts), [c for c in counts if c != total]
    if n == 1:
        return (
            f"it got all {total:,} right"
            if not others
            else f"it got {counts[0]:,} of the {total:,} right"
        )
    if not others:
        return f"all {n} got all {total:,} right"
    if max(counts) == 0:
        return f"none got any of the {total:,} right"
    if len(others) == n:
        return f"none got all {total:,} right (they got {listing(counts)})"
    rest = (
        f"the other got {others[0]:,}" if len(others) == 1 else f"the others got {listing(others)}"
    )
    return f"{n - len(others)} of {n} got all {total:,} right ({rest})"


def span(values, fmt: str = "{}") -> str:
    """The lowest and highest of some values: "514–996", or one value when they are all equal
    ("1000"). fmt formats each end (e.g. "{:,}" for "65,503–65,536")."""
    values = list(values)
    if not values:
        raise ValueError("values must hold at least one number.")
    lo, hi = min(values), max(values)
    return fmt.format(lo) if lo == hi else f"{fmt.format(lo)}–{fmt.format(hi)}"


def between(lo: float, hi: float, fmt: str = "{:.0f}%") -> str:
    """A range in a sentence: "between 14.5% and 16.9%", or "15%" when both ends read the same."""
    a, b = fmt.format(lo), fmt.format(hi)
    return a if a == b else f"between {a} and {b}"


# ----- the gate view: one figure function, a static driver and an explorer -----------------------
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


def _width(a: int, b: int) -> int:
    """A pair's own operand width: the bits of the larger operand, at least 8 (the training
    width)."""
    return max(8, int(a).bit_length(), int(b).bit_length())


def _check_operands(a, b) -> tuple[int, int]:
    for name, value in (("a", a), ("b", b)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
            raise ValueError(f"{name} must be a non-negative integer, got {value!r}.")
    return int(a), int(b)


def _title(d: dict) -> str:
    if d["correct"]:
        verdict = "right"
    else:
        wrong = [t for t in range(len(d["step"])) if ((d["pred"] ^ d["sum"]) >> t) & 1]
        verdict = f"WRONG in {_wrong_bits(wrong)}"
    return f"{d['a']} + {d['b']} = {d['sum']}<br>the GRU says {d['pred']} ({verdict})"


def gate_figure(model, a: int = 173, b: int = 95, bits: int | None = 8, corr: dict | None = None):
    """The gate view of ``model`` adding ``a + b``, as one Plotly figure: the bits and carries
    (top), z_t and r_t of every unit (middle; in each map the units are sorted by how strongly
    they follow the carry into the column), and the carry beside the most carry-correlated z and r
    units (bottom), over the steps t = 0 .. bits.

    model: a trained addition SequenceModel with cell "gru". a, b: non-negative integers (any
    size). bits: the operand width; None uses the pair's own width (at least 8). corr: the
    :func:`carry_correlations` of ``model`` that order the units (computed at 8 bits when None;
    pass it when drawing many figures). The numbers are :func:`gate_trace`'s.
    """
    import plotly.graph_objects as go

    a, b = _check_operands(a, b)
    bits = _width(a, b) if bits is None else bits
    setup = view_setup(corr if corr is not None else carry_correlations(model, 8))
    d = gate_trace(model, a, b, bits=bits)
    steps = d["step"]
    bit_rows = np.stack([d["a_bits"], d["b_bits"], d["carry_in"], d["sum_bits"], d["pred_bits"]])
    z_order, r_order = setup["z_order"], setup["r_order"]
    z_unit, r_unit = setup["z_unit"], setup["r_unit"]
    few = len(steps) <= 40  # room for a digit in every bit cell

    def gate_map(key, name, scale, axis, colorbar_y):
        order = z_order if key == "z" else r_order
        return go.Heatmap(
            x=steps,
            y=[f"unit {u + 1}" for u in order],  # numbered from 1, as in every chapter
            z=d[key][:, order].T,
            colorscale=scale,
            zmin=0,
            zmax=1,
            colorbar={"title": {"text": name}, "len": 0.27, "y": colorbar_y, "yanchor": "middle"},
            hovertemplate=name + ", %{y}, t=%{x}: %{z:.2f}<extra></extra>",
            xaxis=f"x{axis}",
            yaxis=f"y{axis}",
        )

    data = [
        go.Heatmap(
            x=steps,
            y=list(BIT_ROWS),
            z=bit_rows,
            text=bit_rows.astype(str) if few else None,
            texttemplate="%{text}" if few else None,
            colorscale=[[0, "#FFFFFF"], [1, OKABE_ITO["sky_blue"]]],
            zmin=0,
            zmax=1,
            showscale=False,
            xgap=2 if few else 0,
            ygap=2,
            hovertemplate="%{y}, t=%{x}: %{z}<extra></extra>",
            xaxis="x",
            yaxis="y",
        ),
        gate_map("z", "z_t", GATE_SCALES["update"], 2, 0.62),
        gate_map("r", "r_t", GATE_SCALES["reset"], 3, 0.31),
        *[  # the bottom panel: the carry, and one unit's z_t and r_t
            go.Scatter(
                x=steps,
                y=y,
                mode="lines+markers" if few else "lines",
                name=name,
                line={"width": 2, **line},
                xaxis="x4",
                yaxis="y4",
            )
            for y, name, line in (
                (
                    d["carry_in"],
                    "carry into column t",
                    {"color": OKABE_ITO["black"], "shape": "hvh", "dash": "dot"},
                ),
                (d["z"][:, z_unit], f"z_t of unit {z_unit + 1}", {"color": COLORS["update"]}),
                (d["r"][:, r_unit], f"r_t of unit {r_unit + 1}", {"color": COLORS["reset"]}),
            )
        ],
    ]
    # one compact layout: four panels sharing the time axis
    layout = {
        "title": {"text": _title(d), "x": 0.02, "font": {"size": 15}},
        "height": 950,
        "margin": {"t": 100, "b": 40, "l": 90, "r": 30},
        "legend": {
            "orientation": "h",
            "y": 0.112,
            "yanchor": "bottom",
            "x": 0,
            "font": {"size": 12},
        },
        "yaxis": {"domain": [0.80, 1.0], "autorange": "reversed", "title": {"text": "bits"}},
        "yaxis2": {
            "domain": [0.48, 0.76],
            "title": {"text": "update gate z_t"},
            "autorange": "reversed",
            "tickfont": {"size": 9},
        },
        "yaxis3": {
            "domain": [0.18, 0.44],
            "title": {"text": "reset gate r_t"},
            "autorange": "reversed",
            "tickfont": {"size": 9},
        },
        "yaxis4": {"domain": [0.0, 0.105], "range": [-0.1, 1.1], "title": {"text": "value"}},
        # below 600 px (static/figures.js) the legend wraps to three rows: room for them
        "meta": {"narrow": {"height": 1000, "yaxis3.domain": [0.21, 0.44]}},
    }
    dtick = 1 if len(steps) <= 17 else 4 if len(steps) <= 41 else 8
    for i, axis in enumerate(("xaxis", "xaxis2", "xaxis3", "xaxis4"), start=1):
        layout[axis] = {
            "anchor": "y" if i == 1 else f"y{i}",
            "dtick": dtick,
            "range": [-0.5, len(steps) - 0.5],
            "showticklabels": i == 4,
        }
        if i > 1:
            layout[axis]["matches"] = "x"
    layout["xaxis4"]["title"] = {"text": "step t (bit position, least significant first)"}
    return go.Figure(data=data, layout=layout)


def static_gate_figure(model, pairs, bits: int | None = 8, corr: dict | None = None, labels=None):
    """:func:`gate_figure` with a slider over the sums in ``pairs`` ((a, b) tuples), computed now;
    step i is ``gate_figure(model, *pairs[i], bits=bits, corr=corr)``. labels: how the slider
    writes each sum (default "a + b")."""
    from .. import sliders

    corr = corr if corr is not None else carry_correlations(model, 8)
    pairs = [tuple(p) for p in pairs]
    names = dict(zip(pairs, labels, strict=True)) if labels is not None else {}
    return sliders.static(
        lambda p: gate_figure(model, a=p[0], b=p[1], bits=bits, corr=corr),
        pairs,
        label="sum",
        fmt=lambda p: names.get(p, f"{p[0]} + {p[1]}"),
    )


def gate_explorer(model, bits: int = 8, corr: dict | None = None, a: int = 173, b: int = 95):
    """ipywidgets: continuous sliders for a and b (0 .. 2**bits - 1) redraw :func:`gate_figure`."""
    import ipywidgets as widgets

    from .. import sliders

    bits = _checks.positive_int("bits", bits)
    a, b = _check_operands(a, b)  # an IntSlider would silently truncate 1.5 to 1
    top = (1 << bits) - 1
    for name, value in (("a", a), ("b", b)):
        if value > top:  # and silently clamp it to the slider's end
            raise ValueError(f"{name} must be at most 2**bits - 1 = {top}, got {value}.")
    corr = corr if corr is not None else carry_correlations(model, 8)
    kw = {"min": 0, "max": top}
    return sliders.explorer(
        lambda a, b: gate_figure(model, a=a, b=b, bits=bits, corr=corr),
        a=widgets.IntSlider(value=a, description="a", **kw),
        b=widgets.IntSlider(value=b, description="b", **kw),
    )


# ----- ask the model: the same figure for two numbers of any size --------------------------------
def static_adder_figure(model, pairs, labels=None, corr: dict | None = None):
    """:func:`gate_figure` with a slider over sums of any size, each at its own width (at least 8
    bits): step i is ``gate_figure(model, *pairs[i], bits=None, corr=corr)``."""
    return static_gate_figure(model, pairs, bits=None, corr=corr, labels=labels)


ASK = "The model adds non-negative integers: type two numbers ≥ 0."


def _operand(name: str, text: str) -> int:
    """What a reader typed in box ``name``, as a non-negative integer: ASCII digits 0-9 (spaces,
    commas and underscores allowed), at most :data:`MAX_BITS` bits, as the page's lab reads it.
    Otherwise a ValueError whose message is shown to the reader in place of the figure."""
    text = re.sub(r"[\s,_]", "", str(text))
    if not re.fullmatch(r"[0-9]+", text):  # not str.isdigit: "²" and "١٢" pass it
        raise ValueError(ASK)
    digits = text.lstrip("0") or "0"  # a digit count first: int() refuses over 4,300 digits
    if len(digits) > len(str(2**MAX_BITS)) or int(digits).bit_length() > MAX_BITS:
        raise ValueError(
            f"{name} has {len(digits):,} digits: the model adds numbers up to {MAX_BITS} bits "
            f"(2**{MAX_BITS} - 1, {len(str(2**MAX_BITS - 1))} digits), as the page's lab does."
        )
    return int(digits)


def _ask_figure(text: str):
    import plotly.graph_objects as go

    return go.Figure(layout={"title": {"text": text, "x": 0.02}, "height": 200})


def adder_explorer(model, corr: dict | None = None, a: str = "12345", b: str = "67890"):
    """ipywidgets: type two non-negative integers (up to :data:`MAX_BITS` bits) and see
    :func:`gate_figure` of the model adding them, at the pair's own width. Text boxes, not integer
    boxes, so that numbers beyond 2**53 reach the model exactly; anything else typed shows a line
    saying what the boxes take, in place of the figure."""
    import ipywidgets as widgets

    from .. import sliders

    corr = corr if corr is not None else carry_correlations(model, 8)

    def figure(a, b):
        try:
            x, y = _operand("a", a), _operand("b", b)
        except ValueError as e:  # shown to the reader, not a traceback
            return _ask_figure(str(e))
        return gate_figure(model, a=x, b=y, bits=None, corr=corr)

    kw = {"layout": widgets.Layout(width="22em")}
    return sliders.explorer(
        figure,
        a=widgets.Text(value=a, description="a", **kw),
        b=widgets.Text(value=b, description="b", **kw),
    )


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
