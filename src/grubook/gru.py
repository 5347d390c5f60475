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

Two implementations live here and tests prove them equal: :class:`GRUCell`, one step written to be
read, and :func:`gru_layer`, the loop over time that the :class:`GRU` layer runs (all input
projections in one matmul before the loop, the three recurrent projections in one matmul per step).
Unless the gates are recorded, :func:`gru_layer` runs that loop as ``_GRUFunction`` (at the end of
this module): the same maths with a hand-written backward pass, which is what makes it as fast as
``torch.nn.GRU`` on a CPU (``grubook._fused`` says when it applies; tests/test_fast_path.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from . import _checks, _fused
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
    """Run one GRU layer over a whole sequence: the loop over time of :class:`GRU`.

    x: (time, batch, input); h0: (batch, hidden). Returns (output (time, batch, hidden), h_T
    (batch, hidden), gates) where gates is a dict of (time, batch, hidden) tensors when ``record``
    and None otherwise. Equal to stepping :class:`GRUCell` (tests/test_cells.py, test_fast_path.py).
    """
    if not record and _fused.usable(bias_ih, bias_hh, x, h0, weight_ih, weight_hh):
        # the same maths with a hand-written backward pass (_GRUFunction, end of module): much less
        # autograd overhead per step. tests/test_fast_path.py proves the two paths equal.
        out = _GRUFunction.apply(x, h0, weight_ih, weight_hh, bias_ih, bias_hh, reset_after)[0]
        return out, out[-1], None
    # every input projection W x_t + b_i, for all steps at once: (time, batch, 3H)
    x_proj = torch.nn.functional.linear(x, weight_ih, bias_ih)
    return _gru_loop(x_proj, h0, weight_hh, bias_hh, reset_after, record)


def _gru_loop(x_proj, h0, weight_hh, bias_hh=None, reset_after=True, record=False):
    """The plain loop, recorded step by step by autograd. x_proj: (time, batch, 3H) = W x_t + b_i."""
    H = h0.shape[-1]
    if not reset_after:
        w_hh_rz, w_hh_n = weight_hh[: 2 * H], weight_hh[2 * H :]
        b_hh_rz, b_hh_n = (None, None) if bias_hh is None else (bias_hh[: 2 * H], bias_hh[2 * H :])
    h, outputs, gates = h0, [], {"update": [], "reset": [], "candidate": []}
    for t in range(x_proj.shape[0]):
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


# ----- the fused path: same maths as _gru_loop, with a hand-written backward pass ----------------
class _GRUFunction(torch.autograd.Function):
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
            # gates[t] starts as [W_r x + b_ir + b_hr, W_z x + b_iz + b_hz, b_hn]; the step's addmm
            # adds U h, which leaves the pre-activations of r and z and U_n h + b_hn, which r scales.
            bias = None if bias_ih is None else torch.cat((bias_ih[: 2 * H] + bias_hh[: 2 * H], bias_ih[2 * H :]))
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
        if torch.is_grad_enabled() or _fused.is_batched(d_out):
            # double backward, or batched gradients (autograd.grad(..., is_grads_batched=True)):
            # replay the plain loop under autograd, which records (and batches) its own graph
            def plain(x, h0, w_ih, w_hh, b_ih, b_hh):
                x_proj = torch.nn.functional.linear(x, w_ih, b_ih)
                return (_gru_loop(x_proj, h0, w_hh, b_hh, ctx.reset_after)[0],)

            inputs = (x, h0, weight_ih, weight_hh, bias_ih, bias_hh)
            return *_fused.replay_backward(plain, inputs, needs, (d_out,)), None
        backward = _gru_backward if ctx.reset_after else _gru_backward_cho
        grads = backward(d_out, x, h0, weight_ih, weight_hh, out, gates, cand, needs[0], bias_ih is not None)
        return *(g if need else None for g, need in zip(grads, needs)), None


CHUNK_FLOATS = 2**18  # the backward pass works on chunks of steps whose factors fit in cache (~1 MB)


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
    chunk = max(1, CHUNK_FLOATS // (B * 5 * H))
    carry = torch.zeros_like(h0)  # d loss / d h_t that comes from later steps
    for stop in range(T, 0, -chunk):
        start = max(0, stop - chunk)
        g, n_c, d_o = gates[start:stop], n[start:stop], d_out[start:stop]
        r, z, hn = g[..., :H], g[..., H : 2 * H], g[..., 2 * H :]
        h_prev = out[start - 1 : stop - 1] if start else _fused.previous_states(h0, out[:stop])
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
    h_prev = _fused.previous_states(h0, out)
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
    d_weight_hh = torch.cat((d_rz.reshape(-1, 2 * H).t().mm(h_prev.reshape(-1, H)),
                             d_n.reshape(-1, H).t().mm(reset_h.reshape(-1, H))))
    d_w_ih = d_proj.t().mm(x.reshape(T * B, -1))
    d_x = d_proj.mm(weight_ih).view_as(x) if needs_x else None
    d_bias = d_proj.sum(0) if has_bias else None
    return d_x, carry, d_w_ih, d_weight_hh, d_bias, d_bias
