"""The playground (the page after chapter 5): what the page's training engine is proven equal to,
and the settings the page starts from.

The page's engine (``grubook_site/static/play.js``) trains a :class:`SequenceModel` in the
reader's browser: forward, backpropagation through time and Adam, in float64.
:func:`train_steps` is the same training in grubook with ``torch.optim.Adam``; the browser test
(``tests/browser/test_playground.py``) runs both from one model and one list of batches and
demands equal losses and parameters.

The model goes to the page as :func:`grubook.lab.model_doc` writes it; a float64 model keeps
its parameters exactly, so both sides start from the same numbers::

    model = addition.make_model("gru", 16, seed=0).double()
    doc = lab.model_doc(model)                    # {"config": ..., "state_dict": ...}
    batches = [{"x": x.tolist(), "y": y.tolist()}, ...]
    losses, state = train_steps(model, batches, lr=1e-2, loss="bce")
"""

from __future__ import annotations

import inspect

import torch
from torch.nn import functional as F

from . import _checks, plotting
from .tasks import addition, recall
from .training import SequenceModel

# the book's two losses, by the names the page uses: addition's per-bit logits, recall's value
LOSSES = {"bce": F.binary_cross_entropy_with_logits, "mse": F.mse_loss}
RECALL_LENGTH = 20  # chapter 3's recall task: 20 steps, the marker 10 to 19 steps before the end
RECALL_HELDOUT, RECALL_HELDOUT_SEED = 512, 7  # chapter 3's held-out sequences

__all__ = ["LOSSES", "train_steps", "settings"]


def train_steps(
    model: SequenceModel,
    batches,
    lr: float,
    loss: str,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
) -> tuple[list[float], dict]:
    """One ``torch.optim.Adam`` step per batch on ``model`` (in place), as the page's
    ``grubookPlay.train(model, batches, {lr, betas, eps, loss})`` does.

    batches: a list of {"x": (batch, time, input_size), "y": (batch, time, output_size) when the
    model is ``per_step``, else (batch, output_size)}, tensors or nested lists, cast to the
    model's dtype. loss: "bce" (binary cross entropy on logits) or "mse". Returns the loss of
    every step (before its update) and the final ``state_dict``.
    """
    if not isinstance(model, SequenceModel):
        raise TypeError(f"model must be a grubook SequenceModel, got {type(model).__name__}.")
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {', '.join(LOSSES)}, got {loss!r}.")
    lr = _checks.positive_number("lr", lr)
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise TypeError(f"betas must be a pair of numbers in [0, 1), got {betas!r}.")
    for name, beta in zip(("betas[0]", "betas[1]"), betas):
        if not 0 <= _checks.finite_number(name, beta) < 1:
            raise ValueError(f"{name} must be in [0, 1), got {beta}.")
    eps = _checks.positive_number("eps", eps)
    dtype = model.head.weight.dtype
    opt = torch.optim.Adam(model.parameters(), lr=lr, betas=tuple(betas), eps=eps)
    losses = []
    model.train()
    for i, batch in enumerate(batches):
        if not isinstance(batch, dict) or set(batch) != {"x", "y"}:
            raise ValueError(f"batches[{i}] must be a dict with the keys 'x' and 'y'.")
        x, y = (
            torch.as_tensor(_checks.float_array(f"batches[{i}]['{k}']", batch[k]), dtype=dtype)
            for k in ("x", "y")
        )
        out = model(x)
        if out.shape != y.shape:
            raise ValueError(
                f"batches[{i}]['y'] must have the shape of the model's output "
                f"{_checks.shape_str(out.shape)}, got {_checks.shape_str(y.shape)}."
            )
        value = LOSSES[loss](out, y)
        opt.zero_grad()
        value.backward()
        opt.step()
        losses.append(value.item())
    model.eval()
    return losses, {k: v.detach().clone() for k, v in model.state_dict().items()}


def _defaults(fn) -> dict:
    return {
        k: p.default
        for k, p in inspect.signature(fn).parameters.items()
        if p.default is not inspect.Parameter.empty
    }


def settings() -> dict:
    """What the page starts from, read from the code that defines it: the addition task's
    training settings (:func:`grubook.tasks.addition.train_addition`'s defaults), chapter 3's
    recall task (its length, the delays :func:`grubook.tasks.recall.recall_batch` draws by
    default, the error of always answering 0) and the book's colours (:mod:`grubook.plotting`).
    The page reads it from its ``data-settings`` attribute."""
    add, held = _defaults(addition.train_addition), _defaults(addition.heldout_set)
    lo, hi = recall.default_delay(RECALL_LENGTH)
    colors = {
        k: plotting.COLORS[k]
        for k in (
            "rnn",
            "gru",
            "lstm",
            "update",
            "reset",
            "candidate",
            "hidden",
            "input_gate",
            "forget_gate",
            "output_gate",
            "cell",
            "baseline",
        )
    }
    return {
        "addition": {
            "bits": add["bits"],
            "hidden_size": add["hidden_size"],
            "batch_size": add["batch_size"],
            "lr": add["lr"],
            "seed": add["seed"],
            "eval_every": add["eval_every"],
            "max_steps": add["max_steps"],
            "heldout": held["n"],
            "heldout_seed": held["seed"],
        },
        "recall": {
            "length": RECALL_LENGTH,
            "delay": [lo, hi],
            "heldout": RECALL_HELDOUT,
            "heldout_seed": RECALL_HELDOUT_SEED,
            "chance_mse": recall.CHANCE_MSE,
        },
        "colors": colors,
    }
