"""The README's console examples are what the commands print today.

OCIHIST_UPDATE_README=1 rewrites them from the real output (read the diff before keeping it).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys

from tests.conftest import REPO

BLOCK = re.compile(r"```console\n\$ (ocihist [^\n]+)\n(.*?)```", re.S)


def _output(command: str) -> str:
    result = subprocess.run([sys.executable, "-m", "ocihist", *shlex.split(command)[1:]],
                            cwd=REPO, capture_output=True, text=True, check=False)
    assert result.returncode == 0, (command, result.stderr)
    return result.stdout


def test_readme_console_examples_are_true() -> None:
    readme = REPO / "README.md"
    text = readme.read_text()
    if os.environ.get("OCIHIST_UPDATE_README") == "1":
        text = BLOCK.sub(lambda m: f"```console\n$ {m[1]}\n{_output(m[1])}```", text)
        readme.write_text(text)
    blocks = BLOCK.findall(text)
    assert len(blocks) >= 3
    for command, shown in blocks:
        assert _output(command) == shown, command


PYTHON = re.compile(r"```python\n(.*?)```\n\n```text\n(.*?)```", re.S)


def _python_output(code: str) -> str:
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                            text=True, check=False)
    assert (result.returncode, result.stderr) == (0, "")
    return result.stdout


def test_readme_python_examples_print_what_they_show() -> None:
    readme = REPO / "README.md"
    text = readme.read_text()
    if os.environ.get("OCIHIST_UPDATE_README") == "1":
        text = PYTHON.sub(lambda m: f"```python\n{m[1]}```\n\n```text\n{_python_output(m[1])}```",
                          text)
        readme.write_text(text)
    blocks = PYTHON.findall(text)
    assert blocks
    for code, shown in blocks:
        assert _python_output(code) == shown
