"""The book's structure, read in one place: its pages, chapters, cells, exercises and their grading.

Every tool that needs to know what the book holds asks this module (the notebooks for Colab, the
student edition, the assignments, the printed book, the slides, the instructor guide, the tests):

- **pages**: :func:`toc_entries` and :func:`toc_pages`, every page of ``_toc.yml`` in reading order;
- **chapters**: :func:`chapters`, the numbered files ``book/NN-name.md`` (:func:`is_chapter`), and
  :func:`notebook_pages`, every page that is a notebook (:func:`is_notebook`);
- **cells**: :func:`blocks` and :func:`block_at`, the one reader of MyST fenced blocks (code cells
  and directives, with their options and tags), and :func:`cells`, a page as notebook cells;
- **exercises**: :func:`parse` and :func:`read_book`, every ``{exercise}`` with its ``{solution}``
  or gated ``{solution-start}`` ... ``{solution-end}`` (the code cells it runs, tagged
  ``solution``), its checkers and its starter cell; :func:`problems` says what is inconsistent;
- **grading**: :data:`SHEETS`, per chapter which exercises are autograded, by which checkers and
  hidden tests, and why the others are not; :func:`sheet_problems` says where a sheet and its
  chapter disagree.

A chapter writes an exercise as::

    :::{exercise} Title
    :label: ch3-ex1
    ... the text, which may tell the student to call exercises.check_keep_gate(...) ...
    :::
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
BOOK = ROOT / "book"
TOC = ROOT / "_toc.yml"


# ---------------------------------------------------------------------------------------------
# pages and chapters


def built_site(site: Path, root: Path | None, error: type[Exception]) -> tuple[Path, Path, dict]:
    """(site, toc file, config) for a built site ``site`` (``_build/html``) of the book in
    ``root`` (default: two levels up), config being its ``_config.yml`` ({} without one). Raises
    ``error`` when the site is not built or ``root`` has no ``_toc.yml``."""
    site = Path(site).resolve()
    root = Path(root).resolve() if root else site.parents[1]
    if not (site / "index.html").is_file():
        raise error(f"the book is not built ({site} has no index.html): run `make book` first")
    toc, config = root / "_toc.yml", root / "_config.yml"
    if not toc.is_file():
        raise error(f"no _toc.yml in {root}: pass the repository root with --root")
    return site, toc, yaml.safe_load(config.read_text()) if config.is_file() else {}


def toc_entries(toc_file: Path = TOC) -> list[tuple[str | None, str]]:
    """(part caption or None, page as a site-relative .html path) for every page of a Jupyter Book
    ``_toc.yml``, in reading order. The root page has no part."""
    toc = yaml.safe_load(Path(toc_file).read_text())
    out: list[tuple[str | None, str]] = [(None, toc["root"])]

    def walk(node, caption):
        if isinstance(node, list):
            for child in node:
                walk(child, caption)
        elif isinstance(node, dict):
            if "file" in node:
                out.append((caption, node["file"]))
            for child in node.get("parts") or []:
                walk(child, child.get("caption"))
            for key in ("chapters", "sections"):
                walk(node.get(key) or [], caption)

    walk({k: v for k, v in toc.items() if k != "root"}, None)
    return [(caption, re.sub(r"\.(md|ipynb|rst)$", "", f) + ".html") for caption, f in out]


def toc_pages(toc_file: Path = TOC) -> list[str]:
    """Every page of ``_toc.yml``, in reading order, as site-relative .html paths."""
    return [page for _, page in toc_entries(toc_file)]


def is_chapter(path: str | Path) -> bool:
    """Whether a page (a source file or an .html path) is a numbered chapter, ``NN-name``."""
    return re.fullmatch(r"\d\d-[\w-]+", Path(path).stem) is not None


def chapters(book: Path = BOOK) -> list[Path]:
    """The numbered chapters of a book folder, ``NN-name.md``, in order."""
    return sorted(p for p in Path(book).glob("*.md") if is_chapter(p))


def is_notebook(path: Path) -> bool:
    """Whether a page's source is a notebook: an .ipynb, or MyST with a kernelspec in its front
    matter (the chapters, and pages such as the instructor guide that compute something)."""
    text = Path(path).read_text(encoding="utf-8")
    head = text.split("\n---", 1)[0] if text.startswith("---") else ""
    return Path(path).suffix == ".ipynb" or "\nkernelspec:" in head


def notebook_pages(book: Path = BOOK) -> list[Path]:
    """Every MyST page of a book folder that is a notebook, the chapters among them."""
    return sorted(set(chapters(book)) | {p for p in Path(book).glob("*.md") if is_notebook(p)})


# ---------------------------------------------------------------------------------------------
# cells: MyST fenced blocks

FENCE = re.compile(r"^(?P<fence>:{3,}|`{3,})\{(?P<name>[\w:-]+)\}[ \t]*(?P<arg>.*)$")
OPTION = re.compile(r"^:[\w-]+:")


@dataclass(frozen=True)
class Block:
    """A fenced MyST block (a directive, or a ``{code-cell}``) in a list of lines.

    start, end: the lines of its opening and closing fence (``end`` is ``len(lines)`` when it is
    never closed); options: its ``:key: value`` lines or YAML ``---`` block; body: the lines
    between the options and the closing fence (nested blocks included)."""

    name: str
    arg: str
    fence: str
    options: dict[str, str]
    body: list[str]
    start: int
    end: int

    @property
    def tags(self) -> list[str]:
        return re.findall(r"[\w-]+", self.options.get("tags", ""))

    @property
    def text(self) -> str:
        return "\n".join(self.body)


def block_at(lines: list[str], i: int) -> Block | None:
    """The block opened at line ``i``, or None when that line opens none. A nested block with the
    same fence is read past, so the block ends at its own closing fence."""
    opened = FENCE.match(lines[i])
    if opened is None:
        return None
    fence = opened.group("fence")
    close = re.compile(rf"^{re.escape(fence[0])}{{{len(fence)},}}\s*$")
    j, options = i + 1, {}
    if j < len(lines) and lines[j].strip() == "---":  # options as a YAML block (nested metadata)
        end = next((k for k in range(j + 1, len(lines)) if lines[k].strip() == "---"), None)
        if end is not None:
            for key, value in (yaml.safe_load("\n".join(lines[j + 1 : end])) or {}).items():
                options[key] = " ".join(value) if isinstance(value, list) else str(value)
            j = end + 1
    while j < len(lines) and OPTION.match(lines[j]):
        key, _, value = lines[j][1:].partition(":")
        options[key.strip()] = value.strip()
        j += 1
    body, depth = [], 0
    while j < len(lines):
        inner = FENCE.match(lines[j])
        if inner and inner.group("fence") == fence:
            depth += 1
        elif close.match(lines[j]):
            if depth == 0:
                break
            depth -= 1
        body.append(lines[j])
        j += 1
    arg = opened.group("arg").strip()
    return Block(opened.group("name"), arg, fence, options, body, i, j)


def blocks(lines: list[str]) -> Iterator[Block]:
    """The top-level blocks of a text's lines, in order (each read to its end, nested ones
    inside it)."""
    i = 0
    while i < len(lines):
        block = block_at(lines, i)
        if block is None:
            i += 1
        else:
            yield block
            i = block.end + 1


def cells(text: str):
    """A MyST notebook page as an nbformat notebook (jupytext's reader: cells, tags, metadata)."""
    import jupytext

    return jupytext.reads(text, fmt="myst")


# ---------------------------------------------------------------------------------------------
# exercises

_CHECKER = re.compile(r"\bcheck_\w+")
_CITE = re.compile(r"\{(?:ref|numref)\}`(?:[^`<]*<)?(?P<label>ch\d+-ex\d+)>?`")
_CALL = re.compile(r"^[A-Za-z_][\w.]*\(.*\)$")


def _unique(names) -> tuple[str, ...]:
    return tuple(dict.fromkeys(names))


def starter_code(label: str, title: str, body: str) -> str:
    """The starter cell for one exercise: its name, and the calls its text mentions (commented
    out, written as in the text), with ``answer = ...`` when one of them takes the answer."""
    number = re.search(r"ex(\d+)$", label)
    name = f"Exercise {number.group(1)}" if number else label
    calls = _unique(
        span
        for span in (" ".join(s.split()) for s in re.findall(r"`([^`]+)`", body))
        if _CALL.match(span)
    )
    lines = [f"# {name} ({label}): {title}", "# Your work goes here."]
    if any(re.search(r"\bcheck_\w+\(answer\b", c) for c in calls):
        lines.append("answer = ...  # your answer")
    if calls:
        lines.append("# The calls the exercise mentions (delete the # to run one):")
        lines += [f"#     {c}" for c in calls]
    return "\n".join(lines)


@dataclass(frozen=True)
class Exercise:
    """One exercise as a chapter writes it.

    chapter: the chapter's file stem ("03-gru-gates"); label: ":label:" ("ch3-ex1"); title: the
    directive's argument; checkers: the ``check_*`` names the exercise text tells the student to
    call; solution: whether a solution for this label follows; solution_code: how many code cells
    its solution runs; solution_checkers: the ``check_*`` names those cells call; untagged: how
    many of those cells lack the ``solution`` tag; solution_sources: the code of those cells, in
    order (what the autograded assignments run as the instructor's answer); text: the exercise's
    text.
    """

    chapter: str
    label: str
    title: str
    checkers: tuple[str, ...] = ()
    solution: bool = False
    solution_code: int = 0
    solution_checkers: tuple[str, ...] = ()
    untagged: int = 0
    solution_sources: tuple[str, ...] = field(default=(), compare=False, repr=False)
    text: str = field(default="", compare=False, repr=False)

    @property
    def starter(self) -> str:
        """The student edition's starter cell for this exercise."""
        return starter_code(self.label, self.title, self.text)


def parse(text: str, chapter: str = "") -> list[Exercise]:
    """The exercises of one chapter's MyST text, in order, each with what its solution holds."""
    found: dict[str, dict] = {}
    current = None  # the label of the gated solution being read
    for b in blocks(text.splitlines()):
        if b.name == "exercise":
            label = b.options.get("label", "")
            checkers = _unique(_CHECKER.findall(b.text))
            found[label] = dict(chapter=chapter, label=label, title=b.arg, checkers=checkers)
            found[label]["text"] = b.text
        elif b.name in ("solution", "solution-start") and b.arg in found:
            found[b.arg]["solution"] = True
            current = b.arg if b.name == "solution-start" else None
        elif b.name == "solution-end":
            current = None
        elif b.name == "code-cell" and current is not None:
            e = found[current]
            e["solution_code"] = e.get("solution_code", 0) + 1
            e["solution_sources"] = (*e.get("solution_sources", ()), b.text.strip("\n"))
            e["solution_checkers"] = _unique(
                (*e.get("solution_checkers", ()), *_CHECKER.findall(b.text))
            )
            e["untagged"] = e.get("untagged", 0) + ("solution" not in b.tags)
    return [Exercise(**entry) for entry in found.values()]


def read_book(book: Path = BOOK) -> dict[str, list[Exercise]]:
    """{chapter stem: its exercises} for every chapter in the folder ``book``."""
    return {path.stem: parse(path.read_text(), path.stem) for path in chapters(book)}


def known_checkers() -> list[str]:
    """The checkers ``grubook.exercises`` offers: its ``check_*`` functions."""
    from grubook import exercises

    return [name for name in sorted(vars(exercises)) if name.startswith("check_")]


def problems(book: dict[str, list[Exercise]], checkers=None) -> list[str]:
    """Sentences naming each inconsistency: an exercise without a label or a solution, a checker
    named that does not exist, a checker the exercise names that its solution never calls, a
    solution code cell without the ``solution`` tag. Empty when all is well."""
    checkers = set(known_checkers() if checkers is None else checkers)
    out = []
    for chapter, found in book.items():
        for e in found:
            where = f"{chapter}: exercise {e.label or '(no label)'} ({e.title})"
            if not e.label:
                out.append(f"{where} has no :label:.")
            if not e.solution:
                out.append(f"{where} has no solution.")
            for name in e.checkers + e.solution_checkers:
                if name not in checkers:
                    out.append(f"{where} names {name}, which grubook.exercises does not have.")
            for name in e.checkers:
                if name in checkers and name not in e.solution_checkers:
                    out.append(f"{where} names {name}, but its solution never calls it.")
            if e.untagged:
                out.append(f"{where}: {e.untagged} solution code cell(s) lack the tag 'solution'.")
    return out


def unused_checkers(book: dict[str, list[Exercise]], checkers=None) -> list[str]:
    """The checkers no exercise tells the student to call."""
    checkers = known_checkers() if checkers is None else list(checkers)
    used = {name for found in book.values() for e in found for name in e.checkers}
    return [name for name in checkers if name not in used]


def cited_labels(text: str) -> tuple[str, ...]:
    """The exercise labels (``chN-exK``) a page cites with ``{ref}`` or ``{numref}``."""
    return _unique(m.group("label") for m in _CITE.finditer(text))


# ---------------------------------------------------------------------------------------------
# grading: which exercises are autograded, and how


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
    """One chapter's exercise sheet: the set-up code (imports, and definitions taken from the
    chapter by name), the autograded questions, and {label: why not autograded} for the others."""

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
            Question(
                "ch1-ex5",
                {"rnn_step_np": "rnn_step_np"},
                ("exercises.check_numpy_rnn_step(rnn_step_np)",),
                (  # other sizes than the checker's, against the book's cell
                    "(lambda c, x, h: np.allclose(rnn_step_np(x.numpy(), h.numpy(), "
                    "*(p.detach().numpy() for p in (c.weight_ih, c.weight_hh, c.bias_ih, "
                    "c.bias_hh))), c(x, h).detach().numpy(), atol=1e-6))(grubook.RNNCell(6, 2, "
                    "dtype=torch.float64), torch.randn(5, 6, dtype=torch.float64), torch.randn(5, "
                    "2, dtype=torch.float64))",
                ),
                {"rnn_step_np": "lambda x, h, W, U, b_ih, b_hh: np.tanh(x @ W.T + b_ih + h @ U.T)"},
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
            Question(
                "ch3-ex9",
                {"gru_step_np": "gru_step_np"},
                ("exercises.check_numpy_gru_step(gru_step_np)",),
                (  # other sizes than the checker's, against the book's cell
                    "(lambda c, x, h: np.allclose(gru_step_np(x.numpy(), h.numpy(), "
                    "*(p.detach().numpy() for p in (c.weight_ih, c.weight_hh, c.bias_ih, "
                    "c.bias_hh))), c(x, h).detach().numpy(), atol=1e-6))(grubook.GRUCell(7, 3, "
                    "dtype=torch.float64), torch.randn(2, 7, dtype=torch.float64), torch.randn(2, "
                    "3, dtype=torch.float64))",
                ),
                {"gru_step_np": "chung_step_np"},  # z and 1 - z swapped
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
                {"median_held": "float(np.median(runs_len))"},
                ("isinstance(median_held, float) and 0 <= median_held <= 63",),  # its form
                (
                    "median_held == float(np.median(longest_held_run(*addition.random_operands("
                    "10_000, 64, torch.Generator().manual_seed(2))).numpy()))",
                ),
                # counting every carry, 1 + 1 columns included, gives a median near 9, not 4
                {"median_held": "median_held + 5"},
                solution=(
                    "g = torch.Generator().manual_seed(1)\n"
                    "pairs = addition.random_operands(10_000, 64, g)\n"
                    "runs_len = longest_held_run(*pairs).numpy()\n"
                    'print(f"median longest held run: {np.median(runs_len):.0f} columns")'
                ),
                why=(
                    "the book's solution also tests the chapter's five trained GRUs; only the "
                    "first part, the runs of held carries, is autograded"
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
        definitions=("longest_held_run",),
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


def sheet_problems(sheet: Sheet, found: list[Exercise]) -> list[str]:
    """Where a sheet and its chapter's exercises ``found`` disagree, one sentence each naming the
    chapter and the exercise: an exercise the sheet does not place (neither autograded nor listed
    as not graded) or places but the chapter lacks, a missing solution, an exercise that names a
    checker but is not autograded, a checker that does not exist or is not in the public tests, a
    question with no solution code, no public or no hidden test. Empty when all is well."""
    where, out = sheet.chapter, []
    by_label = {e.label: e for e in found}
    listed = [q.label for q in sheet.questions] + list(sheet.not_graded)
    missing = [x for x in listed if x not in by_label]
    out += [f"{where}: exercise {x} is in SHEETS but not in the chapter" for x in missing]
    for e in found:
        if e.label not in listed:
            out.append(
                f"{where}: exercise {e.label} ({e.title}) is neither autograded nor listed as not "
                "graded in grubook_site.book.SHEETS"
            )
        if not e.solution:
            out.append(f"{where}: exercise {e.label} has no solution")
        if e.checkers and e.label in sheet.not_graded:
            out.append(
                f"{where}: exercise {e.label} names {', '.join(e.checkers)}, so it must be "
                "autograded"
            )
    known = set(known_checkers())
    for q in (q for q in sheet.questions if q.label in by_label):
        e, at = by_label[q.label], f"{where}: exercise {q.label}"
        for checker in e.checkers:
            if checker not in known:
                out.append(f"{at} names {checker}, which grubook.exercises lacks")
            elif not any(f"exercises.{checker}(" in t for t in q.public):
                out.append(f"{at} names {checker}; its public tests must call it")
        if q.solution is None and not e.solution_sources:
            out.append(f"{at}'s solution runs no code")
        if not q.hidden:
            out.append(f"{at} has no hidden test")
        if not q.public:  # Otter gives a question without one no grader.check cell
            out.append(f"{at} has no public test")
        if not set(q.wrong) <= set(q.answers):
            out.append(f"{at}: wrong answers for unknown names")
    return out
