"""The book's sources: notebooks stored without outputs, every chapter in the table of contents."""

import json
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "book").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stored_without_outputs(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [], f"{path.name} cell {i} has outputs"
            assert cell.get("execution_count") is None, f"{path.name} cell {i} has an execution count"
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


def _toc_files():
    return re.findall(r"file:\s*(\S+)", (ROOT / "_toc.yml").read_text()) + \
        [re.search(r"root:\s*(\S+)", (ROOT / "_toc.yml").read_text()).group(1)]


def test_every_toc_entry_exists_and_every_chapter_is_listed():
    listed = set(_toc_files())
    for entry in listed:
        assert any((ROOT / (entry + ext)).exists() for ext in (".md", ".ipynb")), entry
    for nb in NOTEBOOKS:
        assert f"book/{nb.stem}" in listed, f"{nb.name} is not in _toc.yml"


def test_engine_imports_only_numpy():
    import subprocess
    import sys
    code = ("import sys, gdcore; bad = [m for m in sys.modules if m.split('.')[0] in "
            "('matplotlib', 'ipywidgets', 'scipy', 'sklearn', 'pandas')]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"
