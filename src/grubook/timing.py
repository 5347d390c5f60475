"""Timing a recurrent layer's forward and backward pass, the honest way.

- :func:`time_fwd_bwd` times one module: ``warmup`` untimed calls, then ``repeats`` timed ones, each
  a forward pass, a sum of the outputs and a backward pass (:func:`fwd_bwd`), measured with
  ``time.perf_counter``.
- :func:`interleaved` times several functions, interleaved: every round runs each function once,
  in a shuffled order, so a change in the machine's load hits all of them alike.
  :func:`compare` does that for several modules on the same input; the benchmarks use it too.
- :func:`median` reports the middle value, which a few slow outliers cannot move.
- :func:`kernel_usage` reports the peak memory and CPU time of the running process (a chapter's
  last cell records it for the instructor guide), and the :func:`fingerprint` of the grubook code
  that ran (the build re-executes a cached chapter whose fingerprint is not today's).

Works for any module whose output is a tensor or a tuple whose first element is a tensor
(``torch.nn.GRU``, ``grubook.LSTM``, ...).
"""

from __future__ import annotations

import functools
import random
import statistics
import time
from collections.abc import Callable

import torch

from . import _checks


def fwd_bwd(module: torch.nn.Module, x: torch.Tensor) -> None:
    """One forward pass of ``module`` on ``x``, a sum of its (first) output and a backward pass,
    with the parameters' gradients cleared first: what one training step of the module costs."""
    for p in module.parameters():
        p.grad = None
    out = module(x)
    if isinstance(out, (tuple, list)):
        out = out[0]
    out.sum().backward()


def time_fwd_bwd(
    module: torch.nn.Module, x: torch.Tensor, repeats: int = 10, warmup: int = 2
) -> list[float]:
    """Seconds for each of ``repeats`` forward+backward passes of ``module`` on ``x``, after
    ``warmup`` untimed ones. x: whatever the module takes, e.g. (time, batch, input_size).
    Returns a list of ``repeats`` floats."""
    return interleaved({"module": functools.partial(fwd_bwd, module, x)}, repeats, warmup)["module"]


def interleaved(
    fns: dict[str, Callable[[], object]], repeats: int = 10, warmup: int = 2, seed: int = 0
) -> dict[str, list[float]]:
    """Time every function in ``fns`` (name -> function of no arguments): first ``warmup`` untimed
    calls of each, then ``repeats`` rounds, each calling every function once in a shuffled order
    (seeded). Returns name -> list of ``repeats`` seconds."""
    if not isinstance(fns, dict) or not fns:
        raise ValueError("fns must be a non-empty dict of name -> function.")
    repeats = _checks.positive_int("repeats", repeats)
    warmup = _checks.non_negative_int("warmup", warmup)
    for fn in fns.values():
        for _ in range(warmup):
            fn()
    rng, order = random.Random(seed), list(fns)
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        rng.shuffle(order)
        for name in order:
            start = time.perf_counter()
            fns[name]()
            times[name].append(time.perf_counter() - start)
    return times


def compare(
    modules: dict, x: torch.Tensor, repeats: int = 10, warmup: int = 2, seed: int = 0
) -> dict:
    """Time every module in ``modules`` (name -> module) on the same x with :func:`fwd_bwd`,
    :func:`interleaved`. x: e.g. (time, batch, input_size). Returns name -> list of ``repeats``
    seconds."""
    if not isinstance(modules, dict) or not modules:
        raise ValueError("modules must be a non-empty dict of name -> torch.nn.Module.")
    fns = {name: functools.partial(fwd_bwd, module, x) for name, module in modules.items()}
    return interleaved(fns, repeats, warmup, seed)


def median(seconds) -> float:
    """The median of a list of timings."""
    seconds = list(seconds)
    if not seconds:
        raise ValueError("median needs at least one timing, got an empty list.")
    return statistics.median(seconds)


def processor() -> str:
    """The processor's name as the operating system reports it (Linux: /proc/cpuinfo), for the
    header of every timing table: a time means little without the machine it was measured on."""
    import platform
    from pathlib import Path

    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
        names = (line.split(":", 1)[1].strip() for line in lines if line.startswith("model name"))
        return next(names)
    except (OSError, StopIteration):
        return platform.processor() or platform.machine() or "unknown processor"


def code_files() -> list[str]:
    """The files of the ``grubook`` package this process has loaded, relative to the package's
    folder: the source of every imported ``grubook`` module, and every file in the data folders
    (folders that are not packages, such as ``energy/results``) of the imported packages."""
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent
    files = set()
    for name, module in list(sys.modules.items()):
        if not (name == "grubook" or name.startswith("grubook.")):
            continue
        path = getattr(module, "__file__", None)
        if not path:
            continue
        path = Path(path).resolve()
        files.add(path)
        if hasattr(module, "__path__"):  # a package: its data folders too
            for folder in path.parent.iterdir():
                if folder.is_dir() and folder.name != "__pycache__":
                    if not (folder / "__init__.py").exists():
                        files.update(f for f in folder.rglob("*") if f.is_file())
    return sorted(f.relative_to(root).as_posix() for f in files if f.is_relative_to(root))


def fingerprint(files=None) -> str:
    """A short hash of ``files`` (paths relative to the ``grubook`` package, as
    :func:`code_files` lists them; default: that list), their names and contents: which code
    computed a result. A file that no longer exists counts as different."""
    import hashlib
    from pathlib import Path

    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for rel in code_files() if files is None else files:
        path = root / rel
        digest.update(str(rel).encode() + b"\0")
        digest.update(path.read_bytes() if path.is_file() else b"(missing)")
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def kernel_usage() -> dict:
    """What this Python process has used so far: its peak resident memory in MiB and its CPU time
    (user + system, all threads) in seconds. Run as a chapter's last cell, in the fresh kernel the
    build starts for each chapter, it is the chapter's cost top to bottom; the instructor guide
    sizes a class hub from it. Uses the standard ``resource`` module (Linux and macOS). Also
    ``"grubook"``: the files of the package that ran and their :func:`fingerprint`."""
    import resource
    import sys

    use = resource.getrusage(resource.RUSAGE_SELF)
    files = code_files()
    per_mib = 2**20 if sys.platform == "darwin" else 2**10  # ru_maxrss: bytes (macOS), KiB (Linux)
    return {
        "peak_rss_mib": round(use.ru_maxrss / per_mib, 1),
        "cpu_seconds": round(use.ru_utime + use.ru_stime, 2),
        "grubook": {"fingerprint": fingerprint(files), "files": files},
    }
