"""The examples in docstrings and in the README run and print what they say."""

import doctest
import importlib
import pathlib
import re

import pytest

MODULES = ["gdcore", "gdcore.problems", "gdcore.optimizers", "gdcore.schedules", "gdcore.loop",
           "gdcore.automl", "gdcore.exercises"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


def test_readme_example_runs():
    text = (pathlib.Path(__file__).resolve().parents[1] / "README.md").read_text()
    code = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    exec(compile(code, "README.md", "exec"), {})
