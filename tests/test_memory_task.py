"""The adding problem (chapter 4): shapes, targets by construction, reproducibility, clear
errors."""

from __future__ import annotations

import pytest
import torch

from grubook.tasks.memory import CHANCE_MSE, TOLERANCE, accuracy, adding_batch


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


@pytest.mark.parametrize("length", [2, 3, 10, 31])
def test_shapes_dtypes_and_ranges(length):
    x, y, pos = adding_batch(40, length, generator=gen())
    assert x.shape == (40, length, 2) and y.shape == (40, 1) and pos.shape == (40, 2)
    assert x.dtype == y.dtype == torch.float32 and pos.dtype == torch.int64
    assert ((x[..., 0] >= 0) & (x[..., 0] < 1)).all()
    assert torch.equal(x[..., 1].sum(1), torch.full((40,), 2.0))  # exactly two markers per sequence
    assert set(x[..., 1].unique().tolist()) <= {0.0, 1.0}
    half = length // 2
    assert (pos[:, 0] < half).all() and (pos[:, 1] >= half).all() and (pos[:, 1] < length).all()


def test_target_is_the_sum_of_the_two_marked_values():
    x, y, pos = adding_batch(64, 12, generator=gen(1))
    for b in range(64):
        p1, p2 = pos[b].tolist()
        assert x[b, p1, 1] == 1.0 and x[b, p2, 1] == 1.0
        assert y[b, 0] == x[b, p1, 0] + x[b, p2, 0]
        assert x[b, :, 1].sum() == 2.0
    # the same sum, computed a second way: values times markers, summed over time
    torch.testing.assert_close(y[:, 0], (x[..., 0] * x[..., 1]).sum(1))


def test_positions_cover_both_halves():
    _, _, pos = adding_batch(4000, 10, generator=gen(2))
    assert set(pos[:, 0].tolist()) == set(range(5))
    assert set(pos[:, 1].tolist()) == set(range(5, 10))


def test_float64():  # seeded reproducibility: test_recall.test_seeded_reproducibility
    x, y, _ = adding_batch(4, 6, generator=gen(), dtype=torch.float64)
    assert x.dtype == y.dtype == torch.float64


def test_chance_level_is_the_variance_of_the_sum():
    _, y, _ = adding_batch(200_000, 4, generator=gen(3))
    assert y.mean().item() == pytest.approx(1.0, abs=0.01)
    assert torch.nn.functional.mse_loss(torch.ones_like(y), y).item() == pytest.approx(
        CHANCE_MSE, rel=0.02
    )


def test_accuracy_counts_answers_within_the_tolerance():
    y = torch.tensor([[1.0], [0.5], [1.5], [0.2]])
    pred = y + torch.tensor([[0.0], [0.03], [-0.05], [0.5]])
    assert accuracy(pred, y) == 0.5
    assert accuracy(pred, y, tolerance=0.06) == 0.75
    assert TOLERANCE == 0.04


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"batch_size": 0, "length": 5}, ValueError, "batch_size"),
        ({"batch_size": 2.5, "length": 5}, TypeError, "batch_size"),
        ({"batch_size": 4, "length": 1}, ValueError, "length must be at least 2"),
        ({"batch_size": 4, "length": "9"}, TypeError, "length"),
        ({"batch_size": 4, "length": 5, "dtype": torch.int64}, TypeError, "dtype"),
    ],
)
def test_bad_arguments_raise_clear_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        adding_batch(**kwargs)


def test_helpers_reject_bad_inputs():
    _, y, _ = adding_batch(4, 6, generator=gen())
    with pytest.raises(ValueError, match="same shape"):
        accuracy(y[:, 0], y)
    with pytest.raises(ValueError, match="tolerance"):
        accuracy(y, y, tolerance=0)
