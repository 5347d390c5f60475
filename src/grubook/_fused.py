"""When the layers may take their fused path (a private helper of ``gru.py``, ``lstm.py``, ``rnn.py``).

Each of ``gru_layer``, ``lstm_layer`` and ``rnn_layer`` has two implementations of the same maths:
the plain loop you can read (autograd records every operation of every step), and a fused
``torch.autograd.Function`` whose backward is a hand-written backpropagation through time over the
gates saved in the forward pass. On a CPU, autograd's per-operation overhead dominates at the
book's sizes, so the fused path is what makes ``grubook.GRU`` about as fast as ``torch.nn.GRU``.
Tests prove the two paths equal (tests/test_fast_path.py), including gradcheck in float64.

The plain loop is used when the gates are recorded (``return_gates=True``), under ``torch.compile``
(the compiler fuses the plain loop itself, and does better than the hand-written backward), under
``torch.func`` transforms (``vmap``, ``grad``), and whenever ``ENABLED`` is False.
"""

from __future__ import annotations

import torch

ENABLED = True  # set to False to run every layer through the plain, autograd-recorded loop


def _is_functorch_tensor(t) -> bool:
    check = getattr(torch._C._functorch, "is_functorch_wrapped_tensor", None)
    return bool(check is not None and t is not None and check(t))


def usable(bias_ih, bias_hh, *tensors) -> bool:
    """True when the fused path may run for these inputs (see the module docstring). It expects
    both biases or neither, as the layers have; one bias alone takes the plain loop."""
    if not ENABLED or torch.compiler.is_compiling() or (bias_ih is None) != (bias_hh is None):
        return False
    return not any(_is_functorch_tensor(t) for t in tensors)


def previous_states(h0: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
    """h_{t-1} for every step: (time, batch, hidden) from h0 (batch, hidden) and out (time, batch, hidden)."""
    return torch.cat((h0.unsqueeze(0), out[:-1]), dim=0)


def replay_backward(plain, inputs, needs_grad, grads):
    """Backward by re-running the plain loop under autograd: used for double backward
    (``create_graph=True``), where the hand-written backward would not record its own graph.

    plain(*inputs) returns the Function's differentiable outputs; ``grads`` are their gradients.
    Returns one gradient (or None) per input, connected to the graph of ``inputs``."""
    with torch.enable_grad():
        results = plain(*inputs)
        wanted = [t for t, need in zip(inputs, needs_grad) if need]
        pairs = [(r, g) for r, g in zip(results, grads) if g is not None]
        found = iter(torch.autograd.grad([r for r, _ in pairs], wanted, [g for _, g in pairs],
                                         create_graph=True, allow_unused=True))
    return tuple(next(found) if need else None for need in needs_grad)


def is_batched(t) -> bool:
    """True under a ``vmap`` (as gradients are with ``autograd.grad(..., is_grads_batched=True)``),
    where the fused backward's ``out=`` kernels cannot run."""
    peek = getattr(torch._C._functorch, "peek_interpreter_stack", None)
    if peek is not None and peek() is not None:
        return True
    for name in ("is_batchedtensor", "is_legacy_batchedtensor"):  # is_grads_batched: the legacy one
        check = getattr(torch._C._functorch, name, None)
        if check is not None and check(t):
            return True
    return _is_functorch_tensor(t)
