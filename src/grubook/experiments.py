"""Experiments too long for the book's build: ``python -m grubook.experiments energy``.

``energy``: chapter 6's study (:mod:`grubook.energy.study`), every network trained until its
validation score stops improving. It writes its results and a manifest to :data:`RESULTS`
(``src/grubook/energy/results``, installed with the package) or ``--out``; the chapter reads them
and refuses them once the code they came from changes.
``energy --check``: train one committed configuration again and compare it with the committed run
(what CI does; the tolerance is :data:`TOLERANCE`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

TOLERANCE = 0.02  # percentage points of validation sMAPE, at every check and at the best
CHECK = ("hour", "LSTM", 0)  # the configuration --check trains again: one seed of one cell
RESULTS = Path(__file__).resolve().parent / "energy" / "results"  # installed with the package


def largest_difference(new_curve, committed_curve) -> float:
    """The largest difference (percentage points) between two validation curves: at every check
    both have, and between their best scores."""
    n = min(len(new_curve), len(committed_curve))
    if n == 0:
        raise ValueError("a learning curve is empty: nothing to compare.")
    diffs = [abs(a - b) for a, b in zip(new_curve[:n], committed_curve[:n])]
    return max([*diffs, abs(min(new_curve) - min(committed_curve))])


def check(folder=RESULTS, task=CHECK[0], model=CHECK[1], seed=CHECK[2], log=print) -> float:
    """Train (task, model, seed) again and return :func:`largest_difference` from the committed
    run; raise AssertionError beyond :data:`TOLERANCE`."""
    from .energy import study

    results = study.load(folder)
    committed = next(r for r in results.final(task, model) if r["seed"] == seed)
    run, _ = study.rerun(results, task, model, seed)
    worst = largest_difference(run.val_smape, committed["val_smape"])
    log(
        f"{task}/{model}/seed {seed}: {len(run.steps)} checks against {len(committed['steps'])} "
        f"committed, best {run.best_val:.4f}% against {min(committed['val_smape']):.4f}%, "
        f"largest difference {worst:.2g} pp (tolerance {TOLERANCE} pp), {run.seconds:.0f} s"
    )
    if worst > TOLERANCE:
        raise AssertionError(
            f"the re-run of {task}/{model}/seed {seed} differs from the committed results in "
            f"{folder} by {worst:.3g} pp (tolerance {TOLERANCE} pp)"
        )
    return worst


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grubook.experiments", description=__doc__)
    parser.add_argument("name", choices=["energy"])
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--check", action="store_true", help="re-run one configuration")
    args = parser.parse_args(argv)
    if args.check:
        check(args.out)
        return 0
    from .energy import study

    manifest = study.run(args.out, workers=args.workers)
    print(f"wrote {args.out} in {manifest['seconds'] / 60:.1f} minutes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
