"""The fast RNN layer: the equation of ``grubook.rnn_step`` run as one ``torch.autograd.Function``
over the whole sequence, with a hand-written backpropagation through time."""

from __future__ import annotations

import torch

from .. import _checks
from . import _shared


def rnn_layer(x, h0, weight_ih, weight_hh, bias_ih=None, bias_hh=None, nonlinearity="tanh"):
    """The fast equal of ``grubook.rnn_layer``. Both biases or neither.

    x: (time, batch, input); h0: (batch, hidden). Returns (output (time, batch, hidden), h_T).
    """
    _checks.one_of("nonlinearity", nonlinearity, ("tanh", "relu"))
    out = RNNFunction.apply(x, h0, weight_ih, weight_hh, bias_ih, bias_hh, nonlinearity)[0]
    return out, out[-1]


def _plain_output(nonlinearity):
    """The plain loop's output as a function of the Function's inputs: for the replay."""
    from ..rnn import rnn_layer as plain_rnn_layer  # here, not at the top: grubook.rnn imports us

    def plain(x, h0, w_ih, w_hh, b_ih, b_hh):
        return (plain_rnn_layer(x, h0, w_ih, w_hh, b_ih, b_hh, nonlinearity)[0],)

    return plain


class RNNFunction(torch.autograd.Function):
    """apply(x (T, B, I), h0 (B, H), weight_ih, weight_hh, bias_ih, bias_hh (or None),
    nonlinearity) -> (output (T, B, H),)."""

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
        if torch.is_grad_enabled() or _shared.is_batched(d_out):
            # double backward or batched gradients: replay the plain loop under autograd
            plain = _plain_output(ctx.nonlinearity)
            return *_shared.replay_backward(plain, inputs, needs, (d_out,)), None
        grads = _rnn_backward(
            d_out, x, h0, weight_ih, weight_hh, out, ctx.nonlinearity, needs[0], bias_ih is not None
        )
        return *(g if need else None for g, need in zip(grads, needs)), None


def _rnn_backward(d_out, x, h0, weight_ih, weight_hh, out, nonlinearity, needs_x, has_bias):
    """BPTT: d pre_t = (d out_t + d h_t from later steps) * act'(pre_t); d h_{t-1} = d pre_t U."""
    T, B, H = out.shape
    d_w_hh, d_w_ih = d_out.new_zeros(H, H), d_out.new_zeros(H, x.shape[-1])
    d_b = d_out.new_zeros(H) if has_bias else None
    ones = d_out.new_ones(B)
    d_x = torch.empty_like(x) if needs_x else None
    chunk = _shared.chunk_steps(B * 2 * H)
    carry = torch.zeros_like(h0)
    for stop in range(T, 0, -chunk):
        start = max(0, stop - chunk)
        o = out[start:stop]
        slope = 1 - o * o if nonlinearity == "tanh" else (o > 0).to(o.dtype)  # act'(pre)
        from_out = d_out[start:stop] * slope
        h_prev = out[start - 1 : stop - 1] if start else _shared.previous_states(h0, out[:stop])
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
