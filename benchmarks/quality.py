"""Section 4: quality. The addition task trained here over 5 seeds; energy forecasting read from
chapter 6 as executed by section 3 (or by the last `make book`), since training it again would take
minutes."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from ._common import table
from .book import ROOT, glue_values

SOLVE_TARGET, WIDE_TARGET = 300, 0.995
ADDITION = {
    "hidden_size": 16,
    "bits": 8,
    "batch_size": 64,
    "lr": 1e-2,
    "max_steps": 3000,
    "eval_every": 5,
    "extra_steps": 500,
}


def addition(seeds=range(5)) -> str:
    from grubook.tasks import addition as A

    head = "### Addition task (chapter 5)\n\n"
    start = time.perf_counter()
    heldout = A.heldout_set(bits=ADDITION["bits"])
    test_sets = A.width_sets((8, 16, 32, 64), n=1000)
    runs = [A.train_addition("gru", seed=s, heldout=heldout, **ADDITION) for s in seeds]
    solved = [r.solved_at for r in runs]
    done = [s for s in solved if s is not None]
    at_solved = [
        A.generalisation(r.model_when_solved(), sets=test_sets) if r.solved_at else None
        for r in runs
    ]
    after = [A.generalisation(r.model, sets=test_sets) for r in runs]
    seconds = time.perf_counter() - start

    def worst(results, bits):
        vals = [res[bits]["exact"] for res in results if res is not None]
        return f"{min(vals):.3f}" if vals else "n/a"

    median = statistics.median(done) if len(done) == len(solved) else float("nan")
    rows = [
        [
            "iterations to 100% held-out exact match (median)",
            f"{median:g}",
            f"≤ {SOLVE_TARGET} {'✓' if median <= SOLVE_TARGET else '✗'}",
        ],
        [
            "min / max over seeds",
            f"{min(done) if done else 'n/a'} / {max(done) if done else 'n/a'}",
            "",
        ],
        ["per seed", ", ".join(str(s) for s in solved), ""],
    ]
    for bits in (16, 32, 64):
        rows.append(
            [
                f"exact match on {bits}-bit sums, worst seed: when first 100% at 8 bits",
                worst(at_solved, bits),
                "",
            ]
        )
        w = worst(after, bits)
        ok = w != "n/a" and float(w) >= WIDE_TARGET
        rows.append(
            [
                f"... after {ADDITION['extra_steps']} more steps",
                w,
                f"≥ {WIDE_TARGET} {'✓' if ok else '✗'}" if bits == 64 else "",
            ]
        )
    settings = ", ".join(f"{k}={v}" for k, v in ADDITION.items())
    return (
        head + f'GRU, {len(runs)} seeds, `train_addition("gru", {settings})`, held-out set of 1000 '
        "8-bit pairs never trained on; wider sums: 1000 random pairs per width. "
        f"{seconds:.0f} s.\n\n" + table(["measure", "value", "target"], rows)
    )


def energy(cache_dir: Path | None) -> str:
    head = "### Energy forecasting (chapter 6)\n\n"
    candidates = [c for c in (cache_dir, ROOT / "_build" / ".jupyter_cache") if c is not None]
    for cache in candidates:
        glue = glue_values(cache, "06-energy-forecasting.md") or glue_values(
            cache, "06-energy-forecasting.ipynb"
        )
        if "gru_smape_mean" in glue:
            break
    else:
        return head + (
            "Skipped: no executed chapter 6 with its sMAPE glue in an execution cache yet "
            "(run with `--only book,quality`, or `make book` first)."
        )

    def num(name):
        try:
            return f"{float(glue[name]):.2f}"
        except (KeyError, ValueError):
            return "n/a"

    rows = [
        [cell, num(f"{key}_smape_mean"), f"{num(f'{key}_smape_lo')} - {num(f'{key}_smape_hi')}"]
        for cell, key in (("GRU", "gru"), ("LSTM", "lstm"))
    ]
    for name, key in (
        ("persistence", "smape_persist"),
        ("seasonal naive (24 h)", "smape_daily"),
        ("weekly naive (168 h)", "smape_weekly"),
    ):
        rows.append([name, num(key), ""])
    best = glue.get("best_base", "n/a").strip("'\"")
    where = "this run's cold build" if cache == cache_dir else f"the execution cache in {cache}"
    return (
        head + f"Standard sMAPE (%) on the test months, from chapter 6 as executed in {where}. "
        f"Best baseline: {best}.\n\n"
        + table(["forecast", "sMAPE % (mean over seeds)", "range over seeds"], rows)
    )
