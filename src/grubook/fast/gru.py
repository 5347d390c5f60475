"""The fast GRU layer: the equations of ``grubook.gru_step`` run as one ``torch.autograd.Function``
over the whole sequence, with a hand-written backpropagation through time."""

from __future__ import annotations

import torch

from .. import _checks
from . import _shared


def gru_layer(x, h0, weight_ih, weight_hh, bias_ih=None, bias_hh=None, reset_after=True):
    """The fast equal of ``grubook.gru_layer`` (without recorded gates). Both biases or neither.

    x: (time, batch, input); h0: (batch, hidden). Returns (output (time, batch, hidden), h_T).
    """
    _checks.boolean("reset_after", reset_after)
    out = GRUFunction.apply(x, h0, weight_ih, weight_hh, bias_ih, bias_hh, reset_after)[0]
    return out, out[-1]


def _plain_output(reset_after):
    """The plain loop's output as a function of the Function's inputs: for the replay."""
    from ..gru import gru_layer as plain_gru_layer  # here, not at the top: grubook.gru imports us

    def plain(x, h0, w_ih, w_hh, b_ih, b_hh):
        return (plain_gru_layer(x, h0, w_ih, w_hh, b_ih, b_hh, reset_after)[0],)

    return plain


class GRUFunction(torch.autograd.Function):
    """The fused GRU layer: a forward loop of five kernels per step that keeps the gates, and a
    hand-written backpropagation through time over them.

    apply(x (T, B, I), h0 (B, H), weight_ih, weight_hh, bias_ih, bias_hh (or None), reset_after)
    -> (output (T, B, H), then two saved buffers that carry no gradient).
    """

    @staticmethod
    def forward(x, h0, weight_ih, weight_hh, bias_ih, bias_hh, reset_after):
        T, B, H = x.shape[0], x.shape[1], h0.shape[-1]
        out, h = x.new_empty(T, B, H), h0
        if reset_after:
            # gates[t] starts as [W_r x + b_ir + b_hr, W_z x + b_iz + b_hz, b_hn]; the step's
            # addmm adds U h, which leaves the pre-activations of r and z and U_n h + b_hn, which r
            # scales.
            bias = None
            if bias_ih is not None:
                bias = torch.cat((bias_ih[: 2 * H] + bias_hh[: 2 * H], bias_ih[2 * H :]))
            gates = torch.nn.functional.linear(x, weight_ih, bias)
            x_n = gates[..., 2 * H :].clone()  # W_n x + b_in
            gates[..., 2 * H :] = 0 if bias_hh is None else bias_hh[2 * H :]
            cand, w_t = torch.empty_like(x_n), weight_hh.t()
            for t in range(T):
                g = gates[t].addmm_(h, w_t)
                rz = g[:, : 2 * H].sigmoid_()  # [r | z] in one kernel
                n = torch.addcmul(x_n[t], rz[:, :H], g[:, 2 * H :], out=cand[t]).tanh_()
                h = torch.lerp(n, h, rz[:, H:], out=out[t])  # n + z (h - n)
            return out, gates, cand
        # Cho et al. (2014): n = tanh(W_n x + b_in + U_n (r h) + b_hn); saved: [r, z, r h], n
        bias = None if bias_ih is None else bias_ih + bias_hh
        proj = torch.nn.functional.linear(x, weight_ih, bias)
        rz_all, cand = proj[..., : 2 * H], proj[..., 2 * H :]
        gates = x.new_empty(T, B, 3 * H)
        w_rz_t, w_n_t = weight_hh[: 2 * H].t(), weight_hh[2 * H :].t()
        for t in range(T):
            rz = torch.addmm(rz_all[t], h, w_rz_t, out=gates[t, :, : 2 * H]).sigmoid_()
            rh = torch.mul(rz[:, :H], h, out=gates[t, :, 2 * H :])
            n = cand[t].addmm_(rh, w_n_t).tanh_()
            h = torch.lerp(n, h, rz[:, H:], out=out[t])
        return out, gates, cand

    @staticmethod
    def setup_context(ctx, inputs, output):
        x, h0, weight_ih, weight_hh, bias_ih, bias_hh, reset_after = inputs
        out, gates, cand = output
        ctx.mark_non_differentiable(gates, cand)
        ctx.set_materialize_grads(False)
        ctx.reset_after = reset_after
        ctx.save_for_backward(x, h0, weight_ih, weight_hh, bias_ih, bias_hh, out, gates, cand)

    @staticmethod
    def backward(ctx, d_out, *_):
        x, h0, weight_ih, weight_hh, bias_ih, bias_hh, out, gates, cand = ctx.saved_tensors
        needs = ctx.needs_input_grad[:6]
        if d_out is None:
            return (None,) * 7
        if torch.is_grad_enabled() or _shared.is_batched(d_out):
            # double backward, or batched gradients (autograd.grad(..., is_grads_batched=True)):
            # replay the plain loop under autograd, which records (and batches) its own graph
            inputs = (x, h0, weight_ih, weight_hh, bias_ih, bias_hh)
            plain = _plain_output(ctx.reset_after)
            return *_shared.replay_backward(plain, inputs, needs, (d_out,)), None
        backward = _gru_backward if ctx.reset_after else _gru_backward_cho
        grads = backward(
            d_out, x, h0, weight_ih, weight_hh, out, gates, cand, needs[0], bias_ih is not None
        )
        return *(g if need else None for g, need in zip(grads, needs)), None


def _gru_backward(d_out, x, h0, weight_ih, weight_hh, out, gates, n, needs_x, has_bias):
    """BPTT for reset_after=True. gates: (T, B, 3H) = [r, z, U_n h + b_hn]; n: (T, B, H).

    Each step writes d loss / d [U_n h + b_hn, pre_r, pre_z, pre_n] and d h_t * z_t into one
    (B, 5H) row with one kernel, gets d h_{t-1} with one addmm, and adds the step's share of the
    weight and bias gradients while the row is still in cache. The element-wise factors that turn
    d h_t into the row (sigmoid' and tanh' terms) are computed for a chunk of steps at a time.
    """
    T, B, H = out.shape
    w_perm = torch.cat((weight_hh[2 * H :], weight_hh[: 2 * H]))  # [U_n; U_r; U_z], as in the row
    row = d_out.new_empty(B, 5 * H)
    d_w_hh = d_out.new_zeros(3 * H, H)  # rows [n, r, z]
    d_w_ih = d_out.new_zeros(3 * H, x.shape[-1])
    d_b = d_out.new_zeros(4 * H) if has_bias else None  # [hn, r, z, n]: both biases' gradients
    ones = d_out.new_ones(B)
    d_x = torch.empty_like(x) if needs_x else None
    chunk = _shared.chunk_steps(B * 5 * H)
    carry = torch.zeros_like(h0)  # d loss / d h_t that comes from later steps
    for stop in range(T, 0, -chunk):
        start = max(0, stop - chunk)
        g, n_c, d_o = gates[start:stop], n[start:stop], d_out[start:stop]
        r, z, hn = g[..., :H], g[..., H : 2 * H], g[..., 2 * H :]
        h_prev = out[start - 1 : stop - 1] if start else _shared.previous_states(h0, out[:stop])
        s_rz = g[..., : 2 * H] * (1 - g[..., : 2 * H])  # sigmoid'(.) of r and z
        a_n = (1 - z) * (1 - n_c * n_c)  # d h_t / d pre_n
        factors = torch.stack(
            (a_n * r, a_n * hn * s_rz[..., :H], (h_prev - n_c) * s_rz[..., H:], a_n, z), dim=-2
        )  # (K, B, 5, H)
        from_out = d_o.unsqueeze(-2) * factors  # the part that comes straight from the outputs
        for i in range(stop - start - 1, -1, -1):
            t = start + i
            torch.addcmul(from_out[i], carry.unsqueeze(-2), factors[i], out=row.view(B, 5, H))
            carry = torch.addmm(row[:, 4 * H :], row[:, : 3 * H], w_perm)
            d_w_hh.addmm_(row[:, : 3 * H].t(), h_prev[i])
            d_w_ih.addmm_(row[:, H : 4 * H].t(), x[t])
            if has_bias:
                d_b.addmv_(row[:, : 4 * H].t(), ones)
            if needs_x:
                torch.mm(row[:, H : 4 * H], weight_ih, out=d_x[t])
    d_weight_hh = torch.cat((d_w_hh[H:], d_w_hh[:H]))
    d_bias_ih = d_b[H:] if has_bias else None
    d_bias_hh = torch.cat((d_b[H : 3 * H], d_b[:H])) if has_bias else None
    return d_x, carry, d_w_ih, d_weight_hh, d_bias_ih, d_bias_hh


def _gru_backward_cho(d_out, x, h0, weight_ih, weight_hh, out, gates, n, needs_x, has_bias):
    """BPTT for reset_after=False. gates: (T, B, 3H) = [r, z, r * h_{t-1}]; n: (T, B, H)."""
    T, B, H = out.shape
    r, z, reset_h = gates[..., :H], gates[..., H : 2 * H], gates[..., 2 * H :]
    h_prev = _shared.previous_states(h0, out)
    w_rz, w_n = weight_hh[: 2 * H], weight_hh[2 * H :]
    a_n = (1 - z) * (1 - n * n)
    factors_rz = torch.cat((h_prev * r * (1 - r), (h_prev - n) * z * (1 - z)), dim=-1)
    carry = torch.zeros_like(h0)
    d_rz, d_n = [None] * T, [None] * T
    for t in range(T - 1, -1, -1):
        d_h = d_out[t] + carry
        d_n[t] = d_h * a_n[t]
        d_rh = d_n[t].mm(w_n)  # d loss / d (r h_{t-1})
        d_rz[t] = torch.cat((d_rh, d_h), dim=-1) * factors_rz[t]
        carry = torch.addmm(torch.addcmul(d_h * z[t], d_rh, r[t]), d_rz[t], w_rz)
    d_rz, d_n = torch.stack(d_rz), torch.stack(d_n)
    d_proj = torch.cat((d_rz, d_n), dim=-1).reshape(T * B, 3 * H)  # d (W x + b_i) = d (b_h)
    d_weight_hh = torch.cat(
        (
            d_rz.reshape(-1, 2 * H).t().mm(h_prev.reshape(-1, H)),
            d_n.reshape(-1, H).t().mm(reset_h.reshape(-1, H)),
        )
    )
    d_w_ih = d_proj.t().mm(x.reshape(T * B, -1))
    d_x = d_proj.mm(weight_ih).view_as(x) if needs_x else None
    d_bias = d_proj.sum(0) if has_bias else None
    return d_x, carry, d_w_ih, d_weight_hh, d_bias, d_bias
