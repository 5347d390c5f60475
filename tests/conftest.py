"""The tests draw their matplotlib figures off screen; ``chapter_md`` is a small chapter with two
exercises (one with a gated solution that runs a checker, one with a plain solution), read by
test_exercise_index and test_student_edition."""

import matplotlib
import pytest

matplotlib.use("Agg")

CHAPTER = """\
# A chapter

Some text.

## Exercises

:::{exercise} Count by hand
:label: ch9-ex1
Count them, then call `exercises.check_parameter_count(answer, "rnn", 3, 4)`.
:::

:::{solution-start} ch9-ex1
:class: dropdown
:::

Thirty-two, the secret answer.

```{code-cell} ipython3
:tags: [hide-cell, solution]
exercises.check_parameter_count(32, "rnn", 3, 4)
```

More solution prose after the code.

:::{solution-end}
:::

:::{exercise} Explain it
:label: ch9-ex2
Why?
:::

::::{solution} ch9-ex2
:class: dropdown
Because of the hidden reason.
:::{note}
A nested note inside the solution.
:::
::::

## Summary

Text after the exercises stays.
"""


@pytest.fixture
def chapter_md() -> str:
    return CHAPTER
