"""The binary addition task (chapter 5): a recurrent network adds two numbers one bit per step.

The encoding. Two non-negative integers a and b of ``bits`` bits are written least significant bit
first (reversed bitstrings), so that the network meets the bits in the order a person adds them,
from the right. Step t reads ``x_t = (a_t, b_t)`` and must output ``s_t``, bit t of the sum. The
sum of two ``bits``-bit numbers can need ``bits + 1`` bits, so the sequence has one extra step with
input (0, 0), where the only thing left to output is the final carry::

    3 + 1 = 4, bits = 2:   t     0  1  2
                           a_t   1  1  0      a = 3 = 0b11
                           b_t   1  0  0      b = 1 = 0b01
                           s_t   0  0  1      s = 4 = 0b100

In base 2 a column carries when its column sum ``a_t + b_t + carry_in`` is 2 or more (not "more than
10", which is base 10's rule and off by one even there).

Shapes: ``x`` is ``(batch, bits + 1, 2)`` float32 and ``y`` is ``(batch, bits + 1, 1)`` float32 (0
or 1), batch first, ready for :class:`grubook.training.SequenceModel` with ``per_step=True``.

Large widths. The true sum is computed by a ripple-carry adder on bit tensors and decoded with
Python integers, so nothing here overflows: 64-bit operands have 65-bit sums, which no ``int64``
can hold, and the 100-bit case works the same way.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field

import torch
from torch import nn

from .. import _checks
from ..training import History, SequenceModel, train


# ----- operands and bits ------------------------------------------------------------------------
def _operand_list(name: str, value) -> list[int]:
    """An int, a sequence of ints or a 0-D/1-D integer tensor -> a list of Python ints (checked >=
    0)."""
    if isinstance(value, torch.Tensor):
        if value.is_floating_point() or value.is_complex() or value.dtype == torch.bool:
            raise TypeError(f"{name} must hold integers, got a tensor of dtype {value.dtype}.")
        if value.dim() > 1:
            raise ValueError(
                f"{name} must be an integer or a 1-D tensor of integers, got shape "
                f"{_checks.shape_str(value.shape)}."
            )
        values, kind = value.reshape(-1).tolist(), "tensor"
    elif isinstance(value, numbers.Integral) and not isinstance(value, bool):
        values, kind = [int(value)], "int"
    elif isinstance(value, (list, tuple)):
        values, kind = list(value), type(value).__name__
    else:
        raise TypeError(
            f"{name} must be a non-negative integer, a list of them or an integer tensor, "
            f"got {type(value).__name__}."
        )
    for v in values:
        if isinstance(v, bool) or not isinstance(v, numbers.Integral):
            raise TypeError(f"{name} must hold integers, got {v!r} ({type(v).__name__}).")
        if v < 0:
            raise ValueError(
                f"{name} must be non-negative (the task adds unsigned numbers), got {v}."
            )
    if not values:
        raise ValueError(f"{name} must hold at least one integer, got an empty {kind}.")
    return [int(v) for v in values]


def to_bits(value, bits: int) -> torch.Tensor:
    """Integers -> their bits, least significant first: (n, bits) int64 of 0/1.

    value: an int, a list of ints or a 1-D integer tensor; each must be in [0, 2**bits). Works at
    any width (Python integers), e.g. ``to_bits(6, 4) = [[0, 1, 1, 0]]``.
    """
    bits = _checks.positive_int("bits", bits)
    values = _operand_list("value", value)
    for v in values:
        if v >= 1 << bits:
            raise ValueError(
                f"value {v} does not fit in bits={bits} (largest is {(1 << bits) - 1}); "
                f"use a larger bits."
            )
    return torch.tensor(
        [[(v >> i) & 1 for i in range(bits)] for v in values], dtype=torch.int64
    ).reshape(len(values), bits)


def _check_bit_tensor(name: str, t, dims=(2,)) -> torch.Tensor:
    if not isinstance(t, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor of 0/1 bits, got {type(t).__name__}.")
    if t.dim() not in dims:
        raise ValueError(
            f"{name} must be a {' or '.join(f'{d}-D' for d in dims)} tensor of bits, got shape "
            f"{_checks.shape_str(t.shape)}."
        )
    if t.numel() and not bool(((t == 0) | (t == 1)).all()):
        raise ValueError(
            f"{name} must hold only 0s and 1s (bits), got other values, e.g. "
            f"{t[(t != 0) & (t != 1)][0].item()}."
        )
    return t


def _check_bit_pair(a_bits, b_bits, names=("a_bits", "b_bits"), layout="(n, bits)") -> None:
    """Two bit tensors of one shape ``layout``, or a clear error naming them by ``names``."""
    for name, value in zip(names, (a_bits, b_bits)):
        _check_bit_tensor(name, value)
    if a_bits.shape != b_bits.shape:
        raise ValueError(
            f"{names[0]} and {names[1]} must have the same shape {layout}, got "
            f"{_checks.shape_str(a_bits.shape)} and {_checks.shape_str(b_bits.shape)}."
        )


def add_bits(a_bits: torch.Tensor, b_bits: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """A ripple-carry adder on bit tensors: the true sum, exact at any width.

    a_bits, b_bits: (n, bits) 0/1, least significant bit first. Returns ``(sum_bits, carry_out)``,
    both (n, bits + 1) int64: ``sum_bits[:, t]`` is bit t of a + b, and ``carry_out[:, t]`` is the
    carry that column t passes to column t + 1 (1 when ``a_t + b_t + carry_in >= 2``; the last
    column never carries).
    """
    _check_bit_pair(a_bits, b_bits)
    n, bits = a_bits.shape
    a = torch.cat(
        [a_bits.long(), a_bits.new_zeros(n, 1).long()], dim=1
    )  # the extra step reads (0, 0)
    b = torch.cat([b_bits.long(), b_bits.new_zeros(n, 1).long()], dim=1)
    sums, carries = [], []
    carry = torch.zeros(n, dtype=torch.int64)
    for t in range(bits + 1):
        column = a[:, t] + b[:, t] + carry  # 0, 1, 2 or 3
        sums.append(column % 2)
        carry = (column >= 2).long()  # base 2: carry at 2, not at "more than 10"
        carries.append(carry)
    return torch.stack(sums, dim=1), torch.stack(carries, dim=1)


def encode_bits(a_bits: torch.Tensor, b_bits: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Operand bits -> the network's input and target.

    a_bits, b_bits: (n, bits) 0/1, least significant first. Returns x: (n, bits + 1, 2) float32 with
    ``x[:, t] = (a_t, b_t)`` and (0, 0) at the extra last step, and y: (n, bits + 1, 1) float32, the
    bits of a + b (from :func:`add_bits`, exact at any width).
    """
    sum_bits, _ = add_bits(a_bits, b_bits)
    x = torch.stack([a_bits, b_bits], dim=-1).float()
    x = torch.cat([x, x.new_zeros(len(x), 1, 2)], dim=1)
    return x, sum_bits.unsqueeze(-1).float()


def _width(values: list[int]) -> int:
    return max(1, max((v.bit_length() for v in values), default=1))


def encode(a, b, bits: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Two integers (or equal-length lists / 1-D integer tensors of them) -> (x, y) for the network.

    bits: the operand width; None picks the smallest width that holds every operand. Every operand
    must be non-negative and fit in ``bits``. Returns x: (n, bits + 1, 2) and y: (n, bits + 1, 1),
    float32; n = 1 for two plain integers.
    """
    a_list, b_list = _operand_list("a", a), _operand_list("b", b)
    if len(a_list) != len(b_list):
        raise ValueError(
            f"a and b must hold the same number of operands, got {len(a_list)} and {len(b_list)}."
        )
    if bits is None:
        bits = _width(a_list + b_list)
    bits = _checks.positive_int("bits", bits)
    for name, values in (("a", a_list), ("b", b_list)):
        for v in values:
            if v >= 1 << bits:
                raise ValueError(
                    f"{name} = {v} does not fit in bits={bits} (largest is {(1 << bits) - 1}); "
                    f"use a larger bits."
                )
    return encode_bits(to_bits(a_list, bits), to_bits(b_list, bits))


def decode(bits_tensor: torch.Tensor) -> list[int]:
    """Bits, least significant first -> Python integers (exact at any width).

    bits_tensor: (n, time) or (n, time, 1) of 0/1 (e.g. ``y`` from :func:`encode`, or
    :func:`predict_bits`). Returns a list of n ints.
    """
    if isinstance(bits_tensor, torch.Tensor) and bits_tensor.dim() == 3:
        if bits_tensor.shape[-1] != 1:
            raise ValueError(
                f"bits_tensor must be (n, time) or (n, time, 1), got shape "
                f"{_checks.shape_str(bits_tensor.shape)}."
            )
        bits_tensor = bits_tensor[..., 0]
    rows = _check_bit_tensor("bits_tensor", bits_tensor).long().tolist()
    return [sum(bit << i for i, bit in enumerate(row)) for row in rows]  # Python ints: exact


# ----- batches ----------------------------------------------------------------------------------
def random_operands(
    n: int, bits: int, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """n random pairs, every bit a fair coin (so each operand is uniform on [0, 2**bits)).

    Returns (a_bits, b_bits), each (n, bits) int64, least significant bit first.
    """
    n, bits = _checks.positive_int("n", n), _checks.positive_int("bits", bits)
    if not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator, got {type(generator).__name__}.")
    ab = torch.randint(0, 2, (2, n, bits), generator=generator)
    return ab[0], ab[1]


def held_columns(a_bits: torch.Tensor, b_bits: torch.Tensor) -> torch.Tensor:
    """Where the carry is *held*: (n, bits) bool, True in a column with exactly one 1 bit.

    Such a column neither makes a carry nor stops one: ``1 + 0 + c`` writes ``1 - c`` and passes
    ``c`` on, so over a run of them the network must remember the carry it came in with. (A column
    ``1 + 1`` makes a carry and ``0 + 0`` stops one whatever came in: neither needs memory.)
    a_bits, b_bits: (n, bits) 0/1, least significant first.
    """
    _check_bit_pair(a_bits, b_bits)
    return (a_bits.long() + b_bits.long()) == 1


def hard_pairs(
    n: int, bits: int, carry: int, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """n distinct random pairs in which the network must hold a carry through the whole sum.

    carry=0: b is the complement of a within ``bits`` (``b = 2**bits - 1 - a``): every column holds
    exactly one 1 bit, so the carry of 0 into column 0 is held through all ``bits`` columns; every
    sum is ``2**bits - 1``. There are ``2**bits`` such pairs.
    carry=1: column 0 is 1 + 1, which makes a carry, and every later column holds exactly one 1
    bit, so that carry of 1 is held through columns 1 .. bits - 1 and written at the extra step;
    every sum is ``2**bits``. There are ``2**(bits - 1)`` such pairs.
    The free bits (which operand holds the 1 in each column) are fair coins from ``generator``;
    pairs are drawn again until all n are distinct. Random pairs almost never hold a carry this long
    (a given run of k held columns has probability 2**-k), so these are the test an "any length"
    adder must pass. Returns (a_bits, b_bits), each (n, bits) int64, least significant first, as
    :func:`random_operands`.
    """
    n, bits = _checks.positive_int("n", n), _checks.positive_int("bits", bits)
    if isinstance(carry, bool) or carry not in (0, 1):
        raise ValueError(f"carry must be 0 or 1 (the carry held through the sum), got {carry!r}.")
    if not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator, got {type(generator).__name__}.")
    free = bits - carry  # carry 1: column 0 is fixed at 1 + 1
    if free < 63 and n > 2**free:
        raise ValueError(
            f"n = {n} distinct pairs do not exist: there are {2**free} pairs of {bits}-bit "
            f"numbers that hold a carry of {carry} throughout."
        )
    a = torch.randint(0, 2, (n, free), generator=generator)
    _, first = _unique_rows(a) if free else (None, [0])  # bits=1, carry=1: the one pair 1 + 1
    while len(first) < n:  # replace repeats (only likely when few pairs exist)
        a = torch.cat([a[first], torch.randint(0, 2, (n - len(first), free), generator=generator)])
        _, first = _unique_rows(a)
    a = a[first]
    b = 1 - a
    if carry:
        ones = torch.ones(n, 1, dtype=torch.int64)
        a, b = torch.cat([ones, a], dim=1), torch.cat([ones, b], dim=1)
    return a, b


def _pair_keys(x: torch.Tensor) -> torch.Tensor:
    """(n,) int64: one integer per pair, a * 2**bits + b, for x (n, bits + 1, 2) with 2 * bits <=
    62."""
    bits = x.shape[1] - 1
    weights = torch.tensor([1 << i for i in range(bits)], dtype=torch.int64)
    ab = x[:, :bits].long()
    return ((ab[..., 0] * weights).sum(1) << bits) + (ab[..., 1] * weights).sum(1)


def _membership(exclude: torch.Tensor):
    """A function x (n, time, 2) -> (n,) bool: which pairs of x are also pairs of exclude (m, time,
    2)."""
    if exclude.shape[1] - 1 <= 31:  # exact integer keys, computed once
        keys = _pair_keys(exclude)
        return lambda x: torch.isin(_pair_keys(x), keys)

    def rows_in(x):
        hits = torch.zeros(x.shape[0], dtype=torch.bool)
        for chunk in exclude.split(256):
            hits |= (x[:, None] == chunk[None]).flatten(2).all(-1).any(-1)
        return hits

    return rows_in


def _draw_batch(batch_size: int, bits: int, generator: torch.Generator, excluded=None):
    x, y = encode_bits(*random_operands(batch_size, bits, generator))
    if excluded is None:
        return x, y
    for _ in range(1000):
        clash = excluded(x)
        if not clash.any():
            return x, y
        x2, y2 = encode_bits(*random_operands(int(clash.sum()), bits, generator))
        x[clash], y[clash] = x2, y2
    raise ValueError(
        f"could not draw pairs outside exclude: it holds (nearly) all {4**bits} pairs."
    )


def random_batch(
    batch_size: int, bits: int, generator: torch.Generator, exclude: torch.Tensor | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """A training batch of random pairs: x (batch_size, bits + 1, 2), y (batch_size, bits + 1, 1).

    exclude: an x of held-out pairs (m, bits + 1, 2); any drawn pair that is one of them is drawn
    again, so the held-out pairs are never trained on. Reproducible for a seeded ``generator``.
    """
    batch_size, bits = (
        _checks.positive_int("batch_size", batch_size),
        _checks.positive_int("bits", bits),
    )
    if exclude is not None:
        if (
            not isinstance(exclude, torch.Tensor)
            or exclude.dim() != 3
            or tuple(exclude.shape[1:]) != (bits + 1, 2)
        ):
            got = (
                _checks.shape_str(exclude.shape)
                if isinstance(exclude, torch.Tensor)
                else type(exclude).__name__
            )
            raise ValueError(
                f"exclude must be an x of shape (m, bits + 1, 2) = (m, {bits + 1}, 2), got {got}."
            )
        exclude = _membership(exclude)
    return _draw_batch(batch_size, bits, generator, exclude)


def heldout_set(
    n: int = 1000, bits: int = 8, seed: int = 12345
) -> tuple[torch.Tensor, torch.Tensor]:
    """A fixed set of n distinct random pairs (its own seed): x (n, bits + 1, 2), y (n, bits + 1,
    1)."""
    n, bits = _checks.positive_int("n", n), _checks.positive_int("bits", bits)
    if bits < 64 and n > 4**bits:
        raise ValueError(
            f"n = {n} distinct pairs do not exist at bits={bits} (there are {4**bits})."
        )
    gen = torch.Generator().manual_seed(_checks.seed(seed))
    x, y = encode_bits(*random_operands(n, bits, gen))
    _, first = _unique_rows(x)
    while len(first) < n:  # replace duplicates (only ever happens at small widths)
        x2, y2 = encode_bits(*random_operands(n - len(first), bits, gen))
        x, y = torch.cat([x[first], x2]), torch.cat([y[first], y2])
        _, first = _unique_rows(x)
    return x[first], y[first]


def _unique_rows(x: torch.Tensor):
    flat = x.flatten(1)
    _, inverse = torch.unique(flat, dim=0, return_inverse=True)
    seen, first = set(), []
    for i, k in enumerate(inverse.tolist()):
        if k not in seen:
            seen.add(k)
            first.append(i)
    return inverse, first


# ----- accuracy ---------------------------------------------------------------------------------
def predict_bits(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """The model's sum bits: (n, time) int64, 1 where the logit is above 0 (probability above 1/2).

    model: maps x (n, time, 2) to logits (n, time, 1), e.g. :func:`make_model`'s SequenceModel.
    """
    _checks.float_tensor("x", x)
    if x.dim() != 3 or x.shape[-1] != 2:
        raise ValueError(f"x must have shape (n, time, 2), got {_checks.shape_str(x.shape)}.")
    was_training = model.training
    model.eval()
    with torch.no_grad():
        logits = model(x)
    model.train(was_training)
    return (logits[..., 0] > 0).long()


def _pair(pred, target):
    pred = pred[..., 0] if isinstance(pred, torch.Tensor) and pred.dim() == 3 else pred
    target = target[..., 0] if isinstance(target, torch.Tensor) and target.dim() == 3 else target
    _check_bit_pair(pred, target, ("pred", "target"), "(n, time)")
    if pred.numel() == 0:
        raise ValueError("pred and target must hold at least one bit.")
    return pred.long() == target.long()


def bit_accuracy(pred: torch.Tensor, target: torch.Tensor) -> float:
    """Fraction of all output bits that are right. pred, target: (n, time) or (n, time, 1) of
    0/1."""
    return _pair(pred, target).float().mean().item()


def exact_match(pred: torch.Tensor, target: torch.Tensor) -> float:
    """Fraction of sums with every bit right. pred, target: (n, time) or (n, time, 1) of 0/1."""
    return _pair(pred, target).all(dim=1).float().mean().item()


def evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> dict:
    """{"bit": per-bit accuracy, "exact": whole-sum exact match, "right": how many sums (an int)
    have every bit right} of ``model`` on (x, y). One batched forward pass over all n sums."""
    pred = predict_bits(model, x)
    right = int(_pair(pred, y).all(dim=1).sum())
    return {"bit": bit_accuracy(pred, y), "exact": exact_match(pred, y), "right": right}


# ----- training ---------------------------------------------------------------------------------
def make_model(cell: str = "gru", hidden_size: int = 16, seed: int = 0) -> SequenceModel:
    """A seeded recurrent model for the task: 2 inputs per step, one logit per step.
    (The seed is used on a forked random state: the global one is left as it was.)"""
    seed = _checks.seed(seed)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        return SequenceModel(cell, 2, hidden_size, 1, per_step=True)


@dataclass
class AdditionRun:
    """What :func:`train_addition` returns.

    solved_at: the first step at which held-out exact match was 1.0 (None if it never was).
    history: the :class:`grubook.training.History`; ``history.eval`` holds dicts {"bit", "exact",
    "right"}. batch_pairs: (steps, batch_size) int64, the pairs of every training batch as keys
    ``a * 2**bits + b`` (None above 31 bits); :func:`trained_pairs` reads them.
    """

    model: SequenceModel
    history: History
    solved_at: int | None
    solved_state: dict | None
    cell: str
    seed: int
    settings: dict = field(default_factory=dict)
    batch_pairs: torch.Tensor | None = None

    @property
    def steps(self) -> int:
        return len(self.history.loss)

    @property
    def exact_curve(self) -> tuple[list, list]:
        return self.history.eval_step, [e["exact"] for e in self.history.eval]

    @property
    def bit_curve(self) -> tuple[list, list]:
        return self.history.eval_step, [e["bit"] for e in self.history.eval]

    def model_when_solved(self) -> SequenceModel | None:
        """A copy of the model as it was at ``solved_at`` (None if it never got there)."""
        if self.solved_state is None:
            return None
        model = make_model(self.cell, self.settings["hidden_size"])
        model.load_state_dict(self.solved_state)
        return model.eval()


def train_addition(
    cell: str = "gru",
    hidden_size: int = 16,
    bits: int = 8,
    batch_size: int = 64,
    lr: float = 1e-2,
    max_steps: int = 2000,
    seed: int = 0,
    eval_every: int = 5,
    heldout: tuple[torch.Tensor, torch.Tensor] | None = None,
    extra_steps: int = 0,
    stop: bool = True,
) -> AdditionRun:
    """Train a model to add ``bits``-bit numbers: Adam, BCE-with-logits on every output bit.

    Evaluates held-out exact match every ``eval_every`` steps (``heldout``: (x, y), default
    ``heldout_set(1000, bits)``, or at widths below 6 half of all pairs, so that the other half is
    left to train on; its pairs are never trained on) and records ``solved_at``, the first
    evaluated step with exact match 1.0. With ``stop``, training goes on for ``extra_steps`` more
    steps after that and then stops; it always stops after ``max_steps``.
    """
    max_steps = _checks.positive_int("max_steps", max_steps)
    bits, batch_size = (
        _checks.positive_int("bits", bits),
        _checks.positive_int("batch_size", batch_size),
    )
    hidden_size = _checks.positive_int("hidden_size", hidden_size)
    eval_every = _checks.positive_int("eval_every", eval_every)
    extra_steps = _checks.non_negative_int("extra_steps", extra_steps)
    stop = _checks.boolean("stop", stop)
    if heldout is None:
        heldout = heldout_set(1000 if bits >= 6 else 4**bits // 2, bits)
    if not (isinstance(heldout, (tuple, list)) and len(heldout) == 2):
        raise TypeError(f"heldout must be a pair (x, y), got {type(heldout).__name__}.")
    x_val, y_val = heldout
    if (
        not isinstance(x_val, torch.Tensor)
        or not isinstance(y_val, torch.Tensor)
        or tuple(x_val.shape[1:]) != (bits + 1, 2)
        or tuple(y_val.shape) != (x_val.shape[0], bits + 1, 1)
    ):
        raise ValueError(
            f"heldout must be (x, y) with x (m, bits + 1, 2) and y (m, bits + 1, 1) for "
            f"bits={bits}, as heldout_set(m, {bits}) returns."
        )
    model = make_model(cell, hidden_size, seed)
    state = {"step": 0, "solved_at": None, "solved_state": None}

    def evaluate_now(m):
        state["step"] += eval_every
        result = evaluate(m, x_val, y_val)
        if state["solved_at"] is None and result["exact"] == 1.0:
            state["solved_at"] = state["step"]
            state["solved_state"] = {k: v.detach().clone() for k, v in m.state_dict().items()}
        return result

    def stop_when(_result):
        return (
            stop
            and state["solved_at"] is not None
            and state["step"] >= state["solved_at"] + extra_steps
        )

    excluded = _membership(x_val)  # held-out pairs are never trained on
    drawn = []  # every batch's pairs, as keys (which pairs a run trained on: trained_pairs)

    def make_batch(g):
        x, y = _draw_batch(batch_size, bits, g, excluded)
        if bits <= 31:
            drawn.append(_pair_keys(x))
        return x, y

    hist = train(
        model,
        make_batch,
        nn.functional.binary_cross_entropy_with_logits,
        steps=max_steps,
        lr=lr,
        seed=seed,
        evaluate=evaluate_now,
        eval_every=eval_every,
        stop_when=stop_when,
    )
    settings = {
        "hidden_size": hidden_size,
        "bits": bits,
        "batch_size": batch_size,
        "lr": lr,
        "max_steps": max_steps,
        "eval_every": eval_every,
        "extra_steps": extra_steps,
    }
    return AdditionRun(
        model,
        hist,
        state["solved_at"],
        state["solved_state"],
        cell,
        seed,
        settings,
        torch.stack(drawn) if drawn else None,
    )


def trained_pairs(run: AdditionRun, steps: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """The distinct pairs ``run`` was trained on in its first ``steps`` steps (all its steps by
    default; ``run.solved_at`` for the model at its first 100%).

    Read from the keys :func:`train_addition` kept of every batch (widths up to 31 bits). Returns
    (a, b): 1-D int64 tensors of the operands, one entry per distinct pair, sorted by (a, b).
    """
    if not isinstance(run, AdditionRun):
        raise TypeError(
            f"run must be an AdditionRun (from train_addition), got {type(run).__name__}."
        )
    if run.batch_pairs is None:
        raise ValueError(
            f"this run kept no training pairs (it trained at bits={run.settings.get('bits')}; "
            "train_addition keeps them up to 31 bits)."
        )
    steps = run.steps if steps is None else _checks.non_negative_int("steps", steps)
    if steps > run.steps:
        raise ValueError(f"steps must be at most the run's {run.steps} steps, got {steps}.")
    bits = run.settings["bits"]
    keys = torch.unique(run.batch_pairs[:steps].reshape(-1))
    return keys >> bits, keys & ((1 << bits) - 1)


# ----- using a trained model --------------------------------------------------------------------
def add_with_model(model: nn.Module, a, b, bits: int | None = None):
    """The model's answer to a + b: an int for two ints, a list of ints for lists / tensors.

    bits: the operand width (None: the smallest that holds both); the model runs bits + 1 steps.
    """
    scalar = not isinstance(a, (list, tuple, torch.Tensor))
    x, _ = encode(a, b, bits)
    result = decode(predict_bits(model, x))
    return result[0] if scalar else result


def width_sets(widths=(8, 16, 32, 64), n: int = 1000, seed: int = 2024) -> dict:
    """{bits: (x, y)}: n random pairs at each width, drawn with their own seeds (seed + bits)."""
    seed = _checks.seed(seed)  # seed + bits wraps at 2**64, as torch reads seeds
    return {bits: heldout_set(n, bits, (seed + bits) % _checks.SEED_STOP) for bits in widths}


def generalisation(
    model: nn.Module,
    widths=(8, 16, 32, 64),
    n: int = 1000,
    seed: int = 2024,
    sets: dict | None = None,
) -> dict:
    """Accuracy at other widths: {bits: {"bit": ..., "exact": ...}} on n random pairs each.

    sets: {bits: (x, y)} from :func:`width_sets` to reuse (then widths, n and seed are not used)."""
    sets = sets if sets is not None else width_sets(widths, n, seed)
    return {bits: evaluate(model, x, y) for bits, (x, y) in sets.items()}
