"""The Gated Recurrent Unit, from scratch.

The book's notation, PyTorch's convention (``torch.nn.GRU``, Keras ``reset_after=True``, cuDNN)::

    r_t = sigmoid(W_r x_t + b_ir + U_r h_{t-1} + b_hr)          reset gate
    z_t = sigmoid(W_z x_t + b_iz + U_z h_{t-1} + b_hz)          update gate
    n_t = tanh(W_n x_t + b_in + r_t * (U_n h_{t-1} + b_hn))     candidate (h~_t in the text)
    h_t = (1 - z_t) * n_t + z_t * h_{t-1}                       a high z_t KEEPS the old state

``reset_after=False`` gives the placement of Cho et al. (2014): the reset gate scales the old state
*before* the recurrent matmul, ``n_t = tanh(W_n x_t + b_in + U_n (r_t * h_{t-1}) + b_hn)``. That is a
different function (same parameters, other outputs), offered so the book can compare the two.

Weights are stacked in torch's order [r, z, n]: ``weight_ih`` is ``(3*hidden, input)`` = [W_r; W_z; W_n]
and ``weight_hh`` is ``(3*hidden, hidden)`` = [U_r; U_z; U_n].

Two implementations live here and a test proves them equal: :class:`GRUCell`, one step written to be
read, and :func:`gru_layer`, the loop over time that the :class:`GRU` layer runs (all input
projections in one matmul before the loop, the three recurrent projections in one matmul per step).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from . import _checks
from ._layers import RecurrentLayer


@dataclass
class GRUGates:
    """Gate activations of a GRU, one tensor per gate.

    From :meth:`GRUCell.step`: each ``(batch, hidden)``. From ``GRU(..., return_gates=True)``: each
    ``(num_layers, batch, time, hidden)`` (``(num_layers, time, hidden)`` for one unbatched sequence),
    whatever ``batch_first`` is.
    """

    update: torch.Tensor  # z_t
    reset: torch.Tensor  # r_t
    candidate: torch.Tensor  # n_t, written h~_t in the text


# [gru-cell-start]
class GRUCell(nn.Module):
    """One GRU step, written to be read. Same parameters and outputs as ``torch.nn.GRUCell``.

    x: (batch, input_size) or (input_size,); h: same leading shape with hidden_size, or None for
    zeros. Returns h_t of the same shape as h.
    """

    def __init__(self, input_size, hidden_size, bias=True, reset_after=True, device=None, dtype=None):
        super().__init__()
        self.input_size = _checks.positive_int("input_size", input_size)
        self.hidden_size = _checks.positive_int("hidden_size", hidden_size)
        self.bias = bool(bias)
        self.reset_after = bool(reset_after)
        H, f = self.hidden_size, {"device": device, "dtype": dtype}
        self.weight_ih = nn.Parameter(torch.empty(3 * H, self.input_size, **f))  # [W_r; W_z; W_n]
        self.weight_hh = nn.Parameter(torch.empty(3 * H, H, **f))  # [U_r; U_z; U_n]
        self.bias_ih = nn.Parameter(torch.empty(3 * H, **f)) if bias else None
        self.bias_hh = nn.Parameter(torch.empty(3 * H, **f)) if bias else None
        bound = H**-0.5
        for p in self.parameters():
            nn.init.uniform_(p, -bound, bound)

    def step(self, x, h=None) -> tuple[torch.Tensor, GRUGates]:
        """One step that also returns the gates: (h_t, GRUGates(update, reset, candidate))."""
        x = _checks.cell_input(x, self.input_size, self.weight_ih.dtype)
        h = _checks.cell_state("h", h, x, self.hidden_size)
        W_r, W_z, W_n = self.weight_ih.chunk(3)
        U_r, U_z, U_n = self.weight_hh.chunk(3)
        b_ir, b_iz, b_in = self._biases(self.bias_ih)
        b_hr, b_hz, b_hn = self._biases(self.bias_hh)

        reset_gate = torch.sigmoid(x @ W_r.T + b_ir + h @ U_r.T + b_hr)
        update_gate = torch.sigmoid(x @ W_z.T + b_iz + h @ U_z.T + b_hz)
        if self.reset_after:  # PyTorch: r scales the recurrent term after the matmul
            candidate = torch.tanh(x @ W_n.T + b_in + reset_gate * (h @ U_n.T + b_hn))
        else:  # Cho et al. 2014: r scales the old state before the matmul
            candidate = torch.tanh(x @ W_n.T + b_in + (reset_gate * h) @ U_n.T + b_hn)
        h_new = (1 - update_gate) * candidate + update_gate * h
        return h_new, GRUGates(update=update_gate, reset=reset_gate, candidate=candidate)

    def forward(self, x, h=None) -> torch.Tensor:
        return self.step(x, h)[0]

    def _biases(self, b):
        return (0.0, 0.0, 0.0) if b is None else b.chunk(3)
# [gru-cell-end]

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            s += ", bias=False"
        if not self.reset_after:
            s += ", reset_after=False"
        return s


# [gru-layer-start]
def gru_layer(x, h0, weight_ih, weight_hh, bias_ih=None, bias_hh=None, reset_after=True, record=False):
    """Run one GRU layer over a whole sequence: the fast path of :class:`GRU`.

    x: (time, batch, input); h0: (batch, hidden). Returns (output (time, batch, hidden), h_T
    (batch, hidden), gates) where gates is a dict of (time, batch, hidden) tensors when ``record``
    and None otherwise. Equal to stepping :class:`GRUCell` (see tests/test_cells.py).
    """
    H = h0.shape[-1]
    # every input projection W x_t + b_i, for all steps at once: (time, batch, 3H)
    x_proj = torch.nn.functional.linear(x, weight_ih, bias_ih)
    if not reset_after:
        w_hh_rz, w_hh_n = weight_hh[: 2 * H], weight_hh[2 * H :]
        b_hh_rz, b_hh_n = (None, None) if bias_hh is None else (bias_hh[: 2 * H], bias_hh[2 * H :])
    h, outputs, gates = h0, [], {"update": [], "reset": [], "candidate": []}
    for t in range(x.shape[0]):
        xr, xz, xn = x_proj[t].split(H, dim=-1)
        if reset_after:
            # the three recurrent projections U h + b_h in one matmul: (batch, 3H)
            hr, hz, hn = torch.nn.functional.linear(h, weight_hh, bias_hh).split(H, dim=-1)
            r = torch.sigmoid(xr + hr)
            z = torch.sigmoid(xz + hz)
            n = torch.tanh(xn + r * hn)
        else:
            hr, hz = torch.nn.functional.linear(h, w_hh_rz, b_hh_rz).split(H, dim=-1)
            r = torch.sigmoid(xr + hr)
            z = torch.sigmoid(xz + hz)
            n = torch.tanh(xn + torch.nn.functional.linear(r * h, w_hh_n, b_hh_n))
        h = n + z * (h - n)  # = (1 - z) * n + z * h
        outputs.append(h)
        if record:
            gates["update"].append(z)
            gates["reset"].append(r)
            gates["candidate"].append(n)
    out = torch.stack(outputs)
    return out, h, ({k: torch.stack(v) for k, v in gates.items()} if record else None)
# [gru-layer-end]


class GRU(RecurrentLayer):
    """A multi-layer GRU over sequences; the same parameters and outputs as ``torch.nn.GRU``.

    x: (time, batch, input_size), or (batch, time, input_size) with ``batch_first=True``, or
    (time, input_size) for one sequence. h0: (num_layers, batch, hidden_size), default zeros.
    Returns ``(output, h_n)``: output (time, batch, hidden_size) in the layout of x, h_n
    (num_layers, batch, hidden_size). With ``return_gates=True`` returns ``(output, h_n, gates)``
    where gates is a :class:`GRUGates` of ``(num_layers, batch, time, hidden_size)`` tensors.

    ``reset_after=False`` switches to the Cho et al. (2014) candidate (a different function).
    """

    gate_blocks = 3

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, reset_after=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout, device, dtype)
        self.reset_after = bool(reset_after)

    def extra_repr(self) -> str:
        return super().extra_repr() + ("" if self.reset_after else ", reset_after=False")

    def forward(self, x, h0=None, return_gates: bool = False):
        x, unbatched = self._check_input(x)
        h0 = self._check_state("h0", h0, x, unbatched)
        out, finals, gates = self._stack(x, [h0], unbatched, return_gates)
        h_n = torch.stack(finals)
        if unbatched:
            h_n = h_n.squeeze(1)
        if return_gates:
            return out, h_n, GRUGates(**gates)
        return out, h_n

    def _run_layer(self, k, x, state, record):
        w_ih, w_hh, b_ih, b_hh = self.layer_params(k)
        return gru_layer(x, state[0], w_ih, w_hh, b_ih, b_hh, self.reset_after, record)
