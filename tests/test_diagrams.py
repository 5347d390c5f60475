"""The cell diagrams: a figure, labelled with the book's notation, in the shared colours."""

from __future__ import annotations

import matplotlib.colors as mcolors
import matplotlib.figure
import matplotlib.pyplot as plt
import pytest

from grubook import diagrams
from grubook.plotting import COLORS


def texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def text_colors(fig, s):
    return {
        mcolors.to_hex(t.get_color()).upper()
        for ax in fig.axes
        for t in ax.texts
        if t.get_text() == s
    }


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_gru_cell_labels_and_colours():
    fig = diagrams.draw_gru_cell()
    assert isinstance(fig, matplotlib.figure.Figure)
    found = texts(fig)
    for label in (
        "$x_t$",
        "$h_{t-1}$",
        "$h_t$",
        "$z_t$",
        "$r_t$",
        r"$\tilde h_t$",
        r"$\sigma$",
        "tanh",
        "1−",
        r"$\odot$",
        "+",
    ):
        assert label in found, label
    assert text_colors(fig, "$z_t$") == {COLORS["update"].upper()}
    assert text_colors(fig, "$r_t$") == {COLORS["reset"].upper()}
    assert text_colors(fig, r"$\tilde h_t$") == {COLORS["candidate"].upper()}
    # the legend states both ranges: tanh is (-1, 1), not (0, 1)
    assert any("(−1, 1)" in t and "tanh" in t for t in found)


def test_lstm_cell_labels():
    fig = diagrams.draw_lstm_cell()
    found = texts(fig)
    for label in (
        "$x_t$",
        "$h_{t-1}$",
        "$h_t$",
        "$c_{t-1}$",
        "$c_t$",
        "$i_t$",
        "$f_t$",
        "$g_t$",
        "$o_t$",
        r"$\odot$",
        "+",
        "tanh",
    ):
        assert label in found, label
    assert text_colors(fig, "$f_t$") == {COLORS["forget_gate"].upper()}
    assert text_colors(fig, "$i_t$") == {COLORS["input_gate"].upper()}
    assert text_colors(fig, "$o_t$") == {COLORS["output_gate"].upper()}


def test_rnn_cell_and_drawing_on_given_axes():
    fig, ax = plt.subplots()
    out = diagrams.draw_rnn_cell(ax, equations=False)
    assert out is fig
    assert {"$x_t$", "$h_{t-1}$", "$h_t$", "tanh"} <= set(texts(fig))


@pytest.mark.parametrize(
    "draw", [diagrams.draw_rnn_cell, diagrams.draw_gru_cell, diagrams.draw_lstm_cell]
)
def test_equations_are_optional(draw):
    with_eq, without = texts(draw()), texts(draw(equations=False))
    assert any("=" in t for t in with_eq)
    assert not any(t.startswith("$") and "=" in t for t in without)
