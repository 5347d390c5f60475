"""Section 2: grubook's GRU under torch.compile (via grubook.compile), compile time reported apart."""

from __future__ import annotations

import time
import warnings

import torch

import grubook

from ._common import interleaved, median_ms, paired_ratio, size_str, table
from .speed import make_pair, train_step

COMPILED_TARGET = 0.7


def measure(sizes, quick=False):
    """{size: {"compile_s", "fallback", "times": {impl: [s]}}} for the GRU at each size."""
    results = {}
    for size in sizes:
        ours, ref, x = make_pair("gru", size)
        torch._dynamo.reset()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model = grubook.compile(ours)
            step = train_step(model, x)
            start = time.perf_counter()
            step()  # the first call compiles the forward and the backward graph
            first = time.perf_counter() - start
        fallback = model.fallback_reason
        start = time.perf_counter()
        step()
        second = time.perf_counter() - start
        times = interleaved({"torch.nn": train_step(ref, x), "grubook eager": train_step(ours, x),
                             "grubook compiled": step}, budget_s=(1.5 if quick else 4.0) *
                            (3 if size[0] * size[3] >= 1024 * 256 else 1))
        results[size] = {"compile_s": first - second, "fallback": fallback, "times": times,
                         "warnings": [str(w.message) for w in caught]}
    return results


def section(results) -> str:
    rows = []
    for size, r in results.items():
        t = r["times"]
        vs_nn = paired_ratio(t["grubook compiled"], t["torch.nn"])
        vs_eager = paired_ratio(t["grubook compiled"], t["grubook eager"])
        if r["fallback"]:
            status = f"fell back to eager: {r['fallback'][:120]}"
        else:
            status = "compiled"
        rows.append([size_str(size), f"{r['compile_s']:.1f}", f"{median_ms(t['torch.nn']):.2f}",
                     f"{median_ms(t['grubook eager']):.2f}", f"{median_ms(t['grubook compiled']):.2f}",
                     f"{vs_nn:.2f}", f"≤ {COMPILED_TARGET} {'✓' if vs_nn <= COMPILED_TARGET else '✗'}",
                     f"{vs_eager:.2f}", f"≤ 1 {'✓' if vs_eager <= 1 else '✗'}", status])
    headers = ["(batch, time, input, hidden)", "compile s", "torch.nn ms", "grubook eager ms",
               "grubook compiled ms", "compiled / torch.nn", "target", "compiled / eager", "target",
               "status"]
    note = ("`grubook.compile(grubook.GRU(...))`, default inductor backend, forward+backward. Compile "
            "time = first call minus a steady call; it is paid once per input shape (the loop over "
            "time is unrolled) and is much shorter when the inductor cache is warm from an earlier run. "
            "Under the compiler the layer runs its plain loop, which inductor fuses.")
    return "## 2. grubook GRU under torch.compile\n\n" + note + "\n\n" + table(headers, rows)
