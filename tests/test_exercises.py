"""The exercise checkers: right answers pass, the usual mistakes get their hint, and no message ever
gives the answer away."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import grubook
from grubook import exercises as ex
from grubook.energy import smape, tutorial_smape
from grubook.tasks.addition import add_bits, to_bits


def spellings(value) -> list[str]:
    """Ways the answer could leak into a message."""
    if isinstance(value, (list, tuple)):
        return [str(list(value)), "".join(map(str, value))]
    out = [str(value)]
    if isinstance(value, float):
        out += [f"{value:.{d}f}" for d in (1, 2, 3, 4)] + [f"{value:.3g}", f"{value:.4g}"]
    return [s for s in out if len(s.strip("0.")) >= 2]


def assert_no_leak(check: ex.Check, answer) -> None:
    text = str(check) + check._repr_markdown_()
    for s in spellings(answer):
        assert s not in text, f"the message gives the answer away ({s!r}): {text}"


def test_check_displays_as_one_line_and_is_truthy_when_right():
    right, wrong = ex.Check(True, "Well done."), ex.Check(False, "Hint: look again.")
    assert bool(right) and not bool(wrong)
    assert str(right).startswith("Right.") and str(wrong).startswith("Not yet.")
    assert "\n" not in str(wrong)
    assert "Not yet" in wrong._repr_markdown_()


# ----- parameter counts -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "cell, cls, blocks",
    [("rnn", torch.nn.RNN, 1), ("gru", torch.nn.GRU, 3), ("lstm", torch.nn.LSTM, 4)],
)
@pytest.mark.parametrize("d, n, layers", [(12, 64, 1), (12, 64, 2), (1, 16, 1), (5, 3, 3)])
def test_parameter_count_right_answer_is_torch_nn_count(cell, cls, blocks, d, n, layers):
    truth = grubook.count_parameters(cls(d, n, num_layers=layers))
    assert truth == blocks * n * (d + n + 2) + (layers - 1) * blocks * n * (2 * n + 2)
    check = ex.check_parameter_count(truth, cell, input_size=d, hidden_size=n, num_layers=layers)
    assert check.correct
    assert ex.check_parameter_count(float(truth), cell, d, n, layers).correct
    assert ex.check_parameter_count(torch.tensor(truth), cell, d, n, layers).correct


def test_parameter_count_chapter_1_exercise():
    # chapter 1, exercise 1: grubook.RNN(12, 64) and grubook.RNN(12, 64, num_layers=2)
    assert ex.check_parameter_count(4992, "rnn", 12, 64)
    assert ex.check_parameter_count(13312, "rnn", 12, 64, num_layers=2)


@pytest.mark.parametrize(
    "guess, hint",
    [
        (3 * 64 * (12 + 64), "not the biases"),  # weights only
        (3 * 64 * (12 + 64 + 1), "two bias vectors"),  # one bias per block
        (4 * 64 * (12 + 64 + 2), "count for an LSTM"),  # the LSTM's count
        (64 * (12 + 64 + 2), "count for an RNN"),  # the RNN's count
        (3 * 12 * (64 + 12 + 2), "which size goes where"),  # sizes swapped
        (1234, "count one gate block first"),
    ],
)
def test_parameter_count_hints(guess, hint):
    check = ex.check_parameter_count(guess, "gru", input_size=12, hidden_size=64)
    assert not check.correct
    assert hint in check.message
    assert_no_leak(check, 3 * 64 * (12 + 64 + 2))


def test_parameter_count_hints_for_layers():
    one = 64 * (12 + 64 + 2)
    check = ex.check_parameter_count(2 * one, "rnn", 12, 64, num_layers=2)
    assert "previous layer's output" in check.message
    check = ex.check_parameter_count(one, "rnn", 12, 64, num_layers=2)
    assert "first layer only" in check.message
    assert_no_leak(check, 13312)


# ----- chapter 2 --------------------------------------------------------------------------------
def test_gradient_decay():
    truth = 0.9**20
    assert ex.check_gradient_decay(truth, rho=0.9, distance=20)
    assert ex.check_gradient_decay(round(truth, 3), 0.9, 20)
    assert ex.check_gradient_decay(1.5**10, 1.5, 10)
    for guess, hint in [
        (0.9 * 20, "multiply"),
        (0.9**19, "count the Jacobians"),
        (1.2, "below 1"),
        (0.5, "how many multiplications"),
    ]:
        check = ex.check_gradient_decay(guess, 0.9, 20)
        assert not check.correct and hint in check.message
        assert_no_leak(check, truth)


# ----- half-life and the GRU step -----------------------------------------------------------------
@pytest.mark.parametrize("z", [0.8, 0.9, 0.99])
def test_half_life(z):
    truth = math.log(0.5) / math.log(z)
    assert ex.check_half_life(truth, z=z)
    assert ex.check_half_life(round(truth, 2), z=z)
    assert ex.check_half_life(
        math.ceil(truth), z=z
    )  # whole steps: the first with less than half left
    swapped = ex.check_half_life(math.log(0.5) / math.log(1 - z), z=z)
    assert not swapped and "KEEPS" in swapped.message
    assert_no_leak(swapped, truth)


def test_half_life_from_a_bias_and_other_mistakes():
    z = 1 / (1 + math.exp(-2.0))
    truth = math.log(0.5) / math.log(z)
    assert ex.check_half_life(truth, update_bias=2.0)
    check = ex.check_half_life(1 / (1 - z), update_bias=2.0)
    assert "time constant" in check.message
    check = ex.check_half_life(100.0, z=0.9)
    assert "z**k = 1/2" in check.message
    with pytest.raises(TypeError, match="exactly one of z and update_bias"):
        ex.check_half_life(1.0)
    with pytest.raises(ValueError, match="z must be strictly between 0 and 1"):
        ex.check_half_life(1.0, z=1.0)


def test_keep_gate_chapter_3_exercise_1():
    z = 0.5 ** (1 / 100)
    bias = math.log(z / (1 - z))
    assert ex.check_keep_gate(z, steps=100) and ex.check_keep_gate(0.993, 100)
    assert ex.check_keep_gate(bias, 100, as_bias=True) and ex.check_keep_gate(
        round(bias, 2), 100, as_bias=True
    )
    for guess, hint in [
        (1 - z, "KEEPS"),
        (1 - 0.5 / 100, "geometrically"),
        (0.99, "less than the fraction"),
        (0.999, "not the smallest"),
        (1.5, "between 0 and 1"),
    ]:
        check = ex.check_keep_gate(guess, 100)
        assert not check and hint in check.message, (guess, check)
        assert_no_leak(check, z)
    for guess, hint in [
        (z, "the gate value z itself"),
        (-bias, "sign"),
        (0.3, "not a probability"),
    ]:
        check = ex.check_keep_gate(guess, 100, as_bias=True)
        assert not check and hint in check.message, (guess, check)
        assert_no_leak(check, bias)


def test_gru_step_matches_the_cell_and_flags_the_swapped_convention():
    torch.manual_seed(0)
    cell = grubook.GRUCell(3, 4).double()
    x, h = torch.randn(3, dtype=torch.float64), torch.randn(4, dtype=torch.float64)
    h_new, gates = cell.step(x, h)
    assert ex.check_gru_step(h_new, gates.update, gates.candidate, h)
    assert ex.check_gru_step(0.5 * 0.8 + 0.5 * 0.2, 0.5, 0.8, 0.2)
    swapped = gates.update * gates.candidate + (1 - gates.update) * h
    check = ex.check_gru_step(swapped, gates.update, gates.candidate, h)
    assert not check and "Chung et al. 2014" in check.message
    assert (
        "mixes in" in ex.check_gru_step(gates.candidate, gates.update, gates.candidate, h).message
    )
    with pytest.raises(ValueError, match="answer must have the shape"):
        ex.check_gru_step([0.1, 0.2], gates.update, gates.candidate, h)


# ----- the step written in NumPy (chapters 1 and 3) -----------------------------------------------
def sigmoid(a):
    return 1 / (1 + np.exp(-a))


def rnn_step_np(x, h, W, U, b_ih, b_hh):
    return np.tanh(x @ W.T + b_ih + h @ U.T + b_hh)


def gru_step_np(x, h, w_ih, w_hh, b_ih, b_hh, swap_z=False, reset_before=False, order=(0, 1, 2)):
    """A GRU step in NumPy, right by default; each option is one of the usual mistakes: z and 1 - z
    swapped (Chung et al.), the reset applied before the matmul (Cho et al.), another row order."""
    n = h.shape[-1]
    x_r, x_z, x_n = (np.split(x @ w_ih.T + b_ih, 3, axis=-1)[i] for i in order)
    h_r, h_z, h_n = (np.split(h @ w_hh.T + b_hh, 3, axis=-1)[i] for i in order)
    r, z = sigmoid(x_r + h_r), sigmoid(x_z + h_z)
    if reset_before:
        u_n, b_hn = (np.split(w, 3)[order[2]] for w in (w_hh, b_hh))
        cand = np.tanh(x_n + (r * h) @ u_n.T + b_hn)
    else:
        cand = np.tanh(x_n + r * h_n)
    assert cand.shape == h.shape == (x.shape[0], n)
    return z * cand + (1 - z) * h if swap_z else (1 - z) * cand + z * h


def assert_no_code_answer(check: ex.Check) -> None:
    text = str(check)
    for answer in ("tanh(x @", "(1 - z) * n + z * h", "r * h_n", "r * (h @"):
        assert answer not in text, f"the message gives the answer away ({answer!r}): {text}"


def test_numpy_rnn_step_right_in_float64_float32_and_through_grubook():
    assert ex.check_numpy_rnn_step(rnn_step_np)
    assert ex.check_numpy_rnn_step(lambda *a: rnn_step_np(*(v.astype(np.float32) for v in a)))
    through_torch = lambda *a: grubook.rnn_step(*map(torch.from_numpy, a)).numpy()
    check = ex.check_numpy_rnn_step(through_torch)
    assert check and "Right" in str(check)

    # the checker passes copies: a function that writes into its arguments changes no comparison
    def in_place(x, h, W, U, b_ih, b_hh):
        out = rnn_step_np(x, h, W, U, b_ih, b_hh)
        W[:] = 0
        return out

    assert ex.check_numpy_rnn_step(in_place)


@pytest.mark.parametrize(
    "step, hint",
    [
        (lambda x, h, W, U, bi, bh: np.tanh(x @ W + bi + h @ U.T + bh), "turned round"),
        (lambda x, h, W, U, bi, bh: np.tanh(x @ W.T + bi + h @ U + bh), "turned round"),
        (lambda x, h, W, U, bi, bh: np.tanh(x @ U.T + bi + h @ W.T + bh), "not the reverse"),
        (lambda x, h, W, U, bi, bh: np.tanh(x @ W.T + bi + h @ U.T), "both biases"),
        (lambda x, h, W, U, bi, bh: np.tanh(x @ W.T + h @ U.T + bh), "both biases"),
        (lambda x, h, W, U, bi, bh: x @ W.T + bi + h @ U.T + bh, "goes through tanh"),
        (lambda x, h, W, U, bi, bh: sigmoid(x @ W.T + bi + h @ U.T + bh), "term by term"),
        (lambda x, h, W, U, bi, bh: np.tanh(W @ x.T + bi + U @ h.T + bh), "raised ValueError"),
        (lambda *a: rnn_step_np(*a).T, "turned round"),  # (hidden, batch): h's shape
        (lambda *a: torch.from_numpy(rnn_step_np(*a)), "return a NumPy array"),
        (lambda *a: (rnn_step_np(*a), None), "not a tuple"),
        (lambda *a: rnn_step_np(*a).tolist(), "got list"),
        (lambda *a: rnn_step_np(*a) * np.nan, "NaN or infinite"),
        (lambda x, h: h, "raised TypeError"),
    ],
)
def test_numpy_rnn_step_hints(step, hint):
    check = ex.check_numpy_rnn_step(step)
    assert not check and hint in check.message, check
    assert_no_code_answer(check)


def test_numpy_rnn_step_shape_hint_names_the_shapes():
    check = ex.check_numpy_rnn_step(lambda *a: rnn_step_np(*a)[:1])
    assert not check
    assert "must have the shape of h, (batch, hidden) = (4, 3); got (1, 3)" in check.message


def test_numpy_gru_step_right_and_agrees_with_the_cell():
    assert ex.check_numpy_gru_step(gru_step_np)
    assert ex.check_numpy_gru_step(lambda *a: gru_step_np(*(v.astype(np.float32) for v in a)))
    cell = grubook.GRUCell(3, 4).double()
    x, h = torch.randn(2, 3, dtype=torch.float64), torch.randn(2, 4, dtype=torch.float64)
    params = [
        p.detach().numpy() for p in (cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh)
    ]
    ours = gru_step_np(x.numpy(), h.numpy(), *params)
    assert np.allclose(ours, cell(x, h).detach().numpy(), atol=1e-12)  # the helper is right


def test_numpy_gru_step_flags_swapped_z_and_chos_reset_placement():
    swapped = ex.check_numpy_gru_step(lambda *a: gru_step_np(*a, swap_z=True))
    assert not swapped and "Chung et al. 2014" in swapped.message and "KEEPS" in swapped.message
    cho = ex.check_numpy_gru_step(lambda *a: gru_step_np(*a, reset_before=True))
    assert not cho and "Cho et al." in cho.message and "before the matmul" in cho.message
    both = ex.check_numpy_gru_step(lambda *a: gru_step_np(*a, swap_z=True, reset_before=True))
    assert not both and "one at a time" in both.message
    for check in (swapped, cho, both):
        assert_no_code_answer(check)


def cand_only(x, h, w_ih, w_hh, b_ih, b_hh):
    x_r, _, x_n = np.split(x @ w_ih.T + b_ih, 3, axis=-1)
    h_r, _, h_n = np.split(h @ w_hh.T + b_hh, 3, axis=-1)
    return np.tanh(x_n + sigmoid(x_r + h_r) * h_n)


def b_hn_outside(x, h, w_ih, w_hh, b_ih, b_hh):
    n = h.shape[-1]
    moved_ih, moved_hh = b_ih.copy(), b_hh.copy()
    moved_ih[2 * n :] += b_hh[2 * n :]
    moved_hh[2 * n :] = 0
    return gru_step_np(x, h, w_ih, w_hh, moved_ih, moved_hh)


def no_reset(x, h, w_ih, w_hh, b_ih, b_hh):
    n = h.shape[-1]
    big = np.concatenate([np.full(n, 50.0), np.zeros(2 * n)])  # r = sigmoid(50) = 1
    return gru_step_np(x, h, w_ih, w_hh, b_ih + big, b_hh)


@pytest.mark.parametrize(
    "step, hint",
    [
        (lambda *a: gru_step_np(*a, order=(1, 0, 2)), "[r, z, n]"),  # read as [z, r, n]
        (lambda *a: gru_step_np(*a, order=(2, 0, 1)), "[r, z, n]"),
        (b_hn_outside, "b_hn belongs inside"),
        (no_reset, "only through the reset gate"),
        (cand_only, "mixes in h_{t-1}"),
        (lambda x, h, w_ih, *w: gru_step_np(x, h, w_ih.T, *w), "raised ValueError"),
        (lambda *a: gru_step_np(*a) * 0.5, "one at a time"),
        (lambda *a: (gru_step_np(*a), "gates"), "not a tuple"),
        (lambda *a: torch.from_numpy(gru_step_np(*a)), "return a NumPy array"),
    ],
)
def test_numpy_gru_step_other_hints(step, hint):
    check = ex.check_numpy_gru_step(step)
    assert not check and hint in check.message, check
    assert_no_code_answer(check)


@pytest.mark.parametrize("checker", [ex.check_numpy_rnn_step, ex.check_numpy_gru_step])
@pytest.mark.parametrize("bad", [3, np.zeros((2, 3)), "rnn_step_np", None])
def test_numpy_step_checkers_refuse_what_is_not_a_function(checker, bad):
    with pytest.raises(TypeError, match="takes your step function itself: pass its name"):
        checker(bad)


def test_numpy_step_checkers_say_when_the_placeholder_is_left():
    with pytest.raises(TypeError, match=r"got \.\.\. \(the answer cell's placeholder\)"):
        ex.check_numpy_gru_step(...)


# ----- chapter 4: equal budget --------------------------------------------------------------------
def test_equal_budget_accepts_the_closest_size():
    budget = grubook.count_parameters(grubook.GRU(1, 64))
    counts = {h: grubook.count_parameters(grubook.LSTM(1, h)) for h in range(1, 80)}
    best = min(counts, key=lambda h: abs(counts[h] - budget))
    assert ex.check_equal_budget(best, "lstm", ("gru", 64), input_size=1)
    same = ex.check_equal_budget(64, "lstm", ("gru", 64), input_size=1)
    assert not same and "not the same budget" in same.message
    assert "smaller" in ex.check_equal_budget(best + 5, "lstm", ("gru", 64), 1).message
    check = ex.check_equal_budget(best - 5, "lstm", ("gru", 64), 1)
    assert "larger" in check.message
    assert_no_leak(check, best)
    # the other way round: a GRU with the budget of an LSTM gets more units
    budget = grubook.count_parameters(grubook.LSTM(8, 32))
    counts = {h: grubook.count_parameters(grubook.GRU(8, h)) for h in range(1, 60)}
    best = min(counts, key=lambda h: abs(counts[h] - budget))
    assert best > 32 and ex.check_equal_budget(best, "gru", ("lstm", 32), input_size=8)


# ----- chapter 5: encoding and carries ------------------------------------------------------------
def test_encoding_is_least_significant_bit_first():
    truth = to_bits(6, 4)[0].tolist()
    assert truth == [0, 1, 1, 0]
    for answer in ([0, 1, 1, 0], "0110", torch.tensor([0, 1, 1, 0]), np.array([0, 1, 1, 0])):
        assert ex.check_encoding(answer, 6, 4)
    check = ex.check_encoding([1, 1, 0, 0], 12, 4)  # 12 = 0b1100 written the usual way
    assert not check and "least significant bit first" in check.message
    assert_no_leak(check, to_bits(12, 4)[0].tolist())
    assert "exactly bits = 4" in ex.check_encoding("011", 6, 4).message
    with pytest.raises(ValueError, match="answer must be a string of 0s and 1s"):
        ex.check_encoding("0120", 6, 4)


def test_carries():
    _, carry = add_bits(to_bits(3, 2), to_bits(1, 2))
    truth = carry[0].tolist()  # 3 + 1: columns 0 and 1 carry
    assert truth == [1, 1, 0]
    assert ex.check_carries(truth, 3, 1, 2) and ex.check_carries(truth[:2], 3, 1, 2)
    check = ex.check_carries([1, 0, 0], 3, 1, 2)  # forgot the carry coming in
    assert not check and "carry that comes in" in check.message
    assert "more than 10" in ex.check_carries([0, 0, 0], 3, 1, 2).message
    assert "least significant one" in ex.check_carries([0, 1, 1], 3, 1, 2).message


# ----- chapter 6: sMAPE ---------------------------------------------------------------------------
def test_smape():
    rng = np.random.default_rng(0)
    actual = rng.uniform(3000, 6000, 50)
    forecast = actual * rng.uniform(0.9, 1.1, 50)
    truth = smape(forecast, actual)
    assert ex.check_smape(truth, forecast, actual)
    assert ex.check_smape(round(truth, 2), forecast, actual)
    quarter = ex.check_smape(tutorial_smape(forecast, actual), forecast, actual)
    assert not quarter and "a quarter of the standard" in quarter.message
    assert_no_leak(quarter, truth)
    assert "in percent" in ex.check_smape(truth / 100, forecast, actual).message
    mape = float(np.mean(np.abs(forecast - actual) / actual) * 100)
    assert "MAPE" in ex.check_smape(mape, forecast, actual).message
    with pytest.raises(ValueError, match="of one shape"):
        ex.check_smape(1.0, forecast, actual[:3])


# ----- answers that are not answers ---------------------------------------------------------------
@pytest.mark.parametrize(
    "bad, error",
    [
        ("4992", TypeError),
        (True, TypeError),
        (4992.5, ValueError),
        (float("nan"), ValueError),
        ([1, 2], TypeError),
    ],
)
def test_bad_answers_raise_a_clear_error(bad, error):
    with pytest.raises(error, match="answer must be"):
        ex.check_parameter_count(bad, "rnn", 12, 64)


def test_bad_cell_names_raise():
    with pytest.raises(ValueError, match="cell must be one of 'rnn', 'gru', 'lstm'"):
        ex.check_parameter_count(1, "transformer", 12, 64)


def test_the_answers_the_chapters_give_pass():
    """The solutions of the exercises that name a checker (book/0N-*.md) give these answers."""
    z = 0.5 ** (1 / 100)
    assert ex.check_keep_gate(z, steps=100)  # ch3-ex1
    assert ex.check_keep_gate(math.log(z / (1 - z)), steps=100, as_bias=True)
    assert ex.check_half_life(math.log(2) / -math.log(1 / (1 + math.exp(-3))), update_bias=3)
    assert ex.check_half_life(15, update_bias=3)  # ch3-ex6: the whole number of steps
    assert ex.check_gru_step([0.66, 0.46], z=[0.9, 0.2], candidate=[-0.6, 0.7], h_prev=[0.8, -0.5])
    swapped = ex.check_gru_step([-0.46, -0.26], [0.9, 0.2], [-0.6, 0.7], [0.8, -0.5])
    assert not swapped and "swapped" in str(swapped)  # ch3-ex7: Chung's convention is flagged
    assert ex.check_parameter_count(2592, "gru", input_size=2, hidden_size=16, num_layers=2)
    assert ex.check_equal_budget(55, "lstm", ("gru", 64), input_size=1)  # ch4-ex5
    assert not ex.check_equal_budget(64, "lstm", ("gru", 64), input_size=1)
    assert ex.check_encoding([0, 1, 1], 6, bits=3) and ex.check_encoding("111", 7, bits=3)
    assert ex.check_carries("0110", 6, 7, bits=3)  # ch5-ex1
    assert ex.check_carries([1] * 8 + [0], 255, 1, bits=8)  # ch5-ex5
    assert not ex.check_carries([1] + [0] * 8, 255, 1, bits=8)
