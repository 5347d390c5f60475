"""Argument checks shared by the cells and layers.

Every check raises at the boundary with a sentence that names the argument, what it got and what was
expected, so a reader never has to decode a traceback from inside torch.
"""

from __future__ import annotations

import numbers

import torch


def positive_int(name: str, value) -> int:
    """Return ``value`` as an int, or raise if it is not a positive integer."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{name} must be a positive integer, got {value!r} ({type(value).__name__})."
        )
    if value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value}.")
    return int(value)


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


def cell_input(x, input_size: int, dtype: torch.dtype) -> torch.Tensor:
    """Check a cell's input: (batch, input_size) or (input_size,)."""
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
    return h


def boolean(name: str, value) -> bool:
    """Return ``value`` if it is a real bool, or raise: the string "False" would count as true."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {value!r} ({type(value).__name__}).")
    return value
