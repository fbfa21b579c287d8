"""Write the student edition: notebooks without solution code, and the config of a site that hides solutions.

One source, two editions. In the book's notebooks, a cell tagged ``solution``
holds the reference answer to a coding exercise, and a cell tagged ``check``
asserts it with a checker from ``gdcore.exercises``. The student edition:

- replaces each ``solution`` cell with a stub: every function keeps its
  signature and docstring, its body becomes ``raise NotImplementedError``;
  any other statement is dropped, leaving a "your code here" comment;
- turns ``assert exercises.check_...(f)`` in ``check`` cells into a plain
  call, so the notebook runs to the end and prints "not implemented yet"
  until the student writes the function;
- removes the ``{solution}`` drop-downs from the notebooks' text, and builds
  its site with ``hide_solutions: true`` as well.

Usage: ``python tools/make_student.py OUT`` writes ``OUT/_config.yml``,
``OUT/_toc.yml``, ``OUT/book/`` and ``OUT/references...``; ``make student``
then builds the site from it.
"""

from __future__ import annotations

import ast
import json
import pathlib
import re
import shutil
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
STUB = 'raise NotImplementedError("write your code here")'


def stub_source(source: str) -> str:
    """The student version of a solution cell's code."""
    tree = ast.parse(source)
    lines = source.splitlines()
    out = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            header_end = node.body[0].lineno - 1            # lines before the first body statement
            first = node.body[0]
            has_doc = isinstance(first, ast.Expr) and isinstance(getattr(first, "value", None), ast.Constant) \
                and isinstance(first.value.value, str)
            start = (node.decorator_list[0].lineno if node.decorator_list else node.lineno) - 1
            keep_to = first.end_lineno if has_doc else header_end
            out.extend(lines[start:keep_to])
            indent = " " * (first.col_offset)
            out.append(f"{indent}# your code here")
            out.append(f"{indent}{STUB}")
            out.append("")
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            out.extend(lines[node.lineno - 1:node.end_lineno])
    if not any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) for n in tree.body):
        out.append("# your code here")
    return "\n".join(out).rstrip() + "\n"


_FENCE = re.compile(r"^(\s*)(`{3,}|:{3,})\{solution\}")


def strip_solutions(markdown: str) -> str:
    """Remove ``{solution}`` blocks (backtick or colon fences, any length) from markdown."""
    out, fence = [], None
    for line in markdown.splitlines(keepends=True):
        if fence is None:
            m = _FENCE.match(line)
            if m:
                fence = m.group(2)
                continue
            out.append(line)
        elif line.strip() == fence:
            fence = None
    text = "".join(out)
    return re.sub(r"\n{3,}", "\n\n", text)


def unassert(source: str) -> str:
    """``assert exercises.check_x(f)`` becomes ``exercises.check_x(f)``: report, don't raise."""
    return re.sub(r"^(\s*)assert\s+", r"\1", source, flags=re.M)


def student_notebook(nb: dict) -> dict:
    nb = json.loads(json.dumps(nb))
    for cell in nb["cells"]:
        tags = cell.get("metadata", {}).get("tags", [])
        src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell["cell_type"] == "code" and "solution" in tags:
            cell["source"] = stub_source(src)
        elif cell["cell_type"] == "code" and "check" in tags:
            cell["source"] = unassert(src)
        elif cell["cell_type"] == "markdown" and "{solution}" in src:
            cell["source"] = strip_solutions(src)
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    return nb


def write_edition(out: pathlib.Path) -> list[pathlib.Path]:
    out = pathlib.Path(out)
    if out.exists():
        shutil.rmtree(out)
    (out / "book").mkdir(parents=True)
    written = []
    for src in sorted((ROOT / "book").iterdir()):
        dst = out / "book" / src.name
        if src.suffix == ".ipynb":
            nb = student_notebook(json.loads(src.read_text(encoding="utf-8")))
            dst.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
            written.append(dst)
        elif src.is_file():
            shutil.copy2(src, dst)
    config = (ROOT / "_config.yml").read_text(encoding="utf-8")
    config = re.sub(r"^title: \"(.*)\"", r'title: "\1 (student edition)"', config, count=1, flags=re.M)
    config = config.replace("  config:\n", "  config:\n    hide_solutions: true\n", 1)
    (out / "_config.yml").write_text(config, encoding="utf-8")
    shutil.copy2(ROOT / "_toc.yml", out / "_toc.yml")
    return written


if __name__ == "__main__":
    target = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "_build" / "student" / "src")
    files = write_edition(target)
    print(f"student edition: {len(files)} notebooks in {target / 'book'}")
