"""The `pull` command, registered on a throwaway typer app (the lead owns cli/app.py)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from ocihist.cli.pull import register
from ocihist.errors import UsageError

from .check import check_layout
from .conftest import Images
from .servers import PASSWORD, USER, Registry


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """ocihist (test harness)."""

    register(app)
    return app


def test_pull_json(app: typer.Typer, plain_registry: Registry, images: Images,
                   tmp_path: Path) -> None:
    ref = f"{plain_registry.host}/test/multi:v1"
    result = CliRunner().invoke(app, ["pull", ref, "--dest", str(tmp_path), "--json",
                                      "--platform", "linux/amd64"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["ok"] and data["pulled"][0]["platforms"] == ["linux/amd64"]
    assert check_layout(tmp_path, filtered=True) == 1


def test_text_and_json_summaries_count_alike(app: typer.Typer, plain_registry: Registry,
                                             images: Images, tmp_path: Path) -> None:
    """Every manifest of the tree is counted each time; blobs only when this pull fetched
    them (a re-run finds the config intact and fetches nothing)."""
    ref = f"{plain_registry.host}/test/multi:v1"
    args = ["pull", ref, "--dest", str(tmp_path), "--platform", "linux/amd64"]
    first = CliRunner().invoke(app, args)
    again = CliRunner().invoke(app, [*args, "--json"])
    assert first.exit_code == again.exit_code == 0, first.output + again.output
    match = re.search(r"\((\d+) manifests, (\d+) blobs fetched, (\d+) referrers\)$",
                      first.stdout.strip())
    assert match is not None, first.stdout
    (pulled,) = json.loads(again.stdout)["pulled"]
    assert int(match[1]) == pulled["manifests"] == 3  # the index, amd64, its attestation
    assert (int(match[2]), pulled["blobs"]) == (3, 0)  # amd64 config; attestation config, statement


def test_pull_file_and_text_summary(app: typer.Typer, plain_registry: Registry, images: Images,
                                    tmp_path: Path) -> None:
    refs = tmp_path / "refs.txt"
    refs.write_text(f"# images\n{plain_registry.host}/test/single:v1\n\n"
                    f"{plain_registry.host}/test/docker:v1\n")
    result = CliRunner().invoke(app, ["pull", "-f", str(refs), "--dest", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    assert result.stdout.count("\n") == 2
    assert check_layout(tmp_path / "o") == 2


def test_partial_failure_exit_1(app: typer.Typer, plain_registry: Registry, images: Images,
                                tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["pull", f"{plain_registry.host}/test/single:v1",
                                      f"{plain_registry.host}/test/missing:v1",
                                      "--dest", str(tmp_path)])
    assert result.exit_code == 1
    assert "test/missing:v1" in result.stderr and "not found" in result.stderr
    assert check_layout(tmp_path) == 1


def test_password_stdin(app: typer.Typer, htpasswd_registry: Registry, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["pull", f"{htpasswd_registry.host}/test/single:v1",
                                      "--dest", str(tmp_path), "--username", USER,
                                      "--password-stdin"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output


def test_usage_errors(app: typer.Typer, tmp_path: Path) -> None:
    for args in (["pull"], ["pull", "Bad Ref"], ["pull", "x", "--password-stdin"],
                 ["pull", "x", "--platform", "linux"]):
        result = CliRunner().invoke(app, [*args, "--dest", str(tmp_path)])
        assert isinstance(result.exception, UsageError), args


def test_offline_imports_stay_light() -> None:
    code = ("import sys, ocihist.pull, ocihist.cli.pull, ocihist.layout.writer, "
            "ocihist.model.reference, ocihist.registry.credentials; "
            "assert 'httpx' not in sys.modules, 'httpx imported'")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_single_failure_raises_its_own_error(app: typer.Typer, plain_registry: Registry,
                                             images: Images, tmp_path: Path) -> None:
    from ocihist.errors import NotFound

    result = CliRunner().invoke(app, ["pull", f"{plain_registry.host}/test/missing:v1",
                                      "--dest", str(tmp_path)])
    assert isinstance(result.exception, NotFound)
    assert result.exception.exit_code == 3
    assert str(result.exception).startswith(f"{plain_registry.host}/test/missing:v1: ")


def test_real_app_registers_pull(plain_registry: Registry, images: Images,
                                 tmp_path: Path) -> None:
    from ocihist.cli.app import run

    assert run(["pull", f"{plain_registry.host}/test/single:v1", "--dest", str(tmp_path)]) == 0
    assert run(["pull", f"{plain_registry.host}/test/missing:v1", "--dest", str(tmp_path)]) == 3
    assert check_layout(tmp_path) == 1


def test_real_cli_exit_codes(plain_registry: Registry, images: Images, tmp_path: Path,
                             capsys: pytest.CaptureFixture[str]) -> None:
    """Through the real entry point: partial failure exits 1, a failed ref alone exits 3
    with one line on stderr, and a clean pull exits 0."""
    from ocihist.cli.app import run

    good = f"{plain_registry.host}/test/single:v1"
    bad = f"{plain_registry.host}/test/missing:v1"
    assert run(["pull", good, "--dest", str(tmp_path / "a")]) == 0
    capsys.readouterr()
    assert run(["pull", good, bad, "--dest", str(tmp_path / "b")]) == 1
    assert "test/missing:v1" in capsys.readouterr().err
    assert run(["pull", bad, "--dest", str(tmp_path / "c")]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("ocihist: error: ") and "missing" in err


def test_progress_is_shown_on_a_terminal_only(plain_registry: Registry, images: Images,
                                               tmp_path: Path) -> None:
    """On a TTY stderr carries a live status of what was fetched; in a pipe it stays quiet."""
    import os
    import pty

    ref = f"{plain_registry.host}/test/multi:v1"
    command = [sys.executable, "-m", "ocihist", "pull", ref, "--dest"]
    piped = subprocess.run([*command, str(tmp_path / "piped")], capture_output=True, text=True,
                           check=False)
    assert piped.returncode == 0 and piped.stderr == ""
    pid, fd = pty.fork()
    if pid == 0:  # the child: stdout and stderr are the terminal
        os.execv(sys.executable, [*command, str(tmp_path / "tty")])
    seen = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, seen
    status_line = rb"(GET|HEAD|manifest|config|blob)\w* \d+ \xc2\xb7"  # "event N ·"
    assert b"\x1b[" in seen and re.search(status_line, seen), seen
    assert check_layout(tmp_path / "tty") == check_layout(tmp_path / "piped")
