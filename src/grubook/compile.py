"""Optional speed: ``grubook.compile(model)`` runs a model under ``torch.compile``, and falls back to
plain (eager) PyTorch with a warning wherever compiling is not supported or fails.

On a CPU the compiled GRU ran at about 0.6x the time of ``torch.nn.GRU`` (forward+backward), but the
first call of each new input shape compiles for 30-100 s, so the book itself never uses it: it is
for long training runs of your own. Under ``torch.compile`` the layers run their plain loop (see
``grubook._fused``), which the compiler fuses better than the hand-written backward pass.
"""

from __future__ import annotations

import warnings

import torch
from torch import nn


class CompiledModel(nn.Module):
    """``model`` behind ``torch.compile``, with an eager fallback. Shares ``model``'s parameters;
    ``state_dict()`` and ``load_state_dict()`` are those of ``model`` itself.

    ``compiled`` is True while calls go through the compiler and False after a fallback;
    ``fallback_reason`` says why it fell back.
    """

    def __init__(self, model: nn.Module, **compile_kwargs):
        super().__init__()
        self.model = model
        self.compiled = False
        self.fallback_reason = None
        self._compiled_fn = None
        try:
            self._compiled_fn = torch.compile(model, **compile_kwargs)
            self.compiled = True
        except Exception as err:  # e.g. torch.compile unsupported on this Python or platform
            self._fall_back(err)

    def _fall_back(self, err: BaseException) -> None:
        self.compiled = False
        self._compiled_fn = None
        message = " ".join(str(err).split())  # one line
        self.fallback_reason = f"{type(err).__name__}: {message}"[:300]
        warnings.warn(
            f"torch.compile is not available for this model here ({self.fallback_reason}); "
            "grubook.compile falls back to eager PyTorch, which gives the same results, more slowly.",
            RuntimeWarning,
            stacklevel=3,
        )

    def forward(self, *args, **kwargs):
        if self.compiled:
            try:
                return self._compiled_fn(*args, **kwargs)
            except Exception as compile_error:
                # If eager fails too, the error is the caller's (a wrong shape, say): raise that one.
                result = self.model(*args, **kwargs)
                self._fall_back(compile_error)
                return result
        return self.model(*args, **kwargs)

    def state_dict(self, *args, **kwargs):
        return self.model.state_dict(*args, **kwargs)

    def load_state_dict(self, state_dict, *args, **kwargs):
        return self.model.load_state_dict(state_dict, *args, **kwargs)


def compile(model: nn.Module, **compile_kwargs) -> CompiledModel:  # noqa: A001 (mirrors torch.compile)
    """Wrap ``model`` (any ``nn.Module``, e.g. ``grubook.GRU`` or ``SequenceModel``) in
    ``torch.compile``; keyword arguments go to ``torch.compile`` (``mode``, ``backend``,
    ``dynamic``...). Where compiling is unsupported or fails, calls run eagerly and a
    ``RuntimeWarning`` says why. Expect the first call of every new input shape to be slow.

    Note: a failure inside the compiled backward pass (rare) surfaces at ``loss.backward()``, where
    no fallback is possible; call ``grubook.compile(model, backend="eager")`` to rule it out.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}.")
    return CompiledModel(model, **compile_kwargs)
