"""docs/tutorial.md: every ```python block runs, in order, in one namespace,
from the source folder (so the page's paths are the repository's). A block
that raises or whose assert fails fails this test, naming the block's line.

Needs PYTHONPATH=<source>/python:<build>/python (ctest sets it)."""

import os
import pathlib
import re

import pytest

SOURCE = pathlib.Path(os.environ.get("RANVIER_SOURCE_DIR",
                                     pathlib.Path(__file__).resolve().parents[2]))

if os.environ.get("RANVIER_PYTHON_MODULE_BUILT", "ON").upper() in ("OFF", "0", "FALSE"):
    pytest.skip("the build was configured without the Python module", allow_module_level=True)

import matplotlib  # noqa: E402

matplotlib.use("Agg")  # the page's figures are drawn, not shown


def blocks(path):
    """(line, code) of every ```python block of a Markdown file."""
    text = path.read_text(encoding="utf-8")
    for match in re.finditer(r"^```python\n(.*?)^```", text, flags=re.S | re.M):
        yield text.count("\n", 0, match.start()) + 2, match.group(1)


def test_every_tutorial_block_runs(monkeypatch):
    page = SOURCE / "docs" / "tutorial.md"
    found = list(blocks(page))
    assert len(found) == 11  # every one of the page's blocks was found
    monkeypatch.chdir(SOURCE)
    namespace = {"__name__": "tutorial"}
    for line, code in found:
        try:
            exec(compile(code, f"{page}:{line}", "exec"), namespace)
        except Exception as error:
            raise AssertionError(f"docs/tutorial.md block at line {line} failed: {error!r}") from error
