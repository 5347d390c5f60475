"""The book's exercises, read from the chapters: for the instructor guide and the tests.

Every exercise is a sphinx-exercise block in a chapter (``book/NN-name.md``)::

    :::{exercise} Title
    :label: ch3-ex1
    ... the text, which may tell the student to call exercises.check_keep_gate(...) ...
    :::

followed by its solution: a ``{solution} ch3-ex1`` block (prose only), or a gated solution,
``{solution-start} ch3-ex1`` ... ``{solution-end}``, whose code cells run in the build and carry the
cell tag ``solution`` (so a student edition can strip them). :func:`read_book` finds them all;
:func:`problems` says what is inconsistent (an exercise with no solution, a checker that does not
exist, a solution cell without its tag); :func:`markdown_table` is the guide's table; and
:func:`cited_labels` lists the exercise labels a page cites, so a test can check they exist.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

CHAPTER_GLOB = "[0-9][0-9]-*.md"
_OPEN = re.compile(r"^(?P<fence>:{3,}|`{3,})\{(?P<name>[\w:-]+)\}[ \t]*(?P<arg>.*)$")
_CHECKER = re.compile(r"\bcheck_\w+")
_CITE = re.compile(r"\{(?:ref|numref)\}`(?:[^`<]*<)?(?P<label>ch\d+-ex\d+)>?`")


@dataclass(frozen=True)
class Exercise:
    """One exercise as a chapter writes it.

    chapter: the chapter's file stem ("03-gru-gates"); label: ":label:" ("ch3-ex1"); title: the
    directive's argument; checkers: the ``check_*`` names the exercise text tells the student to
    call; solution: whether a solution for this label follows; solution_code: how many code cells
    its solution runs; solution_checkers: the ``check_*`` names those cells call; untagged: how
    many of those cells lack the ``solution`` tag; solution_sources: the code of those cells, in
    order (what the autograded assignments run as the instructor's answer).
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


def _block(lines: list[str], i: int) -> tuple[dict[str, str], list[str], int]:
    """Options, body lines and the index of the closing fence of the block opened at line i."""
    fence = _OPEN.match(lines[i]).group("fence")
    close = re.compile(rf"^{re.escape(fence[0])}{{{len(fence)},}}\s*$")
    j, options = i + 1, {}
    if j < len(lines) and lines[j].strip() == "---":  # options as a YAML block (nested metadata)
        import yaml

        end = next((k for k in range(j + 1, len(lines)) if lines[k].strip() == "---"), None)
        if end is not None:
            block = yaml.safe_load("\n".join(lines[j + 1 : end])) or {}
            for key, value in block.items():
                options[key] = " ".join(value) if isinstance(value, list) else str(value)
            j = end + 1
    while j < len(lines) and re.match(r"^:[\w-]+:", lines[j]):
        key, _, value = lines[j][1:].partition(":")
        options[key.strip()] = value.strip()
        j += 1
    body = []
    while j < len(lines) and not close.match(lines[j]):
        body.append(lines[j])
        j += 1
    return options, body, j


def _unique(names) -> tuple[str, ...]:
    return tuple(dict.fromkeys(names))


def parse(text: str, chapter: str = "") -> list[Exercise]:
    """The exercises of one chapter's MyST text, in order, each with what its solution holds."""
    lines = text.splitlines()
    found: dict[str, dict] = {}
    i = 0
    current = None  # the label of the gated solution being read
    while i < len(lines):
        opened = _OPEN.match(lines[i])
        if not opened:
            i += 1
            continue
        name, arg = opened.group("name"), opened.group("arg").strip()
        options, body, end = _block(lines, i)
        if name == "exercise":
            label = options.get("label", "")
            found[label] = {
                "chapter": chapter,
                "label": label,
                "title": arg,
                "checkers": _unique(_CHECKER.findall("\n".join(body))),
                "solution": False,
                "solution_code": 0,
                "solution_checkers": (),
                "untagged": 0,
                "solution_sources": (),
            }
        elif name in ("solution", "solution-start") and arg in found:
            found[arg]["solution"] = True
            current = arg if name == "solution-start" else None
        elif name == "solution-end":
            current = None
        elif name == "code-cell" and current is not None:
            entry = found[current]
            entry["solution_code"] += 1
            entry["solution_sources"] += ("\n".join(body).strip("\n"),)
            entry["solution_checkers"] = _unique(
                entry["solution_checkers"] + tuple(_CHECKER.findall("\n".join(body)))
            )
            if "solution" not in re.findall(r"[\w-]+", options.get("tags", "")):
                entry["untagged"] += 1
        i = end + 1
    return [Exercise(**entry) for entry in found.values()]


def chapters(book: Path) -> list[Path]:
    """The chapter files of a book folder, in order."""
    return sorted(Path(book).glob(CHAPTER_GLOB))


def read_book(book: Path) -> dict[str, list[Exercise]]:
    """{chapter stem: its exercises} for every chapter in the folder ``book``."""
    return {path.stem: parse(path.read_text(), path.stem) for path in chapters(book)}


def known_checkers() -> list[str]:
    """The checkers ``grubook.exercises`` offers (``check_*`` in its ``__all__``)."""
    from grubook import exercises

    return [name for name in exercises.__all__ if name.startswith("check_")]


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


def cited_labels(text: str) -> list[str]:
    """The exercise labels (``chN-exK``) a page cites with ``{ref}`` or ``{numref}``."""
    return _unique(m.group("label") for m in _CITE.finditer(text))


def markdown_table(found: list[Exercise], link: bool = False) -> str:
    """A Markdown table of one chapter's exercises: number and label, title, checker, solution.
    With ``link=True`` the first column is a MyST ``{numref}`` to the exercise (for a page)."""
    rows = ["| exercise | title | checker | solution |", "|---|---|---|---|"]
    for number, e in enumerate(found, start=1):
        checker = ", ".join(f"`{name}`" for name in e.checkers) or "none"
        if not e.solution:
            solution = "**missing**"
        elif e.solution_code:
            solution = f"runs in the build ({e.solution_code} cell{'s' * (e.solution_code > 1)})"
        else:
            solution = "prose"
        name = f"{{numref}}`{e.label}`" if link else str(number)
        rows.append(f"| {name} (`{e.label}`) | {e.title} | {checker} | {solution} |")
    return "\n".join(rows)


# ----- Sphinx: number the exercises per chapter ---------------------------------------------------
def _number_per_chapter(app, env) -> list[str]:
    """Sphinx numbers enumerable nodes through the whole book when the table of contents is not
    numbered (figures 1, 2, ... across chapters). Renumber the exercises from 1 in every page, so
    that the page's "Exercise 2" is the label ``chN-ex2``; ``{numref}`` reads the same numbers."""
    for numbers in env.toc_fignumbers.values():
        found = numbers.get("exercise")
        if found:
            order = sorted(found, key=found.get)
            numbers["exercise"] = {key: (k,) for k, key in enumerate(order, start=1)}
    return []


def setup(app):
    """The Sphinx extension (``_config.yml``: ``grubook_site.exercise_index``, after
    ``sphinx_exercise``): runs after Sphinx has assigned its numbers."""
    app.connect("env-get-updated", _number_per_chapter, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
