"""grubook: the one shared implementation behind The GRU Book.

Recurrent cells and layers written from scratch in PyTorch and proven equal to ``torch.nn``
(``RNNCell``, ``GRUCell``, ``LSTMCell``, ``RNN``, ``GRU``, ``LSTM``), plus the tasks, data,
training and plotting helpers that the chapters import. Each cell's equations are written once,
in its step function (``rnn_step``, ``gru_step``, ``lstm_step``); the cells and the readable loops
(``rnn_layer``, ``gru_layer``, ``lstm_layer``) call it. The layers train through torch's own fused
kernels with the same parameters (``fast=False`` runs the readable loops instead).
"""

from .gru import GRU, GRUCell, GRUGates, gru_layer, gru_step
from .lstm import LSTM, LSTMCell, LSTMGates, lstm_layer, lstm_step
from .rnn import RNN, RNNCell, rnn_layer, rnn_step

__version__ = "0.1.0"


def count_parameters(module) -> int:
    """Number of trainable scalars in ``module``."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)
