"""Section 4: quality. The addition task trained here over 5 seeds; energy forecasting read from
chapter 6's committed experiment (training it again takes most of an hour)."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from ._common import table

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


def energy(cache_dir: Path | None = None) -> str:
    """Chapter 6's study, read from its committed results (``python -m grubook.experiments energy``
    writes them): test scores of every model, networks as the mean over their seeds."""
    from grubook.energy import load_vic_elec, report, study
    from grubook.experiments import RESULTS

    head = "### Energy forecasting (chapter 6)\n\n"
    try:
        results = study.load(RESULTS)
    except study.StaleResults as err:
        return head + f"Skipped: {err}"
    data = study.build_data(load_vic_elec())
    scale = report.mase_scale(data)
    rows = []
    for task in study.TASKS:
        both = study.best_linear(data, task)[1]
        fcs = report.forecasts(results, data, task, "test", both)
        t = report.table(fcs, report.truth(data, task, "test"), scale)
        for name, r in t.iterrows():
            rows.append(
                [task, name, f"{r['sMAPE (%)']:.3f}", f"{r['MAE (MW)']:.0f}", f"{r['MASE']:.3f}"]
            )
    m = results.manifest
    return (
        head + f"Test months, from the committed results of `{m['command']}` "
        f"({m['date']}, {m['seconds'] / 60:.0f} minutes, code hash {m['code_hash'][:12]}); "
        "networks: mean over the seeds.\n\n"
        + table(["job", "model", "sMAPE %", "MAE MW", "MASE"], rows)
    )
