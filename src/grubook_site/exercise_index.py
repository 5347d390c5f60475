"""The instructor guide's table of a chapter's exercises, and the Sphinx extension that numbers
the exercises per chapter. The exercises themselves are read by :mod:`grubook_site.book`.
"""

from __future__ import annotations

from .book import Exercise


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
def number_per_chapter(app, env) -> list[str]:
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
    app.connect("env-get-updated", number_per_chapter, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
