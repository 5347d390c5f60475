"""The student edition (grubook_site.student, `make student`): the chapter notebooks with every
solution removed and every exercise left with its starter cell; and the check that says so fails
on an edition that leaks a solution, loses an exercise or its starter cell, or is not a notebook."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from grubook_site import book, notebooks
from grubook_site import student as ms

CHAPTERS = book.chapters()


def test_student_source_removes_both_kinds_of_solution_and_adds_starters(chapter_md):
    out = ms.student_source(chapter_md)
    for gone in ("secret answer", "check_parameter_count(32", "after the code", "hidden reason"):
        assert gone not in out
    for kept in ("Some text.", ":label: ch9-ex1", "Count them", "Why?", "Text after the exercises"):
        assert kept in out
    assert "solution" not in out.replace("solutions", "")
    assert out.count(":tags: [starter]") == 2
    assert '#     exercises.check_parameter_count(answer, "rnn", 3, 4)' in out
    assert "answer = ...  # your answer" in out


def test_an_unterminated_gated_solution_is_refused(chapter_md):
    broken = chapter_md.replace(":::{solution-end}\n:::\n", "")
    with pytest.raises(ValueError, match="solution-end"):
        ms.student_source(broken)


@pytest.fixture(scope="module")
def edition(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("student")
    written = ms.write_edition(dest)
    assert [p.name for p in written] == [notebooks.notebook_path(c).name for c in CHAPTERS]
    return dest


def test_the_student_edition_passes_its_check(edition):
    assert ms.problems(edition) == []


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.stem for c in CHAPTERS])
def test_no_solution_survives_and_every_exercise_has_its_starter(edition, chapter):
    nb = nbformat.read(edition / notebooks.notebook_path(chapter).name, as_version=4)
    nbformat.validate(nb)
    text = "\n".join(c.source for c in nb.cells)
    solutions, _, exercises = ms.instructor_parts(chapter)  # ms.problems checks no line survives
    assert len(solutions) >= len(exercises) > 0  # so that check is not vacuous
    assert not any("solution" in c.metadata.get("tags", []) for c in nb.cells)
    assert "<summary><b>Solution</b></summary>" not in text
    starters = [c for c in nb.cells if "starter" in c.metadata.get("tags", [])]
    assert len(starters) == len(exercises)
    for exercise in exercises:
        assert exercise in text
        # the starter cell comes right after its exercise
        at = next(i for i, c in enumerate(nb.cells) if exercise.split("\n")[0] in c.source)
        after = next(c for c in nb.cells[at + 1 :] if c.cell_type == "code")
        assert "starter" in after.metadata.get("tags", [])
    # the starter cells run (they only assign `answer = ...` and hold comments)
    for cell in starters:
        exec(compile(cell.source, "starter", "exec"), {})


@pytest.fixture
def dest(edition, tmp_path) -> Path:
    """A copy of the edition, to break."""
    return Path(shutil.copytree(edition, tmp_path / "student"))


def notebook(dest: Path, k: int) -> Path:
    return dest / notebooks.notebook_path(CHAPTERS[k]).name


def test_the_check_fails_on_a_solution_left_in(dest):
    path = notebook(dest, 2)
    instructor = nbformat.reads(notebooks.make_notebook(CHAPTERS[2]), as_version=4)
    solution = next(c for c in instructor.cells if "solution" in c.metadata.get("tags", []))
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(solution.source))  # untagged, so only text betrays it
    nbformat.write(nb, path)
    found = ms.problems(dest)
    assert len(found) == 1 and "solution line(s) left in" in found[0], found


def test_the_check_fails_on_a_solution_fold_left_in(dest):
    path = notebook(dest, 0)
    solutions, _, _ = ms.instructor_parts(CHAPTERS[0])
    prose = next(s for s in solutions if "<details>" not in s and "\n" in s.strip())
    nb = nbformat.read(path, as_version=4)
    nb.cells[-1].source += "\n\n" + prose
    nbformat.write(nb, path)
    assert any("left in" in p for p in ms.problems(dest))


def test_the_check_fails_on_a_missing_exercise_or_starter(dest):
    path = notebook(dest, 4)
    nb = nbformat.read(path, as_version=4)
    starter = next(i for i, c in enumerate(nb.cells) if "starter" in c.metadata.get("tags", []))
    exercise = next(i for i in range(starter, -1, -1) if "> **Exercise:" in nb.cells[i].source)
    del nb.cells[starter]
    nb.cells[exercise].source = nb.cells[exercise].source.replace("> **Exercise:", "> **Task:")
    nbformat.write(nb, path)
    found = "\n".join(ms.problems(dest))
    assert "no starter cell for ch5-ex1" in found
    assert "exercise missing or changed" in found


def test_the_check_fails_on_a_broken_or_missing_notebook(dest):
    notebook(dest, 0).write_text('{"cells": 3}')
    notebook(dest, 1).unlink()
    found = "\n".join(ms.problems(dest))
    assert "not a valid notebook" in found and "missing from" in found
