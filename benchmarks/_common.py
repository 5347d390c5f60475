"""Timing and table helpers shared by the benchmark sections."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from grubook import timing
from grubook.energy import study

# (batch, time, input, hidden): the chapters' small models, chapter 6's training shape (one hour
# ahead: a stretch of lookback + span - 1 rows), and two larger layers
CH6_TRAINING = (
    study.PLAN.batch_size,
    study.PLAN.lookback + study.PLAN.span - 1,
    study.n_inputs("hour"),
    study.PLAN.hidden_gru,
)
SIZES = [(64, 16, 2, 16), CH6_TRAINING, (256, 90, 5, 64), (1024, 90, 5, 256)]


def size_str(size) -> str:
    return "(" + ", ".join(str(v) for v in size) + ")"


def interleaved_within(
    fns: dict[str, Callable[[], object]],
    budget_s: float,
    min_repeats: int = 3,
    max_repeats: int = 100,
    warmup: int = 1,
    seed: int = 0,
) -> dict[str, list[float]]:
    """``grubook.timing.interleaved`` with as many rounds as fit ``budget_s``: the warm-up calls are
    timed to estimate one round, and the rounds are kept within [min_repeats, max_repeats]. Returns
    name -> seconds."""
    estimate = 0.0
    for fn in fns.values():
        for _ in range(warmup):
            start = time.perf_counter()
            fn()
            estimate += time.perf_counter() - start
    estimate /= max(warmup, 1)
    repeats = max(min_repeats, min(max_repeats, int(budget_s / max(estimate, 1e-6))))
    return timing.interleaved(fns, repeats=repeats, warmup=0, seed=seed)


def median_ms(seconds: list[float]) -> float:
    return 1e3 * statistics.median(seconds)


def paired_ratio(num: list[float], den: list[float]) -> float:
    """Median over rounds of num[i] / den[i]: robust to load that drifts between rounds."""
    return statistics.median(a / b for a, b in zip(num, den))


def table(headers: list[str], rows: list[list[object]]) -> str:
    """A markdown table; numbers are formatted by the caller."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def verdict(value: float, limit: float) -> str:
    return f"≤ {limit:g} {'✓' if value <= limit else '✗'}"
