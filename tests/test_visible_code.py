"""The code a chapter shows is a program: a student who copies every visible code cell, in order,
into a fresh notebook gets no NameError. Checked statically (ruff's undefined-name rule, F821) on
the MyST sources, with the cells the built page hides (as the reading-path tool counts them) left
out."""

import subprocess
import sys

import pytest

from grubook_site import book

HIDDEN = {"hide-input", "remove-input", "hide-cell", "solution", "remove-cell"}


def visible_code(text: str) -> str:
    nb = book.cells(text)
    code = []
    for cell in nb.cells:
        if cell.cell_type != "code" or HIDDEN & set(cell.metadata.get("tags", [])):
            continue
        code += [ln for ln in cell.source.splitlines() if not ln.lstrip().startswith(("%", "!"))]
    return "\n".join(code) + "\n"


def undefined_names(code: str) -> list[str]:
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "check",
            "--isolated",
            "--select",
            "F821",
            "--output-format",
            "concise",
            "--stdin-filename",
            "visible.py",
            "-",
        ],
        input=code,
        capture_output=True,
        text=True,
    )
    return sorted(
        {line.split("`")[1] for line in r.stdout.splitlines() if "Undefined name" in line}
    )


@pytest.mark.parametrize("chapter", book.chapters(), ids=lambda p: p.stem)
def test_visible_code_defines_every_name_it_uses(chapter):
    names = undefined_names(visible_code(chapter.read_text()))
    assert not names, (
        f"{chapter.name}: the visible code uses {', '.join(names)}, which only hidden cells "
        "define; "
        "a student copying the page's code gets a NameError"
    )


def test_the_check_bites():
    page = (
        "```{code-cell} ipython3\n:tags: [remove-input]\nsecret = 1\n```\n\n"
        "```{code-cell} ipython3\nprint(secret + 1)\n```\n"
    )
    assert undefined_names(visible_code(page)) == ["secret"]
    shown = page.replace(":tags: [remove-input]\n", "")
    assert undefined_names(visible_code(shown)) == []
