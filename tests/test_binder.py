"""The Binder environment (binder/) installs what the chapters import, at requirements.txt's
versions, with a CPU-only torch (and on Colab, grubook's dependencies and the set-up cell's extras
do); the publishing workflows build with the execution cache and deploy to Pages."""

from __future__ import annotations

import ast
import importlib.metadata as md
import os
import re
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from grubook_site import book
from grubook_site.notebooks import COLAB_EXTRAS, SETUP_MARKER, normalise, pins

ROOT = Path(__file__).resolve().parents[1]
BINDER = ROOT / "binder"
CPU_INDEX = "https://download.pytorch.org/whl/cpu"


BINDER_PINS = pins(BINDER)  # every requirement pinned, or pins raises
PINS = pins(ROOT)


def test_binder_versions_are_requirements_versions():
    for name, version in BINDER_PINS.items():
        assert name in PINS, f"binder/requirements.txt pins {name}, which requirements.txt does not"
        # torch's CPU wheel carries a local label (2.13.0+cpu): the release must be the same
        assert Version(version).public == Version(PINS[name]).public, (
            f"{name}: binder/requirements.txt has {version}, requirements.txt has {PINS[name]}"
        )


def test_binder_torch_is_the_cpu_build():
    lines = [line.strip() for line in (BINDER / "requirements.txt").read_text().splitlines()]
    assert f"--extra-index-url {CPU_INDEX}" in lines, "Binder must look in PyTorch's CPU index"
    assert Version(BINDER_PINS["torch"]).local == "cpu", (
        "binder/requirements.txt must pin torch's CPU build (torch==X.Y.Z+cpu): the default Linux "
        "wheel pulls several GB of CUDA libraries, and Binder gives about 2 GB of RAM"
    )


def test_postbuild_installs_the_package_without_touching_the_pins():
    post = BINDER / "postBuild"
    assert os.access(post, os.X_OK), "binder/postBuild must be executable"
    text = post.read_text()
    assert text.startswith("#!"), "binder/postBuild needs a shebang line"
    assert re.search(r"pip install --no-deps -e \.", text), (
        "postBuild must pip install --no-deps -e ."
    )


def test_binder_python_suits_every_pinned_package():
    runtime = (BINDER / "runtime.txt").read_text().strip()
    match = re.fullmatch(r"python-(\d+\.\d+)", runtime)
    assert match, f"binder/runtime.txt must read python-X.Y, got {runtime!r}"
    python = Version(match.group(1) + ".0")
    pyproject = (ROOT / "pyproject.toml").read_text()
    floor = re.search(r'requires-python\s*=\s*"([^"]+)"', pyproject).group(1)
    assert python in SpecifierSet(floor), f"Binder's Python {python} is outside pyproject's {floor}"
    for name, version in BINDER_PINS.items():
        try:
            dist = md.distribution(name)
        except md.PackageNotFoundError:
            continue
        if Version(dist.version).public != Version(version).public:
            continue
        needs = dist.metadata.get("Requires-Python")
        if needs:
            assert python in SpecifierSet(needs), f"{name}=={version} needs Python {needs}"


# ---------------------------------------------------------------------------------------------
# Everything the chapters and grubook import is installed in Binder
# ---------------------------------------------------------------------------------------------


def imported_modules(source: str) -> set[str]:
    """Top-level module names a piece of Python imports (IPython magics are dropped)."""
    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError:
        return set()
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.add(node.module.split(".")[0])
    return out


def runtime_imports() -> dict[str, str]:
    """{module: where it is imported} over the chapters' code cells and grubook's modules.

    The build machinery (``src/grubook_site``) runs only in the book build, not in a notebook; the
    set-up cell's ``google.colab`` import runs only on Colab, which provides it.
    """
    found: dict[str, str] = {}
    for chapter in book.notebook_pages():
        nb = book.cells(chapter.read_text())
        for cell in nb.cells:
            if cell.cell_type == "code" and SETUP_MARKER not in cell.source:
                for mod in imported_modules(cell.source):
                    found.setdefault(mod, chapter.name)
    for path in sorted((ROOT / "src" / "grubook").rglob("*.py")):
        for mod in imported_modules(path.read_text()):
            found.setdefault(mod, str(path.relative_to(ROOT)))
    return found


def dependency_closure(names) -> set[str]:
    """The pinned distributions and everything they install (from installed metadata)."""
    seen: set[str] = set()
    todo = [normalise(n) for n in names]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = md.requires(name) or []
        except md.PackageNotFoundError:
            continue
        for spec in requires:
            req = Requirement(spec)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(normalise(req.name))
    return seen


def not_provided(provided: set[str], where_not: str) -> list[str]:
    """The modules the chapters and grubook import that no distribution in ``provided`` installs
    (the standard library and grubook's own distribution, src/, aside)."""
    dists = md.packages_distributions()
    missing = []
    for mod, where in sorted(runtime_imports().items()):
        if mod in sys.stdlib_module_names or mod in {"grubook", "grubook_site", "__future__"}:
            continue
        owners = {normalise(d) for d in dists.get(mod, [])}
        if not owners:
            missing.append(f"{mod} (imported in {where}) is not installed here at all")
        elif not owners & provided:
            missing.append(f"{mod} (imported in {where}, from {sorted(owners)}) is not {where_not}")
    return missing


def test_binder_installs_everything_the_chapters_import():
    missing = "\n".join(not_provided(dependency_closure(BINDER_PINS), "in binder/"))
    assert not missing, "binder/requirements.txt lacks:\n" + missing


def test_colab_install_covers_what_the_chapters_import():
    """On Colab only grubook's own dependencies and the set-up cell's extras can be relied on."""
    pyproject = (ROOT / "pyproject.toml").read_text()
    deps = re.search(r"^dependencies\s*=\s*\[(.*?)\]", pyproject, re.MULTILINE | re.DOTALL).group(1)
    names = [re.split(r"[<>=!~ \[]", d.strip().strip('"'))[0] for d in deps.split(",") if d.strip()]
    provided = dependency_closure(names + list(COLAB_EXTRAS))
    missing = "\n".join(not_provided(provided, "in grubook's dependencies or the set-up cell"))
    assert not missing, "on Colab, nothing installs:\n" + missing


@pytest.mark.parametrize("module", ["torch", "numpy", "myst_nb", "tsdata"])
def test_the_import_scan_sees_the_known_runtime_packages(module):
    """Guard the scan itself: the packages every reader needs are found as Binder's."""
    provided = dependency_closure(BINDER_PINS)
    owners = {normalise(d) for d in md.packages_distributions().get(module, [])}
    assert owners & provided


# ---------------------------------------------------------------------------------------------
# The publishing workflows (.github/workflows)
# ---------------------------------------------------------------------------------------------
WORKFLOWS = ROOT / ".github" / "workflows"


def load_workflow(name: str) -> dict:
    import yaml

    flow = yaml.safe_load((WORKFLOWS / name).read_text())
    flow["on"] = flow.pop(True, flow.get("on"))  # YAML 1.1 reads the key `on` as True
    return flow


def steps(flow: dict, job: str) -> list[dict]:
    return flow["jobs"][job]["steps"]


def test_deploy_workflow_builds_with_the_cache_and_publishes_to_pages():
    flow = load_workflow("deploy.yml")
    assert flow["on"]["push"]["branches"] == ["main"]
    assert flow["permissions"]["pages"] == "write" and flow["permissions"]["id-token"] == "write"
    build = steps(flow, "build")
    runs = [s.get("run", "") for s in build]
    assert "make setup" in runs and "make book" in runs
    uses = [s.get("uses", "") for s in build]
    restore = next(s for s in build if s.get("uses", "").startswith("actions/cache/restore"))
    save = next(s for s in build if s.get("uses", "").startswith("actions/cache/save"))
    assert build.index(restore) < runs.index("make book") < build.index(save)
    for step in (restore, save):
        assert step["with"]["path"] == "_build/.jupyter_cache"
        # the cache recognises a chapter's code, not the package it imports: key on src/ too
        assert "hashFiles('src/**', 'requirements.txt')" in step["with"]["key"]
    assert save.get("if") == "always()"
    upload = next(s for s in build if s.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "_build/html"
    assert any(u.startswith("actions/checkout") for u in uses)
    deploy = steps(flow, "deploy")
    assert flow["jobs"]["deploy"]["needs"] == "build"
    assert any(s.get("uses", "").startswith("actions/deploy-pages") for s in deploy)
    assert CPU_INDEX in flow["jobs"]["build"]["env"]["PIP_EXTRA_INDEX_URL"]


def test_pull_requests_run_the_ci_script():
    flow = load_workflow("ci.yml")
    assert "pull_request" in flow["on"]
    runs = [s.get("run", "") for s in steps(flow, "test")]
    assert "bash .ci/run" in runs
    assert CPU_INDEX in flow["jobs"]["test"]["env"]["PIP_EXTRA_INDEX_URL"]
    assert (ROOT / ".ci" / "run").exists()
