"""What the RNN, GRU and LSTM share: ``torch.nn``'s parameter layout and initialisation, input
checks, batch-first handling, and the two ways to run a stack of layers: torch's fused kernel
(``fast=True``, what training uses) or the readable loop of step functions, layer by layer.

Each layer class supplies ``_run_layer`` (one layer of the readable loop, in the module of its cell,
beside the step function it runs) and ``_kernel`` (the torch function with the same equations).
"""

from __future__ import annotations

import dataclasses
import math
import warnings

import torch
from torch import nn

from . import _checks


def init_uniform(module: nn.Module, hidden_size: int) -> None:
    """Draw every parameter of ``module`` from Uniform(-1/sqrt(hidden_size), 1/sqrt(hidden_size)),
    as ``torch.nn`` initialises its recurrent cells and layers."""
    bound = 1.0 / math.sqrt(hidden_size)
    for p in module.parameters():
        nn.init.uniform_(p, -bound, bound)


def stack_gates(gates: list, dim: int = 0):
    """Stack a list of gate dataclasses (``GRUGates``, ``LSTMGates``) field by field along ``dim``:
    e.g. ``time`` steps of ``(batch, hidden)`` gates -> one of ``(time, batch, hidden)`` tensors."""
    cls = type(gates[0])
    return cls(
        **{
            f.name: torch.stack([getattr(g, f.name) for g in gates], dim)
            for f in dataclasses.fields(cls)
        }
    )


class RecurrentLayer(nn.Module):
    """Base class of :class:`grubook.RNN`, :class:`grubook.GRU` and :class:`grubook.LSTM`.

    Parameters are named like ``torch.nn``: ``weight_ih_l{k}`` of shape ``(G*hidden, in)``,
    ``weight_hh_l{k}`` of shape ``(G*hidden, hidden)``, ``bias_ih_l{k}`` and ``bias_hh_l{k}`` of
    shape ``(G*hidden,)``, where ``G`` is the number of gate blocks (1, 3 or 4), so that
    ``load_state_dict`` works in both directions with the ``torch.nn`` module of the same sizes.

    ``fast`` (default True) runs the layer through torch's own fused recurrent kernel
    (``torch.gru``, ``torch.lstm``, ``torch.rnn_tanh``: what ``torch.nn`` calls, with these same
    parameters) whenever the gates are not asked for. ``fast=False``, or ``layer.fast = False``
    later, runs the readable loop of step functions (``gru_step`` ...) for every call; gate
    pictures, forced gates and exports always run that loop. tests/test_cells.py proves the two
    equal (outputs, states and gradients, float64).

    Checked before anything is allocated: options (``bias``, ``batch_first``, ``fast``, and
    ``return_gates`` when called) are real booleans, never the string "False"; input and hidden
    sizes are at most ``grubook._checks.MAX_SIZE`` (16384) and a layer has at most
    ``MAX_PARAMETERS`` (2**28, 1 GiB in float32) parameters. Dropout with one layer warns, as in
    ``torch.nn``: it acts only between layers.
    """

    gate_blocks = 1  # G: how many (hidden x ...) blocks are stacked in each weight

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        fast: bool = True,
        device=None,
        dtype=None,
    ):
        super().__init__()
        self.input_size = _checks.size("input_size", input_size)
        self.hidden_size = _checks.size("hidden_size", hidden_size)
        self.num_layers = _checks.positive_int("num_layers", num_layers)
        self.bias = _checks.boolean("bias", bias)
        self.batch_first = _checks.boolean("batch_first", batch_first)
        self.dropout = _checks.probability("dropout", dropout)
        if self.dropout and self.num_layers == 1:
            warnings.warn(  # as torch.nn does: dropout acts only between layers
                "dropout acts between stacked layers, after all but the last one, so "
                f"dropout={self.dropout} with num_layers=1 has no effect; use num_layers > 1.",
                UserWarning,
                stacklevel=3,
            )
        self.fast = fast
        factory = {"device": device, "dtype": dtype}
        rows = self.gate_blocks * self.hidden_size
        _checks.parameter_budget(
            type(self).__name__,
            self.gate_blocks,
            self.input_size,
            self.hidden_size,
            self.num_layers,
            self.bias,
            device,
        )
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

    @property
    def fast(self) -> bool:
        """Whether the layer runs torch's fused kernel when it can (see the class docstring)."""
        return self._fast

    @fast.setter
    def fast(self, value: bool) -> None:
        self._fast = _checks.boolean("fast", value)

    def reset_parameters(self) -> None:
        """Uniform(-1/sqrt(hidden), 1/sqrt(hidden)) for every parameter, as ``torch.nn`` does."""
        init_uniform(self, self.hidden_size)

    def layer_params(self, k: int):
        """``(weight_ih, weight_hh, bias_ih, bias_hh)`` of layer ``k``; biases are None without
        bias."""
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
        if not self.fast:
            s += ", fast=False"
        return s

    # ----- input checks -------------------------------------------------------------------------
    def _check_input(self, x) -> tuple[torch.Tensor, bool]:
        """Return x as (time, batch, features) and whether it came without a batch dimension."""
        _checks.float_tensor("x", x)
        layout = "(batch, time, input_size)" if self.batch_first else "(time, batch, input_size)"
        shape = _checks.shape_str(x.shape)
        if x.dim() not in (2, 3):
            raise ValueError(
                f"x must be 3-D {layout} or 2-D (time, input_size) for one sequence, "
                f"got {x.dim()}-D shape {shape}."
            )
        if x.shape[-1] != self.input_size:
            raise ValueError(
                f"x must have input_size={self.input_size} features in its last dimension "
                f"{layout}, got shape {shape}."
            )
        if x.numel() == 0:
            raise ValueError(f"x must hold at least one step and one sequence, got shape {shape}.")
        weight = self.weight_ih_l0
        if x.dtype != weight.dtype:
            raise TypeError(
                f"x has dtype {x.dtype} but the layer's weights are {weight.dtype}; "
                f"convert one of them (e.g. model.to({x.dtype}) or x.to({weight.dtype}))."
            )
        _checks.same_device("x", x, "the layer's weights are", weight.device)
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
            expected = (self.num_layers, self.hidden_size)
            _checks.expect_shape(name, h, expected, "(num_layers, hidden_size)")
            h = h.unsqueeze(1)
        else:
            _checks.expect_shape(name, h, full, "(num_layers, batch, hidden_size)")
        _checks.same_dtype(name, h, x, "x")
        _checks.same_device(name, h, "x is", x.device)
        return h

    # ----- the stack of layers ------------------------------------------------------------------
    def flat_weights(self) -> list:
        """Every layer's parameters in the order torch's kernels take them: ``weight_ih_l0,
        weight_hh_l0, bias_ih_l0, bias_hh_l0, weight_ih_l1, ...`` (no biases without bias)."""
        return [p for k in range(self.num_layers) for p in self.layer_params(k) if p is not None]

    def _kernel(self):
        """torch's fused function for this layer (``torch.gru`` ...), or None where it computes
        something else (the Cho placement, forced gates): then the readable loop runs."""
        raise NotImplementedError

    def _run_layer(self, k: int, x: torch.Tensor, state, record: bool):
        """Run layer ``k`` over x: (time, batch, in) with the readable loop. Returns (output
        (time, batch, hidden), final state (a tensor, or a tuple for the LSTM), gates of
        (time, batch, hidden) tensors when ``record``, else None)."""
        raise NotImplementedError

    def _stack(self, x, state0: list, unbatched: bool, return_gates: bool):
        """x: (time, batch, in) as returned by ``_check_input``; state0: list of initial states,
        each (num_layers, batch, hidden). Returns (output in the caller's layout, list of final
        states like state0, gates or None)."""
        kernel = self._kernel() if self.fast and not return_gates else None
        if kernel is not None:
            # torch's fused kernel: the same equations and parameters, far less work per step
            hx = state0[0] if len(state0) == 1 else tuple(state0)
            out, *finals = kernel(
                x, hx, self.flat_weights(), self.bias, self.num_layers, float(self.dropout),
                self.training, False, False,  # bidirectional=False, batch_first=False
            )  # fmt: skip
        else:
            # the readable loop: one layer at a time, one step function call per time step
            per_layer, gates = [], []
            out = x
            for k in range(self.num_layers):
                out, final, g = self._run_layer(k, out, [s[k] for s in state0], return_gates)
                per_layer.append(final if isinstance(final, tuple) else (final,))
                gates.append(g)
                if self.dropout and self.training and k < self.num_layers - 1:
                    out = nn.functional.dropout(out, self.dropout, training=True)
            finals = [torch.stack(s) for s in zip(*per_layer)]
        if unbatched:
            out, finals = out.squeeze(1), [f.squeeze(1) for f in finals]
        elif self.batch_first:
            out = out.transpose(0, 1)
        if not return_gates:
            return out, finals, None
        # per gate: (num_layers, batch, time, hidden), or (num_layers, time, hidden) unbatched
        stacked = stack_gates(gates)  # (num_layers, time, batch, hidden)
        for f in dataclasses.fields(stacked):
            t = getattr(stacked, f.name).transpose(1, 2)
            setattr(stacked, f.name, t.squeeze(1) if unbatched else t)
        return out, finals, stacked
