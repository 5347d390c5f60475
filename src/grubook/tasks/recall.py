"""Marked recall: a task that needs memory (chapters 3 and 4).

A sequence of ``length`` random values arrives one per step. Exactly one step carries a marker.
After the last step the network must output the value that was seen at the marked step, ``k``
steps before the end (``k`` is the *delay*). Nothing in the final input says what the answer is:
the network has to notice the marker, write the marked value into its state, and keep it there for
``k`` steps while unmarked values keep arriving.

Each step's input has two features::

    x[:, t, 0]   the value at step t, uniform in [-1, 1)
    x[:, t, 1]   1.0 at the marked step, 0.0 elsewhere

and the target is ``y[:, 0] = x[:, length - 1 - k, 0]``. Predicting 0 always (the mean) gives a mean
squared error of 1/3, the variance of the values: :data:`CHANCE_MSE`.
"""

from __future__ import annotations

import numbers

import torch

from .. import _checks

CHANCE_MSE = 1.0 / 3.0  # variance of U(-1, 1): the error of always answering 0


def _delay_range(delay, length: int) -> tuple[int, int]:
    """``delay`` as an inclusive range (lo, hi) of allowed delays, checked against ``length``."""
    if isinstance(delay, numbers.Integral) and not isinstance(delay, bool):
        lo = hi = int(delay)
    elif (
        isinstance(delay, (tuple, list))
        and len(delay) == 2
        and all(isinstance(d, numbers.Integral) and not isinstance(d, bool) for d in delay)
    ):
        lo, hi = int(delay[0]), int(delay[1])
    else:
        raise TypeError(f"delay must be an int k or a pair (lo, hi) of ints, got {delay!r}.")
    if not 0 <= lo <= hi <= length - 1:
        raise ValueError(
            f"delay must satisfy 0 <= lo <= hi <= length - 1 = {length - 1} "
            "(the marker has to fall "
            f"inside the sequence), got {delay!r}."
        )
    return lo, hi


def default_delay(length: int) -> tuple[int, int]:
    """The delays (lo, hi) :func:`recall_batch` draws from when ``delay`` is None: the marker
    falls in the first half of the sequence."""
    return length // 2, length - 1


def recall_batch(
    batch_size: int,
    length: int,
    delay=None,
    generator: torch.Generator | None = None,
    dtype=torch.float32,
):
    """A batch of the marked-recall task.

    batch_size, length: positive ints (length >= 2). delay: the number k of steps between the marked
    step and the last step: an int (the same k for every sequence), a pair (lo, hi) (k drawn
    uniformly from lo..hi, inclusive, per sequence) or None for (length // 2, length - 1).
    generator: a seeded ``torch.Generator`` for reproducible batches.

    Returns ``(x, y, delays)``: x (batch, length, 2) with the values and the marker, y (batch, 1)
    the value at the marked step, delays (batch,) the k of each sequence (int64).
    """
    batch_size = _checks.positive_int("batch_size", batch_size)
    length = _checks.positive_int("length", length)
    if length < 2:
        raise ValueError(
            f"length must be at least 2 (a marked step and a step to answer at), got {length}."
        )
    lo, hi = _delay_range(default_delay(length) if delay is None else delay, length)
    values = torch.rand(batch_size, length, generator=generator, dtype=dtype) * 2 - 1
    delays = torch.randint(lo, hi + 1, (batch_size,), generator=generator)
    marked = length - 1 - delays  # index of the marked step in each sequence
    rows = torch.arange(batch_size)
    marker = torch.zeros(batch_size, length, dtype=dtype)
    marker[rows, marked] = 1.0
    x = torch.stack([values, marker], dim=-1)
    y = values[rows, marked].unsqueeze(-1)
    return x, y, delays


def marked_steps(x: torch.Tensor) -> torch.Tensor:
    """Index of the marked step of each sequence. x: (batch, length, 2). Returns (batch,) int64."""
    if x.ndim != 3 or x.shape[-1] != 2:
        raise ValueError(f"x must have shape (batch, length, 2), got {tuple(x.shape)}.")
    return x[..., 1].argmax(dim=1)
