"""Chapter 5 views: the data functions run the real model, and the static figure's steps equal
them."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from grubook.sliders import KERNEL_NOTE, step_data  # noqa: E402
from grubook.tasks import addition as A  # noqa: E402
from grubook.views import addition as V  # noqa: E402


@pytest.fixture(scope="module")
def model():
    return A.make_model(
        "gru", hidden_size=6, seed=0
    )  # untrained: the views must be exact, not right


@pytest.fixture(scope="module")
def corr(model):
    return V.carry_correlations(model, bits=8, n=100)


def test_encoding_table_three_plus_one():
    table = V.encoding_table(3, 1)
    assert list(table.columns) == ["t = 0", "t = 1", "t = 2"]
    assert table.loc["a_t"].tolist() == [1, 1, 0]
    assert table.loc["b_t"].tolist() == [1, 0, 0]
    assert table.loc["carry in"].tolist() == [0, 1, 1]
    assert table.loc["column sum"].tolist() == [2, 2, 1]
    assert table.loc["s_t (target)"].tolist() == [0, 0, 1]
    assert table.loc["carry out"].tolist() == [1, 1, 0]


def test_gate_trace_bits_carries_and_gates(model):
    d = V.gate_trace(model, 173, 95, bits=8)
    assert d["sum"] == 268 and d["step"].tolist() == list(range(9))
    assert A.decode(torch.tensor(d["a_bits"][None, :8])) == [173]
    assert A.decode(torch.tensor(d["sum_bits"][None])) == [268]
    assert d["carry_in"][0] == 0 and (d["carry_in"][1:] == d["carry_out"][:-1]).all()
    col = d["a_bits"] + d["b_bits"] + d["carry_in"]
    assert ((col >= 2).astype(int) == d["carry_out"]).all() and ((col % 2) == d["sum_bits"]).all()
    # the gates are the model's own, from SequenceModel(x, return_gates=True)
    x, _ = A.encode(173, 95, 8)
    with torch.no_grad():
        logits, gates = model(x, return_gates=True)
    np.testing.assert_allclose(d["z"], gates.update[0, 0].numpy())
    np.testing.assert_allclose(d["r"], gates.reset[0, 0].numpy())
    assert d["z"].shape == (9, 6)
    assert d["pred_bits"].tolist() == (logits[0, :, 0] > 0).long().tolist()
    assert d["pred"] == A.add_with_model(model, 173, 95, 8)
    assert d["correct"] == (d["pred"] == 268)


def test_static_gate_figure_steps_equal_the_data_function(model, corr):
    pairs = [(173, 95), (3, 1), (255, 1)]
    fig = V.static_gate_figure(model, pairs, bits=8, corr=corr)
    steps = fig.layout.sliders[0].steps
    assert [s.label for s in steps] == ["173 + 95", "3 + 1", "255 + 1"]
    setup = V.view_setup(corr)
    z_order, r_order = setup["z_order"], setup["r_order"]
    z_unit, r_unit = setup["z_unit"], setup["r_unit"]
    assert abs(corr["z"]["carry_in"][z_order[0]]) == np.abs(corr["z"]["carry_in"]).max()
    assert abs(corr["r"]["carry_in"][r_order[0]]) == np.abs(corr["r"]["carry_in"]).max()
    assert z_unit == z_order[0] and r_unit == r_order[0]
    for i, (a, b) in enumerate(pairs):
        d = V.gate_trace(model, a, b, bits=8)
        data = step_data(fig, i)
        bits_rows = np.stack(
            [d["a_bits"], d["b_bits"], d["carry_in"], d["sum_bits"], d["pred_bits"]]
        )
        np.testing.assert_array_equal(np.array(data["z"][0]), bits_rows)
        np.testing.assert_allclose(np.array(data["z"][1]), d["z"][:, z_order].T, rtol=1e-6)
        np.testing.assert_allclose(np.array(data["z"][2]), d["r"][:, r_order].T, rtol=1e-6)
        np.testing.assert_array_equal(np.array(data["y"][3]), d["carry_in"])
        np.testing.assert_allclose(np.array(data["y"][4]), d["z"][:, z_unit], rtol=1e-6)
        np.testing.assert_allclose(np.array(data["y"][5]), d["r"][:, r_unit], rtol=1e-6)
        assert steps[i].args[1]["title"]["text"].startswith(f"{a} + {b} = {a + b}")
    # the figure opens on the first sum
    np.testing.assert_allclose(
        np.array(fig.data[1].z), V.gate_trace(model, 173, 95)["z"][:, z_order].T, rtol=1e-6
    )


def test_carry_correlations_against_numpy(model, corr):
    assert set(corr) == {"z", "r", "h", "best", "probe"}
    gen = torch.Generator().manual_seed(7)
    a_bits, b_bits = A.random_operands(100, 8, gen)
    x, _ = A.encode_bits(a_bits, b_bits)
    _, carry_out = A.add_bits(a_bits, b_bits)
    carry_in = torch.cat([torch.zeros(100, 1, dtype=torch.long), carry_out[:, :-1]], dim=1)
    with torch.no_grad():
        _, gates = model(x, return_gates=True)
    z = gates.update[0].reshape(-1, 6).numpy()
    for unit in range(6):
        expected = np.corrcoef(z[:, unit], carry_in.reshape(-1).numpy())[0, 1]
        assert corr["z"]["carry_in"][unit] == pytest.approx(expected, abs=1e-6)
    unit, c = corr["best"][("z", "carry_in")]
    assert abs(c) == pytest.approx(np.abs(corr["z"]["carry_in"]).max())
    assert all(0.0 <= p <= 1.0 for p in corr["probe"].values())
    assert ("x", "carry_in") in corr["probe"]


def test_carry_correlations_from_step(model):
    later = V.carry_correlations(model, bits=8, n=100, from_step=1)
    gen = torch.Generator().manual_seed(7)
    a_bits, b_bits = A.random_operands(100, 8, gen)
    x, _ = A.encode_bits(a_bits, b_bits)
    _, carry_out = A.add_bits(a_bits, b_bits)
    with torch.no_grad():
        _, gates = model(x, return_gates=True)
    r = gates.reset[0][:, 1:].reshape(-1, 6).numpy()
    expected = np.corrcoef(r[:, 2], carry_out[:, 1:].reshape(-1).numpy())[0, 1]
    assert later["r"]["carry_out"][2] == pytest.approx(expected, abs=1e-6)
    with pytest.raises(ValueError, match="from_step"):
        V.carry_correlations(model, bits=8, n=10, from_step=9 + 1)


def test_linear_probe_reads_a_linear_target_perfectly():
    feats = torch.rand(40, 5, 3)
    target = (feats[..., 0] > 0.5).long()
    feats_with_target = torch.cat([feats, target[..., None].float()], dim=-1)
    assert V._linear_probe(feats_with_target, target) == 1.0


def test_sums_table_and_adder(model):
    table = V.sums_table({"m": model}, [(3, 1), (2**64 - 1, 1)], labels=["3 + 1", "big"])
    assert list(table.columns) == ["sum", "bits", "true sum", "m"]
    assert table["sum"].tolist() == ["3 + 1", "big"]
    assert table["true sum"].tolist() == ["4", f"{2**64:,}"]
    assert table["bits"].tolist() == [8, 64]
    for (a, b), mark in zip([(3, 1), (2**64 - 1, 1)], table["m"]):
        answer = A.add_with_model(model, a, b, max(8, a.bit_length()))
        assert mark.startswith("✓" if answer == a + b else "✗ bits ")

    class AlwaysZero(torch.nn.Module):
        def forward(self, x):
            return -torch.ones(*x.shape[:2], 1)

    table = V.sums_table({"zero": AlwaysZero()}, [(3, 1), (5, 0), (0, 0)])
    assert table["sum"].tolist() == ["3 + 1", "5 + 0", "0 + 0"]
    assert table["zero"].tolist() == ["✗ bits 2", "✗ bits 0, 2", "✓"]
    assert V._ranges([3, 4, 5, 9, 11, 12]) == "3-5, 9, 11-12"
    with pytest.raises(ValueError, match="labels must name every pair"):
        V.sums_table({"m": model}, [(1, 2)], labels=["a", "b"])
    assert "padding" in V.styled(table).to_html()
    assert "overflow-wrap" in V.styled(table, wrap=["true sum"]).to_html()
    d = V.adder_answer(model, 12345, 67890)
    assert d["bits"] == 17 and d["sum"] == 80235 and int(d["sum_bin"], 2) == 80235
    assert int(d["pred_bin"], 2) == d["pred"] and d["correct"] == (d["pred"] == 80235)


def test_live_views_build_and_carry_the_kernel_note(model, corr):
    gate_view = V.live_gate_view(model, bits=8, corr=corr)
    assert KERNEL_NOTE in gate_view.children[-1].value
    sliders = gate_view.children[0].children
    assert sliders[0].max == 255 and sliders[1].max == 255
    adder = V.live_adder(model)
    assert V.ADDER_NOTE in adder.children[-1].value
    fig = V.draw_gate_trace(V.gate_trace(model, 3, 1), V.view_setup(corr))
    assert len(fig.axes) >= 4


def test_gate_view_needs_a_gru():
    with pytest.raises(ValueError, match="cell='gru'"):
        V.gate_trace(A.make_model("rnn", 4), 1, 2)


def test_training_figures_draw():
    heldout = A.heldout_set(30, 3, seed=0)
    run = A.train_addition("gru", hidden_size=4, bits=3, max_steps=30, heldout=heldout, stop=False)
    fig = V.learning_curve_figure(run)
    assert len(fig.axes) == 2
    fig = V.comparison_figure({"gru": [run], "lstm": [run]})
    assert len(fig.axes) == 2
