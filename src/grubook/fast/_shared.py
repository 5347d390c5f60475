"""What the three fast layers share: when they may run, the size of their backward chunks, and the
replay of the plain loop that gives double backward and batched gradients."""

from __future__ import annotations

import torch

# The backward passes work on chunks of time steps whose element-wise factors fit in cache
# (2**18 floats, about 1 MB in float32).
CHUNK_FLOATS = 2**18


def _is_functorch_tensor(t) -> bool:
    check = getattr(torch._C._functorch, "is_functorch_wrapped_tensor", None)
    return bool(check is not None and t is not None and check(t))


def usable(bias_ih, bias_hh, *tensors) -> bool:
    """True when a fast layer may run on these inputs: not under ``torch.compile`` or a
    ``torch.func`` transform, and with both biases or neither (one bias alone: the plain loop)."""
    if torch.compiler.is_compiling() or (bias_ih is None) != (bias_hh is None):
        return False
    return not any(_is_functorch_tensor(t) for t in tensors)


def chunk_steps(floats_per_step: int) -> int:
    """How many time steps of ``floats_per_step`` factors the backward pass takes at a time."""
    return max(1, CHUNK_FLOATS // floats_per_step)


def previous_states(h0: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
    """h_{t-1} for every step: (time, batch, hidden) from h0 (batch, hidden) and out
    (time, batch, hidden)."""
    return torch.cat((h0.unsqueeze(0), out[:-1]), dim=0)


def replay_backward(plain, inputs, needs_grad, grads):
    """Backward by re-running the plain loop under autograd: used for double backward
    (``create_graph=True``), where the hand-written backward would not record its own graph, and
    for batched gradients.

    plain(*inputs) returns the Function's differentiable outputs; ``grads`` are their gradients.
    Returns one gradient (or None) per input, connected to the graph of ``inputs``."""
    with torch.enable_grad():
        results = plain(*inputs)
        wanted = [t for t, need in zip(inputs, needs_grad) if need]
        pairs = [(r, g) for r, g in zip(results, grads) if g is not None]
        found = iter(
            torch.autograd.grad(
                [r for r, _ in pairs],
                wanted,
                [g for _, g in pairs],
                create_graph=True,
                allow_unused=True,
            )
        )
    return tuple(next(found) if need else None for need in needs_grad)


def is_batched(t) -> bool:
    """True under a ``vmap`` (as gradients are with ``autograd.grad(..., is_grads_batched=True)``),
    where the hand-written backward's ``out=`` kernels cannot run."""
    peek = getattr(torch._C._functorch, "peek_interpreter_stack", None)
    if peek is not None and peek() is not None:
        return True
    for name in ("is_batchedtensor", "is_legacy_batchedtensor"):  # is_grads_batched: the legacy one
        check = getattr(torch._C._functorch, name, None)
        if check is not None and check(t):
            return True
    return _is_functorch_tensor(t)
