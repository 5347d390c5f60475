"""Every branch of the sentences the chapters glue (grubook.words): each reads right for the
values it can take (none, one, many; either order; equal)."""

from __future__ import annotations

import pytest

from grubook import words


@pytest.mark.parametrize(
    "n,text", [(0, "no seeds"), (1, "1 seed"), (3, "3 seeds"), (12345, "12,345 seeds")]
)
def test_count_agrees_with_its_number(n, text):
    assert words.count(n, "seed") == text


def test_count_takes_irregular_plurals_and_refuses_negatives():
    assert words.count(2, "hour of tomorrow", "hours of tomorrow") == "2 hours of tomorrow"
    with pytest.raises(ValueError, match="n must be"):
        words.count(-1, "seed")


def test_swing_sentence_none_one_many():
    assert (
        words.swing_sentence(0) == "Over the last 20 steps none of them flips sign at every step."
    )
    one = words.swing_sentence(1)
    assert one.startswith("Over the last 20 steps one of them flips sign at every step, swinging")
    many = words.swing_sentence(2, last=10)
    assert many.startswith("Over the last 10 steps 2 of them flip sign at every step, swinging")
    assert all(s.endswith(".") and ".." not in s for s in (one, many))


@pytest.mark.parametrize(
    "before,after,text",
    [
        (0.69, 0.71, "rose from 0.69 to 0.71"),
        (0.71, 0.69, "fell from 0.71 to 0.69"),
        (0.694, 0.691, "stayed at 0.69"),  # a change two decimals cannot show
        (0.5, 0.5, "stayed at 0.50"),
    ],
)
def test_change_text_never_says_rose_or_fell_between_equal_numbers(before, after, text):
    assert words.change_text(before, after) == text


def test_steps_list_and_pace():
    assert words.steps_list([120, None, 1500]) == "120, –, 1,500"
    assert words.steps_list([]) == ""
    assert [words.pace(300, b) for b in (200, 300, 400)] == ["faster", "as fast", "slower"]


def test_agreement_zero_and_rounding():
    assert words.agreement(0.0) == "They agree to the last bit: the difference is exactly zero."
    assert words.agreement(2.2e-16) == "The largest difference, 2e-16, is float64 rounding."


@pytest.mark.parametrize(
    "ratios,start,caption",
    [
        (
            (0.8, 0.9),
            "in this run PyTorch's LSTM was faster than its GRU at both sizes",
            "the LSTM's",
        ),
        (
            (1.2, 1.1),
            "in this run PyTorch's GRU was faster than its LSTM at both sizes",
            "the GRU's",
        ),
        (
            (0.8, 1.1),
            "in this run PyTorch's faster layer was the LSTM at the smaller size and "
            "the GRU at the larger one",
            "which solid bar",
        ),
        (
            (1.1, 0.8),
            "in this run PyTorch's faster layer was the GRU at the smaller size and "
            "the LSTM at the larger one",
            "which solid bar",
        ),
        (
            (1.0, 0.8),
            "in this run PyTorch's GRU and LSTM took the same time at the smaller size",
            "which solid bar",
        ),
    ],
)
def test_speed_verdict_follows_both_ratios(ratios, start, caption):
    verdict, cap = words.speed_verdict(ratios)
    assert verdict.startswith(start) and cap.startswith(caption)


def test_separation_verdict_reports_the_p_value_the_seeds_allow():
    verdict, caption = words.separation_verdict([0.9, 0.95, 0.97], [0.5, 0.6, 0.7])
    assert verdict.startswith("every GRU seed ended above every LSTM seed")
    assert "p = 1/20 = 0.05" in verdict and "3 seeds against 3" in verdict
    assert caption.startswith("the GRU (blue)")
    verdict, caption = words.separation_verdict([0.1, 0.2], [0.5, 0.6, 0.7, 0.8, 0.9])
    assert verdict.startswith("every LSTM seed ended above every GRU seed")
    assert "p = 1/21 = 0.048" in verdict and "2 seeds against 5" in verdict
    assert caption.startswith("the LSTM (orange)")
    verdict, caption = words.separation_verdict([0.5, 0.8], [0.6, 0.7])
    assert verdict.startswith("the ranges of the two cells overlap, so with 2 seeds against 2")
    assert caption == "the seeds of the two cells overlap."
    tie, _ = words.separation_verdict([0.5], [0.5])
    assert tie.startswith("the ranges of the two cells overlap, so with 1 seed against 1")
    with pytest.raises(ValueError, match="at least one seed"):
        words.separation_verdict([], [0.5])


def test_runs_to_note_none_and_some():
    assert words.runs_to_note([]).startswith("Every run answered at least half")
    assert words.runs_to_note(["seed 1 (default start) reached 0.90, then fell back to 0.50"]) == (
        "Look at each run, not only the averages: seed 1 (default start) reached 0.90, then fell "
        "back to 0.50."
    )


def test_speed_verdict_needs_exactly_two_ratios():
    with pytest.raises(ValueError, match="ratios must be two numbers"):
        words.speed_verdict((1.0, 2.0, 3.0))
