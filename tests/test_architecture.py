"""Import boundaries and the error tree, checked from the source text."""

from __future__ import annotations

import ast
from pathlib import Path

import ocihist.errors as errors
from tests.conftest import REPO

PACKAGE = REPO / "ocihist"
# What each layer may import from ocihist (besides itself and ocihist.errors).
ALLOWED = {
    "model": {"model"},
    "sources": {"model", "sources"},
    "analyze": {"model", "sources", "analyze"},
    "render": {"model", "sources", "analyze", "render"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _modules() -> list[tuple[Path, set[str]]]:
    return [(path, _imports(path)) for path in PACKAGE.rglob("*.py")]


def test_layers_import_only_downwards() -> None:
    for path, names in _modules():
        layer = path.relative_to(PACKAGE).parts[0]
        if layer not in ALLOWED:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "ocihist" and len(parts) > 1 and parts[1] != "errors":
                assert parts[1] in ALLOWED[layer], f"{path} imports {name}"


def test_heavy_libraries_stay_in_their_modules() -> None:
    homes = {"httpx": "registry", "zstandard": "sources/compressed.py",
             "isal": "sources/compressed.py"}
    for path, names in _modules():
        rel = path.relative_to(PACKAGE).as_posix()
        for library, home in homes.items():
            if any(n == library or n.startswith(library + ".") for n in names):
                assert rel.startswith(home), f"{rel} imports {library}"


def test_errors_module_imports_nothing_from_ocihist() -> None:
    assert not [n for n in _imports(PACKAGE / "errors.py") if n.startswith("ocihist")]


def _subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


def test_every_error_has_a_code_and_an_exit_code() -> None:
    classes = [errors.OcihistError, *_subclasses(errors.OcihistError)]
    codes = [cls.code for cls in classes]
    assert len(codes) == len(set(codes)), "error codes must be unique"
    for cls in classes:
        assert cls.exit_code in ((1,) if issubclass(cls, errors.OutputError) else (2, 3, 4)), cls
    assert errors.InputError.exit_code == 2 and errors.RegistryError.exit_code == 3
    assert errors.LayoutError.exit_code == 4


def test_public_api_resolves_and_import_is_light() -> None:
    import subprocess
    import sys

    probe = ("import sys, ocihist; heavy = [m for m in ('httpx', 'zstandard', 'orjson', "
             "'typer') if m in sys.modules]; [getattr(ocihist, n) for n in ocihist.__all__]; "
             "print(heavy)")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"
