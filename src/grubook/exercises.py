"""Checkers for the exercises: call one with your answer and it says whether the answer is right.

When it is not, you get a hint that points at the usual mistake. A checker never prints the answer,
so you can try again::

    from grubook import exercises as ex
    ex.check_parameter_count(5000, "rnn", input_size=12, hidden_size=64)
    # Not yet. Count, for each gate block, the input weights W (hidden x input), ...

Each checker works the answer out with the book's own code (``grubook.RNN/GRU/LSTM``,
``grubook.tasks.addition``, ``grubook.energy``; ``grubook.rnn_step`` and ``grubook.gru_step`` for a
step the student writes in NumPy), so a checker and the chapter can never disagree.
It returns a :class:`Check`, which shows as one line in a notebook and is truthy when right. The
exercise that uses each checker is listed on the instructor guide (read from the chapters).

| checker | the question | chapter |
|---|---|---|
| :func:`check_parameter_count` | how many parameters a layer has | 1, 4 |
| :func:`check_gradient_decay` | the linear rate rho**k of a gradient over k steps | 2 |
| :func:`check_half_life` | after how many steps half of h_{t-k} is left, for a fixed z | 3 |
| :func:`check_keep_gate` | the smallest z (or its bias) that keeps a fraction for k steps | 3 |
| :func:`check_gru_step` | h_t from z_t, the candidate and h_{t-1} | 3 |
| :func:`check_numpy_rnn_step` | your NumPy function for one RNN step | 1 |
| :func:`check_numpy_gru_step` | your NumPy function for one GRU step | 3 |
| :func:`check_equal_budget` | the hidden size giving another cell the same parameter budget | 4 |
| :func:`check_encoding` | a number as the network reads it: bits, least significant first | 5 |
| :func:`check_carries` | which columns of a binary addition carry | 5 |
| :func:`check_smape` | the standard sMAPE of a forecast, in percent | 6 |
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from itertools import permutations

import numpy as np
import torch

from . import _checks
from .gru import gru_step
from .rnn import rnn_step
from .training import hidden_size_for_budget


@dataclass(frozen=True)
class Check:
    """The verdict on one answer: ``correct`` and a message (a hint when wrong, never the
    answer)."""

    correct: bool
    message: str

    def __bool__(self) -> bool:
        return self.correct

    def __str__(self) -> str:
        return ("Right. " if self.correct else "Not yet. ") + self.message

    __repr__ = __str__

    def _repr_markdown_(self) -> str:
        mark = "✅ **Right.**" if self.correct else "❌ **Not yet.**"
        return f"{mark} {self.message}"


def _right(message: str = "") -> Check:
    return Check(True, message or "Well done.")


def _hint(message: str) -> Check:
    return Check(False, "Hint: " + message)


# ----- reading answers ----------------------------------------------------------------------------
def _number(name: str, value) -> float:
    """A real number from an int, float, NumPy scalar or one-element tensor/array."""
    if isinstance(value, (torch.Tensor, np.ndarray)):
        size = value.numel() if isinstance(value, torch.Tensor) else value.size
        if size != 1:
            raise ValueError(
                f"{name} must be one number, got an array of shape {tuple(value.shape)}."
            )
        value = value.item()
    return _checks.finite_number(name, value)


def _whole(name: str, value) -> int:
    """A whole number (an int, of any size, or a float such as 4992.0 that is one)."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    x = _number(name, value)
    if x != int(x):
        raise ValueError(f"{name} must be a whole number, got {value!r}.")
    return int(x)


def _array(name: str, value) -> np.ndarray:
    """A float64 NumPy array of finite numbers from a number, list, array or tensor; a NaN is
    refused (it is not a number to check), never judged "not yet"."""
    return _checks.finite(name, _checks.float_array(name, value))


def _close(a: float, b: float, rel: float, abs_: float = 0.0) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)


def _bits(name: str, value) -> list[int]:
    """A list of 0/1 from a list, tuple, tensor, array or a string such as "0110" (read left to
    right)."""
    if isinstance(value, str):
        text = value.replace(" ", "").replace("_", "")
        if not text or set(text) - {"0", "1"}:
            raise ValueError(f"{name} must be a string of 0s and 1s, got {value!r}.")
        return [int(c) for c in text]
    if isinstance(value, torch.Tensor):
        value = value.detach().reshape(-1).tolist()
    elif isinstance(value, np.ndarray):
        value = value.reshape(-1).tolist()
    if not isinstance(value, (list, tuple)):
        raise TypeError(
            f"{name} must be a list of bits (0 or 1), a tensor or a string, got "
            f"{type(value).__name__}."
        )
    out = []
    for v in value:
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or float(v) not in (0.0, 1.0):
            raise ValueError(f"{name} must hold only 0s and 1s, got {v!r}.")
        out.append(int(v))
    return out


# ----- chapter 1 and 4: parameter counts ----------------------------------------------------------
_CELLS = {"rnn": 1, "gru": 3, "lstm": 4}  # gate blocks per layer


def _layer_count(cell: str, input_size: int, hidden_size: int, num_layers: int, bias: bool) -> int:
    """The count of the book's own layer (grubook.RNN/GRU/LSTM)."""
    import grubook

    cls = {"rnn": grubook.RNN, "gru": grubook.GRU, "lstm": grubook.LSTM}[cell]
    # on the meta device: the layer's shapes without allocating (or initialising) its weights
    layer = cls(input_size, hidden_size, num_layers=num_layers, bias=bias, device="meta")
    return grubook.count_parameters(layer)


def _a(cell: str, start: bool = False) -> str:
    """'an RNN', 'a GRU', 'an LSTM' (capitalised at the start of a sentence)."""
    article = "a " if cell == "gru" else "an "
    return (article.capitalize() if start else article) + cell.upper()


def _cell_name(cell) -> str:
    if not isinstance(cell, str) or cell.lower() not in _CELLS:
        raise ValueError(f"cell must be one of 'rnn', 'gru', 'lstm', got {cell!r}.")
    return cell.lower()


def check_parameter_count(
    answer, cell: str, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True
) -> Check:
    """Is ``answer`` the number of trainable parameters of ``grubook.<CELL>(input_size, hidden_size,
    num_layers=num_layers, bias=bias)`` (the same as ``torch.nn.<CELL>``)?

    cell: "rnn", "gru" or "lstm".
    """
    cell = _cell_name(cell)
    d = _checks.size("input_size", input_size)
    n = _checks.size("hidden_size", hidden_size)
    layers = _checks.positive_int("num_layers", num_layers)
    bias = _checks.boolean("bias", bias)
    guess = _whole("answer", answer)
    truth = _layer_count(cell, d, n, layers, bias)
    if guess == truth:
        return _right(
            f"{_a(cell, True)} with these sizes has that many parameters, and the count "
            "does not depend on the sequence length."
        )
    blocks = _CELLS[cell]
    if bias and guess == _layer_count(cell, d, n, layers, False):
        return _hint("you counted the weights but not the biases.")
    if bias and guess == truth - blocks * n * layers:
        return _hint(
            "torch keeps two bias vectors for every gate block, b_ih and b_hh (the update "
            "only uses their sum, but both are parameters)."
        )
    for other, other_blocks in _CELLS.items():
        if other != cell and guess == _layer_count(other, d, n, layers, bias):
            return _hint(
                f"that is the count for {_a(other)} of the same size. "
                f"{_a(cell, True)} has {blocks} gate block"
                f"{'s' if blocks > 1 else ''}, {_a(other)} has {other_blocks}."
            )
    if layers > 1:
        first = _layer_count(cell, d, n, 1, bias)
        if guess == layers * first:
            return _hint(
                "the layers after the first read the previous layer's output, which has "
                "hidden_size features, not input_size."
            )
        if guess == first:
            return _hint("that is the first layer only; add the other layers.")
    swapped = _layer_count(cell, n, d, layers, bias) if d != n else None
    if guess == swapped:
        return _hint(
            "check which size goes where: W maps the input (input_size) to the hidden "
            "state, U maps the hidden state (hidden_size) to itself."
        )
    return _hint(
        f"count one gate block first: its input weights W (hidden_size x input_size), "
        f"its recurrent weights U (hidden_size x hidden_size) and its biases; "
        f"{_a(cell)} layer has {blocks} such block{'s' if blocks > 1 else ''}."
    )


# ----- chapter 2: the linear rate -----------------------------------------------------------------
def check_gradient_decay(answer, rho: float, distance: int) -> Check:
    """Is ``answer`` the linear rate rho**distance, the norm of dh_T/dh_t over ``distance`` = T - t
    steps when every Jacobian is rho times an orthogonal matrix? (Within 3%.)"""
    rho = _number("rho", rho)
    if rho <= 0:
        raise ValueError(f"rho must be positive, got {rho}.")
    k = _checks.positive_int("distance", distance)
    guess = _number("answer", answer)
    truth = rho**k
    if _close(guess, truth, 0.03):
        return _right(
            "Each of the steps multiplies the norm by the same factor, so it decays (or "
            "grows) geometrically with the distance."
        )
    if _close(guess, rho * k, 1e-6) or _close(guess, 1 - k * (1 - rho), 1e-6):
        return _hint("the Jacobians multiply, one per step; they do not add.")
    if k > 1 and (_close(guess, rho ** (k - 1), 0.03) or _close(guess, rho ** (k + 1), 0.03)):
        return _hint("count the Jacobians: going from h_t to h_T takes T - t of them.")
    if rho < 1 and guess >= 1:
        return _hint("with rho below 1 every step shrinks the norm, so the answer is below 1.")
    if rho > 1 and guess <= 1:
        return _hint("with rho above 1 every step stretches the norm, so the answer is above 1.")
    return _hint(
        "near h = 0 every Jacobian is about U; how much does one multiplication by U "
        "scale a vector, and how many multiplications are there?"
    )


# ----- chapters 2 and 3: memory of a fixed update gate --------------------------------------------
def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def check_half_life(answer, z: float | None = None, update_bias: float | None = None) -> Check:
    """Is ``answer`` the half-life, in steps, of what a GRU unit holds when its update gate stays at
    z?

    In PyTorch's convention h_t = (1 - z) * candidate + z * h_{t-1}: a fraction z of the old state
    is kept every step, so after k steps z**k of it is left. Give either ``z`` (in (0, 1)) or
    ``update_bias`` (then z = sigmoid(update_bias), the gate with zero weights). Accepted: the exact
    value within 2%, or the whole number of steps after which less than half is left.
    """
    if (z is None) == (update_bias is None):
        raise TypeError("give exactly one of z and update_bias.")
    if z is None:
        z = _sigmoid(_number("update_bias", update_bias))
    z = _number("z", z)
    if not 0.0 < z < 1.0:
        raise ValueError(f"z must be strictly between 0 and 1, got {z}.")
    guess = _number("answer", answer)
    truth = math.log(0.5) / math.log(z)
    if _close(guess, truth, 0.02, 0.01) or guess == math.ceil(truth):
        return _right(
            "z**k = 1/2 gives k = ln(1/2) / ln(z): the closer z is to 1, the longer the "
            "unit remembers."
        )
    if _close(guess, math.log(0.5) / math.log(1 - z), 0.02, 0.01):
        return _hint(
            "in PyTorch's convention a high z KEEPS the old state: the fraction kept each "
            "step is z, not 1 - z (the swapped convention of Chung et al. 2014)."
        )
    if _close(guess, 1 / (1 - z), 0.02):
        return _hint(
            "that is the time constant, after which about 37% (1/e) is left; the half-life "
            "asks when half is left."
        )
    if _close(guess, 0.5 / (1 - z), 0.02) or _close(guess, z / 2, 0.02):
        return _hint("the decay is geometric, not linear: after k steps z**k is left.")
    return _hint("after k steps a fraction z**k of the old state is left; solve z**k = 1/2 for k.")


def check_keep_gate(answer, steps: int, kept: float = 0.5, as_bias: bool = False) -> Check:
    """Is ``answer`` the smallest constant update gate z that keeps at least ``kept`` of a value for
    ``steps`` steps (z**steps >= kept)? With ``as_bias=True``: the bias b_iz + b_hz that gives that
    z when the gate's weights are zero, z = sigmoid(b).

    Accepted: z with 1 - z within 2% of the exact value (so 0.993 passes for 0.99309), or the bias
    within 1% (or 0.02).
    """
    k = _checks.positive_int("steps", steps)
    as_bias = _checks.boolean("as_bias", as_bias)
    kept = _number("kept", kept)
    if not 0.0 < kept < 1.0:
        raise ValueError(f"kept must be strictly between 0 and 1, got {kept}.")
    guess = _number("answer", answer)
    z = kept ** (1 / k)

    def same_z(g: float) -> bool:
        return 0.0 < g < 1.0 and _close(1 - g, 1 - z, 0.02)

    if as_bias:
        bias = math.log(z / (1 - z))
        if _close(guess, bias, 0.01, 0.02):
            return _right(
                "The bias is logit(z) = ln(z / (1 - z)): a gate this close to 1 needs a "
                "large positive bias."
            )
        if same_z(guess):
            return _hint(
                "that is the gate value z itself; the bias is the number whose sigmoid is z."
            )
        if _close(guess, -bias, 0.01, 0.02):
            return _hint("check the sign: a gate near 1 needs a positive bias.")
        if 0 < guess < 1:
            return _hint("the bias is not a probability: invert the sigmoid, b = ln(z / (1 - z)).")
        return _hint("find the smallest z first (z**steps = kept), then invert the sigmoid.")
    if same_z(guess):
        return _right(
            f"z**{k} is then the fraction asked for: keeping a value for many steps needs a "
            "gate very close to 1."
        )
    if same_z(1 - guess):
        return _hint(
            "in PyTorch's convention a high z KEEPS the old state, so the gate must be close "
            "to 1, not to 0."
        )
    if _close(guess, 1 - (1 - kept) / k, 1e-3) or _close(guess, 1 - kept / k, 1e-3):
        return _hint(
            "the fraction kept shrinks geometrically, z**k, not by a fixed amount per step."
        )
    if not 0.0 < guess < 1.0:
        return _hint("z is the output of a sigmoid, so it lies between 0 and 1.")
    if guess**k < kept:
        return _hint(f"with that z less than the fraction asked for is left after {k} steps.")
    return _hint(
        "that z keeps enough, but it is not the smallest that does; solve z**steps = kept."
    )


def check_gru_step(answer, z, candidate, h_prev) -> Check:
    """Is ``answer`` the new state h_t = (1 - z) * candidate + z * h_prev (PyTorch's convention)?

    z, candidate, h_prev: numbers, or arrays/tensors of one shape; answer the same shape (within
    1e-3).
    """
    arrays = [_array(k, v) for k, v in (("z", z), ("candidate", candidate), ("h_prev", h_prev))]
    z_, n_, h_ = np.broadcast_arrays(*arrays)
    if ((z_ < 0) | (z_ > 1)).any():
        raise ValueError("z must be in [0, 1]: it is the output of a sigmoid.")
    guess = _array("answer", answer)
    if guess.shape != z_.shape:
        raise ValueError(
            f"answer must have the shape of z, candidate and h_prev, {z_.shape}, got {guess.shape}."
        )
    truth = (1 - z_) * n_ + z_ * h_
    if np.allclose(guess, truth, atol=1e-3, rtol=0):
        return _right("h_t is a blend of the candidate and the old state, weighted by 1 - z and z.")
    if np.allclose(guess, z_ * n_ + (1 - z_) * h_, atol=1e-3, rtol=0):
        return _hint(
            "that is the convention with z and 1 - z swapped (Chung et al. 2014). In "
            "PyTorch's convention, which this book follows, a high z KEEPS h_{t-1}."
        )
    if np.allclose(guess, n_, atol=1e-3, rtol=0):
        return _hint(
            "the candidate is only part of the new state: the update gate mixes in h_{t-1}."
        )
    return _hint("h_t = (1 - z) * candidate + z * h_{t-1}, element by element.")


# ----- chapters 1 and 3: the step, written in NumPy -----------------------------------------------
# Each case is (batch, input_size, hidden_size). The first RNN case has a square W, so a transposed
# or swapped matrix gives wrong numbers (which the hints name) rather than a shape error; one case
# has a batch of one; the last GRU case has a square weight_ih.
_RNN_CASES = ((4, 3, 3), (2, 5, 3), (1, 2, 6))
_GRU_CASES = ((4, 3, 5), (1, 2, 3), (3, 6, 2))
_STEP_TOL = 1e-6  # the largest difference from grubook's step accepted (the cases are float64)
_RNN_ARGS = ("x", "h", "W", "U", "b_ih", "b_hh")
_GRU_ARGS = ("x", "h", "weight_ih", "weight_hh", "bias_ih", "bias_hh")
_LAYOUT = (
    "In PyTorch's layout a weight matrix is (features out, features in) and a batch has one row "
    "per sequence, so W x_t for every row of x is x @ W.T."
)


def _step_function(checker: str, example: str, fn):
    """``fn`` when it is a function (or another callable); else a TypeError naming what came."""
    if fn is ...:
        raise TypeError(
            f"{checker} got ... (the answer cell's placeholder): define your function first, "
            f"then pass it by name, {checker}({example})."
        )
    if not callable(fn):
        raise TypeError(
            f"{checker} takes your step function itself: pass its name without parentheses, "
            f"{checker}({example}); got {type(fn).__name__}."
        )
    return fn


def _step_cases(cases, shapes):
    """Seeded random arguments of a step, one tuple of float64 arrays per case: x (batch, input)
    and h (batch, hidden), then the weights and biases, shaped by ``shapes(input, hidden)``."""
    rng = np.random.default_rng(2024)
    for batch, d, n in cases:
        x, h = rng.normal(size=(batch, d)), rng.uniform(-1, 1, (batch, n))
        yield (x, h, *(rng.normal(0, 0.6, shape) for shape in shapes(d, n)))


def _run_step(fn, args: tuple[np.ndarray, ...], names: tuple[str, ...]):
    """``fn`` on copies of ``args``: (h_t as a float64 array, None), or (None, a hint)."""
    h = args[1]
    try:
        out = fn(*(a.copy() for a in args))
    except Exception as err:  # noqa: BLE001 (the student's code: what it raises is the hint)
        shapes = ", ".join(f"{n} {tuple(a.shape)}" for n, a in zip(names, args))
        said = " ".join(str(err).split())[:160]
        layout = " " + _LAYOUT if isinstance(err, ValueError) else ""
        return None, _hint(
            f"your function raised {type(err).__name__} ({said}) when called with {shapes}."
            + layout
        )
    if isinstance(out, tuple):
        return None, _hint("return h_t alone, one array of shape (batch, hidden), not a tuple.")
    if isinstance(out, torch.Tensor):
        return None, _hint("return a NumPy array: the exercise is the step written in NumPy.")
    if not isinstance(out, np.ndarray) or out.dtype.kind not in "iuf":
        return None, _hint(
            f"return h_t as a NumPy array of numbers, (batch, hidden); got {type(out).__name__}."
        )
    if out.shape != h.shape:
        turned = f" That is h's shape turned round. {_LAYOUT}" if out.shape == h.shape[::-1] else ""
        return None, _hint(
            f"h_t must have the shape of h, (batch, hidden) = {tuple(h.shape)}; got "
            f"{tuple(out.shape)} for x {tuple(args[0].shape)}.{turned}"
        )
    if not np.isfinite(out).all():
        return None, _hint("your h_t holds NaN or infinite values, which tanh never gives.")
    return out.astype(float), None


def _same(out: np.ndarray, step) -> bool:
    """Whether ``out`` is within the tolerance of ``step`` (a tensor, or a (tensor, gates) pair)."""
    step = step[0] if isinstance(step, tuple) else step
    return bool(np.allclose(out, step.detach().numpy(), rtol=0, atol=_STEP_TOL))


def check_numpy_rnn_step(fn) -> Check:
    """Does ``fn(x, h, W, U, b_ih, b_hh)``, your NumPy function, compute one vanilla RNN step,
    h_t = tanh(W x_t + b_ih + U h_{t-1} + b_hh), as ``grubook.rnn_step`` does?

    fn is called on a few seeded random cases, float64 arrays in PyTorch's layout: x (batch,
    input), h (batch, hidden), W (hidden, input), U (hidden, hidden), b_ih and b_hh (hidden,). It
    must return h_t as a NumPy array (batch, hidden), within 1e-6 of ``grubook.rnn_step``.
    """
    fn = _step_function("check_numpy_rnn_step", "rnn_step_np", fn)
    for args in _step_cases(_RNN_CASES, lambda d, n: ((n, d), (n, n), (n,), (n,))):
        out, problem = _run_step(fn, args, _RNN_ARGS)
        if problem is not None:
            return problem
        x, h, W, U, b_ih, b_hh = (torch.from_numpy(a) for a in args)
        if _same(out, rnn_step(x, h, W, U, b_ih, b_hh)):
            continue
        turned = [(W, U.T)] + ([(W.T, U), (W.T, U.T)] if W.shape == U.shape else [])
        if any(_same(out, rnn_step(x, h, w, u, b_ih, b_hh)) for w, u in turned):
            return _hint("a weight matrix is applied turned round. " + _LAYOUT)
        if W.shape == U.shape and _same(out, rnn_step(x, h, U, W, b_ih, b_hh)):
            return _hint("W multiplies the input x_t and U the old state h_{t-1}, not the reverse.")
        zero = torch.zeros_like(b_ih)
        if _same(out, rnn_step(x, h, W, U, zero, b_hh)) or _same(
            out, rnn_step(x, h, W, U, b_ih, zero)
        ):
            return _hint("PyTorch's step adds both biases, b_ih and b_hh.")
        if _same(out, rnn_step(x, h, W, U, b_ih, b_hh, nonlinearity="relu")) or _same(
            out, x @ W.T + b_ih + h @ U.T + b_hh
        ):
            return _hint("the sum goes through tanh, which keeps every unit of h_t in (-1, 1).")
        return _hint(
            "run your function and grubook.rnn_step on one small case and compare them term by "
            "term: W x_t + b_ih, then U h_{t-1} + b_hh, then the tanh of their sum."
        )
    return _right(
        "Your step gives grubook.rnn_step's h_t on every case: the cell is that equation."
    )


def _blocks(tensor: torch.Tensor, order) -> torch.Tensor:
    """The three gate blocks of a GRU weight or bias, stacked in ``order`` instead."""
    parts = tensor.chunk(3)
    return torch.cat([parts[i] for i in order])


def check_numpy_gru_step(fn) -> Check:
    """Does ``fn(x, h, weight_ih, weight_hh, bias_ih, bias_hh)``, your NumPy function, compute one
    GRU step in PyTorch's convention, as ``grubook.gru_step`` does (see ``grubook.gru``)?

    fn is called on a few seeded random cases, float64 arrays in PyTorch's layout: x (batch,
    input), h (batch, hidden), weight_ih (3*hidden, input) = [W_r; W_z; W_n], weight_hh
    (3*hidden, hidden) = [U_r; U_z; U_n], bias_ih and bias_hh (3*hidden,), stacked [r, z, n]. It
    must return h_t alone as a NumPy array (batch, hidden), within 1e-6 of ``grubook.gru_step``.
    """
    fn = _step_function("check_numpy_gru_step", "gru_step_np", fn)
    shapes = lambda d, n: ((3 * n, d), (3 * n, n), (3 * n,), (3 * n,))  # noqa: E731
    for args in _step_cases(_GRU_CASES, shapes):
        out, problem = _run_step(fn, args, _GRU_ARGS)
        if problem is not None:
            return problem
        x, h, *weights = (torch.from_numpy(a) for a in args)
        h_new, gates = gru_step(x, h, *weights)
        if _same(out, h_new):
            continue
        z, n, (w_ih, w_hh, b_ih, b_hh) = gates.update, gates.candidate, weights
        if _same(out, z * n + (1 - z) * h):
            return _hint(
                "that is the blend with z and 1 - z swapped (Chung et al. 2014). In PyTorch's "
                "convention, which this book follows, a high z KEEPS h_{t-1}."
            )
        if _same(out, gru_step(x, h, *weights, reset_after=False)):
            return _hint(
                "that is Cho et al.'s (2014) candidate: r scales h_{t-1} before the matmul. In "
                "PyTorch's, r scales the whole recurrent part U_n h_{t-1} + b_hn, after it."
            )
        orders = [p for p in permutations(range(3)) if p != (0, 1, 2)]
        if any(_same(out, gru_step(x, h, *(_blocks(w, p) for w in weights))) for p in orders):
            return _hint(
                "the gates are read from the wrong rows: PyTorch stacks the rows of weight_ih, "
                "weight_hh and both biases as [r, z, n] (reset, update, candidate)."
            )
        hidden = h.shape[-1]
        moved_ih, moved_hh = b_ih.clone(), b_hh.clone()
        moved_ih[2 * hidden :] += b_hh[2 * hidden :]
        moved_hh[2 * hidden :] = 0
        if _same(out, gru_step(x, h, w_ih, w_hh, moved_ih, moved_hh)):
            return _hint(
                "b_hn belongs inside the reset gate's product, r * (U_n h_{t-1} + b_hn), so the "
                "reset gate scales it too."
            )
        if _same(out, gru_step(x, h, *weights, gate_hook=lambda u, r: (u, torch.ones_like(r)))):
            return _hint("the candidate sees the old state only through the reset gate r.")
        if _same(out, n):
            return _hint("the candidate is only part of h_t: the update gate mixes in h_{t-1}.")
        if w_ih.shape[0] == w_ih.shape[1] and _same(out, gru_step(x, h, w_ih.T, *weights[1:])):
            return _hint("weight_ih is applied turned round. " + _LAYOUT)
        return _hint(
            "compute r, z and n one at a time and compare each with the gates grubook.gru_step "
            "returns for the same arrays (its second output: reset, update, candidate)."
        )
    return _right(
        "Your step gives grubook.gru_step's h_t on every case: four lines of NumPy are the GRU."
    )


# ----- chapter 4: the same budget -----------------------------------------------------------------
def check_equal_budget(
    answer, cell: str, reference: tuple[str, int], input_size: int, num_layers: int = 1
) -> Check:
    """Is ``answer`` the hidden size of a ``cell`` layer whose parameter count is closest to that of
    the ``reference`` layer, e.g. ``check_equal_budget(h, "lstm", ("gru", 64), input_size=1)``?

    Counts are of the bare layers (grubook.RNN/GRU/LSTM with biases). A hidden size whose count is
    within 1% of the closest one is accepted too.
    """
    cell = _cell_name(cell)
    if not (isinstance(reference, tuple) and len(reference) == 2):
        raise TypeError(
            f"reference must be a (cell, hidden_size) pair such as ('gru', 64), got {reference!r}."
        )
    ref_cell, ref_hidden = (
        _cell_name(reference[0]),
        _checks.size("reference hidden_size", reference[1]),
    )
    d = _checks.size("input_size", input_size)
    layers = _checks.positive_int("num_layers", num_layers)
    guess = _checks.positive_int(
        "answer (a hidden size)", _whole("answer", answer), _checks.MAX_SIZE
    )
    budget = _layer_count(ref_cell, d, ref_hidden, layers, True)

    def gap(h: int) -> int:
        return abs(_layer_count(cell, d, h, layers, True) - budget)

    best = hidden_size_for_budget(budget, lambda h: _layer_count(cell, d, h, layers, True))
    if guess == best or gap(guess) <= gap(best) + 0.01 * budget:
        return _right(
            "The two layers then have about the same number of parameters; a cell with more "
            "gate blocks gets fewer units for the same budget."
        )
    count = _layer_count(cell, d, guess, layers, True)
    if guess == ref_hidden and cell != ref_cell:
        return _hint(
            f"the same hidden size is not the same budget: {_a(cell)} has "
            f"{_CELLS[cell]} gate blocks, {_a(ref_cell)} has {_CELLS[ref_cell]}."
        )
    if count > budget:
        return _hint(
            "that layer has more parameters than the reference; try a smaller hidden size."
        )
    return _hint("that layer has fewer parameters than the reference; try a larger hidden size.")


# ----- chapter 5: the addition task ---------------------------------------------------------------
def check_encoding(answer, value: int, bits: int) -> Check:
    """Is ``answer`` the ``bits``-bit encoding of ``value`` that the network reads, least
    significant bit first (``grubook.tasks.addition.to_bits``)?

    answer: a list or tensor of 0/1, or a string such as "0110" read left to right (step 0 first).
    """
    from .tasks.addition import to_bits

    bits = _checks.positive_int("bits", bits)
    truth = to_bits(value, bits)[0].tolist()
    guess = _bits("answer", answer)
    if guess == truth:
        return _right("The network meets the bits in the order a person adds them: from the right.")
    if guess == truth[::-1]:
        return _hint(
            "that is the usual way to write the number, most significant bit first; the "
            "network reads the least significant bit first."
        )
    if len(guess) != bits:
        return _hint(
            f"use exactly bits = {bits} bits, padding with zeros at the most significant end "
            "(which comes last here)."
        )
    return _hint("write the number in base 2 first, then reverse the digits.")


def check_carries(answer, a: int, b: int, bits: int) -> Check:
    """Is ``answer`` the carry out of every column when the network adds ``a`` and ``b`` (``bits``
    bits each, least significant column first)?

    answer: bits + 1 values of 0/1 (the extra last step never carries) or just the first ``bits``;
    a list, tensor or string read left to right (column 0 first).
    """
    from .tasks.addition import add_bits, to_bits

    bits = _checks.positive_int("bits", bits)
    _, carry = add_bits(to_bits(a, bits), to_bits(b, bits))
    truth = carry[0].tolist()
    guess = _bits("answer", answer)
    if guess == truth or guess == truth[:bits]:
        return _right("A column carries when a_t + b_t + carry_in is 2 or more.")
    a_bits, b_bits = to_bits(a, bits)[0].tolist(), to_bits(b, bits)[0].tolist()
    no_carry_in = [int(x + y >= 2) for x, y in zip(a_bits, b_bits)]
    if guess in (no_carry_in, no_carry_in + [0]):
        return _hint("a column's sum includes the carry that comes in from the column before.")
    if guess in (truth[::-1], truth[:bits][::-1]):
        return _hint("list the columns from the least significant one (column 0) upwards.")
    if not any(guess) and any(truth):
        return _hint("in base 2 a column carries when its sum is 2 or more, not more than 10.")
    return _hint(
        "add column by column from the least significant bit: sum = a_t + b_t + carry_in; "
        "the column carries when that sum is 2 or more."
    )


# ----- chapter 6: sMAPE ---------------------------------------------------------------------------
def check_smape(answer, forecast, actual) -> Check:
    """Is ``answer`` the standard sMAPE of ``forecast`` against ``actual``, in percent:
    mean(2 |F - A| / (|F| + |A|)) * 100 (``grubook.energy.smape``)? Within 1% of the value."""
    from .energy.forecast import smape, tutorial_smape

    f, a = _array("forecast", forecast), _array("actual", actual)
    if f.shape != a.shape or f.size == 0:
        raise ValueError(
            f"forecast and actual must be non-empty and of one shape, got {f.shape} and {a.shape}."
        )
    f, a = f.reshape(-1), a.reshape(-1)
    guess = _number("answer", answer)
    truth = smape(f, a)
    if _close(guess, truth, 0.01, 1e-9):
        return _right("That is the standard sMAPE, between 0% and 200%.")
    if _close(guess, truth / 100, 0.01, 1e-12):
        return _hint("give it in percent.")
    if (a > 0).all() and (f > 0).all() and _close(guess, tutorial_smape(f, a), 0.01):
        return _hint(
            "that is a quarter of the standard value: the standard formula divides 2|F - A| "
            "by |F| + |A| (the mean of the two is (|F| + |A|) / 2)."
        )
    if _close(guess, truth / 2, 0.01):
        return _hint("check the factor 2 in 2|F - A| / (|F| + |A|).")
    if (a != 0).all() and _close(guess, float(np.mean(np.abs(f - a) / np.abs(a)) * 100), 0.01):
        return _hint(
            "that is MAPE, which divides by |A| only; sMAPE divides by the mean of |F| and |A|."
        )
    return _hint(
        "compute 2|F - A| / (|F| + |A|) for every pair, take the mean, and multiply by 100."
    )
