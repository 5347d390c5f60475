"""Write the autograded assignments: one Otter-Grader exercise sheet per chapter.

A chapter's assignment is its exercise sheet, not the whole chapter (a chapter takes minutes to
run; a sheet takes seconds). It holds, in the chapter's order, every exercise as the student
edition prints it (``scripts/make_student.py``), and:

- for an autograded exercise, an answer cell and its tests. The instructor's answer is the book's
  own solution code (``grubook_site.exercise_index`` reads it from the chapter), followed by one
  line per answer variable; the student sees ``name = ...``. The public tests call the checkers
  the exercise names (``grubook.exercises``), so ``grader.check`` gives the checker's hint; the
  hidden tests (in the autograder only) compare each numeric answer with a value computed from
  grubook, never typed in.
- for any other exercise, the student edition's starter cell and a sentence saying why it is not
  autograded (an explanation, a training run of minutes, a timing that depends on the machine).

Every exercise of a chapter must be listed in :data:`SHEETS`, as a question or as not graded, and
every checker an exercise names must be in its public tests: a new or renamed exercise, a checker
that does not exist, or a missing solution stops the command with a sentence naming the chapter
and the exercise.

``otter assign`` turns each sheet into ``DEST/<chapter>/student/`` (the notebook to hand out, with
its public tests) and ``DEST/<chapter>/autograder/`` (``autograder.zip`` for ``otter run``,
Gradescope or Canvas, and the instructor's solution notebook). With ``--check`` (what ``make
assignments`` runs), every sheet is then graded offline with Otter's local runner (``otter run``,
no Docker): the solutions must get full marks on every question, and the untouched student
notebook zero on each.

    python scripts/make_assignments.py [DEST]           write DEST/<chapter>/ (_build/assignments)
    python scripts/make_assignments.py --check [DEST]   write, then grade solutions and students
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import json
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, HERE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


mk = _load("make_notebooks")
ms = _load("make_student")
sys.path.insert(0, str(mk.ROOT / "src"))
from grubook_site import exercise_index  # noqa: E402

ROOT = mk.ROOT
DEFAULT_DEST = ROOT / "_build" / "assignments"
OTTER_PIN = "otter-grader==7.0.0"
GRADE_TIMEOUT_S = 300  # one notebook; a sheet runs in seconds
WORKERS = 2  # sheets made and graded at once (the machines have 2 cores)


class AssignmentError(Exception):
    """A sheet that cannot be made or graded as promised; the message names chapter and exercise."""


@dataclass(frozen=True)
class Question:
    """One autograded exercise.

    label: the exercise's ``:label:``; answers: {variable: the instructor's expression}, evaluated
    after the solution code; public: test expressions the student sees (the checkers); hidden:
    test expressions computed from grubook, in the autograder only; wrong: {variable: a typical
    wrong answer} for the self-test; solution: code run before the answers, instead of the book's
    solution cells (None: the book's, which is the rule; a solution that needs a trained model
    gets a shorter one here, said in its ``why``); why: the reason for replacing it.
    """

    label: str
    answers: dict[str, str]
    public: tuple[str, ...]
    hidden: tuple[str, ...]
    wrong: dict[str, str]
    solution: str | None = None
    why: str = ""
    points: int = 1


@dataclass(frozen=True)
class Sheet:
    """One chapter's sheet: the set-up code (imports, and definitions taken from the chapter by
    name), the autograded questions, and {label: why not autograded} for the others."""

    chapter: str
    setup: str
    questions: tuple[Question, ...]
    not_graded: dict[str, str]
    definitions: tuple[str, ...] = field(default=())


IMPORTS = """\
import numpy as np
import torch
from myst_nb import glue

import grubook
from grubook import exercises, views

torch.set_num_threads(1)
torch.manual_seed(0)"""

EXPLAIN = "it asks for a prediction and an explanation in words, which a person reads"
TRAINS = "it trains networks for minutes, too long for an autograder run"

SHEETS: tuple[Sheet, ...] = (
    Sheet(
        "01-rnn-basics",
        IMPORTS + "\n\nd, n = 3, 32\nrnn = grubook.RNN(d, n)  # the parameter-count section's RNN",
        (
            Question(
                "ch1-ex1",
                {"one_layer": "one", "two_layers": "two"},
                (
                    'exercises.check_parameter_count(one_layer, "rnn", input_size=12, '
                    "hidden_size=64)",
                    'exercises.check_parameter_count(two_layers, "rnn", input_size=12, '
                    "hidden_size=64, num_layers=2)",
                ),
                (
                    "one_layer == grubook.count_parameters(grubook.RNN(12, 64))",
                    "two_layers == grubook.count_parameters(grubook.RNN(12, 64, num_layers=2))",
                ),
                {"one_layer": "64 * 12 + 64**2 + 64"},
            ),
            Question(
                "ch1-ex4",
                {"output_shape_1000": "tuple(output.shape)", "h_n_shape": "tuple(h_n.shape)"},
                (  # the form of the answer; its values are checked by the hidden tests
                    "len(tuple(output_shape_1000)) == len(tuple(h_n_shape)) == 3",
                ),
                (
                    "tuple(output_shape_1000) == tuple(rnn(torch.zeros(1000, 1, 3))[0].shape)",
                    "tuple(h_n_shape) == tuple(rnn(torch.zeros(1000, 1, 3))[1].shape)",
                ),
                {"output_shape_1000": "(1000, 32)"},
            ),
        ),
        {
            "ch1-ex2": EXPLAIN + " (the measured change is zero up to rounding)",
            "ch1-ex3": EXPLAIN,
        },
    ),
    Sheet(
        "02-vanishing-gradients",
        IMPORTS,
        (
            Question(
                "ch2-ex1",
                {"prediction": "0.9**20", "measured": "norms[20]"},
                ("exercises.check_gradient_decay(prediction, rho=0.9, distance=20)",),
                (
                    "exercises.check_gradient_decay(measured, rho=0.9, distance=20)",
                    "abs(measured - prediction) > 0",  # measured, not the prediction copied
                ),
                {"prediction": "0.9 * 20"},
            ),
        ),
        {
            "ch2-ex2": EXPLAIN + " (which clipping keeps the direction, and why)",
            "ch2-ex3": EXPLAIN + " (what the GRU gives up)",
            "ch2-ex4": EXPLAIN + " (whether a conclusion changes)",
        },
    ),
    Sheet(
        "03-gru-gates",
        IMPORTS,
        (
            Question(
                "ch3-ex1",
                {"z": "z_min", "b": "float(bias)"},
                (
                    "exercises.check_keep_gate(z, steps=100)",
                    "exercises.check_keep_gate(b, steps=100, as_bias=True)",
                ),
                (
                    'views.gates.memory_trace(z, steps=100)["retained"][100] >= 0.5 - 1e-6',
                    "abs(1 / (1 + np.exp(-b)) - z) < 1e-3 * (1 - z)",
                ),
                {"z": "1 - z_min"},
            ),
            Question(
                "ch3-ex6",
                {"half_life_3": "half6", "half_life_4": "half6_4"},
                ("exercises.check_half_life(half_life_3, update_bias=3)",),
                (
                    "exercises.check_half_life(half_life_4, update_bias=4)",
                    "abs(half_life_3 - views.gates.half_life(1 / (1 + np.exp(-3.0)))) < 0.05",
                ),
                {"half_life_4": "half6 + 1"},
            ),
            Question(
                "ch3-ex7",
                {"h_t": "by_hand"},
                (
                    "exercises.check_gru_step(h_t, z=[0.9, 0.2], candidate=[-0.6, 0.7], "
                    "h_prev=[0.8, -0.5])",
                ),
                (
                    "np.allclose(np.asarray(h_t, dtype=float), grubook.gru_step(torch.zeros(2), "
                    "torch.tensor([0.8, -0.5]), torch.zeros(6, 2), torch.zeros(6, 2), "
                    "torch.cat([torch.full((2,), 30.0), torch.logit(torch.tensor([0.9, 0.2])), "
                    "torch.atanh(torch.tensor([-0.6, 0.7]))]), torch.zeros(6))[0].numpy(), "
                    "atol=1e-3)",
                ),
                {"h_t": "swapped"},
            ),
        ),
        {
            "ch3-ex2": TRAINS,
            "ch3-ex3": EXPLAIN,
            "ch3-ex4": TRAINS,
            "ch3-ex5": EXPLAIN,
            "ch3-ex8": "it needs the chapter's trained model and asks for a prediction",
        },
    ),
    Sheet(
        "04-gru-vs-lstm",
        IMPORTS + "\nimport math\n\ncount = grubook.count_parameters",
        (
            Question(
                "ch4-ex1",
                {"gru_two_layers": "gru2"},
                (
                    'exercises.check_parameter_count(gru_two_layers, "gru", input_size=2, '
                    "hidden_size=16, num_layers=2)",
                ),
                ("gru_two_layers == count(grubook.GRU(2, 16, num_layers=2))",),
                {"gru_two_layers": "3 * 16 * (2 + 16 + 2)"},
            ),
            Question(
                "ch4-ex5",
                {"lstm_units": "m64"},
                ('exercises.check_equal_budget(lstm_units, "lstm", ("gru", 64), input_size=1)',),
                (
                    "abs(count(grubook.LSTM(1, lstm_units)) - count(grubook.GRU(1, 64))) "
                    "<= 0.01 * count(grubook.GRU(1, 64))",
                ),
                {"lstm_units": "64"},
            ),
        ),
        {
            "ch4-ex2": TRAINS + " (three LSTM seeds, about half a minute)",
            "ch4-ex3": EXPLAIN + " (the weights are the student's construction)",
            "ch4-ex4": "it times layers, and the answer depends on the machine",
        },
        definitions=("one_block", "lstm_size_for_gru_budget"),
    ),
    Sheet(
        "05-addition-task",
        IMPORTS + "\nfrom grubook.tasks import addition",
        (
            Question(
                "ch5-ex1",
                {"a_bits": "[0, 1, 1]", "carry_out": "[0, 1, 1, 0]", "x_shape": "tuple(x.shape)"},
                (
                    "exercises.check_encoding(a_bits, 6, bits=3)",
                    "exercises.check_carries(carry_out, 6, 7, bits=3)",
                ),
                ("tuple(x_shape) == tuple(addition.encode(6, 7, 3)[0].shape)",),
                {"a_bits": "[1, 1, 0]"},
            ),
            Question(
                "ch5-ex2",
                {"median_chain": "float(np.median(runs_len))"},
                ("isinstance(median_chain, float) and 1 <= median_chain <= 64",),  # its form
                (
                    "median_chain == float(np.median([longest_run(r) for r in addition.add_bits("
                    "*addition.random_operands(10_000, 64, torch.Generator().manual_seed(2)))[1]"
                    ".tolist()]))",
                ),
                {"median_chain": "median_chain + 2"},
                solution=(
                    "g = torch.Generator().manual_seed(1)\n"
                    "_, carries = addition.add_bits(*addition.random_operands(10_000, 64, g))\n"
                    "runs_len = np.array([longest_run(row) for row in carries.tolist()])\n"
                    'print(f"median longest carry chain: {np.median(runs_len):.0f} columns")\n'
                    'print(f"20 or more columns in {np.mean(runs_len >= 20):.2%} of sums")'
                ),
                why=(
                    "the book's solution also tests the chapter's five trained GRUs; only the "
                    "first part, the carry chains, is autograded"
                ),
            ),
            Question(
                "ch5-ex5",
                {"carries": "carries255"},
                ("exercises.check_carries(carries, 255, 1, bits=8)",),
                (
                    "list(carries)[:8] == addition.add_bits(addition.to_bits(255, 8), "
                    "addition.to_bits(1, 8))[1][0].tolist()[:8]",
                ),
                {"carries": "[1] + [0] * 8"},
            ),
        ),
        {"ch5-ex3": TRAINS, "ch5-ex4": EXPLAIN},
        definitions=("longest_run",),
    ),
    Sheet(
        "06-energy-forecasting",
        IMPORTS + "\nfrom grubook import energy",
        (
            Question(
                "ch6-ex1",
                {"smape_by_hand": "by_hand"},
                ("exercises.check_smape(smape_by_hand, [110, 90, 100], [100, 100, 100])",),
                (
                    "abs(smape_by_hand - energy.smape(np.array([110.0, 90, 100]), "
                    "np.array([100.0, 100, 100]))) < 1e-3",
                ),
                {"smape_by_hand": "energy.tutorial_smape(F, A)"},
            ),
        ),
        {
            "ch6-ex2": EXPLAIN + " (and it loads three years of data)",
            "ch6-ex3": EXPLAIN + " (a prediction about persistence)",
            "ch6-ex4": TRAINS,
            "ch6-ex5": TRAINS,
        },
    ),
)


# ---------------------------------------------------------------------------------------------
# Reading the chapter: its exercises (shared parser), prompts and definitions
# ---------------------------------------------------------------------------------------------


def chapter_path(stem: str, root: Path = ROOT) -> Path:
    path = root / "book" / f"{stem}.md"
    if not path.is_file():
        raise AssignmentError(f"{stem}: no chapter book/{stem}.md")
    return path


def chapter_definitions(chapter: Path, names: tuple[str, ...], root: Path = ROOT) -> str:
    """The source of each top-level ``def`` named in ``names``, from the chapter's code cells (the
    chapter's own text, so a sheet cannot drift from it)."""
    nb = nbformat.reads(mk.make_notebook(chapter, root), as_version=4)
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


def _check_sheet(sheet: Sheet, found: list) -> None:
    """Stop on anything that would make the sheet differ from the book (see the module text)."""
    where = f"{sheet.chapter}"
    labels = [e.label for e in found]
    listed = [q.label for q in sheet.questions] + list(sheet.not_graded)
    for label in listed:
        if label not in labels:
            raise AssignmentError(f"{where}: exercise {label} is in SHEETS but not in the chapter")
    for e in found:
        if e.label not in listed:
            raise AssignmentError(
                f"{where}: exercise {e.label} ({e.title}) is neither autograded nor listed as not "
                "graded in scripts/make_assignments.py SHEETS"
            )
        if not e.solution:
            raise AssignmentError(f"{where}: exercise {e.label} has no solution")
        if e.checkers and e.label in sheet.not_graded:
            raise AssignmentError(
                f"{where}: exercise {e.label} names {', '.join(e.checkers)}, so it must be "
                "autograded"
            )
    known = set(exercise_index.known_checkers())
    by_label = {e.label: e for e in found}
    for q in sheet.questions:
        e = by_label[q.label]
        for checker in e.checkers:
            if checker not in known:
                raise AssignmentError(
                    f"{where}: exercise {q.label} names {checker}, which grubook.exercises lacks"
                )
            if not any(f"exercises.{checker}(" in t for t in q.public):
                raise AssignmentError(
                    f"{where}: exercise {q.label} names {checker}; its public tests must call it"
                )
        if q.solution is None and not e.solution_sources:
            raise AssignmentError(f"{where}: exercise {q.label}'s solution runs no code")
        if not q.hidden:
            raise AssignmentError(f"{where}: exercise {q.label} has no hidden test")
        if not q.public:  # Otter gives a question without one no grader.check cell
            raise AssignmentError(f"{where}: exercise {q.label} has no public test")
        if not set(q.wrong) <= set(q.answers):
            raise AssignmentError(f"{where}: exercise {q.label}: wrong answers for unknown names")


# ---------------------------------------------------------------------------------------------
# The sheet in Otter's assign format
# ---------------------------------------------------------------------------------------------


def question_name(label: str) -> str:
    return label.replace("-", "_")  # a Python name: Otter files tests under it


def _raw(text: str):
    return nbformat.v4.new_raw_cell(text)


def _test_cell(expr: str, hidden: bool) -> str:
    line = f"assert {expr}"
    if "exercises.check_" in expr and not hidden:
        line = f"_c = {expr}\nassert _c, str(_c)"  # the checker's hint in grader.check's report
    return ("# HIDDEN\n" if hidden else "") + line


def master_notebook(sheet: Sheet, root: Path = ROOT) -> nbformat.NotebookNode:
    """The sheet as an Otter assign master notebook."""
    chapter = chapter_path(sheet.chapter, root)
    found = exercise_index.parse(chapter.read_text(), sheet.chapter)
    _check_sheet(sheet, found)
    _, _, prompts = ms._instructor_parts(chapter, root)
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
        "run_tests": False,  # `make_assignments.py --check` grades with `otter run` instead
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
        nbformat.v4.new_markdown_cell(
            f"# Exercise sheet: {_title(chapter)}\n\n"
            f"The exercises of `book/{chapter.name}`, in the chapter's order. {len(questions)} of "
            f"them are autograded ({graded}; {total} point{'s' if total != 1 else ''}): put your "
            "answers in the variables named in each answer cell (where it says `...`), and run "
            "`grader.check(...)` under it to test them against the book's checkers. Hidden tests "
            "compare your numbers with values computed from `grubook` when the sheet is graded. "
            "The others are for discussion:\n\n" + not_graded
        ),
        nbformat.v4.new_code_cell(mk.setup_source(root) + _OTTER_INSTALL),
        nbformat.v4.new_code_cell(f'import otter\n\ngrader = otter.Notebook("{name}.ipynb")'),
    ]
    setup = sheet.setup
    if sheet.definitions:
        setup += "\n\n\n# from the chapter:\n" + chapter_definitions(
            chapter, sheet.definitions, root
        )
    cells.append(nbformat.v4.new_code_cell(setup))
    for e, prompt in zip(found, prompts):
        q = questions.get(e.label)
        if q is None:
            cells.append(
                nbformat.v4.new_markdown_cell(
                    f"{prompt}\n\n*Not autograded: {sheet.not_graded[e.label]}.*"
                )
            )
            cells.append(nbformat.v4.new_code_cell(_starter(chapter, e.label)))
            continue
        qname = question_name(q.label)
        cells.append(  # all or nothing: a question is answered right, or not
            _raw(f"# BEGIN QUESTION\nname: {qname}\npoints: {q.points}\nall_or_nothing: true")
        )
        names = ", ".join(f"`{v}`" for v in q.answers)
        cells.append(nbformat.v4.new_markdown_cell(f"{prompt}\n\n*Autograded: put {names}.*"))
        solution = q.solution if q.solution is not None else "\n\n".join(e.solution_sources)
        note = f"# (not the book's whole solution: {q.why})\n" if q.solution is not None else ""
        answers = "\n".join(f"{v} = {expr}  # SOLUTION" for v, expr in q.answers.items())
        cells.append(_raw("# BEGIN SOLUTION"))
        cells.append(
            nbformat.v4.new_code_cell(
                f"# BEGIN SOLUTION NO PROMPT\n{note}{solution}\n# END SOLUTION\n{answers}"
            )
        )
        cells.append(_raw("# END SOLUTION"))
        cells.append(_raw("# BEGIN TESTS"))
        cells += [nbformat.v4.new_code_cell(_test_cell(t, False)) for t in q.public]
        cells += [nbformat.v4.new_code_cell(_test_cell(t, True)) for t in q.hidden]
        cells.append(_raw("# END TESTS"))
        cells.append(_raw("# END QUESTION"))
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


def _starter(chapter: Path, label: str) -> str:
    """The student edition's starter cell for an exercise (its name and the calls it mentions)."""
    block = next(b for b in ms._exercise_blocks(chapter) if f":label: {label}" in b)
    lines = block.splitlines()
    title = mk._FENCE_OPEN.match(lines[0]).group("arg").strip()
    body = "\n".join(b for b in lines[1:-1] if not mk._OPTION.match(b))
    return ms.starter_code(label, title, body)


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
            "\n".join([*mk.install_packages(root), OTTER_PIN]) + "\n"
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


def write_all(dest: Path = DEFAULT_DEST, root: Path = ROOT) -> list[Path]:
    Path(dest).mkdir(parents=True, exist_ok=True)
    return [write_sheet(sheet, dest, root) for sheet in SHEETS]


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


def check_sheet(sheet: Sheet, out: Path) -> list[str]:
    """Grade the solutions (full marks expected) and the untouched student notebook (zero)."""
    zip_ = out / "autograder" / "autograder.zip"
    full = expected(sheet)
    problems = []
    for who, nb, want in (
        ("solutions", out / "autograder" / f"{sheet.chapter}.ipynb", full),
        ("student notebook", out / "student" / f"{sheet.chapter}.ipynb", dict.fromkeys(full, 0.0)),
    ):
        t0 = time.perf_counter()
        got = grade(nb, zip_)
        print(f"{sheet.chapter}: graded the {who} in {time.perf_counter() - t0:.1f} s: {got}")
        problems += compare(f"{sheet.chapter}: the {who}", got, want)
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dest", nargs="?", type=Path, default=DEFAULT_DEST)
    parser.add_argument("--check", action="store_true", help="grade solutions and students")
    args = parser.parse_args(argv)
    found = []
    t0 = time.perf_counter()

    def one(sheet: Sheet) -> list[str]:
        out = write_sheet(sheet, args.dest)
        print(f"wrote {out}")
        return check_sheet(sheet, out) if args.check else []

    try:
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:  # each worker waits on a subprocess
            for problems in pool.map(one, SHEETS):
                found += problems
    except AssignmentError as e:
        print(f"make_assignments: {e}", file=sys.stderr)
        return 1
    print(f"{len(SHEETS)} assignments in {time.perf_counter() - t0:.0f} s")
    for p in found:
        print(f"make_assignments: {p}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
