"""The fast path: each layer's loop over time as a ``torch.autograd.Function`` whose backward is a
hand-written backpropagation through time (BPTT) over the gates saved in the forward pass.

Nothing here is needed to understand the book: the equations live once, in ``gru_step``,
``lstm_step`` and ``rnn_step`` (``grubook/gru.py``, ``lstm.py``, ``rnn.py``), and the plain loops
``gru_layer``, ``lstm_layer``, ``rnn_layer`` run them step by step under autograd. On a CPU,
autograd's per-operation overhead dominates at the book's sizes; these Functions do the same maths
in a few fused kernels per step, which is what makes ``grubook.GRU`` about as fast as
``torch.nn.GRU``. tests/test_fast_path.py proves them equal to the plain loops (outputs, states,
every gradient, gradcheck, double backward).

A layer takes this path only when its ``fast`` attribute is True and :func:`usable` says yes. The
plain loop runs instead when the gates are recorded (``return_gates=True``), under
``torch.compile`` (the compiler fuses the plain loop itself), under ``torch.func`` transforms
(``vmap``, ``grad``), and with one bias given but not the other.

- ``gru.py``: :func:`gru_layer` over ``GRUFunction``;
- ``lstm.py``: :func:`lstm_layer` over ``LSTMFunction``;
- ``rnn.py``: :func:`rnn_layer` over ``RNNFunction``;
- ``_shared.py``: what the three share (``CHUNK_FLOATS``, the replay used for double backward).
"""

from ._shared import usable
from .gru import GRUFunction, gru_layer
from .lstm import LSTMFunction, lstm_layer
from .rnn import RNNFunction, rnn_layer

__all__ = [
    "GRUFunction",
    "LSTMFunction",
    "RNNFunction",
    "gru_layer",
    "lstm_layer",
    "rnn_layer",
    "usable",
]
