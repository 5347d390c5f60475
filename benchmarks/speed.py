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

CELLS = {"gru": (grubook.GRU, torch.nn.GRU), "lstm": (grubook.LSTM, torch.nn.LSTM)}
CELLS["rnn"] = (grubook.RNN, torch.nn.RNN)
TARGET = 1.2  # grubook / torch.nn, forward+backward, at chapter 6's training shape


def make_layers(cell: str, size, seed: int = 0):
    """({"torch.nn", "grubook", "loop" (grubook with fast=False): layer}, all with the same
    weights, and an input x (time, batch, input))."""
    batch, time_, inp, hidden = size
    ours_cls, ref_cls = CELLS[cell]
    torch.manual_seed(seed)
    ref = ref_cls(inp, hidden)
    layers = {"torch.nn": ref, "grubook": ours_cls(inp, hidden)}
    layers["loop"] = ours_cls(inp, hidden, fast=False)
    for layer in layers.values():
        layer.load_state_dict(ref.state_dict())
    return layers, torch.randn(time_, batch, inp)


def budget_for(size, quick: bool) -> float:
    scale = 0.35 if quick else 1.0
    return scale * (6.0 if size[0] * size[3] >= 1024 * 256 else 3.0)


def measure(sizes, cells, quick=False, results=None):
    """Time one forward+backward (x needs no gradient) of every layer of every (cell, size):
    returns {(cell, size): {"torch.nn" | "grubook" | "loop": [seconds]}}."""
    results = {} if results is None else results
    for size in sizes:
        for cell in cells:
            layers, x = make_layers(cell, size)
            fns = {name: functools.partial(timing.fwd_bwd, m, x) for name, m in layers.items()}
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
