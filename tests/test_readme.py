"""The README's console examples are what the commands print today."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys

from tests.conftest import REPO

BLOCK = re.compile(r"```console\n\$ (ocihist [^\n]+)\n(.*?)```", re.S)


def test_readme_console_examples_are_true() -> None:
    blocks = BLOCK.findall((REPO / "README.md").read_text())
    assert len(blocks) >= 3
    for command, shown in blocks:
        args = shlex.split(command)[1:]
        result = subprocess.run([sys.executable, "-m", "ocihist", *args], cwd=REPO,
                                capture_output=True, text=True, check=False)
        assert result.returncode == 0, (command, result.stderr)
        assert result.stdout == shown, command
