"""The marked-recall task generator (chapters 3 and 4)."""

from __future__ import annotations

import pytest
import torch

from grubook.tasks.memory import adding_batch
from grubook.tasks.recall import CHANCE_MSE, marked_steps, recall_batch


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


def test_shapes_and_ranges():
    x, y, delays = recall_batch(32, 15, generator=gen())
    assert x.shape == (32, 15, 2) and y.shape == (32, 1) and delays.shape == (32,)
    assert x.dtype == torch.float32 and delays.dtype == torch.int64
    assert ((x[..., 0] >= -1) & (x[..., 0] < 1)).all()
    # exactly one marker per sequence, and it is 1.0
    assert torch.equal(x[..., 1].sum(1), torch.ones(32))
    assert set(x[..., 1].unique().tolist()) == {0.0, 1.0}
    # default delays: length // 2 .. length - 1
    assert delays.min() >= 7 and delays.max() <= 14


def test_target_is_the_value_k_steps_before_the_end():
    x, y, delays = recall_batch(64, 12, delay=(0, 11), generator=gen(1))
    last = x.shape[1] - 1
    for i in range(64):
        k = int(delays[i])
        assert x[i, last - k, 1] == 1.0  # the marker sits k steps before the last step
        assert y[i, 0] == x[i, last - k, 0]  # and the target is the value seen there
    assert torch.equal(marked_steps(x), last - delays)


def test_fixed_delay():
    x, y, delays = recall_batch(16, 10, delay=3, generator=gen(2))
    assert (delays == 3).all()
    assert torch.equal(y[:, 0], x[:, 10 - 1 - 3, 0])


@pytest.mark.parametrize("make", [recall_batch, adding_batch])
def test_seeded_reproducibility(make):
    """Both task generators (this one and tasks.memory's) repeat themselves for a seed only."""
    a = make(8, 10, generator=gen(5))
    b = make(8, 10, generator=gen(5))
    c = make(8, 10, generator=gen(6))
    for u, v in zip(a, b):
        assert torch.equal(u, v)
    assert not torch.equal(a[0], c[0])


def test_chance_level_is_the_variance_of_the_values():
    _, y, _ = recall_batch(20000, 5, generator=gen(0))
    assert y.pow(2).mean().item() == pytest.approx(CHANCE_MSE, rel=0.03)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"batch_size": 0, "length": 5}, ValueError, "batch_size"),
        ({"batch_size": 2.5, "length": 5}, TypeError, "batch_size"),
        ({"batch_size": 2, "length": 1}, ValueError, "length must be at least 2"),
        ({"batch_size": 2, "length": 5, "delay": 5}, ValueError, "delay must satisfy"),
        ({"batch_size": 2, "length": 5, "delay": -1}, ValueError, "delay must satisfy"),
        ({"batch_size": 2, "length": 5, "delay": (3, 1)}, ValueError, "delay must satisfy"),
        ({"batch_size": 2, "length": 5, "delay": 1.5}, TypeError, "delay must be an int"),
        ({"batch_size": 2, "length": 5, "delay": (1, 2, 3)}, TypeError, "delay must be an int"),
    ],
)
def test_clear_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        recall_batch(**kwargs)


def test_marked_steps_checks_shape():
    with pytest.raises(ValueError, match="batch, length, 2"):
        marked_steps(torch.zeros(3, 4))
