"""Trained models for the static site: export to JSON, load back, and the reference forward pass
that the page's JavaScript engine (``grubook_site/static/lab.js``) is proven equal to.

The file :func:`export_model` writes::

    {"format": "grubook-lab 1",
     "config": {"cell": "gru", "input_size": 2, "hidden_size": 16, "output_size": 1,
                "num_layers": 1, "per_step": true},
     "readout": "sigmoid",
     "state_dict": {"rnn.weight_ih_l0": [[...], ...], ...},
     "examples": [[[0.31, 0.0], [-0.8, 1.0], ...], ...]}     # optional

``config`` holds the keyword arguments of :class:`grubook.training.SequenceModel` and
``state_dict`` its parameters under their PyTorch names as nested lists, so
``SequenceModel(**config).load_state_dict(...)`` rebuilds the model exactly (each float32 is
written in the shortest decimal that reads back as the same float32). ``readout`` is what the
page applies to the linear head's output: "sigmoid" (a probability) or "identity".
``examples`` (optional) are input sequences, each (time, input_size), that a lab offers as presets
(chapter 3's held-out sequences); loading ignores them.

Gate overrides (the same JSON-like list in Python and in the page)::

    [{"gate": "z", "units": [0, 3], "value": 1.0},    # fix z_t of units 1 and 4 at 1
     {"gate": "r", "scale": 0.5}]                     # halve r_t of every unit

``units`` (0-based; absent or None: every unit) and ``layer`` (absent or None: every layer) choose
where; exactly one of ``value`` (the gate is set to it, in [0, 1]) or ``scale`` (the gate is
multiplied by it, >= 0, and capped at 1). Entries apply in order.
"""

from __future__ import annotations

import contextlib
import json
import math
import numbers
import os
from pathlib import Path

import numpy as np
import torch

from .training import SequenceModel

FORMAT = "grubook-lab 1"
MIME = "application/vnd.grubook.lab+json"  # how a notebook output carries a lab file (Carried)
CONFIG_KEYS = ("cell", "input_size", "hidden_size", "output_size", "num_layers", "per_step")
READOUTS = ("sigmoid", "identity")

__all__ = [
    "model_doc",
    "export_model",
    "load_model",
    "read_file",
    "force_gates",
    "run",
    "check_overrides",
    "Carried",
]


def _config(model: SequenceModel) -> dict:
    rnn = model.rnn
    return {
        "cell": model.cell,
        "input_size": rnn.input_size,
        "hidden_size": rnn.hidden_size,
        "output_size": model.head.out_features,
        "num_layers": rnn.num_layers,
        "per_step": model.per_step,
    }


def _short(values: torch.Tensor):
    """A float32 tensor as nested lists of the shortest decimals that read back as the same
    float32; a float64 one as its exact values (each reads back as the same float64)."""
    if values.dtype == torch.float64:
        return values.detach().cpu().tolist()
    arr = values.detach().cpu().to(torch.float32).numpy()
    flat = [float(str(v)) for v in arr.reshape(-1)]
    return np.array(flat, dtype=object).reshape(arr.shape).tolist() if arr.ndim else flat[0]


def model_doc(model: SequenceModel, readout: str = "sigmoid", examples=None) -> dict:
    """The document :func:`export_model` writes, as a dict (format in the module docstring).
    ``examples``: None, or input sequences for the page's presets, a tensor (batch, time,
    input_size) or a list of (time, input_size) ones. A float64 model keeps its parameters
    exactly (the playground's engine trains from them, ``grubook.play``)."""
    if not isinstance(model, SequenceModel):
        raise TypeError(f"model must be a grubook SequenceModel, got {type(model).__name__}.")
    if readout not in READOUTS:
        raise ValueError(f"readout must be one of {READOUTS}, got {readout!r}.")
    seqs = []
    for i, seq in enumerate([] if examples is None else examples):
        seq = torch.as_tensor(seq, dtype=torch.float32)
        if seq.dim() != 2 or seq.shape[1] != model.rnn.input_size or not len(seq):
            raise ValueError(
                f"examples[{i}] must have shape (time, input_size={model.rnn.input_size}), "
                f"got {tuple(seq.shape)}."
            )
        if not torch.isfinite(seq).all():
            raise ValueError(f"examples[{i}] holds a value that is not finite.")
        seqs.append(_short(seq))
    state = {}
    for name, value in model.state_dict().items():
        if not torch.isfinite(value).all():
            raise ValueError(f"the model's parameter {name} holds a value that is not finite.")
        state[name] = _short(value)
    doc = {"format": FORMAT, "config": _config(model), "readout": readout, "state_dict": state}
    if seqs:
        doc["examples"] = seqs
    return doc


def export_model(model: SequenceModel, path, readout: str = "sigmoid", examples=None) -> Path:
    """Write ``model`` (a :class:`SequenceModel`) to ``path`` as JSON (:func:`model_doc`);
    folders are created. Returns the path."""
    doc = model_doc(model, readout, examples)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, separators=(",", ":")) + "\n", encoding="utf-8")
    return path


class Carried:
    """A lab file as a cell output: shown as one line of text, and carried whole in the output's
    metadata under :data:`MIME` (``{"path": ..., "text": ...}``; metadata, so that no renderer
    tries to draw it). The book's ``{lab}`` directive reads the
    weights from the executed notebook, so a page whose execution came from the jupyter cache (which
    writes no files) still gets them. Make it the last expression of the cell that exports."""

    def __init__(self, path):
        self.path = Path(path)
        self.text = self.path.read_text(encoding="utf-8")

    def _repr_mimebundle_(self, include=None, exclude=None):
        line = f"{self.path.as_posix()}: {len(self.text) / 1000:.0f} kB, the lab's weights"
        return {"text/plain": line}, {MIME: {"path": self.path.as_posix(), "text": self.text}}


def _shape(value, where: str, path) -> tuple:
    """The shape of a nested list of numbers; raises on ragged lists or non-numbers."""
    if isinstance(value, list):
        if not value:
            return (0,)
        shapes = {_shape(v, where, path) for v in value}
        if len(shapes) != 1:
            raise ValueError(f"{path}: state_dict[{where!r}] is a ragged list (rows differ).")
        return (len(value), *shapes.pop())
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(
            f"{path}: state_dict[{where!r}] must hold numbers, got {type(value).__name__}."
        )
    if not math.isfinite(value):
        raise ValueError(f"{path}: state_dict[{where!r}] holds {value}, not a finite number.")
    return ()


def _text(path) -> str:
    """The text of the lab file at ``path``; a ValueError naming it when there is none."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(
            f"path must be a str or pathlib.Path naming a lab file, got {type(path).__name__}."
        )
    path, lab_file = Path(path), f"a lab file ({FORMAT!r}, as grubook.lab.export_model writes)"
    if path.is_dir():
        raise ValueError(f"{path}: is a directory; expected {lab_file}.")
    if not path.exists():
        raise ValueError(f"{path}: no such file; expected {lab_file}.")
    if not path.is_file():  # a FIFO would block, a device such as /dev/zero never end
        raise ValueError(f"{path}: is not a regular file (a pipe, device or socket).")
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as e:
        problem = f"is not UTF-8 text (byte {e.start}); expected {lab_file}."
        raise ValueError(f"{path}: {problem}") from None
    except OSError as e:
        raise ValueError(f"{path}: cannot be read ({e.strerror}).") from None


def read_file(path) -> tuple[SequenceModel, str]:
    """``(model, readout)`` from a file :func:`export_model` wrote; a ValueError naming the file
    and what was expected for anything else (no file, not UTF-8 JSON, another ``format``)."""
    text = _text(path)
    path = Path(path)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(f"{path}: not JSON ({e}).") from None
    expected = 'an object {"config": {...}, "state_dict": {...}} as grubook.lab.export_model writes'
    if not isinstance(doc, dict):
        raise ValueError(f"{path}: expected {expected}, got a JSON {type(doc).__name__}.")
    if doc.get("format") != FORMAT:  # a later format may mean other things by the same keys
        got = "no 'format'" if "format" not in doc else f"format {doc['format']!r}"
        raise ValueError(
            f"{path}: has {got}; expected format {FORMAT!r}, a file grubook.lab.export_model "
            "writes."
        )
    for key in ("config", "state_dict"):
        if not isinstance(doc.get(key), dict):
            what = "missing" if key not in doc else f"a {type(doc[key]).__name__}, not an object"
            raise ValueError(f"{path}: the key {key!r} is {what}; expected {expected}.")
    config = doc["config"]
    missing = [k for k in CONFIG_KEYS if k not in config]
    extra = [k for k in config if k not in CONFIG_KEYS]
    if missing or extra:
        raise ValueError(
            f"{path}: config must have exactly the keys {', '.join(CONFIG_KEYS)} (the arguments "
            f"of SequenceModel); missing {missing}, unexpected {extra}."
        )
    readout = doc.get("readout", "identity")
    if readout not in READOUTS:
        raise ValueError(f"{path}: readout must be one of {READOUTS}, got {readout!r}.")
    try:
        model = SequenceModel(**config)
    except (TypeError, ValueError) as e:
        raise ValueError(f"{path}: config does not make a SequenceModel: {e}") from None
    want = model.state_dict()
    got = doc["state_dict"]
    missing, extra = [k for k in want if k not in got], [k for k in got if k not in want]
    if missing or extra:
        raise ValueError(
            f"{path}: state_dict must have the parameters {', '.join(want)}; "
            f"missing {missing}, unexpected {extra}."
        )
    state = {}
    for name, target in want.items():
        shape = _shape(got[name], name, path)
        if shape != tuple(target.shape):
            raise ValueError(
                f"{path}: state_dict[{name!r}] has shape {shape}, expected "
                f"{tuple(target.shape)} for this config."
            )
        state[name] = torch.tensor(got[name], dtype=target.dtype)
    model.load_state_dict(state)
    return model.eval(), readout


def load_model(path) -> SequenceModel:
    """The :class:`SequenceModel` in a file :func:`export_model` wrote, in eval mode."""
    return read_file(path)[0]


def check_overrides(overrides, hidden_size: int, num_layers: int = 1) -> list[dict]:
    """Overrides (module docstring) checked and normalised to a list of dicts; None -> []."""
    if overrides is None:
        return []
    if isinstance(overrides, dict):
        overrides = [overrides]
    if not isinstance(overrides, (list, tuple)):
        raise TypeError(f"overrides must be None, a dict or a list of dicts, got {overrides!r}.")
    out = []
    for i, o in enumerate(overrides):
        where = f"overrides[{i}]"
        if not isinstance(o, dict):
            raise TypeError(f"{where} must be a dict, got {type(o).__name__}.")
        unknown = set(o) - {"gate", "units", "layer", "value", "scale"}
        if unknown:
            raise ValueError(f"{where} has unknown keys {sorted(unknown)}.")
        if not isinstance(o.get("gate"), str) or o["gate"] not in ("z", "r"):
            raise ValueError(f"{where}['gate'] must be 'z' or 'r', got {o.get('gate')!r}.")
        if ("value" in o) == ("scale" in o):
            raise ValueError(f"{where} must have exactly one of 'value' and 'scale'.")
        units = o.get("units")
        if units is not None:
            if not isinstance(units, (list, tuple, range, np.ndarray)):  # 3, "03", {0: 1}: no
                raise TypeError(
                    f"{where}['units'] must be a list of unit indices (e.g. [3]) or None, "
                    f"got {units!r} ({type(units).__name__})."
                )
            units = units.tolist() if isinstance(units, np.ndarray) else list(units)
            for u in units:
                if isinstance(u, bool) or not isinstance(u, numbers.Integral):
                    raise TypeError(
                        f"{where}['units'] must hold integer unit indices, got {u!r} "
                        f"({type(u).__name__}) in {units}."
                    )
            if not all(0 <= u < hidden_size for u in units):
                raise ValueError(
                    f"{where}['units'] must be unit indices in [0, {hidden_size}), got {units}."
                )
            units = [int(u) for u in units]
        layer = o.get("layer")
        if layer is not None:
            if isinstance(layer, bool) or not isinstance(layer, numbers.Integral):
                raise TypeError(
                    f"{where}['layer'] must be an integer layer index or None, got {layer!r} "
                    f"({type(layer).__name__})."
                )
            if not 0 <= layer < num_layers:
                raise ValueError(f"{where}['layer'] must be in [0, {num_layers}), got {layer!r}.")
            layer = int(layer)
        key = "value" if "value" in o else "scale"
        v = o[key]
        if isinstance(v, bool) or not isinstance(v, numbers.Real):
            raise TypeError(f"{where}[{key!r}] must be a number, got {v!r} ({type(v).__name__}).")
        if key == "value" and not 0 <= v <= 1:
            raise ValueError(f"{where}['value'] must be a number in [0, 1], got {v!r}.")
        if key == "scale" and not 0 <= v < math.inf:
            raise ValueError(f"{where}['scale'] must be a finite number >= 0, got {v!r}.")
        entry = {key: float(v)}
        out.append({"gate": o["gate"], "units": units, "layer": layer, **entry})
    return out


def _hook(entries: list[dict], layer: int):
    mine = [e for e in entries if e["layer"] in (None, layer)]

    def hook(update, reset):
        gates = {"z": update, "r": reset}
        for e in mine:
            g = gates[e["gate"]].clone()
            idx = slice(None) if e["units"] is None else e["units"]
            if "value" in e:
                g[..., idx] = e["value"]
            else:
                g[..., idx] = (g[..., idx] * e["scale"]).clamp(max=1.0)
            gates[e["gate"]] = g
        return gates["z"], gates["r"]

    return hook


@contextlib.contextmanager
def force_gates(model: SequenceModel, overrides):
    """Within the block, ``model``'s GRU runs its readable loop with the gates forced as
    ``overrides`` says (module docstring); restored on exit.

    >>> with force_gates(model, [{"gate": "r", "value": 0.0}]):
    ...     y = model(x)          # the candidate never sees the old state
    """
    if getattr(model, "cell", None) != "gru":
        raise ValueError("force_gates needs a SequenceModel with cell='gru'.")
    rnn = model.rnn
    entries = check_overrides(overrides, rnn.hidden_size, rnn.num_layers)
    old = rnn.gate_hooks
    rnn.gate_hooks = {k: _hook(entries, k) for k in range(rnn.num_layers)} if entries else None
    try:
        yield model
    finally:
        rnn.gate_hooks = old


def run(model: SequenceModel, x, overrides=None, readout: str = "identity") -> dict:
    """The reference for the page's engine: one sequence through a GRU SequenceModel.

    x: (time, input_size), a tensor or nested lists. Returns float64 NumPy arrays
    {"output": (time, output_size), "h", "z", "r", "n": (time, hidden_size)}: the top layer's
    state and gates, and the head (then ``readout``) applied at every step (for a model that is
    not ``per_step``, its answer is the last row).
    """
    if readout not in READOUTS:
        raise ValueError(f"readout must be one of {READOUTS}, got {readout!r}.")
    x = torch.as_tensor(x, dtype=model.head.weight.dtype)
    # torch would fail deep inside the step ("Tensor on device cpu is not on the expected device")
    if x.device != model.head.weight.device:
        raise ValueError(
            f"x is on device {x.device} but the model is on {model.head.weight.device}; "
            f"move one of them (e.g. x.to({str(model.head.weight.device)!r}))."
        )
    if x.dim() != 2:
        raise ValueError(f"x must be (time, input_size), got shape {tuple(x.shape)}.")
    model.eval()
    with torch.no_grad(), force_gates(model, overrides):
        out, _, gates = model.rnn(x[None], return_gates=True)
        y = model.head(out[0])
    if readout == "sigmoid":
        y = torch.sigmoid(y)
    top = -1
    return {
        "output": y.double().numpy(),
        "h": out[0].double().numpy(),
        "z": gates.update[top, 0].double().numpy(),
        "r": gates.reset[top, 0].double().numpy(),
        "n": gates.candidate[top, 0].double().numpy(),
    }
