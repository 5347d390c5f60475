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
Unless the gates are recorded, the loop runs as ``_LSTMFunction`` (end of module): the same maths
with a hand-written backward pass (tests/test_fast_path.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from . import _checks, _fused
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
    if not record and _fused.usable(bias_ih, bias_hh, x, h0, c0, weight_ih, weight_hh):
        # the same maths with a hand-written backward pass (_LSTMFunction below)
        out, c_last = _LSTMFunction.apply(x, h0, c0, weight_ih, weight_hh, bias_ih, bias_hh)[:2]
        return out, (out[-1], c_last), None
    x_proj = torch.nn.functional.linear(x, weight_ih, bias_ih)  # (time, batch, 4H)
    return _lstm_loop(x_proj, h0, c0, weight_hh, bias_hh, record)


def _lstm_loop(x_proj, h0, c0, weight_hh, bias_hh=None, record=False):
    """The plain loop, recorded step by step by autograd. x_proj: (time, batch, 4H) = W x_t + b_i."""
    h, c, outputs = h0, c0, []
    gates = {"input": [], "forget": [], "cell": [], "output": []}
    for t in range(x_proj.shape[0]):
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


# ----- the fused path: same maths as _lstm_loop, with a hand-written backward pass ---------------
class _LSTMFunction(torch.autograd.Function):
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
        if torch.is_grad_enabled() or any(_fused.is_batched(d) for d in (d_out, d_c_last) if d is not None):
            # double backward or batched gradients: replay the plain loop under autograd
            def plain(x, h0, c0, w_ih, w_hh, b_ih, b_hh):
                x_proj = torch.nn.functional.linear(x, w_ih, b_ih)
                out, (_, c), _ = _lstm_loop(x_proj, h0, c0, w_hh, b_hh)
                return out, c

            return _fused.replay_backward(plain, inputs, needs, (d_out, d_c_last))
        if d_out is None:
            d_out = torch.zeros_like(out)
        grads = _lstm_backward(d_out, d_c_last, x, h0, c0, weight_ih, weight_hh, out, gates, cells,
                               needs[0], bias_ih is not None)
        return tuple(g if need else None for g, need in zip(grads, needs))


CHUNK_FLOATS = 2**18  # the backward pass works on chunks of steps whose factors fit in cache (~1 MB)


def _lstm_backward(d_out, d_c_last, x, h0, c0, weight_ih, weight_hh, out, gates, cells, needs_x, has_bias):
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
    chunk = max(1, CHUNK_FLOATS // (B * 6 * H))
    carry_h = torch.zeros_like(h0)
    carry_c = torch.zeros_like(c0) if d_c_last is None else d_c_last
    for stop in range(T, 0, -chunk):
        start = max(0, stop - chunk)
        g_c, c_c = gates[start:stop], cells[start:stop]
        i, f, g, o = g_c.chunk(4, dim=-1)
        c_prev = cells[start - 1 : stop - 1] if start else _fused.previous_states(c0, cells[:stop])
        h_prev = out[start - 1 : stop - 1] if start else _fused.previous_states(h0, out[:stop])
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
