"""The addition task (chapter 5): encoding, exact sums at any width, batches, accuracy, training,
errors."""

from __future__ import annotations

import random

import pytest
import torch

from grubook.tasks import addition as A


# ----- encoding ---------------------------------------------------------------------------------
def test_three_plus_one_worked_example():
    x, y = A.encode(3, 1, bits=2)
    assert x.shape == (1, 3, 2) and y.shape == (1, 3, 1)
    assert x.dtype == torch.float32 and y.dtype == torch.float32
    assert x[0].tolist() == [
        [1, 1],
        [1, 0],
        [0, 0],
    ]  # least significant bit first, then the extra step
    assert y[0, :, 0].tolist() == [0, 0, 1]  # 4 = 100 in binary, reversed
    sums, carries = A.add_bits(torch.tensor([[1, 1]]), torch.tensor([[1, 0]]))
    assert sums[0].tolist() == [0, 0, 1]
    assert carries[0].tolist() == [1, 1, 0]  # columns with sum 2 carry (base 2 carries at 2)
    assert A.decode(y) == [4]


def test_carry_rule_is_column_sum_at_least_two():
    # every single column: (a, b, carry in) -> (sum bit, carry out)
    for a in (0, 1):
        for b in (0, 1):
            sums, carries = A.add_bits(torch.tensor([[a, 1]]), torch.tensor([[b, 1]]))
            # column 1 is 1 + 1 + carry_in(column 0)
            assert sums[0, 0].item() == (a + b) % 2 and carries[0, 0].item() == int(a + b >= 2)
            c_in = int(a + b >= 2)
            assert sums[0, 1].item() == (2 + c_in) % 2 and carries[0, 1].item() == 1


@pytest.mark.parametrize("bits", [1, 8, 16, 32, 61, 62, 63, 64, 100])
def test_decode_of_encoded_sum_is_exact_at_any_width(bits):
    rng = random.Random(bits)
    top = (1 << bits) - 1
    pairs = [(rng.randrange(1 << bits), rng.randrange(1 << bits)) for _ in range(200)]
    pairs += [(0, 0), (top, top), (top, 1), (1, top), (top, 0)]
    a, b = zip(*pairs)
    x, y = A.encode(list(a), list(b), bits)
    assert x.shape == (len(pairs), bits + 1, 2) and y.shape == (len(pairs), bits + 1, 1)
    assert A.decode(y) == [
        p + q for p, q in pairs
    ]  # Python ints: a 64-bit pair's 65-bit sum is exact
    assert A.decode(x[:, :bits, 0]) == list(a) and A.decode(x[:, :bits, 1]) == list(b)
    assert x[:, bits].abs().sum() == 0  # the extra step reads (0, 0)


def test_sixty_four_bit_sum_does_not_overflow():
    big = 2**64 - 1
    _, y = A.encode(big, big, 64)
    assert A.decode(y) == [2**65 - 2]
    _, y = A.encode(torch.tensor([2**63 - 1]), torch.tensor([2**63 - 1]), 63)  # int64 tensors
    assert A.decode(y) == [2**64 - 2]


def test_encode_accepts_ints_lists_tensors_and_infers_width():
    x1, y1 = A.encode(173, 95, 8)
    x2, y2 = A.encode([173], [95], 8)
    x3, y3 = A.encode(torch.tensor([173]), torch.tensor([95]), 8)
    assert torch.equal(x1, x2) and torch.equal(x1, x3) and torch.equal(y1, y3)
    x, _ = A.encode(5, 2)  # 5 = 101: three bits, four steps
    assert x.shape == (1, 4, 2)
    x, _ = A.encode(0, 0)
    assert x.shape == (1, 2, 2)
    assert A.to_bits(6, 4).tolist() == [[0, 1, 1, 0]]


def test_decode_accepts_two_and_three_dims_and_big_widths():
    assert A.decode(torch.tensor([[1, 0, 1], [0, 0, 0]])) == [5, 0]
    assert A.decode(torch.tensor([[[1.0], [1.0]]])) == [3]
    bits = torch.zeros(1, 100, dtype=torch.int64)
    bits[0, 99] = 1
    assert A.decode(bits) == [2**99]


# ----- batches ----------------------------------------------------------------------------------
def test_random_batch_shapes_dtype_and_truth():
    x, y = A.random_batch(64, 8, torch.Generator().manual_seed(0))
    assert x.shape == (64, 9, 2) and y.shape == (64, 9, 1)
    assert x.dtype == y.dtype == torch.float32
    assert set(x.unique().tolist()) <= {0.0, 1.0} and set(y.unique().tolist()) <= {0.0, 1.0}
    a, b = A.decode(x[:, :8, 0]), A.decode(x[:, :8, 1])
    assert A.decode(y) == [p + q for p, q in zip(a, b)]


def test_random_batch_is_reproducible_per_seed():
    x1, y1 = A.random_batch(32, 8, torch.Generator().manual_seed(3))
    x2, y2 = A.random_batch(32, 8, torch.Generator().manual_seed(3))
    x3, _ = A.random_batch(32, 8, torch.Generator().manual_seed(4))
    assert torch.equal(x1, x2) and torch.equal(y1, y2)
    assert not torch.equal(x1, x3)


def test_random_batch_never_draws_an_excluded_pair():
    # 2-bit operands: 16 pairs; exclude 15 of them and every drawn pair must be the 16th
    a, b = zip(*[(p, q) for p in range(4) for q in range(4) if (p, q) != (2, 1)])
    excluded, _ = A.encode(list(a), list(b), 2)
    x, _ = A.random_batch(50, 2, torch.Generator().manual_seed(0), exclude=excluded)
    assert A.decode(x[:, :2, 0]) == [2] * 50 and A.decode(x[:, :2, 1]) == [1] * 50
    # wide operands use the exact row comparison: same guarantee
    held, _ = A.heldout_set(20, 40, seed=1)
    gen = torch.Generator().manual_seed(1)
    x, _ = A.random_batch(20, 40, gen, exclude=held)
    assert not (x[:, None] == held[None]).flatten(2).all(-1).any()


def test_heldout_set_is_fixed_and_distinct():
    x1, y1 = A.heldout_set(1000, 8)
    x2, y2 = A.heldout_set(1000, 8)
    assert torch.equal(x1, x2) and torch.equal(y1, y2)
    assert x1.shape == (1000, 9, 2)
    assert torch.unique(x1.flatten(1), dim=0).shape[0] == 1000
    x, _ = A.heldout_set(16, 2)  # every 2-bit pair, each once
    assert torch.unique(x.flatten(1), dim=0).shape[0] == 16


# ----- hard pairs -------------------------------------------------------------------------------
@pytest.mark.parametrize("bits", [1, 2, 8, 16, 32, 64, 100])
@pytest.mark.parametrize("carry", [0, 1])
def test_hard_pairs_hold_the_carry_through_every_column(bits, carry):
    n = min(100, 2 ** (bits - carry))
    a_bits, b_bits = A.hard_pairs(n, bits, carry, torch.Generator().manual_seed(bits))
    assert a_bits.shape == b_bits.shape == (n, bits) and a_bits.dtype == torch.int64
    column = (a_bits + b_bits).tolist()
    for row in column:  # checked column by column, without the library's helpers
        if carry:
            assert row[0] == 2 and all(c == 1 for c in row[1:])  # 1 + 1, then one 1 bit each
        else:
            assert all(c == 1 for c in row)  # one 1 bit in every column
    _, carries = A.add_bits(a_bits, b_bits)
    assert (carries[:, :bits] == carry).all()  # the carry is the same all the way through
    a, b = A.decode(a_bits), A.decode(b_bits)
    x, y = A.encode_bits(a_bits, b_bits)
    assert A.decode(y) == [p + q for p, q in zip(a, b)] == [2**bits - 1 + carry] * n
    assert len(set(zip(a, b))) == n  # distinct
    assert A.held_columns(a_bits, b_bits)[:, carry:].all()


def test_hard_pairs_are_random_reproducible_and_refuse_too_many():
    g = lambda: torch.Generator().manual_seed(3)  # noqa: E731
    a1, b1 = A.hard_pairs(100, 64, 0, g())
    a2, b2 = A.hard_pairs(100, 64, 0, g())
    assert torch.equal(a1, a2) and torch.equal(b1, b2)
    # the free bits are fair coins: about half of a's bits are 1, in every column
    assert (
        0.4 < a1.float().mean().item() < 0.6 and (a1.sum(0) > 0).all() and (a1.sum(0) < 100).all()
    )
    a8, _ = A.hard_pairs(128, 8, 1, g())  # every one of the 2**7 carry-1 pairs of 8-bit numbers
    assert len(set(A.decode(a8))) == 128
    with pytest.raises(ValueError, match="129 distinct pairs do not exist"):
        A.hard_pairs(129, 8, 1, g())
    with pytest.raises(ValueError, match="carry must be 0 or 1"):
        A.hard_pairs(4, 8, 2, g())
    with pytest.raises(ValueError, match="carry must be 0 or 1"):
        A.hard_pairs(4, 8, True, g())
    with pytest.raises(TypeError, match="torch.Generator"):
        A.hard_pairs(4, 8, 0, 0)


def test_held_columns_marks_one_1_bit_columns():
    a = torch.tensor([[0, 1, 1, 0]])
    b = torch.tensor([[0, 1, 0, 1]])
    assert A.held_columns(a, b).tolist() == [[False, False, True, True]]
    with pytest.raises(ValueError, match="same shape"):
        A.held_columns(a, b[:, :3])


# ----- accuracy ---------------------------------------------------------------------------------
def test_accuracy_by_hand():
    target = torch.tensor([[0, 1, 1], [1, 0, 0], [1, 1, 1], [0, 0, 0]])
    pred = torch.tensor([[0, 1, 1], [1, 1, 0], [1, 1, 1], [1, 1, 1]])
    assert A.bit_accuracy(pred, target) == pytest.approx(8 / 12)  # 1 wrong in row 2, 3 in row 4
    assert A.exact_match(pred, target) == pytest.approx(2 / 4)
    assert A.exact_match(target, target) == 1.0 and A.bit_accuracy(target, target) == 1.0
    # (n, time, 1) float targets, as encode returns them
    assert A.exact_match(pred, target.unsqueeze(-1).float()) == pytest.approx(0.5)


def test_evaluate_counts_the_sums_right_in_one_batch():
    class Fixed(torch.nn.Module):
        def forward(self, x):
            return x[..., :1] - 0.5  # outputs a's bits: right exactly when b = 0

    x, y = A.encode([5, 2, 3, 0], [0, 1, 0, 6], 3)
    result = A.evaluate(Fixed(), x, y)
    assert result["right"] == 2 and isinstance(result["right"], int)
    assert result["exact"] == pytest.approx(0.5)


def test_predict_bits_thresholds_logits_at_zero():
    class Fixed(torch.nn.Module):
        def forward(self, x):
            return x[..., :1] - 0.5  # logit > 0 exactly where a_t = 1

    x, _ = A.encode([5, 2], [0, 0], 3)
    pred = A.predict_bits(Fixed(), x)
    assert pred.dtype == torch.int64 and pred.shape == (2, 4)
    assert pred.tolist() == [[1, 0, 1, 0], [0, 1, 0, 0]]
    assert A.add_with_model(Fixed(), 5, 0, 3) == 5
    assert A.add_with_model(Fixed(), [5, 2], [0, 0], 3) == [5, 2]


# ----- training ---------------------------------------------------------------------------------
def test_short_training_run_learns_to_add():
    torch.set_num_threads(1)
    heldout = A.heldout_set(200, 6, seed=3)
    run = A.train_addition(
        "gru",
        hidden_size=16,
        bits=6,
        lr=1e-2,
        max_steps=800,
        seed=0,
        eval_every=5,
        heldout=heldout,
        extra_steps=20,
    )
    assert run.solved_at is not None and run.solved_at % 5 == 0
    assert run.steps == run.solved_at + 20  # stopped extra_steps after the first 100%
    assert run.history.eval[-1]["exact"] == 1.0
    solved_model = run.model_when_solved()
    assert A.evaluate(solved_model, *heldout)["exact"] == 1.0
    steps, exact = run.exact_curve
    assert steps[exact.index(1.0)] == run.solved_at  # the first 1.0 in the curve
    assert A.add_with_model(run.model, 41, 30, 6) == 71
    widths = A.generalisation(run.model, widths=(6, 8), n=50)
    assert set(widths) == {6, 8} and set(widths[6]) == {"bit", "exact", "right"}


def test_trained_pairs_are_the_pairs_of_the_training_batches(monkeypatch):
    seen = []
    draw = A._draw_batch

    def recording(*args, **kwargs):
        x, y = draw(*args, **kwargs)
        seen.append(x.clone())
        return x, y

    monkeypatch.setattr(A, "_draw_batch", recording)
    heldout = A.heldout_set(20, 3, seed=0)
    run = A.train_addition("rnn", hidden_size=4, bits=3, max_steps=12, heldout=heldout, stop=False)
    assert run.steps == len(seen) == 12 and run.batch_pairs.shape == (12, 64)

    def pairs(batches):
        xs = torch.cat(batches)
        return sorted(set(zip(A.decode(xs[:, :3, 0]), A.decode(xs[:, :3, 1]))))

    for steps in (None, 5, 0):
        a, b = A.trained_pairs(run, steps)
        expected = pairs(seen[: steps if steps is not None else 12]) if steps != 0 else []
        assert list(zip(a.tolist(), b.tolist())) == expected
    held = set(zip(A.decode(heldout[0][:, :3, 0]), A.decode(heldout[0][:, :3, 1])))
    assert not held & set(pairs(seen))  # never a held-out pair
    with pytest.raises(ValueError, match="at most the run's 12 steps"):
        A.trained_pairs(run, 13)
    with pytest.raises(TypeError, match="AdditionRun"):
        A.trained_pairs(run.model)


def test_training_is_reproducible_and_does_not_touch_global_seed():
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    heldout = A.heldout_set(50, 3, seed=0)
    r1 = A.train_addition("rnn", hidden_size=4, bits=3, max_steps=20, heldout=heldout, stop=False)
    after = torch.rand(1)
    r2 = A.train_addition("rnn", hidden_size=4, bits=3, max_steps=20, heldout=heldout, stop=False)
    assert r1.history.loss == r2.history.loss
    assert torch.equal(before, after)  # make_model seeds a forked random state


# ----- errors -----------------------------------------------------------------------------------
def test_bad_operands_raise_clear_errors():
    with pytest.raises(ValueError, match="a must be non-negative"):
        A.encode(-1, 3, 8)
    with pytest.raises(ValueError, match="b = 256 does not fit in bits=8"):
        A.encode(1, 256, 8)
    with pytest.raises(TypeError, match="a must hold integers"):
        A.encode([1.5], [2], 8)
    with pytest.raises(TypeError, match="non-negative integer"):
        A.encode(True, 2, 8)
    with pytest.raises(TypeError, match="dtype torch.float32"):
        A.encode(torch.tensor([1.0]), torch.tensor([2.0]), 8)
    with pytest.raises(ValueError, match="1-D tensor"):
        A.encode(torch.ones(2, 2, dtype=torch.long), torch.ones(2, 2, dtype=torch.long), 8)
    with pytest.raises(ValueError, match="same number of operands"):
        A.encode([1, 2], [3], 8)
    with pytest.raises(ValueError, match="bits must be a positive integer"):
        A.encode(1, 1, 0)
    with pytest.raises(ValueError, match="value 16 does not fit"):
        A.to_bits(16, 4)


def test_bad_tensors_raise_clear_errors():
    with pytest.raises(ValueError, match="only 0s and 1s"):
        A.decode(torch.tensor([[0, 2, 1]]))
    with pytest.raises(ValueError, match=r"\(n, time\) or \(n, time, 1\)"):
        A.decode(torch.zeros(2, 3, 2))
    with pytest.raises(ValueError, match="same shape"):
        A.exact_match(torch.zeros(2, 3), torch.zeros(2, 4))
    with pytest.raises(ValueError, match="same shape"):
        A.add_bits(torch.zeros(2, 3, dtype=torch.long), torch.zeros(2, 4, dtype=torch.long))
    with pytest.raises(ValueError, match=r"shape \(n, time, 2\)"):
        A.predict_bits(torch.nn.Identity(), torch.zeros(2, 3, 3))
    with pytest.raises(ValueError, match="exclude must be an x of shape"):
        A.random_batch(4, 8, torch.Generator(), exclude=torch.zeros(5, 7, 2))
    with pytest.raises(TypeError, match="torch.Generator"):
        A.random_operands(4, 8, generator=0)
    with pytest.raises(ValueError, match="distinct pairs do not exist"):
        A.heldout_set(17, 2)


def test_bad_training_arguments_raise():
    with pytest.raises(ValueError, match="heldout must be"):
        A.train_addition(bits=8, heldout=A.heldout_set(10, 4), max_steps=1)
    with pytest.raises(ValueError, match="extra_steps"):
        A.train_addition(extra_steps=-1, max_steps=1)
    with pytest.raises(ValueError, match="cell must be one of"):
        A.train_addition("transformer", max_steps=1)
