"""Sentences the chapters build from numbers they measure when the page is built.

A page glues these fragments into its prose, so each must read right for every value it can take:
none, one or many; equal, larger or smaller; a rerun that flips an ordering. ``tests/test_words.py``
runs every branch of every function here.
"""

from __future__ import annotations

import math

from . import _checks


def count(n: int, singular: str, plural: str | None = None, none: str = "no") -> str:
    """``"no seeds"``, ``"1 seed"``, ``"3 seeds"``: ``n`` things, in words that agree with it."""
    n = _checks.non_negative_int("n", n)
    many = plural if plural is not None else singular + "s"
    if n == 0:
        return f"{none} {many}"
    return f"1 {singular}" if n == 1 else f"{n:,} {many}"


def swing_sentence(n_swing: int, last: int = 20) -> str:
    """Chapter 1: how many of the units shown flip sign at every one of the ``last`` steps."""
    n_swing = _checks.non_negative_int("n_swing", n_swing)
    last = _checks.positive_int("last", last)
    what = (
        "swinging between a positive and a negative value: an oscillation with a period of two "
        "steps, a fifth behaviour that large recurrent weights can produce."
    )
    if n_swing == 0:
        return f"Over the last {last} steps none of them flips sign at every step."
    if n_swing == 1:
        return f"Over the last {last} steps one of them flips sign at every step, {what}"
    return f"Over the last {last} steps {n_swing} of them flip sign at every step, {what}"


def change_text(before: float, after: float, digits: int = 2) -> str:
    """``"rose from 0.69 to 0.71"``, ``"fell from ..."``, or ``"stayed at 0.69"`` when the two
    agree to ``digits`` decimals (a change the sentence could not show)."""
    before = _checks.finite_number("before", before)
    after = _checks.finite_number("after", after)
    a, b = f"{before:.{digits}f}", f"{after:.{digits}f}"
    if a == b:
        return f"stayed at {a}"
    return f"{'rose' if after > before else 'fell'} from {a} to {b}"


def steps_list(steps) -> str:
    """``"120, 340, –"``: the step at which each run got there, a dash for a run that never did."""
    return ", ".join(
        "–" if s is None else f"{_checks.non_negative_int('steps', s):,}" for s in steps
    )


def pace(before: float, after: float) -> str:
    """``"faster"``, ``"as fast"`` or ``"slower"``: how a run that took ``after`` steps compares
    with one that took ``before`` (fewer steps is faster)."""
    before = _checks.finite_number("before", before)
    after = _checks.finite_number("after", after)
    return "faster" if after < before else ("as fast" if after == before else "slower")


def agreement(error: float) -> str:
    """Chapter 4: the largest difference between the book's LSTM and ``torch.nn.LSTM``, in words."""
    error = _checks.finite_number("error", error)
    if error == 0:
        return "They agree to the last bit: the difference is exactly zero."
    return f"The largest difference, {error:.0e}, is float64 rounding."


def speed_verdict(ratios) -> tuple[str, str]:
    """Chapter 4: ``(sentence, caption)`` from the time ratios LSTM / GRU of torch's kernels at the
    smaller and the larger size (below 1: the LSTM was faster)."""
    ratios = list(ratios) if hasattr(ratios, "__iter__") else ratios
    if not isinstance(ratios, list) or len(ratios) != 2:
        raise ValueError(
            f"ratios must be two numbers (the smaller size, the larger), got {ratios!r}."
        )
    small, large = (_checks.finite_number("ratios", r) for r in ratios)
    faster = ["LSTM" if r < 1 else ("GRU" if r > 1 else None) for r in (small, large)]
    if faster == ["LSTM", "LSTM"]:
        return (
            "in this run PyTorch's LSTM was faster than its GRU at both sizes, although it has a "
            "third more arithmetic to do.",
            "the LSTM's solid bar is the shorter one at both sizes, although it does more "
            "arithmetic.",
        )
    if faster == ["GRU", "GRU"]:
        return (
            "in this run PyTorch's GRU was faster than its LSTM at both sizes, as its smaller "
            "arithmetic suggests.",
            "the GRU's solid bar is the shorter one at both sizes, as its smaller arithmetic "
            "suggests.",
        )
    if None in faster:
        where = "smaller" if faster[0] is None else "larger"
        return (
            f"in this run PyTorch's GRU and LSTM took the same time at the {where} size, to the "
            "timer's resolution: the answer depends on the size.",
            "which solid bar is shorter depends on the size.",
        )
    return (
        f"in this run PyTorch's faster layer was the {faster[0]} at the smaller size and the "
        f"{faster[1]} at the larger one: the answer depends on the size.",
        "which solid bar is shorter depends on the size.",
    )


def separation_verdict(gru, lstm) -> tuple[str, str]:
    """Chapter 4: ``(sentence, caption)`` comparing the final accuracies of the GRU seeds with the
    LSTM seeds. Complete separation is reported with the smallest p-value a one-sided rank test
    can give for these numbers of seeds, 1 / C(n + m, n); anything else is an overlap."""
    gru = [_checks.finite_number("gru", g) for g in gru]
    lstm = [_checks.finite_number("lstm", v) for v in lstm]
    if not gru or not lstm:
        raise ValueError("gru and lstm must each hold the final accuracy of at least one seed.")
    n, m = len(gru), len(lstm)
    runs = f"{count(n, 'seed')} against {m}"
    combos = math.comb(n + m, n)
    evidence = (
        f"With {runs}, complete separation is the strongest result there can be, and it is still "
        f"weak evidence: a one-sided rank test gives p = 1/{combos} = {1 / combos:.2g} for it, the "
        f"smallest p-value {runs} can reach."
    )
    if min(gru) > max(lstm):
        return (
            "every GRU seed ended above every LSTM seed: at this budget the GRU learned the task "
            f"faster. {evidence}",
            "the GRU (blue) leaves the plateau sooner and ends higher.",
        )
    if min(lstm) > max(gru):
        return (
            "every LSTM seed ended above every GRU seed: at this budget the LSTM learned the task "
            f"faster. {evidence}",
            "the LSTM (orange) leaves the plateau sooner and ends higher.",
        )
    return (
        f"the ranges of the two cells overlap, so with {runs} this run cannot say that one cell "
        "is better at this task.",
        "the seeds of the two cells overlap.",
    )


def runs_to_note(notes) -> str:
    """Chapter 4, exercise 2: the runs a reader could pass over in two lists of numbers."""
    notes = list(notes)
    if not notes:
        return (
            "Every run answered at least half of the sums at some point, and none fell back by "
            "more than 0.3."
        )
    return "Look at each run, not only the averages: " + "; ".join(notes) + "."
