"""The student edition: solution code is gone, notebooks still open and run to their first exercise."""

import ast
import importlib.util
import json
import pathlib

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("make_student", ROOT / "tools" / "make_student.py")
make_student = importlib.util.module_from_spec(spec)
spec.loader.exec_module(make_student)

CHAPTERS_WITH_CODING_EXERCISES = 8        # 3.1-3.5 and 4.2-4.5 each have at least one (issue 5)


def _cells(nb, tag):
    return [c for c in nb["cells"] if c["cell_type"] == "code" and tag in c.get("metadata", {}).get("tags", [])]


def _src(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _body_lines(source):
    """The lines of a solution that hold the answer: function bodies minus docstrings, other statements."""
    tree = ast.parse(source)
    lines = source.splitlines()
    keep = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant):
                body = body[1:]
            for stmt in body:
                keep.update(range(stmt.lineno - 1, stmt.end_lineno))
        elif not isinstance(node, (ast.Import, ast.ImportFrom)):
            keep.update(range(node.lineno - 1, node.end_lineno))
    return [lines[i].strip() for i in sorted(keep) if lines[i].strip() and not lines[i].strip().startswith("#")]


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    make_student.write_edition(out)
    return out


def _pairs(edition):
    for src in sorted((ROOT / "book").glob("*.ipynb")):
        yield src.name, json.loads(src.read_text()), json.loads((edition / "book" / src.name).read_text())


def test_edition_has_every_notebook_and_a_config_hiding_solutions(edition):
    assert sorted(p.name for p in (edition / "book").glob("*.ipynb")) == \
        sorted(p.name for p in (ROOT / "book").glob("*.ipynb"))
    config = (edition / "_config.yml").read_text()
    assert "hide_solutions: true" in config and "student edition" in config


def test_no_solution_code_survives(edition):
    with_solutions = 0
    for name, book_nb, student_nb in _pairs(edition):
        solutions = _cells(book_nb, "solution")
        with_solutions += bool(solutions)
        student_text = "\n".join(_src(c) for c in student_nb["cells"])
        # lines the book shows outside solutions (a generic `for t in range(T):`, say) may stay
        public = "\n".join(_src(c) for c in book_nb["cells"] if c not in solutions and
                           "{solution}" not in _src(c))
        for cell in solutions:
            for line in _body_lines(_src(cell)):
                if line in ("return", "pass", "...") or line in public:
                    continue
                assert line not in student_text, f"{name}: solution line survives: {line!r}"
        for cell in _cells(student_nb, "solution"):
            assert "NotImplementedError" in _src(cell) or "your code here" in _src(cell)
        assert "{solution}" not in student_text, f"{name}: a worked solution survives in the text"
    assert with_solutions >= CHAPTERS_WITH_CODING_EXERCISES


def _first_exercise_notebooks():
    out = []
    for src in sorted((ROOT / "book").glob("*.ipynb")):
        nb = json.loads(src.read_text())
        if _cells(nb, "check"):
            out.append(src.name)
    return out


@pytest.mark.parametrize("name", _first_exercise_notebooks())
def test_student_notebook_runs_to_its_first_exercise(edition, name):
    nb = nbformat.read(edition / "book" / name, as_version=4)
    first = next(i for i, c in enumerate(nb.cells) if "check" in c.get("metadata", {}).get("tags", []))
    nb.cells = nb.cells[:first + 1]
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(edition / "book")}}).execute()
    text = "".join(o.get("text", "") for o in nb.cells[first].outputs if o.get("output_type") == "stream")
    assert "not implemented yet" in text, text
