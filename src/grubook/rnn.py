"""The vanilla (Elman) recurrent network, from scratch::

    h_t = tanh(W x_t + b_ih + U h_{t-1} + b_hh)        (or relu with nonlinearity="relu")

Same parameters and outputs as ``torch.nn.RNNCell`` / ``torch.nn.RNN``: ``weight_ih`` is W
``(hidden, input)``, ``weight_hh`` is U ``(hidden, hidden)``.

In reading order: :func:`rnn_step`, the equation above and the only place it is written;
:class:`RNNCell`, one step as a module; :func:`rnn_layer`, the readable loop of :func:`rnn_step`
over time; :class:`RNN`, the layer, which trains through torch's fused kernel (``torch.rnn_tanh``,
the same equation) or runs that loop with ``fast=False``.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from . import _checks
from ._layers import RecurrentLayer, init_uniform

NONLINEARITIES = {"tanh": torch.tanh, "relu": torch.relu}


def _nonlinearity(name):
    return _checks.one_of("nonlinearity", name, NONLINEARITIES)


# [rnn-cell-start]
def rnn_step(x, h, weight_ih, weight_hh, bias_ih=None, bias_hh=None, nonlinearity="tanh"):
    """One vanilla RNN step: h_t = tanh(W x_t + b_ih + U h_{t-1} + b_hh).

    x: x_t, (batch, input_size) or (input_size,); h: h_{t-1}, (batch, hidden_size) or
    (hidden_size,); weight_ih: W (hidden_size, input_size); weight_hh: U (hidden_size,
    hidden_size); bias_ih, bias_hh: (hidden_size,) or None. Returns h_t, shaped like h.
    """
    pre_activation = F.linear(x, weight_ih, bias_ih) + F.linear(h, weight_hh, bias_hh)
    return NONLINEARITIES[nonlinearity](pre_activation)


# [rnn-cell-end]


class RNNCell(nn.Module):
    """One vanilla RNN step as a module: :func:`rnn_step` with its own parameters.

    x: (batch, input_size) or (input_size,); h: same leading shape with hidden_size, or None for
    zeros. Returns h_t.
    """

    def __init__(
        self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None
    ):
        super().__init__()
        self.input_size = _checks.size("input_size", input_size)
        self.hidden_size = _checks.size("hidden_size", hidden_size)
        self.nonlinearity = _nonlinearity(nonlinearity)
        self.bias = _checks.boolean("bias", bias)
        H, f = self.hidden_size, {"device": device, "dtype": dtype}
        _checks.parameter_budget("RNNCell", 1, self.input_size, H, 1, self.bias, device)
        self.weight_ih = nn.Parameter(torch.empty(H, self.input_size, **f))  # W
        self.weight_hh = nn.Parameter(torch.empty(H, H, **f))  # U
        self.bias_ih = nn.Parameter(torch.empty(H, **f)) if bias else None
        self.bias_hh = nn.Parameter(torch.empty(H, **f)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init_uniform(self, self.hidden_size)

    def forward(self, x, h=None) -> torch.Tensor:
        x = _checks.cell_input(x, self.input_size, self.weight_ih.dtype, self.weight_ih.device)
        h = _checks.cell_state("h", h, x, self.hidden_size)
        return rnn_step(
            x, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh, self.nonlinearity
        )

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}, nonlinearity={self.nonlinearity!r}"


def rnn_layer(x, h0, weight_ih, weight_hh, bias_ih=None, bias_hh=None, nonlinearity="tanh"):
    """The readable loop: one RNN layer over a whole sequence, one :func:`rnn_step` per time step.

    x: (time, batch, input); h0: (batch, hidden); weights and biases as in :func:`rnn_step`.
    Returns ``(output (time, batch, hidden), h_T (batch, hidden), None)``: the third place holds
    the gates in :func:`grubook.gru_layer` and :func:`grubook.lstm_layer`; a vanilla RNN has none.
    """
    _nonlinearity(nonlinearity)
    h, outputs = h0, []
    for x_t in x:
        h = rnn_step(x_t, h, weight_ih, weight_hh, bias_ih, bias_hh, nonlinearity)
        outputs.append(h)
    return torch.stack(outputs), h, None


class RNN(RecurrentLayer):
    """A multi-layer vanilla RNN; the same parameters and outputs as ``torch.nn.RNN``.

    Args:
        input_size, hidden_size, num_layers, nonlinearity, bias, batch_first, dropout: as
            ``torch.nn.RNN``.
        fast: True (default) runs torch's fused kernel (``torch.rnn_tanh`` or ``torch.rnn_relu``);
            False runs the readable loop :func:`rnn_layer`. Settable later: ``layer.fast = False``.

    Inputs: ``x, h0=None``. x: (time, batch, input_size), (batch, time, input_size) with
    ``batch_first=True``, or (time, input_size). h0: (num_layers, batch, hidden_size), default
    zeros.

    Outputs: ``(output, h_n)`` like ``torch.nn.RNN``.
    """

    gate_blocks = 1

    def __init__(
        self,
        input_size,
        hidden_size,
        num_layers=1,
        nonlinearity="tanh",
        bias=True,
        batch_first=False,
        dropout=0.0,
        fast=True,
        device=None,
        dtype=None,
    ):
        self.nonlinearity = _nonlinearity(nonlinearity)
        super().__init__(
            input_size, hidden_size, num_layers, bias, batch_first, dropout, fast, device, dtype
        )

    def extra_repr(self) -> str:
        return super().extra_repr() + f", nonlinearity={self.nonlinearity!r}"

    def forward(self, x, h0=None):
        x, unbatched = self._check_input(x)
        h0 = self._check_state("h0", h0, x, unbatched)
        out, (h_n,), _ = self._stack(x, [h0], unbatched, False)
        return out, h_n

    def _kernel(self):
        return torch.rnn_tanh if self.nonlinearity == "tanh" else torch.rnn_relu

    def _run_layer(self, k, x, state, record):
        w_ih, w_hh, b_ih, b_hh = self.layer_params(k)
        return rnn_layer(x, state[0], w_ih, w_hh, b_ih, b_hh, self.nonlinearity)
