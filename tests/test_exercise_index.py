"""The exercises (grubook_site.book) and their table (grubook_site.exercise_index): a chapter's
exercises are read right, what is inconsistent is reported, and the real chapters and the
instructor guide pass."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from grubook_site import book
from grubook_site import exercise_index as ei

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"


def fixture(tmp_path: Path, text: str) -> dict:
    (tmp_path / "09-fixture.md").write_text(text)
    return book.read_book(tmp_path)


def test_a_chapter_with_two_exercises_gives_the_right_table(tmp_path, chapter_md):
    found = fixture(tmp_path, chapter_md)
    first, second = found["09-fixture"]
    assert first == book.Exercise(
        "09-fixture",
        "ch9-ex1",
        "Count by hand",
        checkers=("check_parameter_count",),
        solution=True,
        solution_code=1,
        solution_checkers=("check_parameter_count",),
    )
    assert second == book.Exercise("09-fixture", "ch9-ex2", "Explain it", solution=True)
    assert ei.markdown_table(found["09-fixture"]).splitlines() == [
        "| exercise | title | checker | solution |",
        "|---|---|---|---|",
        "| 1 (`ch9-ex1`) | Count by hand | `check_parameter_count` | runs in the build (1 cell) |",
        "| 2 (`ch9-ex2`) | Explain it | none | prose |",
    ]
    assert book.problems(found) == []


@pytest.mark.parametrize(
    "old, new, complaint",
    [
        ("check_parameter_count(answer", "check_parameter_cuont(answer", "does not have"),
        (
            "::::{solution} ch9-ex2",
            "::::{solution} ch9-ex9",
            "ch9-ex2 (Explain it) has no solution",
        ),
        ("[hide-cell, solution]", "[hide-cell]", "lack the tag 'solution'"),
        ("exercises.check_parameter_count(32", "print(32", "its solution never calls it"),
        (":label: ch9-ex2\n", "", "has no :label:"),
    ],
    ids=["missing-checker", "no-solution", "untagged-cell", "checker-not-called", "no-label"],
)
def test_an_inconsistent_chapter_is_reported(tmp_path, chapter_md, old, new, complaint):
    assert old in chapter_md
    found = book.problems(fixture(tmp_path, chapter_md.replace(old, new)))
    assert any(complaint in p for p in found), found


def test_an_unused_checker_is_reported(tmp_path, chapter_md):
    found = fixture(tmp_path, chapter_md)
    assert "check_smape" in book.unused_checkers(found)
    assert "check_parameter_count" not in book.unused_checkers(found)


def test_links_and_per_chapter_numbers(chapter_md):
    found = book.parse(chapter_md, "09-fixture")
    assert "| {numref}`ch9-ex2` (`ch9-ex2`) | Explain it |" in ei.markdown_table(found, link=True)
    env = SimpleNamespace(
        toc_fignumbers={
            "a": {"exercise": {"ch1-ex1": (1,), "ch1-ex2": (2,)}, "figure": {"f": (1,)}},
            "b": {"exercise": {"ch2-ex2": (4,), "ch2-ex1": (3,)}, "figure": {"g": (2,)}},
        }
    )
    assert ei.number_per_chapter(None, env) == []
    assert env.toc_fignumbers["b"] == {
        "exercise": {"ch2-ex1": (1,), "ch2-ex2": (2,)},
        "figure": {"g": (2,)},  # figures keep the book's numbering
    }


def test_cited_labels():
    text = "see {numref}`ch3-ex1` and {ref}`the step <ch3-ex7>`, not `ch4-ex1`"
    assert book.cited_labels(text) == ("ch3-ex1", "ch3-ex7")


# ----- the real book ------------------------------------------------------------------------------
REAL = book.read_book(BOOK)
LABELS = [e.label for found in REAL.values() for e in found]


def test_the_book_has_six_chapters_of_exercises():
    assert len(REAL) == 6 and all(REAL.values())


def test_every_exercise_has_a_solution_and_names_only_real_checkers():
    assert book.problems(REAL) == []
    assert len(LABELS) == len(set(LABELS))
    for chapter, found in REAL.items():
        number = int(chapter[:2])
        assert [e.label for e in found] == [f"ch{number}-ex{k}" for k in range(1, len(found) + 1)]


def test_every_solution_runs_code_in_the_build():
    assert [e.label for found in REAL.values() for e in found if not e.solution_code] == []


def test_every_checker_is_used_by_an_exercise():
    assert len(book.known_checkers()) == 11
    assert book.unused_checkers(REAL) == []


def test_every_exercise_the_guide_cites_exists():
    guide = (BOOK / "instructor-guide.md").read_text()
    cited = book.cited_labels(guide)
    assert cited, "the guide's plan cites no exercise by label"
    assert set(cited) <= set(LABELS), sorted(set(cited) - set(LABELS))
    # and the check bites: a label that does not exist is caught
    assert not set(book.cited_labels(guide + "{numref}`ch3-ex99`")) <= set(LABELS)


@pytest.mark.parametrize(("tags", "untagged"), [("[hide-cell, solution]", 0), ("[hide-cell]", 1)])
def test_options_given_as_a_yaml_block_are_read(tmp_path, chapter_md, tags, untagged):
    # a cell with nested metadata (an image's alt text) writes its options as a YAML block
    yaml_cell = (
        f"```{{code-cell}} ipython3\n---\ntags: {tags}\nmystnb:\n  image:\n    alt: A plot.\n---\n"
    )
    text = chapter_md.replace("```{code-cell} ipython3\n:tags: [hide-cell, solution]\n", yaml_cell)
    assert text != chapter_md
    (first,) = [e for e in fixture(tmp_path, text)["09-fixture"] if e.label == "ch9-ex1"]
    assert first.solution_code == 1 and first.untagged == untagged
