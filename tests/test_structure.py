"""The shape of the code: which modules import which.

Imports are read with ``ast`` from the source files, not by importing them, so every import
counts: those at the top of a module and those inside functions alike (a lazy import is still
a dependency; it only hides a cycle until the function runs).
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

import glassnet

ROOT = Path(glassnet.__file__).resolve().parent  # the glassnet package folder


def module_name(path: Path, root: Path = ROOT) -> str:
    """``glassnet/models/saving.py`` -> ``glassnet.models.saving`` (a package's ``__init__.py``
    -> the package's name); ``root`` is the ``glassnet`` folder."""
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path, known: set, root: Path = ROOT) -> set:
    """The modules of ``known`` that the file at ``path`` imports, anywhere in it.

    ``from package import name`` depends on the submodule ``package.name`` when there is one,
    else on ``package`` itself. A package's ``__init__`` that Python runs on the way to a
    submodule is not counted: it is not what the code asks for.
    """
    this = module_name(path, root)
    package = this if path.name == "__init__.py" else this.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from . import x, from ..layers import y
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([node.module] if node.module else []))
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.add(submodule if submodule in known else base)
    return {name for name in found if name in known and name != this}


def import_graph(folder: Path, root: Path = ROOT) -> dict:
    """module name -> the set of modules in the same folder (recursively) that it imports."""
    files = sorted(folder.rglob("*.py"))
    known = {module_name(f, root) for f in files}
    return {module_name(f, root): imported_modules(f, known, root) for f in files}


def find_cycle(graph: dict):
    """One import cycle as a list of modules (first == last), or None if there is none."""
    state = {}  # module -> "visiting" (on the current path) | "done"
    for start in sorted(graph):
        if start in state:
            continue
        path, stack = [], [(start, iter(sorted(graph[start])))]
        state[start] = "visiting"
        path.append(start)
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                path.pop()
                state[node] = "done"
            elif state.get(child) == "visiting":
                return path[path.index(child):] + [child]
            elif child not in state:
                state[child] = "visiting"
                path.append(child)
                stack.append((child, iter(sorted(graph[child]))))
    return None


def test_find_cycle_finds_cycles_and_only_cycles():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None  # a diamond is fine


def test_imported_modules_reads_lazy_and_relative_imports(tmp_path):
    package = tmp_path / "glassnet" / "models"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "saving.py").write_text("")
    (package / "model.py").write_text(
        "from . import saving\n"
        "def build():\n"
        "    from glassnet.models.functional import Functional\n")
    (package / "functional.py").write_text("import glassnet.models.model\n")
    graph = import_graph(package, root=tmp_path / "glassnet")
    assert graph["glassnet.models.model"] == {"glassnet.models.saving", "glassnet.models.functional"}
    assert find_cycle(graph) == ["glassnet.models.functional", "glassnet.models.model",
                                 "glassnet.models.functional"]


@pytest.mark.parametrize("package", ["models", "layers", "callbacks"])
def test_no_import_cycle_inside_package(package):
    graph = import_graph(ROOT / package)
    assert len(graph) > 1
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_layers_do_not_import_models():
    """Models are built on layers: the layers package never reaches up into the models one."""
    known = {module_name(f) for f in (ROOT / "models").rglob("*.py")}
    for path in sorted((ROOT / "layers").rglob("*.py")):
        assert not imported_modules(path, known), f"{module_name(path)} imports from glassnet.models"


def test_model_classes_are_found_by_name():
    """Loading finds model classes by name (never by importing what a file names)."""
    for cls in (glassnet.Sequential, glassnet.models.Functional):
        assert glassnet.layers.get_layer_class(cls.__name__) is cls
    assert glassnet.layers.get_layer_class("Model") is glassnet.models.Functional  # older Keras files


MAX_MODULE_LINES = 600  # DESIGN.md: a file past ~600 lines is a sign to split it by concept


def test_no_module_is_past_the_split_threshold():
    long = {p.relative_to(ROOT).as_posix(): n for p in ROOT.rglob("*.py")
            if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES}
    assert not long, f"modules over {MAX_MODULE_LINES} lines (split them by concept): {long}"


def test_the_autograd_core_stays_small():
    """micrograd's lesson: the core must be readable in one sitting (DESIGN.md: about 400 lines
    of code, docstrings aside)."""
    tree = ast.parse((ROOT / "core" / "tensor.py").read_text())
    docstring_lines = sum(len(ast.get_docstring(n, clean=False).splitlines())
                          for n in ast.walk(tree)
                          if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef)) and ast.get_docstring(n))
    total = len((ROOT / "core" / "tensor.py").read_text().splitlines())
    assert total - docstring_lines <= 400


def test_a_folder_named_glassnet_does_not_shadow_the_package(tmp_path):
    """A clone sits in a folder named ``glassnet``; from its parent folder ``import glassnet``
    must still find the installed package, not the folder as an empty namespace package. The
    src/ layout makes this hold: the package lives in ``src/glassnet``, which the editable
    install puts on ``sys.path`` ahead of the import hooks."""
    import subprocess
    import sys
    clone = tmp_path / "glassnet"
    (clone / "tests").mkdir(parents=True)
    (clone / "README.md").write_text("a clone\n")
    out = subprocess.run([sys.executable, "-c", "import glassnet; print(glassnet.layers.Dense.__name__)"],
                         cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "Dense"


def test_docstring_examples_that_use_np_import_it():
    """An example copied into a fresh interpreter must run: every docstring whose ``>>>`` lines
    use ``np.`` also has ``>>> import numpy as np`` among them."""
    import re
    missing = []
    for path in sorted(ROOT.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            doc = ast.get_docstring(node, clean=False) or ""
            code = "\n".join(line.strip() for line in doc.splitlines() if line.strip().startswith((">>>", "...")))
            if re.search(r"\bnp\.", code) and "import numpy as np" not in code:
                missing.append(f"{path.relative_to(ROOT).as_posix()}:{getattr(node, 'name', '<module>')}")
    assert not missing, "docstring examples use np without importing it:\n" + "\n".join(missing)
