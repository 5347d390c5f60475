"""What the RNN, GRU and LSTM sequence layers share: parameters laid out like ``torch.nn``,
input checks, batch-first handling, stacking layers with dropout between them.

Each layer class supplies ``_run_layer``, the loop over time for one layer. The loop itself lives in
the module of its cell (``rnn.py``, ``gru.py``, ``lstm.py``) beside the readable cell it must equal.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from . import _checks


class RecurrentLayer(nn.Module):
    """Base class of :class:`grubook.RNN`, :class:`grubook.GRU` and :class:`grubook.LSTM`.

    Parameters are named like ``torch.nn``: ``weight_ih_l{k}`` of shape ``(G*hidden, in)``,
    ``weight_hh_l{k}`` of shape ``(G*hidden, hidden)``, ``bias_ih_l{k}`` and ``bias_hh_l{k}`` of
    shape ``(G*hidden,)``, where ``G`` is the number of gate blocks (1, 3 or 4), so that
    ``load_state_dict`` works in both directions with the ``torch.nn`` module of the same sizes.
    """

    gate_blocks = 1  # G: how many (hidden x ...) blocks are stacked in each weight
    has_cell_state = False

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        device=None,
        dtype=None,
    ):
        super().__init__()
        self.input_size = _checks.positive_int("input_size", input_size)
        self.hidden_size = _checks.positive_int("hidden_size", hidden_size)
        self.num_layers = _checks.positive_int("num_layers", num_layers)
        self.bias = bool(bias)
        self.batch_first = bool(batch_first)
        self.dropout = _checks.probability("dropout", dropout)
        factory = {"device": device, "dtype": dtype}
        rows = self.gate_blocks * self.hidden_size
        for k in range(self.num_layers):
            layer_in = self.input_size if k == 0 else self.hidden_size
            self.register_parameter(
                f"weight_ih_l{k}", nn.Parameter(torch.empty(rows, layer_in, **factory))
            )
            self.register_parameter(
                f"weight_hh_l{k}", nn.Parameter(torch.empty(rows, self.hidden_size, **factory))
            )
            if self.bias:
                self.register_parameter(f"bias_ih_l{k}", nn.Parameter(torch.empty(rows, **factory)))
                self.register_parameter(f"bias_hh_l{k}", nn.Parameter(torch.empty(rows, **factory)))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Uniform(-1/sqrt(hidden), 1/sqrt(hidden)) for every parameter, as ``torch.nn`` does."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            nn.init.uniform_(p, -bound, bound)

    def layer_params(self, k: int):
        """``(weight_ih, weight_hh, bias_ih, bias_hh)`` of layer ``k``; biases are None without bias."""
        w_ih = getattr(self, f"weight_ih_l{k}")
        w_hh = getattr(self, f"weight_hh_l{k}")
        b_ih = getattr(self, f"bias_ih_l{k}") if self.bias else None
        b_hh = getattr(self, f"bias_hh_l{k}") if self.bias else None
        return w_ih, w_hh, b_ih, b_hh

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if not self.bias:
            s += ", bias=False"
        if self.batch_first:
            s += ", batch_first=True"
        if self.dropout:
            s += f", dropout={self.dropout}"
        return s

    # ----- input checks -------------------------------------------------------------------------
    def _check_input(self, x) -> tuple[torch.Tensor, bool]:
        """Return x as (time, batch, features) and whether it came without a batch dimension."""
        _checks.float_tensor("x", x)
        layout = "(batch, time, input_size)" if self.batch_first else "(time, batch, input_size)"
        if x.dim() not in (2, 3):
            raise ValueError(
                f"x must be 3-D {layout} or 2-D (time, input_size) for one sequence, "
                f"got {x.dim()}-D shape {_checks.shape_str(x.shape)}."
            )
        if x.shape[-1] != self.input_size:
            raise ValueError(
                f"x must have input_size={self.input_size} features in its last dimension "
                f"{layout}, got shape {_checks.shape_str(x.shape)}."
            )
        if x.numel() == 0:
            raise ValueError(
                f"x must hold at least one step and one sequence, got shape {_checks.shape_str(x.shape)}."
            )
        weight = self.weight_ih_l0
        if x.dtype != weight.dtype:
            raise TypeError(
                f"x has dtype {x.dtype} but the layer's weights are {weight.dtype}; "
                f"convert one of them (e.g. model.to({x.dtype}) or x.to({weight.dtype}))."
            )
        unbatched = x.dim() == 2
        if unbatched:
            x = x.unsqueeze(1)
        elif self.batch_first:
            x = x.transpose(0, 1)
        return x, unbatched

    def _check_state(self, name: str, h, x: torch.Tensor, unbatched: bool) -> torch.Tensor:
        """Return the initial state as (num_layers, batch, hidden); zeros when ``h`` is None."""
        batch = x.shape[1]
        full = (self.num_layers, batch, self.hidden_size)
        if h is None:
            return x.new_zeros(full)
        _checks.float_tensor(name, h)
        if unbatched:
            _checks.expect_shape(name, h, (self.num_layers, self.hidden_size), "(num_layers, hidden_size)")
            h = h.unsqueeze(1)
        else:
            _checks.expect_shape(name, h, full, "(num_layers, batch, hidden_size)")
        _checks.same_dtype(name, h, x, "x")
        return h

    # ----- the stack of layers ------------------------------------------------------------------
    def _run_layer(self, k: int, x: torch.Tensor, state, record: bool):
        """Run layer ``k`` over x: (time, batch, in). Returns (output (time, batch, hidden), final
        state, dict of gate tensors each (time, batch, hidden) or None)."""
        raise NotImplementedError

    def _stack(self, x, state0, unbatched: bool, return_gates: bool):
        """x: (time, batch, in) as returned by ``_check_input``; state0: list of initial states,
        each (num_layers, batch, hidden). Returns (output in the caller's layout, list of final
        states per layer, dict of gates or None)."""
        finals, gates = [], []
        layer_input = x
        for k in range(self.num_layers):
            out, final, g = self._run_layer(k, layer_input, [s[k] for s in state0], return_gates)
            finals.append(final)
            gates.append(g)
            if self.dropout and self.training and k < self.num_layers - 1:
                out = nn.functional.dropout(out, self.dropout, training=True)
            layer_input = out
        out = layer_input
        if unbatched:
            out = out.squeeze(1)
        elif self.batch_first:
            out = out.transpose(0, 1)
        stacked_gates = None
        if return_gates:
            # per gate: (num_layers, batch, time, hidden), or (num_layers, time, hidden) unbatched
            stacked_gates = {}
            for name in gates[0]:
                t = torch.stack([g[name] for g in gates]).transpose(1, 2)
                stacked_gates[name] = t.squeeze(1) if unbatched else t
        return out, finals, stacked_gates
