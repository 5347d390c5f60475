"""A recurrent layer with a linear read-out, and one small training loop, shared by every chapter.

:class:`SequenceModel` puts a ``grubook`` RNN, GRU or LSTM in front of a linear layer, reading out
either every step (``per_step=True``: the addition task) or the last step only (recall,
forecasting). :func:`train` runs Adam on batches from a function and records a learning curve; no
hidden state is ever carried from one batch into the next.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from torch import nn

from . import _checks
from .gru import GRU
from .lstm import LSTM
from .rnn import RNN

CELLS = {"rnn": RNN, "gru": GRU, "lstm": LSTM}


class DivergenceError(RuntimeError):
    """Training produced a loss (or a forecast) that is not a finite number: the weights are
    unusable. ``step`` is the 1-based training step at which it was seen."""

    def __init__(self, message: str, step: int):
        super().__init__(message)
        self.step = step


def make_layer(cell: str, input_size: int, hidden_size: int, **kwargs):
    """``grubook.RNN``, ``GRU`` or ``LSTM`` by name (batch_first=True)."""
    _checks.one_of("cell", cell.lower() if isinstance(cell, str) else cell, CELLS)
    return CELLS[cell.lower()](input_size, hidden_size, batch_first=True, **kwargs)


def hidden_size_for_budget(n_params: int, count: Callable[[int], int]) -> int:
    """The hidden size h whose parameter count ``count(h)`` is closest to ``n_params``: how to give
    two cells the same budget. ``count`` must grow with h (it does for every recurrent layer).
    n_params: at most :data:`grubook._checks.MAX_PARAMETERS`, the most one layer may have."""
    n_params = _checks.positive_int("n_params", n_params, _checks.MAX_PARAMETERS)
    hi = 1
    while count(hi) < n_params:  # double until the count reaches the budget, then bisect
        if hi >= _checks.MAX_SIZE:
            raise ValueError(
                f"n_params={n_params} needs a hidden size above {_checks.MAX_SIZE}, the largest "
                "a layer may have."
            )
        hi = min(2 * hi, _checks.MAX_SIZE)
    lo = max(1, hi // 2)
    while lo < hi:
        mid = (lo + hi) // 2
        if count(mid) < n_params:
            lo = mid + 1
        else:
            hi = mid
    return min((max(lo - 1, 1), lo), key=lambda h: abs(count(h) - n_params))


_FLOAT32_MAX = float(torch.finfo(torch.float32).max)


class SequenceModel(nn.Module):
    """Recurrent layer + linear read-out.

    x: (batch, time, input_size), or (time, input_size) for one sequence. Returns (batch, time,
    output_size) when ``per_step`` and (batch, output_size) otherwise (read out from the last
    step's hidden state); without the batch dimension for one sequence. ``fast`` goes to
    the recurrent layer (True: torch's fused kernel; False: the readable loop of step functions).
    """

    def __init__(
        self,
        cell: str,
        input_size: int,
        hidden_size: int,
        output_size: int,
        num_layers: int = 1,
        per_step: bool = False,
        dropout: float = 0.0,
        fast: bool = True,
    ):
        super().__init__()
        self.cell = cell.lower() if isinstance(cell, str) else cell
        self.rnn = make_layer(
            cell, input_size, hidden_size, num_layers=num_layers, dropout=dropout, fast=fast
        )
        self.head = nn.Linear(hidden_size, _checks.size("output_size", output_size))
        self.per_step = _checks.boolean("per_step", per_step)

    def forward(self, x, return_gates: bool = False):
        if _checks.boolean("return_gates", return_gates):
            if self.cell == "rnn":
                raise ValueError(
                    "return_gates=True needs a gated cell ('gru' or 'lstm'); "
                    "this model is an 'rnn'."
                )
            out, _, gates = self.rnn(x, return_gates=True)
        else:
            out = self.rnn(x)[0]
        y = self.head(out if self.per_step else out[..., -1, :])  # the last step, batched or not
        return (y, gates) if return_gates else y


@dataclass
class History:
    """What :func:`train` recorded: the loss of every step, and evaluations every ``eval_every``."""

    loss: list = field(default_factory=list)
    eval_step: list = field(default_factory=list)
    eval: list = field(default_factory=list)
    seconds: float = 0.0


def train(
    model: nn.Module,
    make_batch: Callable[[torch.Generator], tuple],
    loss_fn: Callable,
    steps: int,
    lr: float = 1e-2,
    seed: int = 0,
    evaluate: Callable[[nn.Module], object] | None = None,
    eval_every: int = 10,
    stop_when: Callable[[object], bool] | None = None,
    clip: float | None = None,
) -> History:
    """Train ``model`` with Adam for at most ``steps`` steps.

    make_batch(generator) -> (x, y): a fresh batch from a seeded ``torch.Generator``.
    loss_fn(model(x), y) -> scalar. evaluate(model) -> anything (recorded, with the model in eval
    mode and no gradients) every ``eval_every`` steps; training stops early once
    ``stop_when(result)``.
    clip: clip the global gradient norm to this value. Returns a :class:`History`.

    A loss that is not a finite number (NaN or infinite) stops training with a
    :class:`DivergenceError` naming the step: the weights are then unusable.
    """
    steps = _checks.positive_int("steps", steps)
    lr = _checks.positive_number("lr", lr)
    if lr > _FLOAT32_MAX:  # torch would fail deep inside Adam ("cannot be converted ... overflow")
        raise ValueError(
            f"lr={lr:g} is too large to be a float32 number (at most {_FLOAT32_MAX:.3g}); Adam's "
            "steps are about lr in size, so useful values are far below 1 (the book uses 1e-3 "
            "to 3e-2)."
        )
    seed = _checks.integer("seed", seed)
    eval_every = _checks.positive_int("eval_every", eval_every)
    if clip is not None:
        clip = _checks.positive_number("clip", clip)
    for name, fn in (("make_batch", make_batch), ("loss_fn", loss_fn)):
        if not callable(fn):
            raise TypeError(f"{name} must be a function, got {type(fn).__name__}.")
    for name, fn in (("evaluate", evaluate), ("stop_when", stop_when)):
        if fn is not None and not callable(fn):
            raise TypeError(f"{name} must be a function or None, got {type(fn).__name__}.")
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}.")
    if not any(p.requires_grad for p in model.parameters()):
        raise ValueError("model has no trainable parameters (none with requires_grad=True).")
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    hist = History()
    start = time.perf_counter()
    for step in range(1, steps + 1):
        model.train()
        batch = make_batch(gen)
        if not isinstance(batch, (tuple, list)) or len(batch) != 2:
            raise TypeError(
                f"make_batch(generator) must return a pair (x, y), got {type(batch).__name__}"
                + (f" of length {len(batch)}." if isinstance(batch, (tuple, list)) else ".")
            )
        x, y = batch
        out = model(x)
        try:
            loss = loss_fn(out, y)
        except (RuntimeError, ValueError) as err:  # torch's message names neither argument
            shapes = [
                _checks.shape_str(v.shape) if isinstance(v, torch.Tensor) else type(v).__name__
                for v in (out, y)
            ]
            raise ValueError(
                f"loss_fn(model(x), y) failed at step {step} on the model's output {shapes[0]} and "
                f"y {shapes[1]} (make_batch must return y shaped like the output): {err}"
            ) from None
        if not isinstance(loss, torch.Tensor) or loss.numel() != 1:
            got = type(loss).__name__
            if isinstance(loss, torch.Tensor):
                got = f"shape {_checks.shape_str(loss.shape)}"
            raise TypeError(f"loss_fn must return a one-element tensor (a scalar loss), got {got}.")
        loss_value = loss.item()
        if not math.isfinite(loss_value):
            raise DivergenceError(
                f"the loss at step {step} is {loss_value}, not a finite number (training "
                "diverged); try a smaller lr or clip=1.0 (clip the gradient norm)",
                step,
            )
        opt.zero_grad()
        loss.backward()
        if clip is not None:
            nn.utils.clip_grad_norm_(model.parameters(), clip)
        opt.step()
        hist.loss.append(loss_value)
        if evaluate is not None and step % eval_every == 0:
            model.eval()
            with torch.no_grad():
                result = evaluate(model)
            hist.eval_step.append(step)
            hist.eval.append(result)
            if stop_when is not None and stop_when(result):
                break
    model.eval()
    hist.seconds = time.perf_counter() - start
    return hist
