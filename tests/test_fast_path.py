"""The fused layers (hand-written backward pass) against the readable cells and the plain loop,
and grubook.compile's fallback to eager. Speed is measured by `python -m benchmarks`, never here."""

from __future__ import annotations

import itertools
import warnings

import pytest
import torch

import grubook
from grubook import _fused
from grubook.gru import _GRUFunction
from grubook.lstm import _LSTMFunction
from grubook.rnn import _RNNFunction

F64 = dict(dtype=torch.float64)
TOL = dict(rtol=1e-10, atol=1e-10)


def step_cell(cell, x, state):
    """Step a readable cell over x (time, batch, input); returns (outputs (time, batch, H), state)."""
    outs = []
    for t in range(x.shape[0]):
        state = cell(x[t], state)
        outs.append(state[0] if isinstance(state, tuple) else state)
    return torch.stack(outs), state


def as_tuple(state):
    return state if isinstance(state, tuple) else (state,)


LAYERS = {"gru": grubook.GRU, "lstm": grubook.LSTM, "rnn": grubook.RNN}
CELLS = {"gru": grubook.GRUCell, "lstm": grubook.LSTMCell, "rnn": grubook.RNNCell}


def layer_and_cell(kind, bias, **kwargs):
    layer = LAYERS[kind](3, 5, bias=bias, **kwargs)
    cell = CELLS[kind](3, 5, bias=bias, **kwargs)
    layer, cell = layer.double(), cell.double()
    cell.load_state_dict({k[:-3]: v for k, v in layer.state_dict().items()})
    return layer, cell


VARIANTS = [("gru", {}), ("gru", {"reset_after": False}), ("lstm", {}), ("rnn", {}),
            ("rnn", {"nonlinearity": "relu"})]


@pytest.mark.parametrize("kind,kwargs", VARIANTS)
@pytest.mark.parametrize("bias", [True, False])
def test_fused_layer_equals_stepping_the_readable_cell(kind, kwargs, bias):
    """Outputs, final state and every gradient (input, initial state, parameters) in float64."""
    torch.manual_seed(11)
    layer, cell = layer_and_cell(kind, bias, **kwargs)
    x = torch.randn(9, 4, 3, **F64)
    h0 = torch.randn(4, 5, **F64)
    state = (h0, torch.randn(4, 5, **F64)) if kind == "lstm" else h0
    w = torch.randn(9, 4, 5, **F64)

    def leaves():
        return x.clone().requires_grad_(), [s.clone().requires_grad_() for s in as_tuple(state)]

    xa, sa = leaves()
    layer_state = tuple(s.unsqueeze(0) for s in sa) if kind == "lstm" else sa[0].unsqueeze(0)
    out_a, fin_a = layer(xa, layer_state)
    name = type(out_a.grad_fn).__name__
    assert "Function" in name and "Backward" in name, "the layer should have taken the fused path"
    xb, sb = leaves()
    out_b, fin_b = step_cell(cell, xb, tuple(sb) if kind == "lstm" else sb[0])

    torch.testing.assert_close(out_a, out_b, **TOL)
    finals_a = [f.squeeze(0) for f in as_tuple(fin_a)]
    finals_b = list(as_tuple(fin_b))
    for a, b in zip(finals_a, finals_b):
        torch.testing.assert_close(a, b, **TOL)

    # a loss on every output and on every final state (the LSTM's c_T included)
    ((out_a * w).sum() + sum(f.pow(2).sum() for f in finals_a)).backward()
    ((out_b * w).sum() + sum(f.pow(2).sum() for f in finals_b)).backward()
    torch.testing.assert_close(xa.grad, xb.grad, **TOL)
    for a, b in zip(sa, sb):
        torch.testing.assert_close(a.grad, b.grad, **TOL)
    cell_params = dict(cell.named_parameters())
    for name, p in layer.named_parameters():
        torch.testing.assert_close(p.grad, cell_params[name[:-3]].grad, **TOL)


@pytest.mark.parametrize("reset_after", [True, False])
def test_recorded_gates_equal_the_cell_and_outputs_equal_the_fused_path(reset_after):
    torch.manual_seed(12)
    layer, cell = layer_and_cell("gru", True, reset_after=reset_after)
    x = torch.randn(7, 2, 3, **F64)
    out, h_n, gates = layer(x, return_gates=True)  # gates recorded: the plain loop
    fused_out, fused_h = layer(x)  # no gates: the fused path
    torch.testing.assert_close(out, fused_out, **TOL)
    torch.testing.assert_close(h_n, fused_h, **TOL)
    h = None
    for t in range(7):
        h, g = cell.step(x[t], h)
        torch.testing.assert_close(gates.update[0, :, t], g.update, **TOL)
        torch.testing.assert_close(gates.reset[0, :, t], g.reset, **TOL)
        torch.testing.assert_close(gates.candidate[0, :, t], g.candidate, **TOL)


CONFIGS = list(itertools.product(["gru", "gru-cho", "lstm", "rnn"], [1, 2], [False, True]))


@pytest.mark.parametrize("kind,num_layers,batch_first", CONFIGS)
def test_fused_equals_plain_loop_multi_layer(kind, num_layers, batch_first):
    torch.manual_seed(13)
    cls = LAYERS[kind.removesuffix("-cho")]
    extra = {"reset_after": False} if kind == "gru-cho" else {}
    layer = cls(3, 6, num_layers=num_layers, batch_first=batch_first, **extra).double()
    x = torch.randn(5, 8, 3, **F64)

    def run():
        layer.zero_grad()
        xx = x.clone().requires_grad_()
        out, fin = layer(xx)
        fin = fin[1] if kind == "lstm" else fin  # the LSTM: a loss on c_n too
        (out.sin().sum() + fin.pow(2).sum()).backward()
        return [out.detach(), xx.grad] + [p.grad.clone() for p in layer.parameters()]

    fused = run()
    _fused.ENABLED = False
    try:
        plain = run()
    finally:
        _fused.ENABLED = True
    for a, b in zip(fused, plain):
        torch.testing.assert_close(a, b, **TOL)


def _args(kind, bias, gen):
    T, B, I, H = 4, 2, 3, 3
    G = {"gru": 3, "gru-cho": 3, "lstm": 4, "rnn": 1}[kind]
    t = lambda *s: torch.randn(*s, generator=gen, **F64).requires_grad_()  # noqa: E731
    args = [t(T, B, I), t(B, H)] + ([t(B, H)] if kind == "lstm" else []) + [t(G * H, I), t(G * H, H)]
    args += [t(G * H), t(G * H)] if bias else [None, None]
    return args


@pytest.mark.parametrize("kind", ["gru", "gru-cho", "lstm", "rnn", "rnn-relu"])
@pytest.mark.parametrize("bias", [True, False])
def test_gradcheck_fused_functions(kind, bias):
    """The hand-written backward passes against finite differences, and their double backward."""
    gen = torch.Generator().manual_seed(14)
    args = _args(kind.replace("-relu", ""), bias, gen)
    if kind.startswith("gru"):
        fn = lambda *a: _GRUFunction.apply(*a, kind == "gru")[0]  # noqa: E731
    elif kind == "lstm":
        fn = lambda *a: _LSTMFunction.apply(*a)[:2]  # noqa: E731
    else:
        fn = lambda *a: _RNNFunction.apply(*a, "relu" if kind == "rnn-relu" else "tanh")[0]  # noqa: E731
    if kind == "rnn-relu":
        with torch.no_grad():
            args[0].add_(torch.sign(args[0]) * 0.1)  # keep pre-activations away from relu's kink
    inputs = tuple(a for a in args if a is not None)
    positions = [i for i, a in enumerate(args) if a is not None]

    def call(*xs):
        full = list(args)
        for i, v in zip(positions, xs):
            full[i] = v
        return fn(*full)

    assert torch.autograd.gradcheck(call, inputs)
    assert torch.autograd.gradgradcheck(call, inputs)


def test_batched_gradients_take_the_replay_path():
    """autograd.grad(..., is_grads_batched=True) (chapter 2's Jacobians) works on the fused path."""
    torch.manual_seed(15)
    gru = grubook.GRU(2, 4).double()
    x = torch.randn(6, 1, 2, **F64)
    h0 = torch.zeros(1, 1, 4, **F64, requires_grad=True)
    eye = torch.eye(4, **F64).view(4, 1, 4)

    def jacobian():
        _, h_n = gru(x, h0)
        return torch.autograd.grad(h_n[0], h0, grad_outputs=eye, is_grads_batched=True)[0]

    fused = jacobian()
    _fused.ENABLED = False
    try:
        plain = jacobian()
    finally:
        _fused.ENABLED = True
    torch.testing.assert_close(fused, plain, **TOL)


def test_torch_func_transforms_use_the_plain_loop():
    torch.manual_seed(16)
    gru = grubook.GRU(2, 3).double()
    x = torch.randn(4, 2, 2, **F64)
    params = {k: v.detach() for k, v in gru.named_parameters()}
    loss = lambda p: torch.func.functional_call(gru, p, (x,))[0].sum()  # noqa: E731
    grads = torch.func.grad(loss)(params)
    gru(x)[0].sum().backward()
    for name, p in gru.named_parameters():
        torch.testing.assert_close(grads[name], p.grad, **TOL)


# ----- grubook.compile -------------------------------------------------------------------------
def test_compile_falls_back_with_a_warning_when_torch_compile_raises(monkeypatch):
    def broken_compile(*args, **kwargs):
        raise RuntimeError("torch.compile is not supported here (simulated)")

    monkeypatch.setattr(torch, "compile", broken_compile)
    gru = grubook.GRU(2, 3)
    x = torch.randn(4, 2, 2)
    with pytest.warns(RuntimeWarning, match="falls back to eager"):
        model = grubook.compile(gru)
    assert not model.compiled and "simulated" in model.fallback_reason
    torch.testing.assert_close(model(x)[0], gru(x)[0])
    assert list(model.state_dict()) == list(gru.state_dict())


def test_compile_falls_back_when_the_backend_fails_at_the_first_call():
    def failing_backend(graph_module, example_inputs):
        raise RuntimeError("no C++ compiler (simulated)")

    torch._dynamo.reset()
    try:
        gru = grubook.GRU(2, 3)
        x = torch.randn(3, 2, 2)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # wrapping alone must not warn
            model = grubook.compile(gru, backend=failing_backend)
        assert model.compiled
        with pytest.warns(RuntimeWarning, match="falls back to eager"):
            out = model(x)[0]
        torch.testing.assert_close(out, gru(x)[0])
        assert not model.compiled and "simulated" in model.fallback_reason
        out.sum().backward()  # the eager result trains as usual
        assert gru.weight_hh_l0.grad is not None
    finally:
        torch._dynamo.reset()


def test_compile_does_not_swallow_the_callers_errors():
    model = grubook.compile(grubook.GRU(2, 3), backend="eager")
    with pytest.raises(ValueError, match="input_size=2"):
        model(torch.randn(4, 2, 5))  # wrong number of features: the eager error is raised


def test_compile_rejects_a_non_module():
    with pytest.raises(TypeError, match="torch.nn.Module"):
        grubook.compile(lambda x: x)


def test_one_bias_alone_takes_the_plain_loop():
    """gru_layer is public: with only bias_hh given, the result is still the plain loop's."""
    gen = torch.Generator().manual_seed(17)
    x, h0 = torch.randn(5, 2, 3, generator=gen, **F64), torch.zeros(2, 4, **F64)
    w_ih, w_hh = torch.randn(12, 3, generator=gen, **F64), torch.randn(12, 4, generator=gen, **F64)
    b_hh = torch.randn(12, generator=gen, **F64)
    out = grubook.gru_layer(x, h0, w_ih, w_hh, None, b_hh)[0]
    expected = grubook.gru_layer(x, h0, w_ih, w_hh, torch.zeros(12, **F64), b_hh)[0]
    torch.testing.assert_close(out, expected, **TOL)
