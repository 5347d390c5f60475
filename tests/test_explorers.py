"""The live explorers work in a real kernel, as Colab or Binder runs the chapter notebooks.

The book build does not execute a live explorer cell (``skip-execution``), so nothing else proves
that one still runs. Here a chapter's Colab notebook (``book/NN-name.ipynb``), cut to its imports
and its live cell, is executed with nbclient, and cells appended to it move an explorer's control
from code and check, in the kernel, that the explorer redrew its figure function and showed it.
The second test holds every chapter to the rule for these cells: only a live explorer is tagged
``skip-execution``, every live explorer is, and the **Live:** line stands right above it.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import jupytext
import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "book").glob("0*.md"))
SKIP = "skip-execution"
SETUP_MARKER = "# Set-up for Colab"
LIVE_CALL = re.compile(r"views\.\w+\.\w*explorer\(")
# one line, the same in every chapter; "this figure" / "the figure above" may name another figure
LIVE_LINE = re.compile(
    r"\*\*Live:\*\* in a notebook \(Colab, Binder or Live Code, from the rocket menu above\) the "
    r"cell below drives .+ with [^;]+; on this page, the slider of .+ shows the "
    r"same function at steps computed when the page was built\."
)

# chapter notebook -> (the live cell's call, the control to move and its new value, the figure
# the explorer must then show, written as kernel code)
EXPLORERS = {
    "01-rnn-basics": (
        "views.rnn_basics.explorer()",
        "radius",
        2.5,
        "views.rnn_basics.trajectory_figure(2.5, amplitudes=(2.0,))",
    ),
}


def _code(source: str):
    return nbformat.v4.new_code_cell(textwrap.dedent(source).strip())


def _check_cells(call: str, control: str, value, expected: str):
    """Cells run after the chapter: find the explorer the live cell returned, move its control,
    check the figure it holds; then, in the next cell (once the front end, here nbclient, has
    sent the Output widget's new contents back to the kernel), check what it shows."""
    find = f"""
    from grubook import sliders

    boxes = [v for v in Out.values() if hasattr(v, "controls") and hasattr(v, "output")]
    assert len(boxes) == 1, f"expected the one explorer returned by {call}, found {{boxes}}"
    box = boxes[0]
    assert box.output.outputs, "the explorer's Output widget showed nothing when it was created"
    before = box.figure
    box.controls[{control!r}].value = {value!r}
    assert not sliders.same_figure(box.figure, before), "moving {control} changed nothing"
    expected = {expected}
    assert sliders.same_figure(box.figure, expected), "the explorer does not show {expected}"
    """
    shown = """
    outputs = box.output.outputs
    assert len(outputs) == 1, f"the Output widget should hold one figure, holds {len(outputs)}"
    data = outputs[0].get("data", {})
    assert "text/html" in data or "application/vnd.plotly.v1+json" in data, sorted(data)
    if "application/vnd.plotly.v1+json" in data:
        assert sliders.same_figure(data["application/vnd.plotly.v1+json"], expected)
    print("live explorer ok")
    """
    return [_code(find), _code(shown)]


def _runnable(path: Path) -> nbformat.NotebookNode:
    """The Colab notebook's imports and live cells: its set-up cell is left out (it installs
    grubook where it is missing, as on Colab, so it must be the guarded set-up, which does nothing
    here), and so is every cell the live explorers do not need."""
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    setup = code[0].source
    assert SETUP_MARKER in setup, f"{path.name}: the first code cell is not the set-up cell"
    guarded, _, install = setup.partition("except ImportError:")
    assert "pip" in install and "pip" not in guarded and "import grubook" in guarded, (
        f"{path.name}: the set-up cell must install only when `import grubook` fails"
    )
    nb.cells = [code[1]] + [c for c in code if SKIP in c.metadata.get("tags", [])]
    return nb


@pytest.mark.build
@pytest.mark.parametrize("stem", sorted(EXPLORERS))
def test_explorer_redraws_in_a_kernel(stem, tmp_path):
    from nbclient import NotebookClient

    call, control, value, expected = EXPLORERS[stem]
    nb = _runnable(ROOT / "book" / f"{stem}.ipynb")
    imports, *live = nb.cells
    assert "from grubook import" in imports.source and "views" in imports.source, imports.source
    assert [c.source.strip() for c in live] == [call]
    nb.cells += _check_cells(call, control, value, expected)
    client = NotebookClient(
        nb,
        timeout=300,
        kernel_name="python3",
        skip_cells_with_tag="no-cell-has-this-tag",  # run the skip-execution cells, as Colab does
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()
    (live_cell,) = live
    assert live_cell.execution_count, "the live cell did not run"
    assert "live explorer ok" in "".join(o.get("text", "") for o in nb.cells[-1].outputs)


def _text(cell) -> str:
    return cell.source if isinstance(cell.source, str) else "".join(cell.source)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.stem for c in CHAPTERS])
def test_only_explorers_skip_execution_each_under_the_live_line(chapter):
    nb = jupytext.read(chapter)
    problems, count = [], 0
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        source = _text(cell).strip()
        tagged = SKIP in cell.metadata.get("tags", [])
        live = bool(LIVE_CALL.search(source))
        if tagged != live:
            problems.append(
                f"cell {i} ({source.splitlines()[0] if source else 'empty'!r}) "
                + (
                    "is tagged skip-execution but shows no live explorer"
                    if tagged
                    else "shows a live explorer but is not tagged skip-execution"
                )
            )
        if not tagged:
            continue
        count += 1
        if not re.fullmatch(r"views\.\w+\.\w*explorer\([^\n]*\)", source):
            problems.append(f"cell {i}: a live cell holds only the explorer's call, got {source!r}")
        before = nb.cells[i - 1] if i else None
        last = _text(before).strip().split("\n\n")[-1] if before is not None else ""
        if before is None or before.cell_type != "markdown" or not LIVE_LINE.fullmatch(last):
            problems.append(f"cell {i} ({source!r}) is not directly under the **Live:** line")
    assert not problems, f"{chapter.name}:\n" + "\n".join(problems)
