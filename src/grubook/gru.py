"""The Gated Recurrent Unit, from scratch.

The book's notation, PyTorch's convention (``torch.nn.GRU``, Keras ``reset_after=True``, cuDNN)::

    r_t = sigmoid(W_r x_t + b_ir + U_r h_{t-1} + b_hr)          reset gate
    z_t = sigmoid(W_z x_t + b_iz + U_z h_{t-1} + b_hz)          update gate
    n_t = tanh(W_n x_t + b_in + r_t * (U_n h_{t-1} + b_hn))     candidate (h~_t in the text)
    h_t = (1 - z_t) * n_t + z_t * h_{t-1}                       a high z_t KEEPS the old state

``reset_after=False`` gives the placement of Cho et al. (2014): the reset gate scales the old state
*before* the recurrent matmul, ``n_t = tanh(W_n x_t + b_in + U_n (r_t * h_{t-1}) + b_hn)``. That is
a different function (same parameters, other outputs), offered so the book can compare the two.

Weights are stacked in torch's order [r, z, n]: ``weight_ih`` is ``(3*hidden, input)`` =
[W_r; W_z; W_n] and ``weight_hh`` is ``(3*hidden, hidden)`` = [U_r; U_z; U_n].

In reading order: :class:`GRUGates`; :func:`gru_step`, the equations above and the only place they
are written; :class:`GRUCell`, one step as a module; :func:`gru_layer`, the readable loop of
:func:`gru_step` over time; :class:`GRU`, the layer, which trains through torch's fused kernel
(``torch.gru``, the same equations) and runs that loop whenever the gates are wanted.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from . import _checks
from ._layers import RecurrentLayer, init_uniform, stack_gates


@dataclass
class GRUGates:
    """Gate activations of a GRU, one tensor per gate.

    From :func:`gru_step` and :meth:`GRUCell.step`: each ``(batch, hidden)``. From
    ``GRU(..., return_gates=True)``: each ``(num_layers, batch, time, hidden)``
    (``(num_layers, time, hidden)`` for one unbatched sequence), whatever ``batch_first`` is.
    """

    update: torch.Tensor  # z_t
    reset: torch.Tensor  # r_t
    candidate: torch.Tensor  # n_t, written h~_t in the text


def gru_step(
    x, h, weight_ih, weight_hh, bias_ih=None, bias_hh=None, reset_after=True, gate_hook=None
):
    """One GRU step: the equations of the module docstring.

    Args:
        x: x_t, ``(batch, input_size)`` or ``(input_size,)``.
        h: h_{t-1}, ``(batch, hidden_size)`` or ``(hidden_size,)``.
        weight_ih: ``(3*hidden_size, input_size)`` = [W_r; W_z; W_n].
        weight_hh: ``(3*hidden_size, hidden_size)`` = [U_r; U_z; U_n].
        bias_ih, bias_hh: ``(3*hidden_size,)`` = [b_ir; b_iz; b_in] and [b_hr; b_hz; b_hn], or None.
        reset_after: True for PyTorch's candidate, False for Cho et al. (2014).
        gate_hook: None, or a function ``(update, reset) -> (update, reset)`` that replaces the
            gates before they are used (forcing or scaling them: ``grubook.lab.force_gates``).

    Returns:
        ``(h_t, GRUGates(update, reset, candidate))``, every tensor shaped like ``h``.
    """
    x_r, x_z, x_n = F.linear(x, weight_ih, bias_ih).chunk(3, dim=-1)  # W x_t + b_i, per gate
    h_r, h_z, h_n = F.linear(h, weight_hh, bias_hh).chunk(3, dim=-1)  # U h_{t-1} + b_h, per gate

    reset_gate = torch.sigmoid(x_r + h_r)
    update_gate = torch.sigmoid(x_z + h_z)
    if gate_hook is not None:  # forced gates (ablations, the live labs)
        update_gate, reset_gate = gate_hook(update_gate, reset_gate)
    if reset_after:  # PyTorch: r scales the recurrent term after the matmul
        candidate = torch.tanh(x_n + reset_gate * h_n)
    else:  # Cho et al. (2014): r scales the old state before the matmul (h_n is not used)
        U_n = weight_hh.chunk(3)[2]
        b_hn = 0.0 if bias_hh is None else bias_hh.chunk(3)[2]
        candidate = torch.tanh(x_n + (reset_gate * h) @ U_n.T + b_hn)
    h_new = (1 - update_gate) * candidate + update_gate * h
    return h_new, GRUGates(update=update_gate, reset=reset_gate, candidate=candidate)


class GRUCell(nn.Module):
    """One GRU step as a module: :func:`gru_step` with its own parameters. Same parameters and
    outputs as ``torch.nn.GRUCell``.

    x: (batch, input_size) or (input_size,); h: same leading shape with hidden_size, or None for
    zeros. ``forward`` returns h_t of the same shape as h; :meth:`step` also returns the gates.
    """

    def __init__(
        self, input_size, hidden_size, bias=True, reset_after=True, device=None, dtype=None
    ):
        super().__init__()
        self.input_size = _checks.size("input_size", input_size)
        self.hidden_size = _checks.size("hidden_size", hidden_size)
        self.bias = _checks.boolean("bias", bias)
        self.reset_after = _checks.boolean("reset_after", reset_after)
        H, f = self.hidden_size, {"device": device, "dtype": dtype}
        _checks.parameter_budget("GRUCell", 3, self.input_size, H, 1, self.bias, device)
        self.weight_ih = nn.Parameter(torch.empty(3 * H, self.input_size, **f))  # [W_r; W_z; W_n]
        self.weight_hh = nn.Parameter(torch.empty(3 * H, H, **f))  # [U_r; U_z; U_n]
        self.bias_ih = nn.Parameter(torch.empty(3 * H, **f)) if bias else None
        self.bias_hh = nn.Parameter(torch.empty(3 * H, **f)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init_uniform(self, self.hidden_size)

    def step(self, x, h=None) -> tuple[torch.Tensor, GRUGates]:
        """One step that also returns the gates: ``(h_t, GRUGates(update, reset, candidate))``."""
        x = _checks.cell_input(x, self.input_size, self.weight_ih.dtype, self.weight_ih.device)
        h = _checks.cell_state("h", h, x, self.hidden_size)
        return gru_step(
            x, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh, self.reset_after
        )

    def forward(self, x, h=None) -> torch.Tensor:
        return self.step(x, h)[0]

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            s += ", bias=False"
        if not self.reset_after:
            s += ", reset_after=False"
        return s


def gru_layer(
    x,
    h0,
    weight_ih,
    weight_hh,
    bias_ih=None,
    bias_hh=None,
    reset_after=True,
    record=False,
    gate_hook=None,
):
    """The readable loop: one GRU layer over a whole sequence, one :func:`gru_step` per time step.

    x: (time, batch, input); h0: (batch, hidden); weights and biases as in :func:`gru_step`.
    Returns ``(output (time, batch, hidden), h_T (batch, hidden), gates)``: gates is a
    :class:`GRUGates` of ``(time, batch, hidden)`` tensors when ``record``, else None.
    gate_hook: passed to every :func:`gru_step` (forced gates).
    """
    _checks.boolean("reset_after", reset_after)
    _checks.boolean("record", record)
    h, outputs, gates = h0, [], []
    for x_t in x:
        h, g = gru_step(x_t, h, weight_ih, weight_hh, bias_ih, bias_hh, reset_after, gate_hook)
        outputs.append(h)
        if record:
            gates.append(g)
    return torch.stack(outputs), h, (stack_gates(gates) if record else None)


class GRU(RecurrentLayer):
    """A multi-layer GRU over sequences; the same parameters and outputs as ``torch.nn.GRU``.

    Args:
        input_size, hidden_size, num_layers, bias, batch_first, dropout: as ``torch.nn.GRU``.
        reset_after: False switches to the Cho et al. (2014) candidate (a different function).
        fast: True (default) runs torch's fused kernel ``torch.gru`` when the gates are not asked
            for; False runs the readable loop :func:`gru_layer` for every call. Settable later:
            ``layer.fast = False``.

    Inputs: ``x, h0=None, return_gates=False``. x: (time, batch, input_size), or
    (batch, time, input_size) with ``batch_first=True``, or (time, input_size) for one sequence.
    h0: (num_layers, batch, hidden_size), default zeros.

    Outputs: ``(output, h_n)``: output (time, batch, hidden_size) in the layout of x, h_n
    (num_layers, batch, hidden_size). With ``return_gates=True``, ``(output, h_n, gates)`` where
    gates is a :class:`GRUGates` of ``(num_layers, batch, time, hidden_size)`` tensors.
    """

    gate_blocks = 3

    def __init__(
        self,
        input_size,
        hidden_size,
        num_layers=1,
        bias=True,
        batch_first=False,
        dropout=0.0,
        reset_after=True,
        fast=True,
        device=None,
        dtype=None,
    ):
        super().__init__(
            input_size, hidden_size, num_layers, bias, batch_first, dropout, fast, device, dtype
        )
        self.reset_after = _checks.boolean("reset_after", reset_after)
        # {layer: gate_hook} while gates are forced (grubook.lab.force_gates), else None
        self.gate_hooks = None

    def extra_repr(self) -> str:
        return super().extra_repr() + ("" if self.reset_after else ", reset_after=False")

    def forward(self, x, h0=None, return_gates: bool = False):
        _checks.boolean("return_gates", return_gates)
        x, unbatched = self._check_input(x)
        h0 = self._check_state("h0", h0, x, unbatched)
        out, (h_n,), gates = self._stack(x, [h0], unbatched, return_gates)
        return (out, h_n, gates) if return_gates else (out, h_n)

    def _kernel(self):
        # torch.gru computes PyTorch's placement; the Cho placement and forced gates need the loop
        return torch.gru if self.reset_after and not self.gate_hooks else None

    def _run_layer(self, k, x, state, record):
        w_ih, w_hh, b_ih, b_hh = self.layer_params(k)
        hook = self.gate_hooks.get(k) if self.gate_hooks else None
        return gru_layer(x, state[0], w_ih, w_hh, b_ih, b_hh, self.reset_after, record, hook)
