"""The autograded assignments (grubook_site.assignments, `make assignments`): one Otter-Grader
exercise sheet per chapter, graded offline by Otter's local runner (`otter run`, no Docker).

`make assignments` grades and reads every sheet (assignments.check_sheet); here that same check
runs on two chapters' sheets, and a broken solution fails it. A broken exercise (one the sheets do
not know, a checker left out of the tests, no solution) stops generation with its name."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import nbformat
import pytest

from grubook_site import assignments, book

# three questions each: chapter 1 has one whose answer is a function (ch1-ex5), chapter 5 one with a
# solution of its own (ch5-ex2)
CHECKED = ("01-rnn-basics", "05-addition-task")
SHEETS = {sheet.chapter: sheet for sheet in book.SHEETS}


@pytest.fixture(scope="module")
def dest(tmp_path_factory) -> Path:
    """The checked chapters' sheets, written, graded three times each and read (about a minute)."""
    dest = tmp_path_factory.mktemp("assignments")
    assert assignments.make(dest, CHECKED, check=True) == []
    return dest


@pytest.mark.build
def test_the_check_passes_on_two_chapters_and_a_broken_solution_fails_it(dest, tmp_path):
    sheet = SHEETS["01-rnn-basics"]
    out = dest / sheet.chapter
    assert (out / "autograder" / "autograder.zip").is_file()
    assert assignments.handout_problems(sheet, out) == []
    nb = nbformat.read(out / "autograder" / f"{sheet.chapter}.ipynb", as_version=4)
    cell = next(c for c in nb.cells if "one_layer = one" in c.source)
    cell.source = cell.source.replace("grubook.RNN(12, 64)", "grubook.RNN(12, -64)", 1)
    nbformat.write(nb, tmp_path / "broken.ipynb")
    got = assignments.grade(tmp_path / "broken.ipynb", out / "autograder" / "autograder.zip")
    problems = assignments.compare("01-rnn-basics: the solutions", got, assignments.expected(sheet))
    assert problems == ["01-rnn-basics: the solutions scored 0.0 on ch1_ex1, not 1.0"]
    # and the reading of the student notebook bites: a solution line given away is caught
    student = out / "student" / f"{sheet.chapter}.ipynb"
    nb = nbformat.read(student, as_version=4)
    nb.cells.append(
        nbformat.v4.new_code_cell(book.read_book()[sheet.chapter][0].solution_sources[0])
    )
    nbformat.write(nb, student)
    assert any("gives away ch1-ex1" in p for p in assignments.handout_problems(sheet, out))


def test_every_chapter_has_a_sheet_and_each_question_a_spoiled_answer():
    assert list(SHEETS) == [c.stem for c in book.chapters()]
    for sheet in SHEETS.values():
        spoiled = assignments.spoiled_question(sheet)
        assert spoiled.wrong and set(spoiled.wrong) <= set(spoiled.answers), sheet.chapter
        assert all(points > 0 for points in assignments.expected(sheet).values())


# ----- broken exercises fail loudly ---------------------------------------------------------------

CHAPTER3 = (book.BOOK / "03-gru-gates.md").read_text()
NEW_EXERCISE = """
:::{exercise} A new one
:label: ch3-ex99
Compute it with `exercises.check_half_life(answer, update_bias=2)`.
:::

:::{solution} ch3-ex99
Because.
:::
"""


def problems(text: str, sheet=SHEETS["03-gru-gates"]) -> str:
    return "\n".join(book.sheet_problems(sheet, book.parse(text, "03-gru-gates")))


def test_an_exercise_the_sheets_do_not_know_stops_generation(tmp_path):
    bad = CHAPTER3 + NEW_EXERCISE
    assert "03-gru-gates: exercise ch3-ex99 (A new one) is neither" in problems(bad)
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "03-gru-gates.md").write_text(bad)
    with pytest.raises(assignments.AssignmentError, match="ch3-ex99 .*neither"):
        assignments.master_notebook(SHEETS["03-gru-gates"], tmp_path)


def test_a_checker_left_out_of_the_tests_stops_generation():
    sheet = SHEETS["03-gru-gates"]
    assert problems(CHAPTER3) == ""  # the real sheet passes
    q = dataclasses.replace(sheet.questions[1], public=())
    broken = dataclasses.replace(sheet, questions=(sheet.questions[0], q, *sheet.questions[2:]))
    assert "ch3-ex6 names check_half_life; its public" in problems(CHAPTER3, broken)
    unknown = CHAPTER3.replace("check_gru_step(answer", "check_gru_stepp(answer")
    assert "ch3-ex7 names check_gru_stepp, which" in problems(unknown)


def test_an_exercise_without_solution_or_listed_but_missing_stops_generation():
    assert "ch3-ex6 has no solution" in problems(
        CHAPTER3.replace(":::{solution-start} ch3-ex6", ":::{note}")
    )
    assert "ch3-ex4 is in SHEETS but not in the chapter" in problems(
        CHAPTER3.replace(":label: ch3-ex4", ":label: ch3-ex99")
    )
