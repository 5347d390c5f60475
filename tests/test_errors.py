"""Bad input raises a clear error that names the argument, what it got and what it expects."""

from __future__ import annotations

import pytest
import torch

import grubook


@pytest.fixture(params=["rnn", "gru", "lstm"])
def layer(request):
    cls = {"rnn": grubook.RNN, "gru": grubook.GRU, "lstm": grubook.LSTM}[request.param]
    return cls(input_size=3, hidden_size=4, num_layers=2)


def call(layer, x, h=None):
    if isinstance(layer, grubook.LSTM):
        return layer(x, None if h is None else (h, torch.zeros_like(h)))
    return layer(x, h)


def test_wrong_rank(layer):
    with pytest.raises(
        ValueError, match=r"x must be 3-D \(time, batch, input_size\).*got 4-D shape \(2, 5, 3, 1\)"
    ):
        call(layer, torch.randn(2, 5, 3, 1))
    with pytest.raises(ValueError, match="got 1-D shape"):
        call(layer, torch.randn(3))


def test_wrong_feature_size(layer):
    with pytest.raises(ValueError, match=r"input_size=3 features.*got shape \(5, 2, 7\)"):
        call(layer, torch.randn(5, 2, 7))


def test_batch_first_named_in_message():
    gru = grubook.GRU(3, 4, batch_first=True)
    with pytest.raises(ValueError, match=r"\(batch, time, input_size\)"):
        gru(torch.randn(2, 5, 4))


def test_hidden_state_of_wrong_shape(layer):
    with pytest.raises(
        ValueError,
        match=(
            r"h0 must have shape \(num_layers, batch, hidden_size\) = \(2, 5, 4\), "
            r"got \(1, 5, 4\)"
        ),
    ):
        call(layer, torch.randn(6, 5, 3), torch.zeros(1, 5, 4))


def test_hidden_state_unbatched_shape(layer):
    with pytest.raises(ValueError, match=r"\(num_layers, hidden_size\) = \(2, 4\)"):
        call(layer, torch.randn(6, 3), torch.zeros(2, 1, 4))


def test_non_float_input(layer):
    with pytest.raises(TypeError, match=r"x must be a floating-point tensor.*torch.int64"):
        call(layer, torch.ones(5, 2, 3, dtype=torch.long))


def test_not_a_tensor(layer):
    with pytest.raises(TypeError, match="x must be a torch.Tensor, got list"):
        call(layer, [[0.0, 1.0, 2.0]])


def test_dtype_mismatch_between_input_and_weights(layer):
    with pytest.raises(
        TypeError, match=r"x has dtype torch.float64 but the layer's weights are torch.float32"
    ):
        call(layer, torch.randn(5, 2, 3, dtype=torch.float64))


def test_state_dtype_mismatch(layer):
    with pytest.raises(TypeError, match="h0 has dtype torch.float64 but x has dtype torch.float32"):
        call(layer, torch.randn(5, 2, 3), torch.zeros(2, 2, 4, dtype=torch.float64))


def test_empty_sequence(layer):
    with pytest.raises(ValueError, match="at least one step"):
        call(layer, torch.randn(0, 2, 3))


def test_lstm_state_must_be_a_pair():
    with pytest.raises(TypeError, match=r"state must be a pair \(h0, c0\)"):
        grubook.LSTM(3, 4)(torch.randn(5, 2, 3), torch.zeros(1, 2, 4))


@pytest.mark.parametrize(
    "kwargs,exc,msg",
    [
        (
            {"input_size": 0, "hidden_size": 4},
            ValueError,
            "input_size must be a positive integer, got 0",
        ),
        (
            {"input_size": 3, "hidden_size": 2.5},
            TypeError,
            "hidden_size must be a positive integer, got 2.5",
        ),
        (
            {"input_size": 3, "hidden_size": 4, "num_layers": 0},
            ValueError,
            "num_layers must be a positive integer",
        ),
        (
            {"input_size": 3, "hidden_size": 4, "dropout": 1.5},
            ValueError,
            r"dropout must be in \[0, 1\), got 1.5",
        ),
    ],
)
def test_bad_constructor_arguments(kwargs, exc, msg):
    with pytest.raises(exc, match=msg):
        grubook.GRU(**kwargs)


@pytest.mark.parametrize("cls", [grubook.RNN, grubook.GRU, grubook.LSTM])
def test_fast_must_be_a_real_bool(cls):
    with pytest.raises(TypeError, match=r"fast must be True or False, got 'False' \(str\)"):
        cls(3, 4, fast="False")
    layer = cls(3, 4)
    with pytest.raises(TypeError, match="fast must be True or False, got 0"):
        layer.fast = 0
    assert layer.fast is True


def test_unknown_nonlinearity():
    with pytest.raises(
        ValueError, match=r"nonlinearity must be one of \['relu', 'tanh'\], got 'sigmoid'"
    ):
        grubook.RNN(3, 4, nonlinearity="sigmoid")


@pytest.mark.parametrize("cell_cls", [grubook.RNNCell, grubook.GRUCell, grubook.LSTMCell])
def test_cell_errors(cell_cls):
    cell = cell_cls(3, 4)
    with pytest.raises(
        ValueError, match=r"x must have shape \(batch, input_size=3\).*got \(2, 5\)"
    ):
        cell(torch.randn(2, 5))
    with pytest.raises(TypeError, match="floating-point"):
        cell(torch.ones(2, 3, dtype=torch.int32))
    bad_h = torch.zeros(2, 5)
    with pytest.raises(
        ValueError, match=r"h must have shape \(batch, hidden_size\) = \(2, 4\), got \(2, 5\)"
    ):
        cell(torch.randn(2, 3), (bad_h, bad_h) if cell_cls is grubook.LSTMCell else bad_h)


def test_sequence_model_unknown_cell():
    from grubook.training import SequenceModel

    with pytest.raises(
        ValueError, match=r"cell must be one of \['gru', 'lstm', 'rnn'\], got 'transformer'"
    ):
        SequenceModel("transformer", 2, 8, 1)
