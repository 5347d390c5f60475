"""Write the student edition: the chapter notebooks with every solution taken out.

The instructor edition is the book as it is (the site, and ``book/NN-name.ipynb`` with the
solutions folded in ``<details>``). The student edition is made from the same MyST sources by the
same converter (:mod:`grubook_site.notebooks`), after two changes to each chapter's text:

- every solution is removed: a ``{solution}`` block, and a gated solution from its
  ``{solution-start}`` line to the end of its ``{solution-end}`` block, with the prose and the code
  cells (tagged ``solution``) between them;
- each exercise is followed by its starter cell (tagged ``starter``;
  :func:`grubook_site.book.starter_code`), which runs, so the notebook runs top to bottom.

After writing, the edition is checked against the instructor notebooks (:func:`problems`); a leak
fails the command.

    python -m grubook_site.student [DEST]          write DEST/NN-name.ipynb (default _build/student)
    python -m grubook_site.student --check DEST    only check an existing edition
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

from . import book, notebooks
from .book import ROOT

DEFAULT_DEST = ROOT / "_build" / "student"
STARTER_TAG = "starter"
# a solution line shorter than this is too generic to call a leak ("```", "$$", "plt.show()")
MIN_LEAK_CHARS = 16


# ---------------------------------------------------------------------------------------------
# MyST source -> student MyST source


def _closed(lines: list[str], i: int) -> book.Block:
    b = book.block_at(lines, i)
    if b.end == len(lines):
        raise ValueError(f"line {i + 1}: the {lines[i].strip()!r} block is never closed")
    return b


def _name(line: str) -> str:
    opened = book.FENCE.match(line)
    return opened.group("name") if opened else ""


def student_source(text: str) -> str:
    """A chapter's MyST text with every solution removed and a starter cell after each exercise.

    Raises ValueError on a block that is never closed, or a ``{solution-start}`` without its
    ``{solution-end}`` (the student edition must not guess where a solution ends)."""
    lines = text.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        name = _name(lines[i])
        if name == "solution":
            i = _closed(lines, i).end + 1
            continue
        if name == "solution-start":
            ends = [k for k in range(i + 1, len(lines)) if _name(lines[k]) == "solution-end"]
            if not ends:
                raise ValueError(f"line {i + 1}: {{solution-start}} has no {{solution-end}}")
            i = _closed(lines, ends[0]).end + 1
            continue
        if name == "exercise":
            b = _closed(lines, i)
            code = book.starter_code(b.options.get("label", ""), b.arg, b.text)
            out += lines[i : b.end + 1]
            out += ["", "```{code-cell} ipython3", f":tags: [{STARTER_TAG}]", "", code, "```"]
            i = b.end + 1
            continue
        out.append(lines[i])
        i += 1
    return "\n".join(out) + "\n"


def student_notebook(chapter: Path, root: Path = ROOT) -> str:
    """The student notebook for one chapter, as the text written to disk."""
    made_by = (
        f"Student edition of `{chapter.relative_to(root).as_posix()}`, made by `python -m "
        "grubook_site.student`: the exercises are here, each with a starter cell (tagged "
        "`starter`); the solutions are not."
    )
    return notebooks.make_notebook(chapter, root, student_source(chapter.read_text()), made_by)


def write_edition(dest: Path = DEFAULT_DEST, root: Path = ROOT) -> list[Path]:
    dest.mkdir(parents=True, exist_ok=True)
    for old in dest.glob("*.ipynb"):
        old.unlink()
    written = []
    for chapter in book.chapters(root / "book"):
        path = dest / notebooks.notebook_path(chapter).name
        path.write_text(student_notebook(chapter, root))
        written.append(path)
    return written


# ---------------------------------------------------------------------------------------------
# The check: against the instructor notebooks
# ---------------------------------------------------------------------------------------------


def instructor_parts(chapter: Path, root: Path = ROOT) -> tuple[list[str], str, list[str]]:
    """From the instructor notebook of a chapter: the solutions (the ``<details>`` Solution folds
    and the code cells tagged ``solution``), everything else as one text, and the exercises (the
    "Exercise: title" block quotes)."""
    nb = nbformat.reads(notebooks.make_notebook(chapter, root), as_version=4)
    solutions, rest = [], []
    fold = re.compile(r"<details>\n<summary><b>Solution</b></summary>\n(.*?)\n</details>", re.S)
    for cell in nb.cells[1:]:
        if cell.cell_type == "code" and "solution" in cell.metadata.get("tags", []):
            solutions.append(cell.source)
            continue
        solutions += fold.findall(cell.source)
        rest.append(fold.sub("", cell.source))
    rest_text = "\n".join(rest)
    exercises = re.findall(r"^> \*\*Exercise: .*?(?=\n(?!>)|\Z)", rest_text, re.M | re.S)
    return solutions, rest_text, exercises


def problems(dest: Path = DEFAULT_DEST, root: Path = ROOT) -> list[str]:
    """What is wrong with the student edition in ``dest`` (an empty list when it is right): a
    chapter missing, a notebook nbformat rejects, a solution line that survives (one that the
    instructor notebook has only inside a solution), an exercise missing, or an exercise whose
    starter cell is missing."""
    out = []
    for chapter in book.chapters(root / "book"):
        name = notebooks.notebook_path(chapter).name
        path = Path(dest) / name
        if not path.is_file():
            out.append(f"{name}: missing from {dest}")
            continue
        try:
            nb = nbformat.read(path, as_version=4)
            nbformat.validate(nb)
        except Exception as e:  # noqa: BLE001 (any reason the file is not a notebook)
            out.append(f"{name}: not a valid notebook ({type(e).__name__}: {e})")
            continue
        text = "\n".join(c.source for c in nb.cells)
        solutions, rest, exercises = instructor_parts(chapter, root)
        leaked = []
        for solution in solutions:
            for line in (s.strip() for s in solution.splitlines()):
                if len(line) >= MIN_LEAK_CHARS and line not in rest and line in text:
                    leaked.append(line)
        if leaked:
            out.append(f"{name}: {len(leaked)} solution line(s) left in, e.g. {leaked[0]!r}")
        starters = [c.source for c in nb.cells if STARTER_TAG in c.metadata.get("tags", [])]
        for exercise in exercises:
            title = exercise.split("\n", 1)[0]
            if exercise not in text:
                out.append(f"{name}: exercise missing or changed: {title}")
        labels = [e.label for e in book.parse(chapter.read_text())]
        for label in labels:
            if not any(s.startswith("# Exercise ") and f"({label}):" in s for s in starters):
                out.append(f"{name}: no starter cell for {label}")
        if len(exercises) != len(labels):
            out.append(f"{name}: {len(labels)} exercises in the source, {len(exercises)} shown")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dest", nargs="?", type=Path, default=DEFAULT_DEST)
    parser.add_argument("--check", action="store_true", help="check an existing edition only")
    args = parser.parse_args(argv)
    if not args.check:
        for path in write_edition(args.dest):
            print(f"wrote {path}")
    found = problems(args.dest)
    for p in found:
        print(f"grubook_site.student: {p}", file=sys.stderr)
    if found:
        return 1
    print(f"student edition checked: {args.dest} has no solution and every exercise")
    return 0


if __name__ == "__main__":
    sys.exit(main())
