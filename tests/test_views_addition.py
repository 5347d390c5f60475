"""Chapter 5 views: the data functions run the real model; every step of a static figure, and the
live views after every move, equal the one figure function."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from test_views_gates import assert_steps_are_the_figure

from grubook import sliders, views
from grubook.tasks import addition


@pytest.fixture(scope="module")
def model():
    return addition.make_model(
        "gru", hidden_size=6, seed=0
    )  # untrained: the views must be exact, not right


@pytest.fixture(scope="module")
def corr(model):
    return views.addition.carry_correlations(model, bits=8, n=100)


def test_encoding_table_three_plus_one():
    table = views.addition.encoding_table(3, 1)
    assert list(table.columns) == ["t = 0", "t = 1", "t = 2"]
    assert table.loc["a_t"].tolist() == [1, 1, 0]
    assert table.loc["b_t"].tolist() == [1, 0, 0]
    assert table.loc["carry in"].tolist() == [0, 1, 1]
    assert table.loc["column sum"].tolist() == [2, 2, 1]
    assert table.loc["s_t (target)"].tolist() == [0, 0, 1]
    assert table.loc["carry out"].tolist() == [1, 1, 0]


def test_gate_trace_bits_carries_and_gates(model):
    d = views.addition.gate_trace(model, 173, 95, bits=8)
    assert d["sum"] == 268 and d["step"].tolist() == list(range(9))
    assert addition.decode(torch.tensor(d["a_bits"][None, :8])) == [173]
    assert addition.decode(torch.tensor(d["sum_bits"][None])) == [268]
    assert d["carry_in"][0] == 0 and (d["carry_in"][1:] == d["carry_out"][:-1]).all()
    col = d["a_bits"] + d["b_bits"] + d["carry_in"]
    assert ((col >= 2).astype(int) == d["carry_out"]).all() and ((col % 2) == d["sum_bits"]).all()
    # the gates are the model's own, from SequenceModel(x, return_gates=True)
    x, _ = addition.encode(173, 95, 8)
    with torch.no_grad():
        logits, gates = model(x, return_gates=True)
    np.testing.assert_allclose(d["z"], gates.update[0, 0].numpy())
    np.testing.assert_allclose(d["r"], gates.reset[0, 0].numpy())
    assert d["z"].shape == (9, 6)
    assert d["pred_bits"].tolist() == (logits[0, :, 0] > 0).long().tolist()
    assert d["pred"] == addition.add_with_model(model, 173, 95, 8)
    assert d["correct"] == (d["pred"] == 268)


def test_gate_figure_shows_the_data_function(model, corr):
    fig = views.addition.gate_figure(model, a=173, b=95, bits=8, corr=corr)
    d = views.addition.gate_trace(model, 173, 95, bits=8)
    setup = views.addition.view_setup(corr)
    z_order, r_order = setup["z_order"], setup["r_order"]
    z_unit, r_unit = setup["z_unit"], setup["r_unit"]
    assert abs(corr["z"]["carry_in"][z_order[0]]) == np.abs(corr["z"]["carry_in"]).max()
    assert abs(corr["r"]["carry_in"][r_order[0]]) == np.abs(corr["r"]["carry_in"]).max()
    assert z_unit == z_order[0] and r_unit == r_order[0]
    bits_rows = np.stack([d["a_bits"], d["b_bits"], d["carry_in"], d["sum_bits"], d["pred_bits"]])
    np.testing.assert_array_equal(np.array(fig.data[0].z), bits_rows)
    np.testing.assert_allclose(np.array(fig.data[1].z), d["z"][:, z_order].T, rtol=1e-6)
    np.testing.assert_allclose(np.array(fig.data[2].z), d["r"][:, r_order].T, rtol=1e-6)
    np.testing.assert_array_equal(np.array(fig.data[3].y), d["carry_in"])
    np.testing.assert_allclose(np.array(fig.data[4].y), d["z"][:, z_unit], rtol=1e-6)
    np.testing.assert_allclose(np.array(fig.data[5].y), d["r"][:, r_unit], rtol=1e-6)
    assert fig.layout.title.text.startswith("173 + 95 = 268<br>the GRU says ")
    # z_t and r_t keep their colours in the heat maps too
    from grubook.plotting import GATE_SCALES

    assert [list(c) for c in fig.data[1].colorscale][-1][1] == GATE_SCALES["update"][-1][1]
    assert [list(c) for c in fig.data[2].colorscale][-1][1] == GATE_SCALES["reset"][-1][1]
    with pytest.raises(ValueError, match="non-negative integer"):
        views.addition.gate_figure(model, a=-1, b=2, corr=corr)


def test_static_gate_figure_steps_equal_the_figure_function(model, corr):
    pairs = [(173, 95), (3, 1), (255, 1)]
    fig = views.addition.static_gate_figure(model, pairs, bits=8, corr=corr)
    assert fig.layout.sliders[0].active == 0  # the figure opens on the first sum
    assert_steps_are_the_figure(
        fig,
        pairs,
        lambda p: views.addition.gate_figure(model, *p, bits=8, corr=corr),
        ["173 + 95", "3 + 1", "255 + 1"],
    )


def test_static_adder_figure_each_sum_at_its_own_width(model, corr):
    pairs = [(3, 1), (2**64 - 1, 1), (2**99 + 7, 2**98 + 9)]
    fig = views.addition.static_adder_figure(model, pairs, labels=["small", "64", "100"], corr=corr)
    shown = assert_steps_are_the_figure(
        fig,
        pairs,
        lambda p: views.addition.gate_figure(model, *p, bits=None, corr=corr),
        ["small", "64", "100"],
    )
    for (a, b), step in zip(pairs, shown):
        assert len(step["data"][0]["x"]) == max(8, a.bit_length(), b.bit_length()) + 1


def test_carry_correlations_against_numpy(model, corr):
    assert set(corr) == {"z", "r", "h", "best", "probe"}
    gen = torch.Generator().manual_seed(7)
    a_bits, b_bits = addition.random_operands(100, 8, gen)
    x, _ = addition.encode_bits(a_bits, b_bits)
    _, carry_out = addition.add_bits(a_bits, b_bits)
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
    later = views.addition.carry_correlations(model, bits=8, n=100, from_step=1)
    gen = torch.Generator().manual_seed(7)
    a_bits, b_bits = addition.random_operands(100, 8, gen)
    x, _ = addition.encode_bits(a_bits, b_bits)
    _, carry_out = addition.add_bits(a_bits, b_bits)
    with torch.no_grad():
        _, gates = model(x, return_gates=True)
    r = gates.reset[0][:, 1:].reshape(-1, 6).numpy()
    expected = np.corrcoef(r[:, 2], carry_out[:, 1:].reshape(-1).numpy())[0, 1]
    assert later["r"]["carry_out"][2] == pytest.approx(expected, abs=1e-6)
    with pytest.raises(ValueError, match="from_step"):
        views.addition.carry_correlations(model, bits=8, n=10, from_step=9 + 1)


def test_carry_correlations_previous_column_baseline(model, corr):
    # the previous column's bits decide the carry in unless they hold exactly one 1: a read-out of
    # them beats one of this column's bits, which say nothing about the carry in
    assert corr["probe"][("x_prev", "carry_in")] > corr["probe"][("x", "carry_in")] + 0.1
    gen = torch.Generator().manual_seed(7)
    a_bits, b_bits = addition.random_operands(100, 8, gen)
    x, _ = addition.encode_bits(a_bits, b_bits)
    _, carry_out = addition.add_bits(a_bits, b_bits)
    carry_in = torch.cat([torch.zeros(100, 1, dtype=torch.long), carry_out[:, :-1]], dim=1)
    x_prev = torch.cat([torch.zeros(100, 1, 2), x[:, :-1]], dim=1)
    expected = views.addition._linear_probe(x_prev, carry_in)
    assert corr["probe"][("x_prev", "carry_in")] == pytest.approx(expected)


def test_probe_table_sets_trained_beside_untrained(model, corr):
    other = views.addition.carry_correlations(
        addition.make_model("gru", hidden_size=6, seed=1), bits=8, n=100
    )
    table = views.addition.probe_table(corr, other)
    assert table["read from"].tolist() == ["z_t", "r_t", "h_t", "a_t, b_t", "a_t-1, b_t-1"]
    unit, c = corr["best"][("z", "carry_in")]
    assert table.loc[0, "best unit, trained"] == f"unit {unit + 1} ({c:+.2f})"
    unit, c = other["best"][("r", "carry_in")]
    assert table.loc[1, "best unit, untrained"] == f"unit {unit + 1} ({c:+.2f})"
    assert table.loc[4, "read-out, trained"] == views.addition.share(
        corr["probe"][("x_prev", "carry_in")]
    )
    out = views.addition.probe_table(corr, other, carry="carry_out")
    assert out.loc[2, "read-out, untrained"] == views.addition.share(
        other["probe"][("h", "carry_out")]
    )
    with pytest.raises(ValueError, match="carry must be"):
        views.addition.probe_table(corr, other, carry="carry")


# ----- words: every branch of the sentence fragments the chapter glues ---------------------------
def test_share_never_rounds_to_all_or_none():
    w = views.addition
    assert w.share(1.0) == "all" and w.share(0.0) == "none"
    assert w.share(0.99996) == "more than 99.9%" and w.share(0.00004) == "less than 0.1%"
    assert w.share(0.963) == "96.3%" and w.share(0.999) == "99.9%"
    with pytest.raises(ValueError, match="fraction"):
        w.share(1.5)


def test_gate_shares_says_a_shared_number_once():
    w = views.addition
    assert w.gate_shares(1.0, 1.0) == "all of the held-out steps, from either gate"
    assert w.gate_shares(0.9631, 0.9628) == "96.3% of the held-out steps, from either gate"
    assert (
        w.gate_shares(0.963, 0.965)
        == "96.3% of the held-out steps from the update gate and 96.5% from the reset gate"
    )


def test_of_n_every_count():
    w = views.addition
    assert w.of_n(0, 5, "perfect") == "none was perfect"
    assert w.of_n(1, 5, "perfect") == "1 of 5 was perfect"
    assert w.of_n(3, 5, "perfect") == "3 of 5 were perfect"
    assert w.of_n(5, 5, "perfect") == "all 5 were perfect"
    assert w.of_n(1, 1, "perfect") == "it was perfect"
    assert w.of_n(0, 1, "perfect") == "it was not perfect"
    with pytest.raises(ValueError, match="at most n"):
        w.of_n(6, 5, "perfect")


def test_count_of_every_count():
    w = views.addition
    assert w.count_of(0, 10_000) == "none of the 10,000"
    assert w.count_of(1, 10_000) == "1 of the 10,000 (less than 0.1%)"
    assert w.count_of(18, 10_000) == "18 of the 10,000 (0.2%)"
    assert w.count_of(9_999, 10_000) == "9,999 of the 10,000 (more than 99.9%)"
    assert w.count_of(10_000, 10_000) == "all 10,000"
    assert w.count_of(3, 5, with_share=False) == "3 of the 5"
    assert w.count_of(0, 5, with_share=False) == "none of the 5"
    assert w.count_of(5, 5, with_share=False) == "all 5"


def test_lists_of_values_and_seeds():
    w = views.addition
    assert w.listing([53]) == "53"
    assert w.listing([0, 51]) == "0 and 51"
    assert w.listing([1, 95, 1053]) == "1, 95 and 1,053"
    assert w.seeds_text([]) == "no seed"
    assert w.seeds_text([3]) == "seed 3"
    assert w.seeds_text([1, 3]) == "seeds 1 and 3"
    assert w.seeds_text([0, 2, 4]) == "seeds 0, 2 and 4"
    with pytest.raises(ValueError, match="at least one"):
        w.listing([])


def test_span_and_between():
    w = views.addition
    assert w.span([996, 514, 700]) == "514–996"
    assert w.span([1000, 1000]) == "1000"
    assert w.span([65503, 65536], "{:,}") == "65,503–65,536"
    assert w.between(14.4, 16.9) == "between 14% and 17%"
    assert w.between(47.6, 48.4) == "48%"
    with pytest.raises(ValueError, match="at least one"):
        w.span([])


def test_all_right_every_case():
    w = views.addition
    assert w.all_right([100] * 5, 100) == "all 5 got all 100 right"
    assert w.all_right([0] * 5, 100) == "none got any of the 100 right"
    assert w.all_right([1, 95, 53], 100) == "none got all 100 right (they got 1, 95 and 53)"
    assert w.all_right([100, 53], 100) == "1 of 2 got all 100 right (the other got 53)"
    assert (
        w.all_right([1, 100, 90, 100, 46], 100)
        == "2 of 5 got all 100 right (the others got 1, 90 and 46)"
    )
    assert w.all_right([100], 100) == "it got all 100 right"
    assert w.all_right([53], 100) == "it got 53 of the 100 right"
    assert w.all_right([0], 100) == "it got 0 of the 100 right"
    with pytest.raises(ValueError, match="at most total"):
        w.all_right([101], 100)


def test_linear_probe_reads_a_linear_target_perfectly():
    feats = torch.rand(40, 5, 3)
    target = (feats[..., 0] > 0.5).long()
    feats_with_target = torch.cat([feats, target[..., None].float()], dim=-1)
    assert views.addition._linear_probe(feats_with_target, target) == 1.0


def test_sums_table_and_adder(model):
    table = views.addition.sums_table(
        {"m": model}, [(3, 1), (2**64 - 1, 1)], labels=["3 + 1", "big"]
    )
    assert list(table.columns) == ["sum", "bits", "true sum", "m"]
    assert table["sum"].tolist() == ["3 + 1", "big"]
    assert table["true sum"].tolist() == ["4", f"{2**64:,}"]
    assert table["bits"].tolist() == [8, 64]
    for (a, b), mark in zip([(3, 1), (2**64 - 1, 1)], table["m"]):
        answer = addition.add_with_model(model, a, b, max(8, a.bit_length()))
        assert mark.startswith("✓" if answer == a + b else "✗ bit")

    class AlwaysZero(torch.nn.Module):
        def forward(self, x):
            return -torch.ones(*x.shape[:2], 1)

    table = views.addition.sums_table({"zero": AlwaysZero()}, [(3, 1), (5, 0), (0, 0)])
    assert table["sum"].tolist() == ["3 + 1", "5 + 0", "0 + 0"]
    # one wrong bit is "bit", more are "bits", and a list reads as one: "0 and 2"
    assert table["zero"].tolist() == ["✗ bit 2", "✗ bits 0 and 2", "✓"]
    assert views.addition._ranges([3, 4, 5, 9, 11, 12]) == "3–5, 9 and 11–12"
    assert views.addition._wrong_bits([15, 16, 17]) == "bits 15–17"
    with pytest.raises(ValueError, match="labels must name every pair"):
        views.addition.sums_table({"m": model}, [(1, 2)], labels=["a", "b"])
    assert "padding" in views.addition.styled(table).to_html()
    # long numbers break after a thousands separator only, never inside a group of digits
    wrapped = views.addition.styled(table, wrap=["true sum"]).to_html()
    assert (
        ">4<" in wrapped
        and "18,<wbr>446,<wbr>744,"
        in views.addition.styled(
            views.addition.sums_table({"m": model}, [(2**64 - 1, 1)]), wrap=["true sum"]
        ).to_html()
    )
    assert "white-space: nowrap" in views.addition.styled(table, nowrap=["zero"]).to_html()
    # cards: the table is marked for the site's phone layout, each cell labelled with its column
    cards = views.addition.styled(table, cards=True).to_html()
    assert 'class="grubook-cards"' in cards and "grubook-cards" not in wrapped
    for i, column in enumerate(table.columns):
        assert f'td.col{i}::before {{\n  content: "{column}: " / "";' in cards


def test_gate_explorer_redraws_the_figure_function(model, corr):
    box = views.addition.gate_explorer(model, bits=8, corr=corr)
    assert box.controls["a"].max == 255 and box.controls["b"].max == 255
    assert box.controls["a"].continuous_update and box.controls["b"].continuous_update
    first = box.figure
    assert sliders.same_figure(first, views.addition.gate_figure(model, 173, 95, 8, corr))
    box.controls["a"].value = 3
    box.controls["b"].value = 1
    assert sliders.same_figure(box.figure, views.addition.gate_figure(model, 3, 1, 8, corr))
    assert not sliders.same_figure(box.figure, first)


def test_adder_explorer_redraws_the_figure_function_at_any_width(model, corr):
    box = views.addition.adder_explorer(model, corr=corr)
    first = box.figure
    assert sliders.same_figure(first, views.addition.gate_figure(model, 12345, 67890, None, corr))
    big = 2**70 + 3  # beyond 2**53: typed as text, so it reaches the model exactly
    box.controls["a"].value = f"{big:,}"
    assert sliders.same_figure(
        box.figure, views.addition.gate_figure(model, big, 67890, None, corr)
    )
    assert len(box.figure.data[0].x) == 72 and not sliders.same_figure(box.figure, first)
    box.controls["b"].value = "-5"
    assert "non-negative" in box.figure.layout.title.text and not box.figure.data


def test_gate_view_needs_a_gru():
    with pytest.raises(ValueError, match="cell='gru'"):
        views.addition.gate_trace(addition.make_model("rnn", 4), 1, 2)


def test_training_figures_draw():
    heldout = addition.heldout_set(30, 3, seed=0)
    run = addition.train_addition(
        "gru", hidden_size=4, bits=3, max_steps=30, heldout=heldout, stop=False
    )
    fig = views.addition.learning_curve_figure(run)
    assert len(fig.axes) == 2
    fig = views.addition.comparison_figure({"gru": [run], "lstm": [run]})
    assert len(fig.axes) == 2
