"""The fast path (grubook.fast: hand-written backward passes) against the readable cells and the
plain loop of step functions, and the ``fast`` switch that chooses between them. Speed is measured
by `python -m benchmarks`, never here."""

from __future__ import annotations

import itertools

import pytest
import torch

import grubook
from grubook import fast
from grubook.fast import _shared
from grubook.training import SequenceModel

F64 = {"dtype": torch.float64}
TOL = {"rtol": 1e-10, "atol": 1e-10}


def step_cell(cell, x, state):
    """Step a readable cell over x (time, batch, input); returns (outputs (time, batch, H),
    state)."""
    outs = []
    for t in range(x.shape[0]):
        state = cell(x[t], state)
        outs.append(state[0] if isinstance(state, tuple) else state)
    return torch.stack(outs), state


def as_tuple(state):
    return state if isinstance(state, tuple) else (state,)


LAYERS = {"gru": grubook.GRU, "lstm": grubook.LSTM, "rnn": grubook.RNN}
CELLS = {"gru": grubook.GRUCell, "lstm": grubook.LSTMCell, "rnn": grubook.RNNCell}
FUNCTIONS = {"gru": fast.GRUFunction, "lstm": fast.LSTMFunction, "rnn": fast.RNNFunction}


def layer_and_cell(kind, bias, **kwargs):
    layer = LAYERS[kind](3, 5, bias=bias, **kwargs)
    cell = CELLS[kind](3, 5, bias=bias, **kwargs)
    layer, cell = layer.double(), cell.double()
    cell.load_state_dict({k[:-3]: v for k, v in layer.state_dict().items()})
    return layer, cell


def took_fast_path(out) -> bool:
    """Whether out's autograd graph holds a node of a grubook.fast Function."""
    seen, todo = set(), [out.grad_fn]
    while todo:
        node = todo.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        if type(node).__name__ in (
            "GRUFunctionBackward",
            "LSTMFunctionBackward",
            "RNNFunctionBackward",
        ):
            return True
        todo.extend(next_node for next_node, _ in node.next_functions)
    return False


VARIANTS = [
    ("gru", {}),
    ("gru", {"reset_after": False}),
    ("lstm", {}),
    ("rnn", {}),
    ("rnn", {"nonlinearity": "relu"}),
]


@pytest.mark.parametrize("kind,kwargs", VARIANTS)
@pytest.mark.parametrize("bias", [True, False])
def test_fast_layer_equals_stepping_the_readable_cell(kind, kwargs, bias):
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
    assert took_fast_path(out_a), "the layer should have taken the fast path"
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
def test_recorded_gates_equal_the_cell_and_outputs_equal_the_fast_path(reset_after):
    torch.manual_seed(12)
    layer, cell = layer_and_cell("gru", True, reset_after=reset_after)
    x = torch.randn(7, 2, 3, **F64)
    out, h_n, gates = layer(x, return_gates=True)  # gates recorded: the plain loop
    fast_out, fast_h = layer(x)  # no gates: the fast path
    torch.testing.assert_close(out, fast_out, **TOL)
    torch.testing.assert_close(h_n, fast_h, **TOL)
    h = None
    for t in range(7):
        h, g = cell.step(x[t], h)
        torch.testing.assert_close(gates.update[0, :, t], g.update, **TOL)
        torch.testing.assert_close(gates.reset[0, :, t], g.reset, **TOL)
        torch.testing.assert_close(gates.candidate[0, :, t], g.candidate, **TOL)


def fast_and_plain(layer, run):
    """run() with the layer's fast path on, then off (the switch restored afterwards)."""
    assert layer.fast
    fast_result = run()
    layer.fast = False
    try:
        plain_result = run()
    finally:
        layer.fast = True
    return fast_result, plain_result


CONFIGS = list(itertools.product(["gru", "gru-cho", "lstm", "rnn"], [1, 2], [False, True]))


@pytest.mark.parametrize("kind,num_layers,batch_first", CONFIGS)
def test_fast_equals_plain_loop_multi_layer(kind, num_layers, batch_first):
    torch.manual_seed(13)
    cls = LAYERS[kind.removesuffix("-cho")]
    extra = {"reset_after": False} if kind == "gru-cho" else {}
    layer = cls(3, 6, num_layers=num_layers, batch_first=batch_first, **extra).double()
    x = torch.randn(5, 8, 3, **F64)

    def run():
        layer.zero_grad()
        xx = x.clone().requires_grad_()
        out, fin = layer(xx)
        assert took_fast_path(out) == layer.fast
        fin = fin[1] if kind == "lstm" else fin  # the LSTM: a loss on c_n too
        (out.sin().sum() + fin.pow(2).sum()).backward()
        return [out.detach(), xx.grad] + [p.grad.clone() for p in layer.parameters()]

    fast_result, plain_result = fast_and_plain(layer, run)
    for a, b in zip(fast_result, plain_result):
        torch.testing.assert_close(a, b, **TOL)


@pytest.mark.parametrize("kind", ["gru", "gru-cho", "lstm", "rnn"])
@pytest.mark.parametrize("chunk_floats", [1, 150])
def test_backward_in_chunks_of_steps_equals_the_plain_loop(kind, chunk_floats, monkeypatch):
    """CHUNK_FLOATS small enough that the backward pass works on many chunks of steps (1 step, or
    a few with a shorter last chunk): every gradient still equals the plain loop's."""
    monkeypatch.setattr(_shared, "CHUNK_FLOATS", chunk_floats)
    torch.manual_seed(18)
    cls = LAYERS[kind.removesuffix("-cho")]
    extra = {"reset_after": False} if kind == "gru-cho" else {}
    layer = cls(3, 4, **extra).double()
    x = torch.randn(11, 2, 3, **F64)

    def run():
        layer.zero_grad()
        xx = x.clone().requires_grad_()
        out, fin = layer(xx)
        fin = fin[1] if kind == "lstm" else fin
        (out.cos().sum() + fin.pow(2).sum()).backward()
        return [xx.grad] + [p.grad.clone() for p in layer.parameters()]

    for a, b in zip(*fast_and_plain(layer, run)):
        torch.testing.assert_close(a, b, **TOL)


def _args(kind, bias, gen):
    T, B, I, H = 4, 2, 3, 3
    G = {"gru": 3, "gru-cho": 3, "lstm": 4, "rnn": 1}[kind]
    t = lambda *s: torch.randn(*s, generator=gen, **F64).requires_grad_()
    args = (
        [t(T, B, I), t(B, H)] + ([t(B, H)] if kind == "lstm" else []) + [t(G * H, I), t(G * H, H)]
    )
    args += [t(G * H), t(G * H)] if bias else [None, None]
    return args


@pytest.mark.parametrize("kind", ["gru", "gru-cho", "lstm", "rnn", "rnn-relu"])
@pytest.mark.parametrize("bias", [True, False])
def test_gradcheck_fast_functions(kind, bias):
    """The hand-written backward passes against finite differences, and their double backward."""
    gen = torch.Generator().manual_seed(14)
    args = _args(kind.replace("-relu", ""), bias, gen)
    if kind.startswith("gru"):
        fn = lambda *a: fast.GRUFunction.apply(*a, kind == "gru")[0]
    elif kind == "lstm":
        fn = lambda *a: fast.LSTMFunction.apply(*a)[:2]
    else:
        nonlinearity = "relu" if kind == "rnn-relu" else "tanh"
        fn = lambda *a: fast.RNNFunction.apply(*a, nonlinearity)[0]
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
    """autograd.grad(..., is_grads_batched=True) (chapter 2's Jacobians) works on the fast path."""
    torch.manual_seed(15)
    gru = grubook.GRU(2, 4).double()
    x = torch.randn(6, 1, 2, **F64)
    h0 = torch.zeros(1, 1, 4, **F64, requires_grad=True)
    eye = torch.eye(4, **F64).view(4, 1, 4)

    def jacobian():
        _, h_n = gru(x, h0)
        return torch.autograd.grad(h_n[0], h0, grad_outputs=eye, is_grads_batched=True)[0]

    torch.testing.assert_close(*fast_and_plain(gru, jacobian), **TOL)


def test_torch_func_transforms_use_the_plain_loop():
    torch.manual_seed(16)
    gru = grubook.GRU(2, 3).double()
    x = torch.randn(4, 2, 2, **F64)
    params = {k: v.detach() for k, v in gru.named_parameters()}
    loss = lambda p: torch.func.functional_call(gru, p, (x,))[0].sum()
    grads = torch.func.grad(loss)(params)
    gru(x)[0].sum().backward()
    for name, p in gru.named_parameters():
        torch.testing.assert_close(grads[name], p.grad, **TOL)


def test_one_bias_alone_is_not_for_the_fast_path():
    """The fast Functions take both biases or neither; with one alone, usable() says no."""
    x, h0, w = torch.zeros(5, 2, 3), torch.zeros(2, 4), torch.zeros(12, 4)
    b = torch.zeros(12)
    assert fast.usable(b, b, x, h0, w) and fast.usable(None, None, x, h0, w)
    assert not fast.usable(None, b, x, h0, w) and not fast.usable(b, None, x, h0, w)


# ----- the switch: which path runs ---------------------------------------------------------------
STEPS = {"gru": "gru_step", "lstm": "lstm_step", "rnn": "rnn_step"}


@pytest.mark.parametrize("kind", ["gru", "lstm", "rnn"])
def test_fast_false_runs_the_plain_loop_of_step_functions(kind, monkeypatch):
    """With fast=False (argument or attribute) the fast Function never runs and the step function
    runs once per step and layer; with fast=True it is the other way round."""
    module = getattr(grubook, kind)  # grubook.gru, the module (not the function)
    steps, applied = [], []
    real_step, real_apply = getattr(module, STEPS[kind]), FUNCTIONS[kind].apply

    def counting_step(*args, **kwargs):
        steps.append(1)
        return real_step(*args, **kwargs)

    def counting_apply(*args, **kwargs):
        applied.append(1)
        return real_apply(*args, **kwargs)

    monkeypatch.setattr(module, STEPS[kind], counting_step)
    monkeypatch.setattr(FUNCTIONS[kind], "apply", counting_apply)
    x = torch.randn(6, 2, 3)

    plain = LAYERS[kind](3, 4, num_layers=2, fast=False)
    assert plain.fast is False and "fast=False" in repr(plain)
    out = plain(x)[0]
    out.sum().backward()
    assert (len(steps), len(applied)) == (2 * 6, 0)
    assert not took_fast_path(out)

    steps.clear()
    layer = LAYERS[kind](3, 4, num_layers=2)  # default: fast
    layer.load_state_dict(plain.state_dict())
    out_fast = layer(x)[0]
    out_fast.sum().backward()
    assert (len(steps), len(applied)) == (0, 2)
    torch.testing.assert_close(out_fast, out)

    layer.fast = False  # the attribute is the switch
    layer(x)
    assert (len(steps), len(applied)) == (2 * 6, 2)


def test_sequence_model_passes_fast_to_its_layer():
    assert SequenceModel("gru", 2, 4, 1).rnn.fast is True
    model = SequenceModel("lstm", 2, 4, 1, fast=False)
    assert model.rnn.fast is False
    assert not took_fast_path(model.rnn(torch.randn(3, 5, 2))[0])


# ----- the step function is what runs -------------------------------------------------------------
def test_editing_gru_step_changes_the_cell_and_the_recorded_layer(monkeypatch):
    """Replace grubook.gru.gru_step by a different rule: GRUCell, GRUCell.step and
    GRU(..., return_gates=True) all follow it, so the step function is literally what they run."""
    real_step = grubook.gru.gru_step

    def keep_half(x, h, *args, **kwargs):  # the real gates, but h_t = h~_t / 2 + h_{t-1} / 2
        _, gates = real_step(x, h, *args, **kwargs)
        gates.update = torch.full_like(gates.update, 0.5)
        return 0.5 * gates.candidate + 0.5 * h, gates

    torch.manual_seed(19)
    layer, cell = layer_and_cell("gru", True)
    x = torch.randn(4, 2, 3, **F64)
    expected_out, expected_h = layer(x)  # before the edit

    monkeypatch.setattr(grubook.gru, "gru_step", keep_half)
    out, h_n, gates = layer(x, return_gates=True)
    assert (gates.update == 0.5).all()
    h, outs = torch.zeros(2, 5, **F64), []
    for t in range(4):
        h_prev = h
        h, g = cell.step(x[t], h_prev)
        assert (g.update == 0.5).all()
        torch.testing.assert_close(h, 0.5 * g.candidate + 0.5 * h_prev, **TOL)
        torch.testing.assert_close(cell(x[t], h_prev), h, **TOL)  # forward too
        outs.append(h)
    torch.testing.assert_close(out, torch.stack(outs), **TOL)
    torch.testing.assert_close(h_n[0], h, **TOL)
    assert not torch.allclose(out, expected_out)
    # the fast path is separate code: it still computes the real GRU
    torch.testing.assert_close(layer(x)[0], expected_out, **TOL)
    torch.testing.assert_close(layer(x)[1], expected_h, **TOL)


@pytest.mark.parametrize("kind", ["lstm", "rnn"])
def test_editing_the_step_function_changes_the_cell_and_the_plain_loop(kind, monkeypatch):
    module = getattr(grubook, kind)
    real_step = getattr(module, STEPS[kind])

    def doubled(*args, **kwargs):  # every state the real step returns, times two
        result = real_step(*args, **kwargs)
        if kind == "rnn":
            return 2 * result
        (h, c), gates = result
        return (2 * h, 2 * c), gates

    torch.manual_seed(20)
    layer, cell = layer_and_cell(kind, True)
    x = torch.randn(1, 2, 3, **F64)  # one step, from zeros: the edit doubles the output
    expected = layer(x)[0]
    monkeypatch.setattr(module, STEPS[kind], doubled)
    cell_out = cell(x[0])
    torch.testing.assert_close(cell_out[0] if kind == "lstm" else cell_out, 2 * expected[0], **TOL)
    layer.fast = False
    torch.testing.assert_close(layer(x)[0], 2 * expected, **TOL)
    if kind == "lstm":
        torch.testing.assert_close(layer(x, return_gates=True)[0], 2 * expected, **TOL)
