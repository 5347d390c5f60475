"""Timing a recurrent layer's forward and backward pass, the honest way.

- :func:`time_fwd_bwd` times one module: ``warmup`` untimed calls, then ``repeats`` timed ones, each
  a forward pass, a sum of the outputs and a backward pass, measured with ``time.perf_counter``.
- :func:`compare` times several modules on the same input, interleaved: every round runs each module
  once, in a shuffled order, so a change in the machine's load hits all of them alike.
- :func:`median` reports the middle value, which a few slow outliers cannot move.

Works for any module whose output is a tensor or a tuple whose first element is a tensor
(``torch.nn.GRU``, ``grubook.LSTM``, ...).
"""

from __future__ import annotations

import random
import statistics
import time

import torch

from . import _checks


def _fwd_bwd(module: torch.nn.Module, x: torch.Tensor) -> None:
    for p in module.parameters():
        p.grad = None
    out = module(x)
    if isinstance(out, (tuple, list)):
        out = out[0]
    out.sum().backward()


def _nonnegative_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {value!r}.")
    return value


def time_fwd_bwd(module: torch.nn.Module, x: torch.Tensor, repeats: int = 10, warmup: int = 2) -> list[float]:
    """Seconds for each of ``repeats`` forward+backward passes of ``module`` on ``x``, after
    ``warmup`` untimed ones. x: whatever the module takes, e.g. (time, batch, input_size).
    Returns a list of ``repeats`` floats."""
    repeats = _checks.positive_int("repeats", repeats)
    for _ in range(_nonnegative_int("warmup", warmup)):
        _fwd_bwd(module, x)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        _fwd_bwd(module, x)
        times.append(time.perf_counter() - start)
    return times


def compare(modules: dict, x: torch.Tensor, repeats: int = 10, warmup: int = 2, seed: int = 0) -> dict:
    """Time every module in ``modules`` (name -> module) on the same x, interleaved: each of
    ``repeats`` rounds runs every module once in a shuffled order (seeded). Returns name -> list of
    ``repeats`` seconds."""
    if not isinstance(modules, dict) or not modules:
        raise ValueError("modules must be a non-empty dict of name -> torch.nn.Module.")
    repeats = _checks.positive_int("repeats", repeats)
    for module in modules.values():
        for _ in range(_nonnegative_int("warmup", warmup)):
            _fwd_bwd(module, x)
    rng, order = random.Random(seed), list(modules)
    times = {name: [] for name in modules}
    for _ in range(repeats):
        rng.shuffle(order)
        for name in order:
            start = time.perf_counter()
            _fwd_bwd(modules[name], x)
            times[name].append(time.perf_counter() - start)
    return times


def median(seconds) -> float:
    """The median of a list of timings."""
    seconds = list(seconds)
    if not seconds:
        raise ValueError("median needs at least one timing, got an empty list.")
    return statistics.median(seconds)
