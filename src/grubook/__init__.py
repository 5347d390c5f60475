"""grubook: the one shared implementation behind The GRU Book.

Recurrent cells and layers written from scratch in PyTorch and proven equal to ``torch.nn``
(``RNNCell``, ``GRUCell``, ``LSTMCell``, ``RNN``, ``GRU``, ``LSTM``), plus the tasks, data, training and
plotting helpers that the chapters import.
"""

from .gru import GRU, GRUCell, GRUGates, gru_layer
from .lstm import LSTM, LSTMCell, LSTMGates, lstm_layer
from .rnn import RNN, RNNCell, rnn_layer
from .compile import compile  # noqa: A004 (grubook.compile wraps torch.compile)

__version__ = "0.1.0"

__all__ = [
    "RNN", "RNNCell", "rnn_layer",
    "GRU", "GRUCell", "GRUGates", "gru_layer",
    "LSTM", "LSTMCell", "LSTMGates", "lstm_layer",
    "count_parameters", "compile",
]


def count_parameters(module) -> int:
    """Number of trainable scalars in ``module``."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)
