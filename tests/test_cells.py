"""grubook's from-scratch cells and layers against torch.nn: outputs, final states and gradients.

The layers run two ways: the readable loop of step functions (``fast=False``, what every gate
picture runs) and torch's fused kernel (``fast=True``, what training runs). Both are compared with
``torch.nn``, with each other, and the switch is checked to pick the path it says."""

from __future__ import annotations

import itertools

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import grubook

TOL = {
    torch.float64: {"rtol": 1e-10, "atol": 1e-10},
    torch.float32: {"rtol": 1e-5, "atol": 1e-5},
}
PAIRS = {
    "rnn": (grubook.RNN, torch.nn.RNN),
    "gru": (grubook.GRU, torch.nn.GRU),
    "lstm": (grubook.LSTM, torch.nn.LSTM),
}
CELL_PAIRS = {
    "rnn": (grubook.RNNCell, torch.nn.RNNCell),
    "gru": (grubook.GRUCell, torch.nn.GRUCell),
    "lstm": (grubook.LSTMCell, torch.nn.LSTMCell),
}


def make_pair(kind, dtype, fast=True, **kwargs):
    ours_cls, ref_cls = PAIRS[kind]
    ref = ref_cls(**kwargs).to(dtype)
    ours = ours_cls(**kwargs, fast=fast).to(dtype)
    ours.load_state_dict(ref.state_dict())  # same names and shapes, so this must load strictly
    return ours, ref


def initial_state(kind, num_layers, batch, hidden, dtype, gen):
    if kind == "lstm":
        return tuple(
            torch.randn(num_layers, batch, hidden, dtype=dtype, generator=gen) for _ in range(2)
        )
    return torch.randn(num_layers, batch, hidden, dtype=dtype, generator=gen)


def assert_close(a, b, dtype):
    if isinstance(a, tuple):
        for x, y in zip(a, b):
            assert_close(x, y, dtype)
        return
    torch.testing.assert_close(a, b, **TOL[dtype])


CASES = list(
    itertools.product(
        ["rnn", "gru", "lstm"],
        [torch.float64, torch.float32],
        [1, 2],  # num_layers
        [False, True],  # batch_first
        [False, True],  # given initial state
        [1, 7],  # sequence length
        [False, True],  # fast: torch's kernel, or the readable loop
    )
)


@pytest.mark.parametrize("kind,dtype,num_layers,batch_first,given_state,time,fast", CASES)
def test_layer_equals_torch_nn(kind, dtype, num_layers, batch_first, given_state, time, fast):
    gen = torch.Generator().manual_seed(
        hash((kind, num_layers, batch_first, given_state, time)) % 2**31
    )
    input_size, hidden, batch = (int(v) for v in torch.randint(1, 9, (3,), generator=gen))
    torch.manual_seed(int(torch.randint(0, 2**31 - 1, (1,), generator=gen)))
    ours, ref = make_pair(
        kind,
        dtype,
        fast,
        input_size=input_size,
        hidden_size=hidden,
        num_layers=num_layers,
        batch_first=batch_first,
    )
    shape = (batch, time, input_size) if batch_first else (time, batch, input_size)
    x = torch.randn(*shape, dtype=dtype, generator=gen)
    state = initial_state(kind, num_layers, batch, hidden, dtype, gen) if given_state else None

    xa = x.clone().requires_grad_(True)
    xb = x.clone().requires_grad_(True)
    out_a, fin_a = ours(xa, state)
    out_b, fin_b = ref(xb, state)
    assert out_a.shape == out_b.shape
    assert_close(out_a, out_b, dtype)
    assert_close(fin_a, fin_b, dtype)

    # gradients of every parameter and of the input, through outputs and final states
    weights = torch.randn(out_a.shape, dtype=dtype, generator=gen)
    fa = fin_a[0] if kind == "lstm" else fin_a
    fb = fin_b[0] if kind == "lstm" else fin_b
    ((out_a * weights).sum() + fa.pow(2).sum()).backward()
    ((out_b * weights).sum() + fb.pow(2).sum()).backward()
    assert_close(xa.grad, xb.grad, dtype)
    ref_params = dict(ref.named_parameters())
    for name, p in ours.named_parameters():
        assert p.grad is not None, name
        assert_close(p.grad, ref_params[name].grad, dtype)


@pytest.mark.parametrize("fast", [False, True])
@pytest.mark.parametrize("kind", ["rnn", "gru", "lstm"])
def test_no_bias_and_unbatched_input(kind, fast):
    ours, ref = make_pair(
        kind, torch.float64, fast, input_size=3, hidden_size=4, num_layers=2, bias=False
    )
    assert not any("bias" in n for n, _ in ours.named_parameters())
    x = torch.randn(5, 3, dtype=torch.float64)  # one sequence, no batch dimension
    out_a, fin_a = ours(x)
    out_b, fin_b = ref(x)
    assert out_a.shape == (5, 4)
    assert_close(out_a, out_b, torch.float64)
    assert_close(fin_a, fin_b, torch.float64)


@pytest.mark.parametrize("kind", ["rnn", "gru", "lstm"])
def test_state_dict_round_trip_both_ways(kind):
    ours, ref = make_pair(kind, torch.float32, input_size=2, hidden_size=3, num_layers=2)
    assert list(ours.state_dict()) == list(ref.state_dict())
    fresh_ref = PAIRS[kind][1](input_size=2, hidden_size=3, num_layers=2)
    fresh_ref.load_state_dict(ours.state_dict())
    x = torch.randn(4, 2, 2)
    assert_close(fresh_ref(x)[0], ref(x)[0], torch.float32)


@pytest.mark.parametrize("fast", [False, True])
def test_rnn_relu_matches_torch(fast):
    ours, ref = make_pair(
        "rnn", torch.float64, fast, input_size=3, hidden_size=5, nonlinearity="relu"
    )
    x = torch.randn(6, 2, 3, dtype=torch.float64)
    assert_close(ours(x), ref(x), torch.float64)


def test_dropout_between_layers_is_applied_only_in_training():
    torch.manual_seed(0)
    ours, ref = make_pair(
        "gru", torch.float64, input_size=3, hidden_size=16, num_layers=2, dropout=0.5
    )
    x = torch.randn(5, 4, 3, dtype=torch.float64)
    ours.eval(), ref.eval()
    assert_close(ours(x)[0], ref(x)[0], torch.float64)  # eval: no dropout, equal to torch
    ours.train()
    a, b = ours(x)[0], ours(x)[0]
    assert not torch.allclose(a, b)  # training: a different dropout mask each call


# ----- torch's kernel against the readable loop, and the switch between them ---------------------
KERNELS = {"rnn": "rnn_tanh", "gru": "gru", "lstm": "lstm"}


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("kind", ["rnn", "gru", "lstm"])
def test_kernel_equals_the_readable_loop(kind, bias):
    """The same layer run both ways: outputs, final states and every gradient agree (float64)."""
    torch.manual_seed(7)
    layer = PAIRS[kind][0](3, 5, num_layers=2, bias=bias, batch_first=True).double()
    x = torch.randn(4, 9, 3, dtype=torch.float64)
    results = []
    for fast in (True, False):
        layer.fast = fast
        layer.zero_grad()
        xg = x.clone().requires_grad_(True)
        out, final = layer(xg)
        h_n = final[0] if kind == "lstm" else final
        (out.sin().sum() + h_n.pow(2).sum()).backward()
        grads = [p.grad.clone() for p in layer.parameters()]
        results.append((out, final, xg.grad, grads))
    (out_a, fin_a, gx_a, gp_a), (out_b, fin_b, gx_b, gp_b) = results
    assert_close(out_a, out_b, torch.float64)
    assert_close(fin_a, fin_b, torch.float64)
    assert_close(gx_a, gx_b, torch.float64)
    for a, b in zip(gp_a, gp_b):
        assert_close(a, b, torch.float64)


@pytest.mark.parametrize("kind", ["rnn", "gru", "lstm"])
def test_the_switch_picks_the_path(kind, monkeypatch):
    """fast=True calls torch's kernel; fast=False, recorded gates, forced gates and the Cho
    placement run the readable loop (they compute what the kernel cannot)."""
    calls = []
    name = KERNELS[kind]
    kernel = getattr(torch, name)
    monkeypatch.setattr(torch, name, lambda *a: calls.append(1) or kernel(*a))
    layer = PAIRS[kind][0](2, 3)
    x = torch.randn(4, 1, 2)
    layer(x)
    assert calls == [1]
    layer.fast = False
    layer(x)
    assert calls == [1]
    if kind == "rnn":
        return
    layer.fast = True
    layer(x, return_gates=True)
    assert calls == [1]
    if kind == "gru":
        grubook.GRU(2, 3, reset_after=False)(x)
        layer.gate_hooks = {0: lambda z, r: (torch.ones_like(z), r)}
        out = layer(x)[0]
        assert calls == [1] and torch.allclose(out, torch.zeros_like(out))  # z = 1 keeps h0 = 0


# ----- readable cells against torch.nn cells ------------------------------------------------------
@pytest.mark.parametrize("kind", ["rnn", "gru", "lstm"])
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_cell_equals_torch_cell(kind, dtype):
    torch.manual_seed(1)
    ours_cls, ref_cls = CELL_PAIRS[kind]
    ref = ref_cls(4, 6).to(dtype)
    ours = ours_cls(4, 6).to(dtype)
    ours.load_state_dict(ref.state_dict())
    x = torch.randn(3, 4, dtype=dtype)
    if kind == "lstm":
        state = (torch.randn(3, 6, dtype=dtype), torch.randn(3, 6, dtype=dtype))
    else:
        state = torch.randn(3, 6, dtype=dtype)
    assert_close(ours(x, state), ref(x, state), dtype)
    assert_close(ours(x), ref(x), dtype)  # default zero state


@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_layer_equals_stepping_the_readable_cell(reset_after):
    torch.manual_seed(2)
    layer = grubook.GRU(3, 5, reset_after=reset_after).double()
    cell = grubook.GRUCell(3, 5, reset_after=reset_after).double()
    cell.load_state_dict({k[:-3]: v for k, v in layer.state_dict().items()})
    x = torch.randn(8, 4, 3, dtype=torch.float64)
    out, h_n, gates = layer(x, return_gates=True)
    h = None
    for t in range(8):
        h, g = cell.step(x[t], h)
        assert_close(out[t], h, torch.float64)
        assert_close(gates.update[0, :, t], g.update, torch.float64)
        assert_close(gates.reset[0, :, t], g.reset, torch.float64)
        assert_close(gates.candidate[0, :, t], g.candidate, torch.float64)
    assert_close(h_n[0], h, torch.float64)


def test_lstm_layer_equals_stepping_the_readable_cell():
    torch.manual_seed(3)
    layer = grubook.LSTM(3, 5).double()
    cell = grubook.LSTMCell(3, 5).double()
    cell.load_state_dict({k[:-3]: v for k, v in layer.state_dict().items()})
    x = torch.randn(6, 2, 3, dtype=torch.float64)
    out, (h_n, c_n), gates = layer(x, return_gates=True)
    state = None
    for t in range(6):
        state, g = cell.step(x[t], state)
        assert_close(out[t], state[0], torch.float64)
        for name in ("input", "forget", "cell", "output"):
            assert_close(getattr(gates, name)[0, :, t], getattr(g, name), torch.float64)
    assert_close((h_n[0], c_n[0]), state, torch.float64)


def test_cho_reset_placement_is_a_different_function():
    torch.manual_seed(4)
    torch_style = grubook.GRU(3, 5).double()
    cho = grubook.GRU(3, 5, reset_after=False).double()
    cho.load_state_dict(torch_style.state_dict())
    x = torch.randn(6, 2, 3, dtype=torch.float64)
    assert not torch.allclose(torch_style(x)[0], cho(x)[0])
    # ... yet identical when the reset gate is forced fully open and b_hn = 0:
    # then r (U h) = U (r h)
    with torch.no_grad():
        for m in (torch_style, cho):
            m.bias_hh_l0[10:].zero_()  # b_hn
            m.bias_ih_l0[:5].fill_(50.0)  # r -> 1
    assert_close(torch_style(x)[0], cho(x)[0], torch.float64)


def test_gates_shapes_multi_layer_batch_first():
    layer = grubook.GRU(3, 4, num_layers=2, batch_first=True)
    out, h_n, gates = layer(torch.randn(5, 7, 3), return_gates=True)
    assert out.shape == (5, 7, 4) and h_n.shape == (2, 5, 4)
    for g in (gates.update, gates.reset, gates.candidate):
        assert g.shape == (2, 5, 7, 4)
    # the second layer's gates are driven by the first layer's outputs, not its inputs
    assert not torch.allclose(gates.update[0], gates.update[1])
    lstm = grubook.LSTM(3, 4, num_layers=2)
    _, _, lg = lstm(torch.randn(7, 5, 3), return_gates=True)
    assert lg.forget.shape == (2, 5, 7, 4)


# ----- gradcheck ----------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["rnn", "gru", "lstm"])
def test_gradcheck_cells(kind):
    torch.manual_seed(5)
    cell = CELL_PAIRS[kind][0](3, 4).double()
    x = torch.randn(2, 3, dtype=torch.float64, requires_grad=True)
    h = torch.randn(2, 4, dtype=torch.float64, requires_grad=True)
    if kind == "lstm":
        c = torch.randn(2, 4, dtype=torch.float64, requires_grad=True)
        assert torch.autograd.gradcheck(lambda x, h, c: cell(x, (h, c)), (x, h, c))
    else:
        assert torch.autograd.gradcheck(cell, (x, h))

    # and with respect to every parameter
    names = [n for n, _ in cell.named_parameters()]
    state = (h.detach(), c.detach()) if kind == "lstm" else h.detach()

    def by_params(*values):
        out = torch.func.functional_call(cell, dict(zip(names, values)), (x.detach(), state))
        return torch.cat(out) if kind == "lstm" else out  # the LSTM returns (h, c): check both

    assert torch.autograd.gradcheck(
        by_params, tuple(p.detach().requires_grad_(True) for p in cell.parameters())
    )


@pytest.mark.parametrize("reset_after", [True, False])
def test_gradcheck_gru_layer(reset_after):
    torch.manual_seed(6)
    layer = grubook.GRU(2, 3, num_layers=2, reset_after=reset_after).double()
    x = torch.randn(4, 2, 2, dtype=torch.float64, requires_grad=True)
    h0 = torch.randn(2, 2, 3, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda x, h: layer(x, h)[0], (x, h0))


# ----- properties ---------------------------------------------------------------------------------
@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    hidden=st.integers(1, 8),
    time=st.integers(1, 12),
    scale=st.floats(0.1, 20.0),
)
def test_gates_in_unit_interval_and_state_stays_in_minus_one_one(seed, hidden, time, scale):
    gen = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    gru = grubook.GRU(3, hidden).double()
    with torch.no_grad():
        for p in gru.parameters():
            p.mul_(scale)  # large weights push the gates to saturation: the bounds must still hold
    x = scale * torch.randn(time, 2, 3, dtype=torch.float64, generator=gen)
    h0 = torch.rand(1, 2, hidden, dtype=torch.float64, generator=gen) * 2 - 1  # in [-1, 1]
    out, h_n, g = gru(x, h0, return_gates=True)
    assert ((g.update >= 0) & (g.update <= 1)).all() and ((g.reset >= 0) & (g.reset <= 1)).all()
    assert ((g.candidate >= -1) & (g.candidate <= 1)).all()
    assert (out.abs() <= 1).all() and (h_n.abs() <= 1).all()


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), time=st.integers(1, 10))
def test_lstm_gates_in_unit_interval(seed, time):
    torch.manual_seed(seed)
    lstm = grubook.LSTM(2, 3).double()
    _, _, g = lstm(torch.randn(time, 2, 2, dtype=torch.float64) * 5, return_gates=True)
    for t in (g.input, g.forget, g.output):
        assert ((t >= 0) & (t <= 1)).all()
    assert (g.cell.abs() <= 1).all()


def test_count_parameters_gate_ratio():
    gru, lstm, rnn = grubook.GRU(5, 16), grubook.LSTM(5, 16), grubook.RNN(5, 16)
    assert grubook.count_parameters(gru) == 3 * (16 * 5 + 16 * 16 + 2 * 16)
    assert grubook.count_parameters(lstm) * 3 == grubook.count_parameters(gru) * 4
    assert grubook.count_parameters(rnn) * 3 == grubook.count_parameters(gru)
