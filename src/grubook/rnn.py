"""The vanilla (Elman) recurrent network, from scratch.

    h_t = tanh(W x_t + b_ih + U h_{t-1} + b_hh)        (or relu with nonlinearity="relu")

Same parameters and outputs as ``torch.nn.RNNCell`` / ``torch.nn.RNN``. :class:`RNNCell` is one step
written to be read; :func:`rnn_layer` is the loop over time the :class:`RNN` layer runs, with every
input projection computed in one matmul before the loop. A test proves the two equal. The loop runs
as ``_RNNFunction`` (end of module), the same maths with a hand-written backward pass
(tests/test_fast_path.py).
"""

from __future__ import annotations

import torch
from torch import nn

from . import _checks, _fused
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
    if _fused.usable(bias_ih, bias_hh, x, h0, weight_ih, weight_hh):
        # the same maths with a hand-written backward pass (_RNNFunction below)
        out = _RNNFunction.apply(x, h0, weight_ih, weight_hh, bias_ih, bias_hh, nonlinearity)[0]
        return out, out[-1]
    return _rnn_loop(torch.nn.functional.linear(x, weight_ih, bias_ih), h0, weight_hh, bias_hh, nonlinearity)


def _rnn_loop(x_proj, h0, weight_hh, bias_hh=None, nonlinearity="tanh"):
    """The plain loop, recorded step by step by autograd. x_proj: (time, batch, H) = W x_t + b_ih."""
    act = NONLINEARITIES[nonlinearity]
    h, outputs = h0, []
    for t in range(x_proj.shape[0]):
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


# ----- the fused path: same maths as _rnn_loop, with a hand-written backward pass ----------------
class _RNNFunction(torch.autograd.Function):
    """apply(x (T, B, I), h0 (B, H), weight_ih, weight_hh, bias_ih, bias_hh (or None), nonlinearity)
    -> (output (T, B, H),)."""

    @staticmethod
    def forward(x, h0, weight_ih, weight_hh, bias_ih, bias_hh, nonlinearity):
        bias = None if bias_ih is None else bias_ih + bias_hh
        out = torch.nn.functional.linear(x, weight_ih, bias)  # W x_t + b, then h_t in place
        h, w_t = h0, weight_hh.t()
        for t in range(x.shape[0]):
            h = out[t].addmm_(h, w_t)
            h = h.tanh_() if nonlinearity == "tanh" else h.relu_()
        return (out,)

    @staticmethod
    def setup_context(ctx, inputs, output):
        x, h0, weight_ih, weight_hh, bias_ih, bias_hh, nonlinearity = inputs
        ctx.nonlinearity = nonlinearity
        ctx.save_for_backward(x, h0, weight_ih, weight_hh, bias_ih, bias_hh, output[0])

    @staticmethod
    def backward(ctx, d_out):
        x, h0, weight_ih, weight_hh, bias_ih, bias_hh, out = ctx.saved_tensors
        needs = ctx.needs_input_grad[:6]
        inputs = (x, h0, weight_ih, weight_hh, bias_ih, bias_hh)
        if torch.is_grad_enabled() or _fused.is_batched(d_out):
            # double backward or batched gradients: replay the plain loop under autograd
            def plain(x, h0, w_ih, w_hh, b_ih, b_hh):
                x_proj = torch.nn.functional.linear(x, w_ih, b_ih)
                return (_rnn_loop(x_proj, h0, w_hh, b_hh, ctx.nonlinearity)[0],)

            return *_fused.replay_backward(plain, inputs, needs, (d_out,)), None
        grads = _rnn_backward(d_out, x, h0, weight_ih, weight_hh, out, ctx.nonlinearity, needs[0],
                              bias_ih is not None)
        return *(g if need else None for g, need in zip(grads, needs)), None


CHUNK_FLOATS = 2**18  # the backward pass works on chunks of steps whose factors fit in cache (~1 MB)


def _rnn_backward(d_out, x, h0, weight_ih, weight_hh, out, nonlinearity, needs_x, has_bias):
    """BPTT: d pre_t = (d out_t + d h_t from later steps) * act'(pre_t); d h_{t-1} = d pre_t U."""
    T, B, H = out.shape
    d_w_hh, d_w_ih = d_out.new_zeros(H, H), d_out.new_zeros(H, x.shape[-1])
    d_b = d_out.new_zeros(H) if has_bias else None
    ones = d_out.new_ones(B)
    d_x = torch.empty_like(x) if needs_x else None
    chunk = max(1, CHUNK_FLOATS // (B * 2 * H))
    carry = torch.zeros_like(h0)
    for stop in range(T, 0, -chunk):
        start = max(0, stop - chunk)
        o = out[start:stop]
        slope = 1 - o * o if nonlinearity == "tanh" else (o > 0).to(o.dtype)  # act'(pre)
        from_out = d_out[start:stop] * slope
        h_prev = out[start - 1 : stop - 1] if start else _fused.previous_states(h0, out[:stop])
        for k in range(stop - start - 1, -1, -1):
            t = start + k
            d_pre = torch.addcmul(from_out[k], carry, slope[k])
            carry = d_pre.mm(weight_hh)
            d_w_hh.addmm_(d_pre.t(), h_prev[k])
            d_w_ih.addmm_(d_pre.t(), x[t])
            if has_bias:
                d_b.addmv_(d_pre.t(), ones)
            if needs_x:
                torch.mm(d_pre, weight_ih, out=d_x[t])
    return d_x, carry, d_w_ih, d_w_hh, d_b, d_b
