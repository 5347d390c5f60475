"""The notebooks that Colab and Binder open (book/NN-name.ipynb): every chapter has its set-up cell,
the committed notebooks match their MyST sources, and the built pages' launch buttons open them."""

from __future__ import annotations

import fnmatch
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from grubook_site import book
from grubook_site import notebooks as mk

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = book.chapters()
IDS = [c.stem for c in CHAPTERS]
PAGES = book.notebook_pages()  # the chapters and any other notebook page (the instructor guide)
PAGE_IDS = [p.stem for p in PAGES]
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
REPO = CONFIG["repository"]  # read here, not by the module under test
FIX = "run `python -m grubook_site.notebooks --insert-setup` (it also rewrites the notebooks)"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_every_chapter_starts_with_the_setup_cell(chapter):
    problems = mk.setup_problems(chapter)
    assert not problems, "\n".join(problems) + f"\nTo fix: {FIX}."


@pytest.mark.parametrize("chapter", PAGES, ids=PAGE_IDS)
def test_committed_notebook_matches_its_myst_source(chapter):
    path = mk.notebook_path(chapter)
    assert path.exists(), f"{path.name} is missing: run `python -m grubook_site.notebooks`."
    assert path.read_text() == mk.make_notebook(chapter), (
        f"{path.name} no longer matches {chapter.name}: run `python -m grubook_site.notebooks`."
    )


@pytest.mark.parametrize("chapter", PAGES, ids=PAGE_IDS)
def test_notebook_holds_exactly_the_chapter_code(chapter):
    """The Markdown is rewritten for Colab; the code is not, except that glued figures display."""
    source = book.cells(chapter.read_text())
    made = nbformat.reads(mk.make_notebook(chapter), as_version=4)
    nbformat.validate(made)
    figures = mk.glued_figures(chapter.read_text())
    code = [
        (mk.show_glued(c.source, figures), c.metadata.get("tags", []))
        for c in source.cells
        if c.cell_type == "code"
    ]
    assert [
        (c.source, c.metadata.get("tags", [])) for c in made.cells if c.cell_type == "code"
    ] == code
    assert made.metadata["kernelspec"]["name"] == "python3"
    assert all(not c.get("outputs") for c in made.cells if c.cell_type == "code")
    # nothing MyST-only is left for Colab to show as raw text
    markdown = "\n".join(c.source for c in made.cells if c.cell_type == "markdown")
    assert not re.search(r"^:::+\{", markdown, re.MULTILINE)
    assert not re.search(r"\{(glue|cite|ref|numref|doc)[\w:-]*\}`", markdown)


# ----- the set-up cell ----------------------------------------------------------------------------
def test_setup_cell_installs_from_the_repository_in_config():
    url, branch = REPO["url"].rstrip("/"), REPO.get("branch", "main")
    cell = mk.setup_cell()
    assert f'"grubook @ git+{url}@{branch}"' in cell
    assert ":tags: [remove-cell]" in cell.splitlines()[1]
    pins = mk.pins()
    for name in mk.COLAB_EXTRAS:
        assert f'"{name}=={pins[mk.normalise(name)]}"' in cell


def _run_setup(monkeypatch, installed: bool) -> list:
    calls = []
    monkeypatch.setattr(subprocess, "run", lambda args, **kw: calls.append((args, kw)))
    if not installed:
        # makes `import grubook` raise ImportError
        monkeypatch.setitem(sys.modules, "grubook", None)
    exec(compile(mk.setup_source(), "<set-up cell>", "exec"), {})  # noqa: S102 (the cell's own code)
    return calls


def test_setup_cell_does_nothing_where_grubook_is_installed(monkeypatch):
    assert _run_setup(monkeypatch, installed=True) == []


def test_setup_cell_pip_installs_where_grubook_is_missing(monkeypatch):
    ((args, kwargs),) = _run_setup(monkeypatch, installed=False)
    assert args[:4] == [sys.executable, "-m", "pip", "install"]
    assert any(a.startswith("grubook @ git+https://") for a in args)
    assert kwargs == {"check": True}


def test_insert_setup_puts_the_cell_first_and_is_idempotent(tmp_path):
    for name in ("_config.yml", "requirements.txt"):
        (tmp_path / name).write_text((ROOT / name).read_text())
    (tmp_path / "book").mkdir()
    chapter = tmp_path / "book" / "09-test.md"
    chapter.write_text(
        "---\nkernelspec:\n  display_name: Python 3\n  language: python\n  name: python3\n---\n\n"
        "# 9. Test\n\nOne line under the title.\n\n"
        ":::{admonition} Learning objectives\n:class: tip\n"
        "- one\n:::\n\n```{code-cell} ipython3\nimport grubook\n```\n"
    )
    assert mk.setup_problems(chapter, tmp_path)
    assert mk.insert_setup(chapter, tmp_path)
    assert mk.setup_problems(chapter, tmp_path) == []
    text = chapter.read_text()
    assert (
        text.index("One line under the title.")
        < text.index(mk.SETUP_MARKER)
        < text.index("Learning")
    )
    assert not mk.insert_setup(chapter, tmp_path)  # a second run changes nothing
    # a fork changes the repository URL in _config.yml: the cell follows
    config = tmp_path / "_config.yml"
    config.write_text(config.read_text().replace(REPO["url"], "https://github.com/me/fork"))
    assert mk.setup_problems(chapter, tmp_path)
    assert mk.insert_setup(chapter, tmp_path)
    assert "git+https://github.com/me/fork@" in chapter.read_text()
    assert chapter.read_text().count(mk.SETUP_MARKER) == 1


def test_show_glued_displays_only_the_glued_figures():
    code = (
        'fig = draw(x, (1, 2))\nglue("fig_a", fig, display=False)\nplt.close(fig)\n'
        'glue("n_params", 3, display=False)\nglue( "fig_b" ,f(g(1)),\n  display = False)'
    )
    out = mk.show_glued(code, ["fig_a", "fig_b"])
    assert 'glue("fig_a", fig, display=True)' in out
    assert 'glue("n_params", 3, display=False)' in out
    assert 'glue( "fig_b" ,f(g(1)),\n  display = True)' in out
    assert out.replace("True", "False") == code
    text = "```{glue:figure} fig_a\n:name: x\nCaption.\n```\n::::{glue:figure} fig_b\n::::\n"
    assert mk.glued_figures(text) == ["fig_a", "fig_b"]


# ----- MyST -> notebook Markdown ------------------------------------------------------------------
def test_markdown_conversion():
    cites = {"cho2014": ("Cho et al.", "2014"), "bengio1994": ("Bengio et al.", "1994")}
    source = """\
(sec-label)=
As {cite:t}`cho2014` showed {cite}`cho2014,bengio1994`, the loss fell to {glue:text}`loss:.2f`.

:::{admonition} Exercise 1
:class: note
Count the parameters; see {ref}`the table <sec-label>` and {math}`h_t`.
:::

:::{admonition} Solution
:class: dropdown
It is $4992$.
:::

::::{note}
:::{tip}
Nested.
:::
::::"""
    out = mk.markdown_for_notebook(source, cites)
    assert "(sec-label)=" not in out
    assert "As Cho et al. (2014) showed (Cho et al. 2014; Bengio et al. 1994)" in out
    assert "fell to `loss`." in out
    assert "> **Exercise 1**\n>\n> Count the parameters; see the table and $h_t$." in out
    assert "<details>\n<summary><b>Solution</b></summary>\n\nIt is $4992$.\n\n</details>" in out
    assert "> **Note**\n>\n> > **Tip**\n> >\n> > Nested." in out


def test_citations_come_from_the_bibliography():
    cites = mk.citations()
    if not cites:
        pytest.skip("book/references.bib is not there")
    assert cites["cho2014"] == ("Cho et al.", "2014")
    assert cites["hochreiter1997"] == ("Hochreiter and Schmidhuber", "1997")


# ----- the configuration and the built site -------------------------------------------------------
def test_config_keeps_the_notebooks_out_of_sphinx_and_has_launch_buttons():
    patterns = CONFIG["exclude_patterns"]
    for chapter in CHAPTERS:
        rel = mk.notebook_path(chapter).relative_to(ROOT).as_posix()
        assert any(fnmatch.fnmatch(rel, p) for p in patterns), (
            f"{rel} would be read twice by Sphinx"
        )
    buttons = CONFIG["launch_buttons"]
    assert buttons["binderhub_url"].startswith("https://")
    assert buttons["colab_url"] == "https://colab.research.google.com"
    assert CONFIG["html"]["use_download_button"] is True
    # launch URLs are <repo>/<path_to_book>/<page>: "." would put "/./" in them
    assert REPO.get("path_to_book", "") == ""


SITE = ROOT / "_build" / "html"


@pytest.mark.build
@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_built_page_launch_and_download_buttons_open_the_notebook(chapter):
    page = SITE / "book" / f"{chapter.stem}.html"
    if not page.exists():
        pytest.skip("the book is not built (make book)")
    html = page.read_text()
    url, branch = REPO["url"].rstrip("/"), REPO.get("branch", "main")
    org_repo = url.split("github.com/", 1)[1]
    rel = f"book/{chapter.stem}.ipynb"
    colab = f"{CONFIG['launch_buttons']['colab_url']}/github/{org_repo}/blob/{branch}/{rel}"
    binderhub = CONFIG["launch_buttons"]["binderhub_url"].rstrip("/")
    binder = f"{binderhub}/v2/gh/{org_repo}/{branch}?urlpath="
    stale = " (or the site in _build/html is older than _config.yml: run make book)"
    assert f'href="{colab}"' in html, "the Colab button must open the committed notebook" + stale
    assert re.search(rf'href="{re.escape(binder)}(lab/)?tree/{re.escape(rel)}"', html), (
        "Binder button"
    )
    assert f'href="../_sources/{rel}"' in html, "the download button must offer the notebook"
    assert (SITE / "_sources" / rel).exists()


# ----- citations ---------------------------------------------------------------------------------
def test_every_cited_key_is_in_the_bibliography():
    """A typo in a {cite} key fails here, in a single-page build and in the full build alike."""
    from pybtex.database import parse_file

    known = set(parse_file(str(ROOT / "book" / "references.bib")).entries)
    cited = {
        (page.name, key.strip())
        for page in (ROOT / "book").glob("*.md")
        for keys in re.findall(r"\{cite(?::[a-z]+)?\}`([^`]+)`", page.read_text())
        for key in keys.split(",")
    }
    assert {
        "cho2014",
        "chung2014",
        "hochreiter1997",
        "bengio1994",
        "pascanu2013",
        "gers2000",
        "okabe2008",
        "hyndman2021",
        "tsibbledata",
        "aemo",
    } <= known
    missing = sorted((page, key) for page, key in cited if key not in known)
    assert not missing, f"cited but not in book/references.bib: {missing}"


def test_single_page_builds_find_the_bibliography(tmp_path):
    from grubook_site import single_page as single

    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "references.bib").write_text("")
    (tmp_path / "_toc.yml").write_text("root: book/intro\n")
    # full build: the source folder is the repository root, nothing changes
    assert single.resolve("book/references.bib", tmp_path) == "book/references.bib"
    assert not single.is_single_page(tmp_path)
    # single page: the source folder is book/
    assert single.resolve("book/references.bib", tmp_path / "book") == "references.bib"
    assert single.is_single_page(tmp_path / "book")
    assert single.resolve("book/missing.bib", tmp_path / "book") == "book/missing.bib"

    from types import SimpleNamespace

    App = SimpleNamespace(srcdir=tmp_path / "book", extensions={"sphinxcontrib.bibtex": object()})

    source = ["As {cite:t}`cho2014` showed."]
    single.local_bibliography(App, "page", source)
    assert source[0].endswith(single.LOCAL_BIBLIOGRAPHY)
    once = source[0]
    single.local_bibliography(App, "page", source)
    assert source[0] == once  # a page with a bibliography gets no second one
    App.srcdir = tmp_path
    plain = ["As {cite:t}`cho2014` showed."]
    single.local_bibliography(App, "page", plain)
    assert plain == ["As {cite:t}`cho2014` showed."]  # the full build is left alone
