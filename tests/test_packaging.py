"""What `pip install assistants-mock` puts on a user's machine: only `mock_server`, the
LICENSE, the metadata PyPI shows, and a declared dependency for every import."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from email.parser import Parser
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

import mock_server

ROOT = Path(__file__).parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    """The wheel pip builds from a copy of the project (`client/` included in the copy,
    as in a checkout), offline: no build isolation, no index."""
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, source / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package in ("mock_server", "client"):
        shutil.copytree(ROOT / package, source / package, ignore=ignore)
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--no-index", "--quiet", "--wheel-dir", str(out), str(source)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    (built,) = out.glob("*.whl")
    return zipfile.ZipFile(built)


def test_the_wheel_holds_only_mock_server(wheel: zipfile.ZipFile) -> None:
    tops = {name.split("/")[0] for name in wheel.namelist()}
    version = mock_server.__version__
    assert tops == {"mock_server", f"assistants_mock-{version}.dist-info"}
    assert not any(name.startswith("client/") for name in wheel.namelist())


def test_the_wheel_carries_the_license_and_the_metadata(wheel: zipfile.ZipFile) -> None:
    info = next(n.split("/")[0] for n in wheel.namelist() if ".dist-info/" in n)
    licence = wheel.read(f"{info}/licenses/LICENSE").decode()
    assert licence.startswith("MIT License\n\nCopyright (c) 2026 the assistants-mock authors\n")
    assert licence == (ROOT / "LICENSE").read_text()
    metadata = Parser().parsestr(wheel.read(f"{info}/METADATA").decode())
    assert metadata["License-Expression"] == "MIT"
    assert metadata.get_all("License-File") == ["LICENSE"]
    classifiers = metadata.get_all("Classifier") or []
    for wanted in (
        "Framework :: Pytest",
        "Framework :: FastAPI",
        "Typing :: Typed",
        "Topic :: Software Development :: Testing",
        "Programming Language :: Python :: 3.11",
    ):
        assert wanted in classifiers
    assert any(c.startswith("Development Status :: ") for c in classifiers)
    entry_points = wheel.read(f"{info}/entry_points.txt").decode()
    assert "assistants-mock = mock_server.cli:main" in entry_points
    assert "assistants_mock = mock_server.pytest_plugin" in entry_points


def imported_modules(package: Path) -> set[str]:
    """The top-level names of every absolute import in the package's modules."""
    names: set[str] = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names


def requirement_name(requirement: str) -> str:
    name = re.split(r"[\s<>=!~;\[]", requirement, maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_import_is_a_declared_dependency() -> None:
    imported = imported_modules(ROOT / "mock_server") - set(sys.stdlib_module_names)
    imported -= {"mock_server", "__future__"}
    assert "client" not in imported, "the installed package cannot import the checkout's client/"
    declared = {requirement_name(r) for r in PYPROJECT["project"]["dependencies"]}
    providers = packages_distributions()
    for module in sorted(imported):
        distributions = {requirement_name(d) for d in providers.get(module, [])}
        assert distributions & declared, f"mock_server imports {module}; declare {distributions}"


def test_the_wheel_carries_the_inspector(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    for name in ("templates/inspector.html", "templates/panels.html", "static/inspector.js",
                 "static/inspector.css"):  # fmt: skip
        assert f"mock_server/{name}" in names, name
