"""The Long Short-Term Memory cell (Hochreiter & Schmidhuber, 1997, with the forget gate of
Gers et al., 2000), from scratch, in PyTorch's convention::

    i_t = sigmoid(W_i x_t + b_ii + U_i h_{t-1} + b_hi)      input gate
    f_t = sigmoid(W_f x_t + b_if + U_f h_{t-1} + b_hf)      forget gate
    g_t = tanh(W_g x_t + b_ig + U_g h_{t-1} + b_hg)         cell candidate
    o_t = sigmoid(W_o x_t + b_io + U_o h_{t-1} + b_ho)      output gate
    c_t = f_t * c_{t-1} + i_t * g_t
    h_t = o_t * tanh(c_t)

Weights are stacked in torch's order [i, f, g, o]. :class:`LSTMCell` is one step written to be read;
:func:`lstm_layer` is the loop over time the :class:`LSTM` layer runs (input projections in one matmul
before the loop, the four recurrent projections in one matmul per step). A test proves them equal.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from . import _checks
from ._layers import RecurrentLayer


@dataclass
class LSTMGates:
    """Gate activations of an LSTM: from :meth:`LSTMCell.step` each ``(batch, hidden)``; from
    ``LSTM(..., return_gates=True)`` each ``(num_layers, batch, time, hidden)``."""

    input: torch.Tensor  # i_t
    forget: torch.Tensor  # f_t
    cell: torch.Tensor  # g_t, the cell candidate
    output: torch.Tensor  # o_t


# [lstm-cell-start]
class LSTMCell(nn.Module):
    """One LSTM step, written to be read. Same parameters and outputs as ``torch.nn.LSTMCell``.

    x: (batch, input_size) or (input_size,); state: a pair (h, c) of the same leading shape with
    hidden_size, or None for zeros. Returns (h_t, c_t).
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__()
        self.input_size = _checks.positive_int("input_size", input_size)
        self.hidden_size = _checks.positive_int("hidden_size", hidden_size)
        self.bias = bool(bias)
        H, f = self.hidden_size, {"device": device, "dtype": dtype}
        self.weight_ih = nn.Parameter(torch.empty(4 * H, self.input_size, **f))  # [W_i; W_f; W_g; W_o]
        self.weight_hh = nn.Parameter(torch.empty(4 * H, H, **f))  # [U_i; U_f; U_g; U_o]
        self.bias_ih = nn.Parameter(torch.empty(4 * H, **f)) if bias else None
        self.bias_hh = nn.Parameter(torch.empty(4 * H, **f)) if bias else None
        bound = H**-0.5
        for p in self.parameters():
            nn.init.uniform_(p, -bound, bound)

    def step(self, x, state=None):
        """One step that also returns the gates: ((h_t, c_t), LSTMGates(input, forget, cell, output))."""
        x = _checks.cell_input(x, self.input_size, self.weight_ih.dtype)
        if state is None:
            state = (None, None)
        if not isinstance(state, (tuple, list)) or len(state) != 2:
            raise TypeError("state must be a pair (h, c) of tensors, or None for zeros.")
        h = _checks.cell_state("h", state[0], x, self.hidden_size)
        c = _checks.cell_state("c", state[1], x, self.hidden_size)
        pre = x @ self.weight_ih.T + h @ self.weight_hh.T
        if self.bias:
            pre = pre + self.bias_ih + self.bias_hh
        pre_i, pre_f, pre_g, pre_o = pre.chunk(4, dim=-1)

        input_gate = torch.sigmoid(pre_i)
        forget_gate = torch.sigmoid(pre_f)
        cell_candidate = torch.tanh(pre_g)
        output_gate = torch.sigmoid(pre_o)
        c_new = forget_gate * c + input_gate * cell_candidate
        h_new = output_gate * torch.tanh(c_new)
        gates = LSTMGates(input=input_gate, forget=forget_gate, cell=cell_candidate, output=output_gate)
        return (h_new, c_new), gates

    def forward(self, x, state=None):
        return self.step(x, state)[0]
# [lstm-cell-end]

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}" + ("" if self.bias else ", bias=False")


def lstm_layer(x, h0, c0, weight_ih, weight_hh, bias_ih=None, bias_hh=None, record=False):
    """Run one LSTM layer: x (time, batch, input), h0 and c0 (batch, hidden).

    Returns (output (time, batch, hidden), (h_T, c_T), gates dict of (time, batch, hidden) or None).
    """
    x_proj = torch.nn.functional.linear(x, weight_ih, bias_ih)  # (time, batch, 4H)
    h, c, outputs = h0, c0, []
    gates = {"input": [], "forget": [], "cell": [], "output": []}
    for t in range(x.shape[0]):
        pre = x_proj[t] + torch.nn.functional.linear(h, weight_hh, bias_hh)
        pre_i, pre_f, pre_g, pre_o = pre.chunk(4, dim=-1)
        i, f, g, o = torch.sigmoid(pre_i), torch.sigmoid(pre_f), torch.tanh(pre_g), torch.sigmoid(pre_o)
        c = f * c + i * g
        h = o * torch.tanh(c)
        outputs.append(h)
        if record:
            for name, value in zip(gates, (i, f, g, o)):
                gates[name].append(value)
    out = torch.stack(outputs)
    return out, (h, c), ({k: torch.stack(v) for k, v in gates.items()} if record else None)


class LSTM(RecurrentLayer):
    """A multi-layer LSTM; the same parameters and outputs as ``torch.nn.LSTM`` (no ``proj_size``).

    x: (time, batch, input_size), (batch, time, input_size) with ``batch_first=True``, or
    (time, input_size). state: a pair (h0, c0), each (num_layers, batch, hidden_size), default zeros.
    Returns ``(output, (h_n, c_n))``; with ``return_gates=True`` also an :class:`LSTMGates` of
    ``(num_layers, batch, time, hidden_size)`` tensors.
    """

    gate_blocks = 4
    has_cell_state = True

    def forward(self, x, state=None, return_gates: bool = False):
        x, unbatched = self._check_input(x)
        if state is None:
            state = (None, None)
        if not isinstance(state, (tuple, list)) or len(state) != 2:
            raise TypeError("state must be a pair (h0, c0) of tensors, or None for zeros.")
        h0 = self._check_state("h0", state[0], x, unbatched)
        c0 = self._check_state("c0", state[1], x, unbatched)
        out, finals, gates = self._stack(x, [h0, c0], unbatched, return_gates)
        h_n = torch.stack([f[0] for f in finals])
        c_n = torch.stack([f[1] for f in finals])
        if unbatched:
            h_n, c_n = h_n.squeeze(1), c_n.squeeze(1)
        if return_gates:
            return out, (h_n, c_n), LSTMGates(**gates)
        return out, (h_n, c_n)

    def _run_layer(self, k, x, state, record):
        w_ih, w_hh, b_ih, b_hh = self.layer_params(k)
        return lstm_layer(x, state[0], state[1], w_ih, w_hh, b_ih, b_hh, record)
