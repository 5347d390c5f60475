"""What a student meets on a chapter's page.

The code a chapter shows is a program: a student who copies every visible code cell, in order, into
a fresh notebook gets no NameError. Checked statically (ruff's undefined-name rule, F821) on the
MyST sources, with the cells the built page hides (as the reading-path tool counts them) left out.
And no Markdown reaches a built page as text (backticks or asterisks in the prose)."""

import re
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


# ----- no raw Markdown on a built page -----------------------------------------------------------
RAW = re.compile(r"`[^`\s][^`]*`|\\\*|\*\*\w|(?<![\w*])\*\w[^*]*\w\*(?!\w)")


def raw_markdown(html: str) -> list[str]:
    """Markdown that reached a page as text: backticks or asterisks in the prose a reader sees
    (a glued sentence passed as text instead of Markdown, or an escaped star). Code, outputs and
    maths are left out."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    page = soup.find("article") or soup
    for el in page.select("pre, code, script, style, .cell_output, .math, .MathJax"):
        el.extract()
    found = []
    for el in page.find_all(["p", "li", "td", "th", "figcaption", "caption", "dt", "dd"]):
        match = RAW.search(el.get_text(" "))
        if match:
            found.append(match.group(0))
    return found


def test_the_raw_markdown_check_bites():
    shown = "<article><p>In this run \\`torch.nn.LSTM\\` was \\*faster\\*.</p></article>"
    assert raw_markdown(shown.replace("\\`", "`")), "a backticked name shown as text"
    assert raw_markdown("<article><p>it was \\*faster\\*</p></article>")
    assert raw_markdown("<article><p>it was *faster* here</p></article>")
    clean = "<article><p>In this run <code>torch.nn.LSTM</code> was <em>faster</em>, 2 * 3.</p>"
    assert raw_markdown(clean + "<div class='cell_output'><p>z**100</p></div></article>") == []


@pytest.mark.build
@pytest.mark.parametrize("chapter", book.chapters(), ids=lambda p: p.stem)
def test_no_raw_markdown_on_a_built_page(chapter):
    page = book.ROOT / "_build" / "html" / "book" / f"{chapter.stem}.html"
    if not page.exists():
        pytest.skip("the book is not built (make book)")
    assert raw_markdown(page.read_text()) == [], f"{page.name} shows Markdown as text"
