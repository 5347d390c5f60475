"""The autograded assignments (scripts/make_assignments.py, `make assignments`): one Otter-Grader
exercise sheet per chapter, graded offline by Otter's local runner (`otter run`, no Docker).

Graded for real, every chapter: the instructor's solutions get full marks on every question, the
untouched student notebook zero on each, and a notebook with one deliberately wrong answer loses
exactly that question's points. A broken exercise (one the sheets do not know, a checker left out of
the tests, a solution that fails) stops generation or fails the grading check with its name."""

from __future__ import annotations

import dataclasses
import importlib.util
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

from grubook_site import exercise_index

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location(
    "make_assignments", ROOT / "scripts" / "make_assignments.py"
)
ma = importlib.util.module_from_spec(spec)
sys.modules["make_assignments"] = ma  # dataclasses look their module up
spec.loader.exec_module(ma)

SHEETS = {sheet.chapter: sheet for sheet in ma.SHEETS}


def _wrong_question(sheet):
    """The question whose answer the self-test spoils: a different one from chapter to chapter."""
    return sheet.questions[int(sheet.chapter[:2]) % len(sheet.questions)]


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict[str, dict]:
    """{chapter: {"out", "solutions", "student", "wrong", "seconds"}}: every sheet written and
    graded three times, two sheets at a time."""
    dest = tmp_path_factory.mktemp("assignments")

    def run(sheet):
        t0 = time.perf_counter()
        out = ma.write_sheet(sheet, dest)
        zip_ = out / "autograder" / "autograder.zip"
        wrong = ma.wrong_notebook(
            sheet, _wrong_question(sheet), out, dest / f"{sheet.chapter}-wrong.ipynb"
        )
        return sheet.chapter, {
            "out": out,
            "solutions": ma.grade(out / "autograder" / f"{sheet.chapter}.ipynb", zip_),
            "student": ma.grade(out / "student" / f"{sheet.chapter}.ipynb", zip_),
            "wrong": ma.grade(wrong, zip_),
            "seconds": time.perf_counter() - t0,
        }

    with ThreadPoolExecutor(max_workers=ma.WORKERS) as pool:
        results = dict(pool.map(run, ma.SHEETS))
    for chapter, r in results.items():
        print(f"{chapter}: written and graded three times in {r['seconds']:.0f} s")
    return results


@pytest.mark.build  # about 4 minutes on 2 cores: otter assign and three gradings per chapter
@pytest.mark.parametrize("chapter", SHEETS)
def test_solutions_full_marks_students_zero_one_mistake_one_question(graded, chapter):
    sheet, r = SHEETS[chapter], graded[chapter]
    full = ma.expected(sheet)
    assert full and all(points > 0 for points in full.values())
    assert ma.compare("solutions", r["solutions"], full) == []
    assert ma.compare("student", r["student"], dict.fromkeys(full, 0.0)) == []
    spoiled = ma.question_name(_wrong_question(sheet).label)
    assert ma.compare("wrong", r["wrong"], {**full, spoiled: 0.0}) == []
    assert r["solutions"][spoiled][1] == r["wrong"][spoiled][1] == full[spoiled]


@pytest.mark.build
@pytest.mark.parametrize("chapter", SHEETS)
def test_the_sheets_hold_every_exercise_and_no_solution_for_students(graded, chapter):
    sheet, out = SHEETS[chapter], graded[chapter]["out"]
    student = nbformat.read(out / "student" / f"{chapter}.ipynb", as_version=4)
    text = "\n".join(c.source for c in student.cells)
    found = exercise_index.parse((ROOT / "book" / f"{chapter}.md").read_text(), chapter)
    for e in found:
        assert f"**Exercise: {e.title}**" in text, e.label
    for label, why in sheet.not_graded.items():
        assert f"Not autograded: {why}" in text and label in text
    for q in sheet.questions:
        assert f'grader.check("{ma.question_name(q.label)}")' in text
        for variable in q.answers:
            assert f"{variable} = ..." in text
        for hidden in q.hidden:  # hidden tests stay in the autograder
            assert hidden not in text
            assert not any(hidden in p.read_text() for p in (out / "student").rglob("*.py"))
        solution = q.solution or "\n".join(
            found[[x.label for x in found].index(q.label)].solution_sources
        )
        given = "\n".join(c.source for c in student.cells if "Exercise:" in c.source) + sheet.setup
        lines = [s.strip() for s in solution.splitlines() if len(s.strip()) >= 16]
        lines = [line for line in lines if line not in given]  # the prompt's own calls may stay
        assert lines and not any(line in text for line in lines), q.label
    assert (out / "autograder" / "autograder.zip").is_file()


# ----- broken exercises fail loudly ---------------------------------------------------------------

CHAPTER3 = (ROOT / "book" / "03-gru-gates.md").read_text()
NEW_EXERCISE = """
:::{exercise} A new one
:label: ch3-ex99
Compute it with `exercises.check_half_life(answer, update_bias=2)`.
:::

:::{solution} ch3-ex99
Because.
:::
"""


def test_an_exercise_the_sheets_do_not_know_stops_generation():
    found = exercise_index.parse(CHAPTER3 + NEW_EXERCISE, "03-gru-gates")
    with pytest.raises(ma.AssignmentError, match="03-gru-gates: exercise ch3-ex99 .*neither"):
        ma._check_sheet(SHEETS["03-gru-gates"], found)


def test_a_checker_left_out_of_the_tests_stops_generation():
    sheet = SHEETS["03-gru-gates"]
    found = exercise_index.parse(CHAPTER3, "03-gru-gates")
    ma._check_sheet(sheet, found)  # the real sheet passes
    q = dataclasses.replace(sheet.questions[1], public=())
    broken = dataclasses.replace(sheet, questions=(sheet.questions[0], q, *sheet.questions[2:]))
    with pytest.raises(ma.AssignmentError, match="ch3-ex6 names check_half_life; its public"):
        ma._check_sheet(broken, found)
    unknown = CHAPTER3.replace("check_gru_step(answer", "check_gru_stepp(answer")
    with pytest.raises(ma.AssignmentError, match="ch3-ex7 names check_gru_stepp, which"):
        ma._check_sheet(sheet, exercise_index.parse(unknown, "03-gru-gates"))


def test_an_exercise_without_solution_or_listed_but_missing_stops_generation():
    found = exercise_index.parse(CHAPTER3.replace(":::{solution-start} ch3-ex6", ":::{note}"), "x")
    with pytest.raises(ma.AssignmentError, match="ch3-ex6 has no solution"):
        ma._check_sheet(SHEETS["03-gru-gates"], found)
    found = exercise_index.parse(CHAPTER3.replace(":label: ch3-ex4", ":label: ch3-ex9"), "x")
    with pytest.raises(ma.AssignmentError, match="ch3-ex4 is in SHEETS but not in the chapter"):
        ma._check_sheet(SHEETS["03-gru-gates"], found)


@pytest.mark.build
def test_a_solution_that_breaks_fails_the_grading_check(graded, tmp_path):
    sheet = SHEETS["01-rnn-basics"]
    out = graded[sheet.chapter]["out"]
    nb = nbformat.read(out / "autograder" / f"{sheet.chapter}.ipynb", as_version=4)
    cell = next(c for c in nb.cells if "one_layer = one" in c.source)
    cell.source = cell.source.replace("grubook.RNN(12, 64)", "grubook.RNN(12, -64)", 1)
    nbformat.write(nb, tmp_path / "broken.ipynb")
    got = ma.grade(tmp_path / "broken.ipynb", out / "autograder" / "autograder.zip")
    problems = ma.compare("01-rnn-basics: the solutions", got, ma.expected(sheet))
    assert problems == ["01-rnn-basics: the solutions scored 0.0 on ch1_ex1, not 1.0"]
