"""The vanilla (Elman) recurrent network, from scratch.

    h_t = tanh(W x_t + b_ih + U h_{t-1} + b_hh)        (or relu with nonlinearity="relu")

Same parameters and outputs as ``torch.nn.RNNCell`` / ``torch.nn.RNN``. :class:`RNNCell` is one step
written to be read; :func:`rnn_layer` is the loop over time the :class:`RNN` layer runs, with every
input projection computed in one matmul before the loop. A test proves the two equal.
"""

from __future__ import annotations

import torch
from torch import nn

from . import _checks
from ._layers import RecurrentLayer

NONLINEARITIES = {"tanh": torch.tanh, "relu": torch.relu}


def _nonlinearity(name):
    if name not in NONLINEARITIES:
        raise ValueError(f"nonlinearity must be one of {sorted(NONLINEARITIES)}, got {name!r}.")
    return name


# [rnn-cell-start]
class RNNCell(nn.Module):
    """One vanilla RNN step: h_t = tanh(W x_t + b_ih + U h_{t-1} + b_hh).

    x: (batch, input_size) or (input_size,); h: same leading shape with hidden_size, or None for
    zeros. Returns h_t.
    """

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None):
        super().__init__()
        self.input_size = _checks.positive_int("input_size", input_size)
        self.hidden_size = _checks.positive_int("hidden_size", hidden_size)
        self.nonlinearity = _nonlinearity(nonlinearity)
        self.bias = bool(bias)
        H, f = self.hidden_size, {"device": device, "dtype": dtype}
        self.weight_ih = nn.Parameter(torch.empty(H, self.input_size, **f))  # W
        self.weight_hh = nn.Parameter(torch.empty(H, H, **f))  # U
        self.bias_ih = nn.Parameter(torch.empty(H, **f)) if bias else None
        self.bias_hh = nn.Parameter(torch.empty(H, **f)) if bias else None
        bound = H**-0.5
        for p in self.parameters():
            nn.init.uniform_(p, -bound, bound)

    def forward(self, x, h=None) -> torch.Tensor:
        x = _checks.cell_input(x, self.input_size, self.weight_ih.dtype)
        h = _checks.cell_state("h", h, x, self.hidden_size)
        pre_activation = x @ self.weight_ih.T + h @ self.weight_hh.T
        if self.bias:
            pre_activation = pre_activation + self.bias_ih + self.bias_hh
        return NONLINEARITIES[self.nonlinearity](pre_activation)
# [rnn-cell-end]

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}, nonlinearity={self.nonlinearity!r}"


def rnn_layer(x, h0, weight_ih, weight_hh, bias_ih=None, bias_hh=None, nonlinearity="tanh"):
    """Run one RNN layer: x (time, batch, input), h0 (batch, hidden) -> (output (time, batch, hidden), h_T)."""
    act = NONLINEARITIES[nonlinearity]
    x_proj = torch.nn.functional.linear(x, weight_ih, bias_ih)  # all W x_t + b_ih at once
    h, outputs = h0, []
    for t in range(x.shape[0]):
        h = act(x_proj[t] + torch.nn.functional.linear(h, weight_hh, bias_hh))
        outputs.append(h)
    return torch.stack(outputs), h


class RNN(RecurrentLayer):
    """A multi-layer vanilla RNN; the same parameters and outputs as ``torch.nn.RNN``.

    x: (time, batch, input_size), (batch, time, input_size) with ``batch_first=True``, or
    (time, input_size). h0: (num_layers, batch, hidden_size), default zeros.
    Returns ``(output, h_n)`` like ``torch.nn.RNN``.
    """

    gate_blocks = 1

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True,
                 batch_first=False, dropout=0.0, device=None, dtype=None):
        self.nonlinearity = _nonlinearity(nonlinearity)
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout, device, dtype)

    def extra_repr(self) -> str:
        return super().extra_repr() + f", nonlinearity={self.nonlinearity!r}"

    def forward(self, x, h0=None):
        x, unbatched = self._check_input(x)
        h0 = self._check_state("h0", h0, x, unbatched)
        out, finals, _ = self._stack(x, [h0], unbatched, False)
        h_n = torch.stack(finals)
        return out, (h_n.squeeze(1) if unbatched else h_n)

    def _run_layer(self, k, x, state, record):
        w_ih, w_hh, b_ih, b_hh = self.layer_params(k)
        out, h = rnn_layer(x, state[0], w_ih, w_hh, b_ih, b_hh, self.nonlinearity)
        return out, h, ({} if record else None)
