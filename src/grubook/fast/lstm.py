"""The fast LSTM layer: the equations of ``grubook.lstm_step`` run as one
``torch.autograd.Function`` over the whole sequence, with a hand-written backpropagation through
time."""

from __future__ import annotations

import torch

from . import _shared


def lstm_layer(x, h0, c0, weight_ih, weight_hh, bias_ih=None, bias_hh=None):
    """The fast equal of ``grubook.lstm_layer`` (without recorded gates). Both biases or neither.

    x: (time, batch, input); h0, c0: (batch, hidden). Returns (output (time, batch, hidden),
    (h_T, c_T)).
    """
    out, c_last = LSTMFunction.apply(x, h0, c0, weight_ih, weight_hh, bias_ih, bias_hh)[:2]
    return out, (out[-1], c_last)


def _plain_output(x, h0, c0, w_ih, w_hh, b_ih, b_hh):
    """The plain loop's output and c_T as a function of the Function's inputs: for the replay."""
    from ..lstm import lstm_layer as plain_lstm_layer  # here: grubook.lstm imports this package

    out, (_, c), _ = plain_lstm_layer(x, h0, c0, w_ih, w_hh, b_ih, b_hh)
    return out, c


class LSTMFunction(torch.autograd.Function):
    """apply(x (T, B, I), h0, c0 (B, H), weight_ih, weight_hh, bias_ih, bias_hh (or None))
    -> (output (T, B, H), c_T (B, H), then two saved buffers that carry no gradient)."""

    @staticmethod
    def forward(x, h0, c0, weight_ih, weight_hh, bias_ih, bias_hh):
        T, B, H = x.shape[0], x.shape[1], h0.shape[-1]
        bias = None if bias_ih is None else bias_ih + bias_hh
        gates = torch.nn.functional.linear(x, weight_ih, bias)  # becomes [i, f, g, o] step by step
        out, cells, w_t = x.new_empty(T, B, H), x.new_empty(T, B, H), weight_hh.t()
        h, c = h0, c0
        for t in range(T):
            g = gates[t].addmm_(h, w_t)
            g[:, : 2 * H].sigmoid_()
            g[:, 2 * H : 3 * H].tanh_()
            g[:, 3 * H :].sigmoid_()
            c = torch.mul(g[:, H : 2 * H], c, out=cells[t]).addcmul_(g[:, :H], g[:, 2 * H : 3 * H])
            h = torch.mul(g[:, 3 * H :], torch.tanh(c), out=out[t])
        return out, cells[-1].clone(), gates, cells

    @staticmethod
    def setup_context(ctx, inputs, output):
        x, h0, c0, weight_ih, weight_hh, bias_ih, bias_hh = inputs
        out, _, gates, cells = output
        ctx.mark_non_differentiable(gates, cells)
        ctx.set_materialize_grads(False)
        ctx.save_for_backward(x, h0, c0, weight_ih, weight_hh, bias_ih, bias_hh, out, gates, cells)

    @staticmethod
    def backward(ctx, d_out, d_c_last, *_):
        x, h0, c0, weight_ih, weight_hh, bias_ih, bias_hh, out, gates, cells = ctx.saved_tensors
        needs = ctx.needs_input_grad
        if d_out is None and d_c_last is None:
            return (None,) * 7
        inputs = (x, h0, c0, weight_ih, weight_hh, bias_ih, bias_hh)
        given = [d for d in (d_out, d_c_last) if d is not None]
        if torch.is_grad_enabled() or any(_shared.is_batched(d) for d in given):
            # double backward or batched gradients: replay the plain loop under autograd
            return _shared.replay_backward(_plain_output, inputs, needs, (d_out, d_c_last))
        if d_out is None:
            d_out = torch.zeros_like(out)
        grads = _lstm_backward(
            d_out,
            d_c_last,
            x,
            h0,
            c0,
            weight_ih,
            weight_hh,
            out,
            gates,
            cells,
            needs[0],
            bias_ih is not None,
        )
        return tuple(g if need else None for g, need in zip(grads, needs))


def _lstm_backward(
    d_out, d_c_last, x, h0, c0, weight_ih, weight_hh, out, gates, cells, needs_x, has_bias
):
    """BPTT. gates: (T, B, 4H) = [i, f, g, o]; cells: c_t (T, B, H).

    Each step writes d loss / d [pre_o, pre_i, pre_f, pre_g] and d c_t * f_t into one (B, 5H)
    row, gets d h_{t-1} with one matmul, and adds its share of the weight and bias gradients."""
    T, B, H = out.shape

    def perm(m):  # rows [i, f, g, o] -> [o, i, f, g], the order of the row
        return torch.cat((m[3 * H :], m[: 3 * H]))

    def unperm(m):  # rows [o, i, f, g] -> [i, f, g, o]
        return torch.cat((m[H:], m[:H]))

    w_perm = perm(weight_hh)
    w_ih_perm = perm(weight_ih) if needs_x else None
    row = d_out.new_empty(B, 5 * H)
    d_w_hh = d_out.new_zeros(4 * H, H)  # rows [o, i, f, g]
    d_w_ih = d_out.new_zeros(4 * H, x.shape[-1])
    d_b = d_out.new_zeros(4 * H) if has_bias else None
    ones = d_out.new_ones(B)
    d_x = torch.empty_like(x) if needs_x else None
    chunk = _shared.chunk_steps(B * 6 * H)
    carry_h = torch.zeros_like(h0)
    carry_c = torch.zeros_like(c0) if d_c_last is None else d_c_last
    for stop in range(T, 0, -chunk):
        start = max(0, stop - chunk)
        g_c, c_c = gates[start:stop], cells[start:stop]
        i, f, g, o = g_c.chunk(4, dim=-1)
        if start:
            c_prev, h_prev = cells[start - 1 : stop - 1], out[start - 1 : stop - 1]
        else:
            c_prev = _shared.previous_states(c0, cells[:stop])
            h_prev = _shared.previous_states(h0, out[:stop])
        tanh_c = torch.tanh(c_c)
        to_c = o * (1 - tanh_c * tanh_c)  # d h_t / d c_t
        d_o_pre = tanh_c * o * (1 - o)  # d h_t / d pre_o
        # d c_t -> d [pre_i, pre_f, pre_g] and the part of d c_{t-1} through f_t
        from_c = torch.stack((g * i * (1 - i), c_prev * f * (1 - f), i * (1 - g * g), f), dim=-2)
        for k in range(stop - start - 1, -1, -1):
            t = start + k
            d_h = d_out[t] + carry_h
            d_c = torch.addcmul(carry_c, d_h, to_c[k])
            torch.mul(d_h, d_o_pre[k], out=row[:, :H])
            torch.mul(d_c.unsqueeze(-2), from_c[k], out=row[:, H:].view(B, 4, H))
            carry_h = row[:, : 4 * H].mm(w_perm)
            carry_c = row[:, 4 * H :].clone()
            d_w_hh.addmm_(row[:, : 4 * H].t(), h_prev[k])
            d_w_ih.addmm_(row[:, : 4 * H].t(), x[t])
            if has_bias:
                d_b.addmv_(row[:, : 4 * H].t(), ones)
            if needs_x:
                torch.mm(row[:, : 4 * H], w_ih_perm, out=d_x[t])
    d_bias = unperm(d_b) if has_bias else None
    return d_x, carry_h, carry_c, unperm(d_w_ih), unperm(d_w_hh), d_bias, d_bias
