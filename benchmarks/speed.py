"""Section 1: one layer forward+backward, grubook (torch's fused kernel, and the readable loop with
``fast=False``) against torch.nn, for the GRU, LSTM and RNN."""

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
