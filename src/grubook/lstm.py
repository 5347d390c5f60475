"""The Long Short-Term Memory cell (Hochreiter & Schmidhuber, 1997, with the forget gate of
Gers et al., 2000), from scratch, in PyTorch's convention::

    i_t = sigmoid(W_i x_t + b_ii + U_i h_{t-1} + b_hi)      input gate
    f_t = sigmoid(W_f x_t + b_if + U_f h_{t-1} + b_hf)      forget gate
    g_t = tanh(W_g x_t + b_ig + U_g h_{t-1} + b_hg)         cell candidate
    o_t = sigmoid(W_o x_t + b_io + U_o h_{t-1} + b_ho)      output gate
    c_t = f_t * c_{t-1} + i_t * g_t
    h_t = o_t * tanh(c_t)

Weights are stacked in torch's order [i, f, g, o]: ``weight_ih`` is ``(4*hidden, input)`` =
[W_i; W_f; W_g; W_o] and ``weight_hh`` is ``(4*hidden, hidden)`` = [U_i; U_f; U_g; U_o].

In reading order: :class:`LSTMGates`; :func:`lstm_step`, the equations above and the only place
they are written; :class:`LSTMCell`, one step as a module; :func:`lstm_layer`, the readable loop
of :func:`lstm_step` over time; :class:`LSTM`, the layer, which trains through torch's fused kernel
(``torch.lstm``, the same equations) and runs that loop whenever the gates are wanted.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from . import _checks
from ._layers import RecurrentLayer, init_uniform, stack_gates


@dataclass
class LSTMGates:
    """Gate activations of an LSTM: from :func:`lstm_step` and :meth:`LSTMCell.step` each
    ``(batch, hidden)``; from ``LSTM(..., return_gates=True)`` each
    ``(num_layers, batch, time, hidden)``."""

    input: torch.Tensor  # i_t
    forget: torch.Tensor  # f_t
    cell: torch.Tensor  # g_t, the cell candidate
    output: torch.Tensor  # o_t


def lstm_step(x, h, c, weight_ih, weight_hh, bias_ih=None, bias_hh=None):
    """One LSTM step: the equations of the module docstring.

    Args:
        x: x_t, ``(batch, input_size)`` or ``(input_size,)``.
        h, c: h_{t-1} and c_{t-1}, each ``(batch, hidden_size)`` or ``(hidden_size,)``.
        weight_ih: ``(4*hidden_size, input_size)`` = [W_i; W_f; W_g; W_o].
        weight_hh: ``(4*hidden_size, hidden_size)`` = [U_i; U_f; U_g; U_o].
        bias_ih, bias_hh: ``(4*hidden_size,)`` each, or None.

    Returns:
        ``((h_t, c_t), LSTMGates(input, forget, cell, output))``, every tensor shaped like ``h``.
    """
    # W x_t + b_i + U h_{t-1} + b_h, split into the four gates' pre-activations
    pre = F.linear(x, weight_ih, bias_ih) + F.linear(h, weight_hh, bias_hh)
    pre_i, pre_f, pre_g, pre_o = pre.chunk(4, dim=-1)

    input_gate = torch.sigmoid(pre_i)
    forget_gate = torch.sigmoid(pre_f)
    cell_candidate = torch.tanh(pre_g)
    output_gate = torch.sigmoid(pre_o)
    c_new = forget_gate * c + input_gate * cell_candidate
    h_new = output_gate * torch.tanh(c_new)
    gates = LSTMGates(input=input_gate, forget=forget_gate, cell=cell_candidate, output=output_gate)
    return (h_new, c_new), gates


class LSTMCell(nn.Module):
    """One LSTM step as a module: :func:`lstm_step` with its own parameters. Same parameters and
    outputs as ``torch.nn.LSTMCell``.

    x: (batch, input_size) or (input_size,); state: a pair (h, c) of the same leading shape with
    hidden_size, or None for zeros. ``forward`` returns (h_t, c_t); :meth:`step` also the gates.
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__()
        self.input_size = _checks.size("input_size", input_size)
        self.hidden_size = _checks.size("hidden_size", hidden_size)
        self.bias = _checks.boolean("bias", bias)
        H, f = self.hidden_size, {"device": device, "dtype": dtype}
        _checks.parameter_budget("LSTMCell", 4, self.input_size, H, 1, self.bias, device)
        self.weight_ih = nn.Parameter(torch.empty(4 * H, self.input_size, **f))  # [W_i; ...; W_o]
        self.weight_hh = nn.Parameter(torch.empty(4 * H, H, **f))  # [U_i; U_f; U_g; U_o]
        self.bias_ih = nn.Parameter(torch.empty(4 * H, **f)) if bias else None
        self.bias_hh = nn.Parameter(torch.empty(4 * H, **f)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init_uniform(self, self.hidden_size)

    def step(self, x, state=None):
        """One step that also returns the gates: ``((h_t, c_t), LSTMGates(...))``."""
        x = _checks.cell_input(x, self.input_size, self.weight_ih.dtype, self.weight_ih.device)
        if state is None:
            state = (None, None)
        if not isinstance(state, (tuple, list)) or len(state) != 2:
            raise TypeError("state must be a pair (h, c) of tensors, or None for zeros.")
        h = _checks.cell_state("h", state[0], x, self.hidden_size)
        c = _checks.cell_state("c", state[1], x, self.hidden_size)
        return lstm_step(x, h, c, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)

    def forward(self, x, state=None):
        return self.step(x, state)[0]

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}" + ("" if self.bias else ", bias=False")


def lstm_layer(x, h0, c0, weight_ih, weight_hh, bias_ih=None, bias_hh=None, record=False):
    """The readable loop: one LSTM layer over a whole sequence, one :func:`lstm_step` per time step.

    x: (time, batch, input); h0, c0: (batch, hidden); weights and biases as in :func:`lstm_step`.
    Returns ``(output (time, batch, hidden), (h_T, c_T), gates)``: gates is an
    :class:`LSTMGates` of ``(time, batch, hidden)`` tensors when ``record``, else None.
    """
    _checks.boolean("record", record)
    h, c, outputs, gates = h0, c0, [], []
    for x_t in x:
        (h, c), g = lstm_step(x_t, h, c, weight_ih, weight_hh, bias_ih, bias_hh)
        outputs.append(h)
        if record:
            gates.append(g)
    return torch.stack(outputs), (h, c), (stack_gates(gates) if record else None)


class LSTM(RecurrentLayer):
    """A multi-layer LSTM; the same parameters and outputs as ``torch.nn.LSTM`` (no
    ``proj_size``).

    Args:
        input_size, hidden_size, num_layers, bias, batch_first, dropout: as ``torch.nn.LSTM``.
        fast: True (default) runs torch's fused kernel ``torch.lstm`` when the gates are not asked
            for; False runs the readable loop :func:`lstm_layer` for every call. Settable:
            ``layer.fast = False``.

    Inputs: ``x, state=None, return_gates=False``. x: (time, batch, input_size),
    (batch, time, input_size) with ``batch_first=True``, or (time, input_size). state: a pair
    (h0, c0), each (num_layers, batch, hidden_size), default zeros.

    Outputs: ``(output, (h_n, c_n))``; with ``return_gates=True`` also an :class:`LSTMGates` of
    ``(num_layers, batch, time, hidden_size)`` tensors.
    """

    gate_blocks = 4

    def forward(self, x, state=None, return_gates: bool = False):
        _checks.boolean("return_gates", return_gates)
        x, unbatched = self._check_input(x)
        if state is None:
            state = (None, None)
        if not isinstance(state, (tuple, list)) or len(state) != 2:
            raise TypeError("state must be a pair (h0, c0) of tensors, or None for zeros.")
        h0 = self._check_state("h0", state[0], x, unbatched)
        c0 = self._check_state("c0", state[1], x, unbatched)
        out, (h_n, c_n), gates = self._stack(x, [h0, c0], unbatched, return_gates)
        return (out, (h_n, c_n), gates) if return_gates else (out, (h_n, c_n))

    def _run_layer(self, k, x, state, record):
        w_ih, w_hh, b_ih, b_hh = self.layer_params(k)
        h0, c0 = state
        return lstm_layer(x, h0, c0, w_ih, w_hh, b_ih, b_hh, record)

    def _kernel(self):
        return torch.lstm
