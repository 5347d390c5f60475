"""Argument checks shared by the cells and layers.

Every check raises at the boundary with a sentence that names the argument, what it got and what was
expected, so a reader never has to decode a traceback from inside torch.
"""

from __future__ import annotations

import math
import numbers
import operator

import numpy as np
import torch

# Sanity bounds, checked before anything is allocated: a typo such as hidden_size=100000 should
# be an error, not an attempt to allocate 120 GB.
MAX_SIZE = 16384  # the largest input_size, hidden_size or output_size a layer accepts
MAX_PARAMETERS = 2**28  # the most parameters one layer may have: 1 GiB in float32


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:25]}...{text[-25:]} ({len(text)} characters)"


# The integers torch takes as a seed (torch.manual_seed, torch.Generator.manual_seed): a negative
# seed is read as its 64-bit two's complement, so -1 and 2**64 - 1 are the same seed.
SEED_MIN, SEED_STOP = -(2**63), 2**64


def integer(name: str, value) -> int:
    """Return ``value`` as an int, or raise if it is not an integer (True and False are not) in the
    range torch takes for a seed, from -2**63 to 2**64 - 1 (grubook passes these to torch)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {_short(value)} ({type(value).__name__}).")
    if not SEED_MIN <= value < SEED_STOP:
        raise ValueError(
            f"{name} must be an integer from -2**63 to 2**64 - 1 (the 64-bit range torch takes "
            f"for a seed), got {_short(value)}."
        )
    return int(value)


def seed(value, name: str = "seed") -> int:
    """A seed for torch: an integer from -2**63 to 2**64 - 1 (:func:`integer`)."""
    return integer(name, value)


def index(name: str, value) -> int:
    """Return ``value`` as an int, or raise a TypeError unless it is a whole number that can index
    a sequence: a Python or NumPy integer, or a one-element integer tensor or array. Floats are
    refused, 1.5 and 2.0 alike (never truncated), and so are True and False."""
    is_bool = isinstance(value, (bool, np.bool_)) or (
        isinstance(value, (torch.Tensor, np.ndarray)) and value.dtype in (torch.bool, np.bool_)
    )
    try:
        if is_bool:
            raise TypeError
        return operator.index(value)
    except TypeError:
        raise TypeError(
            f"{name} must be an integer, got {_short(value)} ({type(value).__name__})."
        ) from None


def positive_int(name: str, value, maximum: int | None = None) -> int:
    """Return ``value`` as an int, or raise if it is not a positive integer (at most ``maximum``
    when one is given)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{name} must be a positive integer, got {_short(value)} ({type(value).__name__})."
        )
    if value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value}.")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be at most {maximum}, got {_short(value)}.")
    return int(value)


def non_negative_int(name: str, value) -> int:
    """Return ``value`` as an int, or raise if it is not an integer >= 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {_short(value)} ({type(value).__name__}).")
    if value < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {value}.")
    return int(value)


def size(name: str, value) -> int:
    """A layer size (input_size, hidden_size, output_size): a positive integer up to
    :data:`MAX_SIZE`."""
    return positive_int(name, value, MAX_SIZE)


def parameter_budget(
    what: str,
    gate_blocks: int,
    input_size: int,
    hidden_size: int,
    num_layers: int,
    bias: bool,
    device=None,
) -> int:
    """The parameter count of a recurrent layer (or cell, ``num_layers=1``) with ``gate_blocks``
    blocks, as ``torch.nn`` lays it out; raise, before anything is allocated, when it is above
    :data:`MAX_PARAMETERS`. On the ``meta`` device (given, or the default inside
    ``with torch.device("meta")``) nothing is allocated, so there is no bound: that is how sizes
    are counted without building the layer."""
    rows, n_bias = gate_blocks * hidden_size, 2 if bias else 0
    first = rows * (input_size + hidden_size + n_bias)
    n_params = first + (num_layers - 1) * rows * (2 * hidden_size + n_bias)
    if n_params > MAX_PARAMETERS and torch.empty(0, device=device).device.type != "meta":
        raise ValueError(
            f"{what}(input_size={input_size}, hidden_size={hidden_size}, num_layers={num_layers}) "
            f"would have {n_params:,} parameters ({n_params * 4 / 2**30:.1f} GiB in float32), "
            f"more than the {MAX_PARAMETERS:,} (1 GiB) one layer may have here; "
            "use smaller sizes or fewer layers."
        )
    return n_params


def finite_number(name: str, value) -> float:
    """Return ``value`` as a float, or raise unless it is a real, finite number (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {_short(value)} ({type(value).__name__}).")
    try:
        number = float(value)
    except OverflowError:
        raise ValueError(f"{name} is too large to be a float, got {_short(value)}.") from None
    if not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number, got {number}.")
    return number


def positive_number(name: str, value) -> float:
    """Return ``value`` as a float, or raise unless it is a finite number above 0."""
    number = finite_number(name, value)
    if number <= 0:
        raise ValueError(f"{name} must be a positive number, got {number}.")
    return number


def float_array(name: str, value) -> np.ndarray:
    """``value`` (a number, a list of numbers, a NumPy array, a pandas Series or a tensor) as a
    float64 NumPy array; raise a TypeError naming ``name`` when it does not hold numbers (text
    such as "12" is not silently read as one)."""
    if isinstance(value, torch.Tensor):
        if value.device.type == "meta":  # torch: "Cannot copy out of meta tensor; no data!"
            raise TypeError(f"{name} is a tensor on the meta device, which holds no values.")
        value = value.detach().cpu()
    try:
        array = np.asarray(value)
    except (TypeError, ValueError) as err:
        array, problem = None, str(err).splitlines()[0].split(". ")[0]
    if array is None or array.dtype.kind not in "iuf":
        what = problem if array is None else f"values of dtype {array.dtype}"
        raise TypeError(
            f"{name} must be a number, a list of numbers, an array or a tensor, got "
            f"{type(value).__name__} ({what})."
        )
    return array.astype(float)


def finite(name: str, values: np.ndarray) -> np.ndarray:
    """Raise a ValueError saying how many of ``values`` are NaN or infinite, and where the first
    is; return ``values`` when all are finite."""
    bad = ~np.isfinite(values)
    if bad.any() and values.ndim == 0:
        raise ValueError(f"{name} must be a finite number, got {values}.")
    if bad.any():
        first = np.argwhere(bad)[0]
        where = int(first[0]) if values.ndim == 1 else tuple(int(i) for i in first)
        count = int(bad.sum())
        raise ValueError(
            f"{name} has {count} non-finite value{'s' if count > 1 else ''} (NaN or infinite; "
            f"first at index {where}: {values[tuple(first)]}); expected finite numbers."
        )
    return values


def probability(name: str, value) -> float:
    """Return ``value`` as a float in [0, 1), or raise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number in [0, 1), got {value!r}.")
    if not 0.0 <= float(value) < 1.0:
        raise ValueError(f"{name} must be in [0, 1), got {value}.")
    return float(value)


def float_tensor(name: str, value) -> torch.Tensor:
    """Raise unless ``value`` is a floating-point tensor."""
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(value).__name__}.")
    if not value.is_floating_point():
        raise TypeError(
            f"{name} must be a floating-point tensor (e.g. torch.float32), "
            f"got dtype {value.dtype}; "
            f"convert it with {name}.float()."
        )
    return value


def shape_str(shape) -> str:
    return "(" + ", ".join(str(s) for s in shape) + ")"


def expect_shape(name: str, value: torch.Tensor, expected: tuple, what: str) -> None:
    """Raise a ValueError naming ``name`` unless ``value.shape == expected``."""
    if tuple(value.shape) != tuple(expected):
        raise ValueError(
            f"{name} must have shape {what} = {shape_str(expected)}, got {shape_str(value.shape)}."
        )


def same_dtype(name: str, value: torch.Tensor, reference: torch.Tensor, ref_name: str) -> None:
    if value.dtype != reference.dtype:
        raise TypeError(
            f"{name} has dtype {value.dtype} but {ref_name} has dtype {reference.dtype}; "
            "they must match."
        )


def same_device(name: str, value: torch.Tensor, reference: str, device: torch.device) -> None:
    """Refuse ``value`` on another device than ``reference`` (the weights, or ``x``): torch's own
    message names neither argument."""
    if value.device != torch.device(device):
        raise ValueError(
            f"{name} is on device {value.device.type!r} but {reference} on {device.type!r}; "
            f"move one of them (e.g. {name}.to({device.type!r}))."
        )


def cell_input(x, input_size: int, dtype: torch.dtype, device=None) -> torch.Tensor:
    """Check a cell's input: (batch, input_size) or (input_size,), of the weights' ``dtype`` and on
    their ``device``."""
    float_tensor("x", x)
    if x.dim() not in (1, 2) or x.shape[-1] != input_size:
        raise ValueError(
            f"x must have shape (batch, input_size={input_size}) or (input_size={input_size},), "
            f"got {shape_str(x.shape)}."
        )
    if x.dtype != dtype:
        raise TypeError(
            f"x has dtype {x.dtype} but the cell's weights are {dtype}; "
            f"convert one of them (e.g. cell.to({x.dtype}) or x.to({dtype}))."
        )
    if device is not None:
        same_device("x", x, "the cell's weights are", device)
    return x


def cell_state(name: str, h, x: torch.Tensor, hidden_size: int) -> torch.Tensor:
    """Check a cell's state against its input ``x``; returns zeros when ``h`` is None."""
    expected = (*x.shape[:-1], hidden_size)
    if h is None:
        return x.new_zeros(expected)
    float_tensor(name, h)
    what = "(batch, hidden_size)" if x.dim() == 2 else "(hidden_size,)"
    expect_shape(name, h, expected, what)
    same_dtype(name, h, x, "x")
    same_device(name, h, "x is", x.device)
    return h


def one_of(name: str, value, options) -> object:
    """Return ``value`` if it is one of ``options`` (e.g. the keys of a dict), or raise."""
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{name} must be one of {sorted(options)}, got {_short(value)}.")
    return value


def boolean(name: str, value) -> bool:
    """Return ``value`` if it is a real bool, or raise: the string "False" would count as true."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r} ({type(value).__name__}).")
    return bool(value)
