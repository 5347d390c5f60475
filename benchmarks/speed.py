"""Sections 1 and 2: one layer forward+backward, grubook (torch's fused kernel, and the readable
loop with ``fast=False``) against torch.nn, for the GRU, LSTM and RNN; and the matmul FLOP floor of
each size."""

from __future__ import annotations

import functools

import torch

import grubook
from grubook import timing

from ._common import (
    CH6_TRAINING,
    interleaved_within,
    median_ms,
    paired_ratio,
    size_str,
    table,
    verdict,
)

CELLS = {
    "gru": (grubook.GRU, torch.nn.GRU, 3),
    "lstm": (grubook.LSTM, torch.nn.LSTM, 4),
    "rnn": (grubook.RNN, torch.nn.RNN, 1),
}
TARGET = 1.2  # grubook / torch.nn, forward+backward, at chapter 6's training shape


def make_layers(cell: str, size, seed: int = 0):
    """(torch.nn layer, grubook layer and grubook readable loop with the same weights, input x
    (time, batch, input))."""
    batch, time_, inp, hidden = size
    ours_cls, ref_cls, _ = CELLS[cell]
    torch.manual_seed(seed)
    ref = ref_cls(inp, hidden)
    ours = ours_cls(inp, hidden)
    loop = ours_cls(inp, hidden, fast=False)
    ours.load_state_dict(ref.state_dict())
    loop.load_state_dict(ref.state_dict())
    x = torch.randn(time_, batch, inp)
    return ref, ours, loop, x


def train_step(model, x):
    """One forward+backward: what a training step of the layer costs (x needs no gradient)."""
    return functools.partial(timing.fwd_bwd, model, x)


def budget_for(size, quick: bool) -> float:
    scale = 0.35 if quick else 1.0
    return scale * (6.0 if size[0] * size[3] >= 1024 * 256 else 3.0)


def measure(sizes, cells, quick=False, results=None):
    """Time every (cell, size): returns {(cell, size): {"train": {impl: [s]}, "forward": {...}}}."""
    results = {} if results is None else results
    for size in sizes:
        for cell in cells:
            ref, ours, loop, x = make_layers(cell, size)
            fns = {"torch.nn": train_step(ref, x), "grubook": train_step(ours, x)}
            fns["loop"] = train_step(loop, x)
            results[(cell, size)] = interleaved_within(fns, budget_for(size, quick))
    return results


def speed_section(results, sizes, cells) -> str:
    rows = []
    for cell in cells:
        for size in sizes:
            tr = results[(cell, size)]
            ratio = paired_ratio(tr["grubook"], tr["torch.nn"])
            rows.append(
                [
                    cell.upper(),
                    size_str(size) + (" ch. 6" if size == CH6_TRAINING else ""),
                    f"{median_ms(tr['torch.nn']):.2f}",
                    f"{median_ms(tr['grubook']):.2f}",
                    f"{ratio:.2f}",
                    verdict(ratio, TARGET) if size == CH6_TRAINING else "",
                    f"{median_ms(tr['loop']):.2f}",
                    f"{paired_ratio(tr['loop'], tr['grubook']):.1f}",
                    len(tr["grubook"]),
                ]
            )
    headers = [
        "layer",
        "(batch, time, input, hidden)",
        "torch.nn ms",
        "grubook ms",
        "grubook / torch.nn",
        "target",
        "readable loop ms",
        "loop / grubook",
        "repeats",
    ]
    note = (
        "Forward + backward of one layer, float32, loss = sum of the outputs. Median milliseconds "
        "of interleaved repeats; a ratio is the median over rounds of two timings taken back to "
        "back. `grubook` trains through torch's fused kernel with its own parameters; the readable "
        "loop (`fast=False`, one step function per time step) is what every gate picture runs."
    )
    return "## 1. One layer, grubook vs torch.nn\n\n" + note + "\n\n" + table(headers, rows)


# ----- section 2: the matmul FLOP floor ----------------------------------------------------------
def matmul_flops(cell: str, size) -> dict[str, int]:
    """Matmul FLOPs of one layer (x needs no gradient): forward = input and hidden projections;
    backward = d weight_ih, d weight_hh and d h_{t-1} (no d x)."""
    batch, time_, inp, hidden = size
    rows = CELLS[cell][2] * hidden
    proj_in = 2 * time_ * batch * inp * rows
    proj_h = 2 * time_ * batch * hidden * rows
    return {"forward": proj_in + proj_h, "backward": proj_in + 2 * proj_h}


def floor_ms(cell: str, size, budget: float) -> tuple[float, float]:
    """Time the matmuls a layer cannot avoid, at their real shapes, as a sum:
    (floor ms, GFLOP/s)."""
    batch, time_, inp, hidden = size
    rows = CELLS[cell][2] * hidden
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(time_ * batch, inp, generator=gen)
    w_ih = torch.randn(rows, inp, generator=gen)
    w_hh = torch.randn(rows, hidden, generator=gen)
    h = torch.randn(batch, hidden, generator=gen)
    g = torch.randn(batch, rows, generator=gen)
    g_all = torch.randn(time_ * batch, rows, generator=gen)
    h_all = torch.randn(time_ * batch, hidden, generator=gen)

    def matmuls():
        x.mm(w_ih.t())  # input projections, all steps
        for _ in range(time_):
            h.mm(w_hh.t())  # forward: U h_{t-1}, one step at a time
            g.mm(w_hh)  # backward: d h_{t-1}
        g_all.t().mm(x)  # d weight_ih
        g_all.t().mm(h_all)  # d weight_hh

    seconds = median_ms(interleaved_within({"mm": matmuls}, budget)["mm"])
    flops = sum(matmul_flops(cell, size).values())
    return seconds, flops / (seconds * 1e-3) / 1e9


def floor_section(results, sizes, cells, quick=False) -> str:
    rows = []
    for cell in cells:
        for size in sizes:
            floor, rate = floor_ms(cell, size, budget_for(size, quick) / 2)
            flops = matmul_flops(cell, size)
            e = results[(cell, size)]
            row = [
                cell.upper(),
                size_str(size),
                f"{sum(flops.values()) / 1e9:.3f}",
                f"{rate:.0f}",
                f"{floor:.2f}",
                f"{median_ms(e['torch.nn']) / floor:.2f}",
                f"{median_ms(e['grubook']) / floor:.2f}",
            ]
            rows.append(row)
    headers = [
        "layer",
        "(batch, time, input, hidden)",
        "matmul GFLOP fwd+bwd",
        "matmul GFLOP/s here",
        "floor ms",
        "torch.nn × floor",
        "grubook × floor",
    ]
    note = (
        "The floor is the time of the matmuls a layer must do (input projections, one hidden "
        "matmul per step forward and one backward, the two weight gradients), timed at their real "
        "shapes in this run; GFLOP/s is their FLOP count over that time. Everything else a layer "
        "spends (element-wise gates, Python and autograd overhead) is the multiple above 1."
    )
    return "## 2. The matmul FLOP floor\n\n" + note + "\n\n" + table(headers, rows)
