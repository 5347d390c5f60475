"""Write the autograded assignments: one Otter-Grader exercise sheet per chapter.

A chapter's assignment is its exercise sheet, not the whole chapter (a chapter takes minutes to
run; a sheet takes seconds). It holds, in the chapter's order, every exercise as the student
edition prints it (:mod:`grubook_site.student`), and:

- for an autograded exercise, an answer cell and its tests. The instructor's answer is the book's
  own solution code (:mod:`grubook_site.book` reads it from the chapter), followed by one
  line per answer variable; the student sees ``name = ...``. The public tests call the checkers
  the exercise names (``grubook.exercises``), so ``grader.check`` gives the checker's hint; the
  hidden tests (in the autograder only) compare each numeric answer with a value computed from
  grubook, never typed in.
- for any other exercise, the student edition's starter cell and a sentence saying why it is not
  autograded (an explanation, a training run of minutes, a timing that depends on the machine).

Where a chapter and its entry in :data:`grubook_site.book.SHEETS` disagree
(:func:`grubook_site.book.sheet_problems`), the command stops with a sentence naming both.

``otter assign`` turns each sheet into ``DEST/<chapter>/student/`` (the notebook to hand out, with
its public tests) and ``DEST/<chapter>/autograder/`` (``autograder.zip`` for ``otter run``,
Gradescope or Canvas, and the instructor's solution notebook). With ``--check`` (what ``make
assignments`` runs), every sheet is then graded offline by Otter's local runner (``otter run``,
no Docker) and its student notebook read (:func:`check_sheet`).

    python -m grubook_site.assignments [DEST]           write DEST/<chapter>/ (_build/assignments)
    python -m grubook_site.assignments --check [DEST]   write, then grade and read every sheet
    python -m grubook_site.assignments --check --only 01-rnn-basics [DEST]   one chapter
"""

from __future__ import annotations

import argparse
import ast
import json
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat

from . import book, notebooks, student
from .book import ROOT, SHEETS, Question, Sheet

DEFAULT_DEST = ROOT / "_build" / "assignments"
OTTER_PIN = "otter-grader==7.0.0"
GRADE_TIMEOUT_S = 300  # one notebook; a sheet runs in seconds
WORKERS = 2  # sheets made and graded at once (the machines have 2 cores)


class AssignmentError(Exception):
    """A sheet that cannot be made or graded as promised; the message names chapter and exercise."""


# ---------------------------------------------------------------------------------------------
# Reading the chapter: its prompts and definitions (its exercises: grubook_site.book)
# ---------------------------------------------------------------------------------------------


def chapter_path(stem: str, root: Path = ROOT) -> Path:
    path = root / "book" / f"{stem}.md"
    if not path.is_file():
        raise AssignmentError(f"{stem}: no chapter book/{stem}.md")
    return path


def chapter_definitions(chapter: Path, names: tuple[str, ...], root: Path = ROOT) -> str:
    """The source of each top-level ``def`` named in ``names``, from the chapter's code cells (the
    chapter's own text, so a sheet cannot drift from it)."""
    nb = book.cells(chapter.read_text())
    found = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue  # IPython magics: no definitions of ours there
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name in names:
                found.setdefault(node.name, ast.get_source_segment(cell.source, node))
    missing = [n for n in names if n not in found]
    if missing:
        raise AssignmentError(
            f"{chapter.name}: no top-level def {', '.join(missing)} in a code cell"
        )
    return "\n\n\n".join(found[n] for n in names)


def _title(chapter: Path) -> str:
    return next(
        (line[2:].strip() for line in chapter.read_text().splitlines() if line.startswith("# ")),
        chapter.stem,
    )


# ---------------------------------------------------------------------------------------------
# The sheet in Otter's assign format
# ---------------------------------------------------------------------------------------------


def question_name(label: str) -> str:
    return label.replace("-", "_")  # a Python name: Otter files tests under it


_raw = nbformat.v4.new_raw_cell
_md = nbformat.v4.new_markdown_cell
_code = nbformat.v4.new_code_cell


def _test_cell(expr: str, hidden: bool) -> str:
    line = f"assert {expr}"
    if "exercises.check_" in expr and not hidden:
        line = f"_c = {expr}\nassert _c, str(_c)"  # the checker's hint in grader.check's report
    return ("# HIDDEN\n" if hidden else "") + line


def master_notebook(sheet: Sheet, root: Path = ROOT) -> nbformat.NotebookNode:
    """The sheet as an Otter assign master notebook."""
    chapter = chapter_path(sheet.chapter, root)
    found = book.parse(chapter.read_text(), sheet.chapter)
    problems = book.sheet_problems(sheet, found)
    if problems:
        raise AssignmentError("\n".join(problems))
    _, _, prompts = student.instructor_parts(chapter, root)
    if len(prompts) != len(found):
        raise AssignmentError(
            f"{sheet.chapter}: {len(found)} exercises in the source, {len(prompts)} rendered"
        )
    questions = {q.label: q for q in sheet.questions}
    name = sheet.chapter
    config = {
        "name": name,
        "init_cell": False,  # ours, after the install cell (Colab has no otter)
        "check_all_cell": False,
        "export_cell": False,
        "run_tests": False,  # `--check` grades with `otter run` instead
        "generate": True,
        "requirements": "requirements.txt",
        "overwrite_requirements": True,
        "tests": {"files": True},  # public tests as files in student/tests
    }
    total = sum(q.points for q in sheet.questions)
    graded = ", ".join(q.label for q in sheet.questions)
    not_graded = "\n".join(
        f"- {label}: not autograded, {why}." for label, why in sheet.not_graded.items()
    )
    cells = [
        _raw("# ASSIGNMENT CONFIG\n" + json.dumps(config, indent=2)),
        _md(
            f"# Exercise sheet: {_title(chapter)}\n\n"
            f"The exercises of `book/{chapter.name}`, in the chapter's order. {len(questions)} of "
            f"them are autograded ({graded}; {total} point{'s' if total != 1 else ''}): put your "
            "answers in the variables named in each answer cell (where it says `...`), and run "
            "`grader.check(...)` under it to test them against the book's checkers. Hidden tests "
            "compare your numbers with values computed from `grubook` when the sheet is graded. "
            "The others are for discussion:\n\n" + not_graded
        ),
        _code(notebooks.setup_source(root) + _OTTER_INSTALL),
        _code(f'import otter\n\ngrader = otter.Notebook("{name}.ipynb")'),
    ]
    setup = sheet.setup
    if sheet.definitions:
        setup += "\n\n\n# from the chapter:\n" + chapter_definitions(
            chapter, sheet.definitions, root
        )
    cells.append(_code(setup))
    for e, prompt in zip(found, prompts):
        q = questions.get(e.label)
        if q is None:
            cells.append(_md(f"{prompt}\n\n*Not autograded: {sheet.not_graded[e.label]}.*"))
            cells.append(_code(e.starter))
            continue
        qname = question_name(q.label)
        cells.append(  # all or nothing: a question is answered right, or not
            _raw(f"# BEGIN QUESTION\nname: {qname}\npoints: {q.points}\nall_or_nothing: true")
        )
        names = ", ".join(f"`{v}`" for v in q.answers)
        cells.append(_md(f"{prompt}\n\n*Autograded: put {names}.*"))
        solution = q.solution if q.solution is not None else "\n\n".join(e.solution_sources)
        note = f"# (not the book's whole solution: {q.why})\n" if q.solution is not None else ""
        answers = "\n".join(f"{v} = {expr}  # SOLUTION" for v, expr in q.answers.items())
        cells.append(_raw("# BEGIN SOLUTION"))
        cells.append(
            _code(f"# BEGIN SOLUTION NO PROMPT\n{note}{solution}\n# END SOLUTION\n{answers}")
        )
        cells += [_raw("# END SOLUTION"), _raw("# BEGIN TESTS")]
        cells += [_code(_test_cell(t, False)) for t in q.public]
        cells += [_code(_test_cell(t, True)) for t in q.hidden]
        cells += [_raw("# END TESTS"), _raw("# END QUESTION")]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    return nb


_OTTER_INSTALL = f"""
try:
    import otter
except ImportError:  # Colab: the grader's client
    import subprocess

    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "{OTTER_PIN}"], check=True
    )"""


# ---------------------------------------------------------------------------------------------
# Otter: assign, and grade with the local runner
# ---------------------------------------------------------------------------------------------


def _otter(*args: str, timeout: int = GRADE_TIMEOUT_S, cwd: Path | None = None) -> str:
    cmd = [sys.executable, "-m", "otter", *args]
    try:
        done = subprocess.run(
            cmd, capture_output=True, text=True, timeout=timeout, cwd=cwd, check=False
        )
    except subprocess.TimeoutExpired as e:
        raise AssignmentError(f"otter {args[0]} ran over {timeout} s: {' '.join(args)}") from e
    if done.returncode != 0:
        raise AssignmentError(
            f"otter {' '.join(args)} failed ({done.returncode}):\n{done.stdout[-3000:]}"
            f"\n{done.stderr[-3000:]}"
        )
    return done.stdout


def write_sheet(sheet: Sheet, dest: Path, root: Path = ROOT) -> Path:
    """``dest/<chapter>/``: student/, autograder/ (Otter's output) and the master notebook."""
    out = Path(dest) / sheet.chapter
    if out.exists():
        shutil.rmtree(out)
    with tempfile.TemporaryDirectory() as tmp:
        master = Path(tmp) / f"{sheet.chapter}.ipynb"
        nbformat.write(master_notebook(sheet, root), master)
        (Path(tmp) / "requirements.txt").write_text(
            "\n".join([*notebooks.install_packages(root), OTTER_PIN]) + "\n"
        )
        _otter("assign", "--no-pdfs", str(master), str(out))
        shutil.copy(master, out / "source.ipynb")
    for part in ("student", "autograder"):
        if not (out / part / f"{sheet.chapter}.ipynb").is_file():
            raise AssignmentError(f"{sheet.chapter}: otter assign wrote no {part} notebook")
    zips = sorted((out / "autograder").glob(f"{sheet.chapter}-autograder_*.zip"))
    if len(zips) != 1:
        raise AssignmentError(f"{sheet.chapter}: otter assign wrote {len(zips)} autograder zips")
    zips[0].rename(out / "autograder" / "autograder.zip")  # a name that does not change
    return out


def grade(notebook: Path, autograder: Path) -> dict[str, tuple[float, float]]:
    """{question: (score, possible)} from Otter's local runner (``otter run``: no Docker)."""
    with tempfile.TemporaryDirectory() as tmp:
        _otter("run", "--no-logo", "-a", str(autograder), "-o", tmp, str(notebook))
        results = json.loads((Path(tmp) / "results.json").read_text())
    scores: dict[str, list[float]] = {}
    for test in results.get("tests", []):
        name = test["name"].split(" - ")[0].strip()
        if name == "Public Tests":  # Otter's summary of the public tests, not a question
            continue
        s = scores.setdefault(name, [0.0, 0.0])
        s[0] += float(test.get("score") or 0.0)
        s[1] += float(test.get("max_score") or 0.0)
    return {name: (s[0], s[1]) for name, s in scores.items()}


def wrong_notebook(sheet: Sheet, question: Question, out: Path, path: Path) -> Path:
    """The instructor's notebook with one answer of ``question`` replaced by its wrong value."""
    nb = nbformat.read(out / "autograder" / f"{sheet.chapter}.ipynb", as_version=4)
    variable, expr = next(iter(question.wrong.items()))
    marker = f"{variable} = {question.answers[variable]}"
    hits = [
        c
        for c in nb.cells
        if c.cell_type == "code" and any(line.startswith(marker) for line in c.source.splitlines())
    ]
    if len(hits) != 1:
        raise AssignmentError(
            f"{sheet.chapter}: {question.label}'s answer line {marker!r} not found"
        )
    hits[0].source += f"\n{variable} = {expr}  # a deliberate mistake"
    nbformat.write(nb, path)
    return path


def expected(sheet: Sheet) -> dict[str, float]:
    return {question_name(q.label): float(q.points) for q in sheet.questions}


def spoiled_question(sheet: Sheet) -> Question:
    """The question whose answer the check spoils: a different one from chapter to chapter."""
    return sheet.questions[int(sheet.chapter[:2]) % len(sheet.questions)]


def check_sheet(sheet: Sheet, out: Path) -> list[str]:
    """Grade the sheet written in ``out`` three times: the solutions must get full marks, the
    untouched student notebook zero, and the solutions with one answer spoiled lose exactly that
    question's points; then read the student notebook (:func:`handout_problems`)."""
    zip_, full = out / "autograder" / "autograder.zip", expected(sheet)
    spoiled = spoiled_question(sheet)
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        wrong = wrong_notebook(sheet, spoiled, out, Path(tmp) / f"{sheet.chapter}.ipynb")
        for who, nb, want in (
            ("solutions", out / "autograder" / f"{sheet.chapter}.ipynb", full),
            ("student", out / "student" / f"{sheet.chapter}.ipynb", dict.fromkeys(full, 0.0)),
            (f"{spoiled.label} spoiled", wrong, {**full, question_name(spoiled.label): 0.0}),
        ):
            t0 = time.perf_counter()
            got = grade(nb, zip_)
            print(f"{sheet.chapter}: graded the {who} in {time.perf_counter() - t0:.1f} s: {got}")
            problems += compare(f"{sheet.chapter}: the {who}", got, want)
            problems += [
                f"{sheet.chapter}: the {who}: {q} is out of {got[q][1]}, not {points}"
                for q, points in full.items()
                if q in got and got[q][1] != points
            ]
    return problems + handout_problems(sheet, out)


def handout_problems(sheet: Sheet, out: Path) -> list[str]:
    """What is wrong with the student notebook in ``out``: an exercise or a not-graded note
    missing, an answer cell or its ``grader.check`` missing, a hidden test or a line of an
    autograded solution given away."""
    handout = nbformat.read(out / "student" / f"{sheet.chapter}.ipynb", as_version=4)
    text = "\n".join(c.source for c in handout.cells)
    public = "\n".join(p.read_text() for p in (out / "student").rglob("*.py"))
    given = "\n".join(c.source for c in handout.cells if "Exercise:" in c.source) + sheet.setup
    found = {e.label: e for e in book.parse(chapter_path(sheet.chapter).read_text())}
    where = f"{sheet.chapter}: the student notebook"
    problems = [
        f"{where} lacks {x}" for x, e in found.items() if f"**Exercise: {e.title}**" not in text
    ]
    problems += [
        f"{where} does not say why {label} is not autograded"
        for label, why in sheet.not_graded.items()
        if f"Not autograded: {why}" not in text or label not in text
    ]
    for q in sheet.questions:
        wanted = [f'grader.check("{question_name(q.label)}")'] + [f"{v} = ..." for v in q.answers]
        problems += [f"{where} lacks {w!r}" for w in wanted if w not in text]
        problems += [f"{where} gives away {h!r}" for h in q.hidden if h in text or h in public]
        solution = q.solution or "\n".join(found[q.label].solution_sources)
        lines = (x.strip() for x in solution.splitlines())  # the prompt's own calls may stay
        lines = [x for x in lines if len(x) >= student.MIN_LEAK_CHARS and x not in given]
        if not lines or any(x in text for x in lines):
            problems.append(f"{where} gives away {q.label}'s solution (or it has no line to hide)")
    return problems


def compare(who: str, got: dict[str, tuple[float, float]], want: dict[str, float]) -> list[str]:
    """Sentences for each question whose score is not the one wanted (empty when all are)."""
    problems = []
    for q, points in want.items():
        score = got.get(q, (None, None))[0]
        if score is None or abs(score - points) > 1e-9:
            problems.append(f"{who} scored {score} on {q}, not {points}")
    if set(got) != set(want):
        problems.append(f"{who}: graded questions {sorted(got)}, not {sorted(want)}")
    return problems


def make(dest: Path = DEFAULT_DEST, chapters=None, check: bool = False) -> list[str]:
    """Write the sheets of ``chapters`` (all when None) into ``dest``, two at a time; with
    ``check``, grade and read each (:func:`check_sheet`). Returns the problems found; raises
    :class:`AssignmentError` when a sheet cannot be made."""
    sheets = [s for s in SHEETS if chapters is None or s.chapter in chapters]
    if chapters is not None and len(sheets) != len(set(chapters)):
        raise AssignmentError(f"no sheet for {sorted(set(chapters) - {s.chapter for s in sheets})}")

    def one(sheet: Sheet) -> list[str]:
        out = write_sheet(sheet, dest)
        print(f"wrote {out}")
        return check_sheet(sheet, out) if check else []

    Path(dest).mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:  # each worker waits on a subprocess
        return [p for problems in pool.map(one, sheets) for p in problems]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dest", nargs="?", type=Path, default=DEFAULT_DEST)
    parser.add_argument("--check", action="store_true", help="grade and read every sheet")
    parser.add_argument("--only", action="append", metavar="CHAPTER", help="this chapter's sheet")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    try:
        found = make(args.dest, args.only, args.check)
    except AssignmentError as e:
        print(f"grubook_site.assignments: {e}", file=sys.stderr)
        return 1
    print(f"assignments made in {time.perf_counter() - t0:.0f} s")
    for p in found:
        print(f"grubook_site.assignments: {p}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
