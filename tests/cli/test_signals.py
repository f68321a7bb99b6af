"""Ctrl-C and a closed pipe end the same way whichever path reads the command line."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import zstandard

from ocihist import api
from ocihist.cli.app import run
from tests import factories as f

FIXTURE = str(Path(__file__).parents[2] / "fixtures" / "umoci.docker-archive.tar")
PLAIN, TYPER = ["show", FIXTURE], ["show", "--", FIXTURE]  # `--` is left to typer


@pytest.mark.parametrize("argv", [PLAIN, TYPER], ids=["plain", "typer"])
@pytest.mark.parametrize(("raised", "code", "stderr"), [
    (KeyboardInterrupt, 130, "ocihist: interrupted\n"), (BrokenPipeError, 0, "")])
def test_interrupt_and_closed_pipe(monkeypatch: pytest.MonkeyPatch, capsys, argv: list[str],
                                   raised: type[BaseException], code: int, stderr: str) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise raised

    monkeypatch.setattr(api, "open_input", fail)
    monkeypatch.setattr(sys, "stderr", sys.stderr)  # run() silences a closed pipe's stderr
    assert run(argv) == code
    assert capsys.readouterr().err == stderr


def _stalled_stdin_process(tmp_path: Path, argv: list[str]) -> subprocess.Popen[bytes]:
    """ocihist reading a zstd'd archive from a pipe whose writer stops half-way."""
    path, _ = f.docker_save(tmp_path / "s.tar")
    packed = zstandard.ZstdCompressor().compress(path.read_bytes())
    proc = subprocess.Popen([sys.executable, "-m", "ocihist", *argv], stdin=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stdin is not None
    proc.stdin.write(packed[: len(packed) // 2])
    proc.stdin.flush()
    time.sleep(1.5)  # started, and blocked reading
    return proc


@pytest.mark.parametrize("argv", [["show", "-"], ["show", "--", "-"]], ids=["plain", "typer"])
@pytest.mark.parametrize("presses", [1, 3])
def test_ctrl_c_while_reading_is_one_line_and_130(tmp_path: Path, argv: list[str],
                                                  presses: int) -> None:
    proc = _stalled_stdin_process(tmp_path, argv)
    for _ in range(presses):
        proc.send_signal(signal.SIGINT)
        time.sleep(0.01)
    _, err = proc.communicate(timeout=10)
    assert (proc.returncode, err.decode()) == (130, "ocihist: interrupted\n")


def test_ctrl_c_during_orjson_start_up_is_an_interrupt_not_a_crash() -> None:
    """orjson crashes the interpreter if SIGINT lands while it initialises; the CLI holds
    Ctrl-C back for that moment. The signal is sent from inside the import, every time."""
    probe = (
        "import os, signal, sys\n"
        "class Trap:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'dataclasses':  # orjson imports it while initialising\n"
        "            os.kill(os.getpid(), signal.SIGINT)\n"
        "sys.meta_path.insert(0, Trap())\n"
        "from ocihist.cli.app import run\n"
        f"sys.exit(run(['show', {FIXTURE!r}]))\n")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=False, timeout=30)
    assert (result.returncode, result.stderr) == (130, "ocihist: interrupted\n")


def _console(*args: str, **kwargs: object) -> subprocess.CompletedProcess[bytes]:
    """ocihist as the console script runs it (main(), which ends the process itself)."""
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **kwargs}
    return subprocess.run([sys.executable, "-m", "ocihist", *args], check=False, timeout=60,
                          **streams)  # type: ignore[call-overload]


def test_the_process_ends_with_all_its_output_written(capsys) -> None:
    """main() flushes before it ends the process: a pipe gets every byte run() wrote."""
    layout = str(Path(FIXTURE).parent / "multiarch-layout")
    assert run(["show", "--json", "--no-trunc", layout]) == 0
    expected = capsys.readouterr().out.encode()
    result = _console("show", "--json", "--no-trunc", layout)
    assert (result.returncode, result.stderr, result.stdout) == (0, b"", expected)
    failed = _console("show", str(Path(FIXTURE).parent / "no-such-input"))
    assert failed.returncode == 2 and failed.stderr.startswith(b"ocihist: error: ")


def test_a_reader_leaving_early_ends_quietly_with_0(tmp_path: Path) -> None:
    """`ocihist show … | head -c 1`: the rest of the output (far more than a pipe holds)
    has nowhere to go; no message."""
    steps = [{"created_by": f"/bin/sh -c #(nop) LABEL step={i} " + "x" * 200,
              "empty_layer": True} for i in range(2000)]
    path, _ = f.docker_save(tmp_path / "long.tar", history=[*f.HISTORY, *steps])
    proc = subprocess.Popen([sys.executable, "-m", "ocihist", "show", "--json", str(path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.read(1) == b"{"
    proc.stdout.close()
    err = proc.stderr.read()
    assert (proc.wait(timeout=30), err) == (0, b"")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("args", [["show", FIXTURE], ["show", "--json", FIXTURE],
                                  ["show", "--", FIXTURE], ["--help"], ["show", "--help"],
                                  ["--version"], []])
def test_output_that_cannot_be_written_is_one_line_and_1(args: list[str]) -> None:
    """A full disk under stdout: said in one line, exit 1, on either command-line path."""
    with open("/dev/full", "wb") as full:
        result = _console(*args, stdout=full)
    assert (result.returncode, result.stderr) == (
        1, b"ocihist: error: cannot write the output: No space left on device\n")
