"""The adding problem: a memory task from Hochreiter & Schmidhuber (1997), used in chapter 4.

A sequence of ``length`` random values arrives, one per step. Exactly two steps carry a marker: one
in the first half of the sequence, one in the second half. After the last step the network must
output the *sum* of the two marked values. To do that it has to notice the first marker, write that
value into its state, keep it there while unmarked values keep arriving, add the second marked value
to it, and keep the sum until the end.

Each step's input has two features::

    x[:, t, 0]   the value at step t, uniform in [0, 1)
    x[:, t, 1]   1.0 at the two marked steps, 0.0 elsewhere

and the target is ``y[:, 0] = x[b, p1, 0] + x[b, p2, 0]`` with ``p1 < length // 2 <= p2``. The sum
of two independent U(0, 1) values has mean 1 and variance 1/6, so always answering 1 gives a mean
squared error of 1/6: :data:`CHANCE_MSE`. An answer counts as correct when it is within
:data:`TOLERANCE` = 0.04 of the true sum (:func:`accuracy`). Hochreiter & Schmidhuber's values lie
in [-1, 1] and their tolerance, 0.04 on the scaled target 0.5 + (X_1 + X_2) / 4, is 0.16 on the sum;
measured against the spread of the sum (its standard deviation: 0.82 there, 0.41 here) ours is
twice as strict.
"""

from __future__ import annotations

import numbers

import torch

from .. import _checks

CHANCE_MSE = 1.0 / 6.0  # variance of the sum of two U(0, 1) values: the error of always answering 1
# |prediction - target| below this counts as correct (twice as strict as Hochreiter & Schmidhuber's
# 1997 tolerance, relative to the spread of the sum)
TOLERANCE = 0.04


def adding_batch(
    batch_size: int, length: int, generator: torch.Generator | None = None, dtype=torch.float32
):
    """A batch of the adding problem.

    batch_size: positive int. length: int >= 2, the number of steps. generator: a seeded
    ``torch.Generator`` for reproducible batches (the global generator when None).

    Returns ``(x, y, positions)``: x (batch, length, 2) with the values and the markers,
    y (batch, 1) the sum of the two marked values, positions (batch, 2) the indices of the marked
    steps (int64), the first in ``0 .. length // 2 - 1`` and the second in
    ``length // 2 .. length - 1``.
    """
    batch_size = _checks.positive_int("batch_size", batch_size)
    length = _checks.positive_int("length", length)
    if length < 2:
        raise ValueError(f"length must be at least 2 (one marked step in each half), got {length}.")
    if not (isinstance(dtype, torch.dtype) and dtype.is_floating_point):
        raise TypeError(f"dtype must be a floating-point torch.dtype, got {dtype!r}.")
    half = length // 2
    values = torch.rand(batch_size, length, generator=generator, dtype=dtype)
    first = torch.randint(0, half, (batch_size,), generator=generator)
    second = torch.randint(half, length, (batch_size,), generator=generator)
    rows = torch.arange(batch_size)
    marker = torch.zeros(batch_size, length, dtype=dtype)
    marker[rows, first] = 1.0
    marker[rows, second] = 1.0
    x = torch.stack([values, marker], dim=-1)
    y = (values[rows, first] + values[rows, second]).unsqueeze(-1)
    return x, y, torch.stack([first, second], dim=1)


def accuracy(prediction: torch.Tensor, target: torch.Tensor, tolerance: float = TOLERANCE) -> float:
    """Fraction of answers within ``tolerance`` of the target. prediction, target: (batch, 1) or
    (batch,) of the same shape. Returns a float in [0, 1]."""
    _checks.float_tensor("prediction", prediction)
    _checks.float_tensor("target", target)
    if prediction.shape != target.shape:
        raise ValueError(
            "prediction and target must have the same shape, got "
            f"{_checks.shape_str(prediction.shape)} "
            f"and {_checks.shape_str(target.shape)}."
        )
    if isinstance(tolerance, bool) or not isinstance(tolerance, numbers.Real) or not tolerance > 0:
        raise ValueError(f"tolerance must be a positive number, got {tolerance!r}.")
    return ((prediction - target).abs() < tolerance).float().mean().item()
