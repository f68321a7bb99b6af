"""What reaches stdout: safe for a terminal, whole, and in any encoding or descriptor state."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from ocihist.cli.app import run
from tests import factories as f

HOSTILE_STEP = "/bin/sh -c \x1b]0;pwned\x07\x1b[2J\x1b[31mRED\rOVER\u2028LINE"
FORGED_ROW = "x:1\nimage  trusted/image:latest  linux/amd64  sha256:" + "0" * 64


def _hostile_layout(root: Path) -> Path:
    history = [{"created": "2024-01-01T00:00:00Z", "created_by": HOSTILE_STEP,
                "comment": "\x1b[8mhidden\tcell"},
               {"created": "2024-01-01T00:00:01Z", "created_by": "RUN echo \u2603",
                "empty_layer": True}]
    blobs, (manifest,) = f.oci_blobs([(f.config(history, f.LAYERS[:1]), f.LAYERS[:1])])
    index = {"schemaVersion": 2, "manifests": [
        {"mediaType": f.OCI_MANIFEST, "digest": f.sha(manifest), "size": len(manifest),
         "annotations": {"org.opencontainers.image.ref.name": FORGED_ROW}}]}
    for name, data in {**blobs, "index.json": f.dumps(index),
                       "oci-layout": b'{"imageLayoutVersion":"1.0.0"}'}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return root


@pytest.mark.parametrize("args", [["ls"], ["show"], ["show", "--no-trunc"],
                                  ["show", "--dockerfile"], ["provenance"]])
def test_text_output_carries_no_terminal_controls_and_no_forged_lines(
        capsys, tmp_path: Path, args: list[str]) -> None:
    root = _hostile_layout(tmp_path / "l")
    assert run([*args, str(root)]) == 0
    out = capsys.readouterr().out
    controls = {c for c in out if (ord(c) < 0x20 and c not in "\n\t") or 0x7F <= ord(c) < 0xA0
                or c in "\u2028\u2029"}
    assert controls == set()
    assert not any(line.startswith("image  trusted/image") for line in out.splitlines())
    assert "x:1\\nimage  trusted" in out
    if args[0] == "show" and len(args) == 2 and args[1] == "--no-trunc":
        assert "\\x1b]0;pwned\\x07\\x1b[2J\\x1b[31mRED\\rOVER\\u2028LINE" in out


def test_json_keeps_every_character_exactly(capsys, tmp_path: Path) -> None:
    root = _hostile_layout(tmp_path / "l")
    assert run(["show", "--json", str(root)]) == 0
    (image,) = json.loads(capsys.readouterr().out)["images"]
    assert image["history"][0]["created_by"] == HOSTILE_STEP and image["ref"] == FORGED_ROW


def _console(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "ocihist", *args], capture_output=True,
                          check=False, timeout=60, **kwargs)  # type: ignore[call-overload]


def test_an_encoding_without_the_characters_gets_escapes(tmp_path: Path) -> None:
    root = _hostile_layout(tmp_path / "l")
    result = _console(["show", str(root)], env={**os.environ, "PYTHONIOENCODING": "ascii"})
    assert (result.returncode, result.stderr) == (0, b"")
    assert b"RUN echo \\u2603" in result.stdout


def test_a_closed_stdout_is_one_line_and_a_closed_stderr_keeps_the_exit_code(
        tmp_path: Path) -> None:
    """`ocihist show X >&-` and `ocihist show absent 2>&-`, as a shell runs them."""
    root = _hostile_layout(tmp_path / "l")
    command = f"{sys.executable} -m ocihist show"
    closed_out = subprocess.run(["sh", "-c", f"{command} {root} >&-"], capture_output=True,
                                check=False, timeout=60)
    assert (closed_out.returncode, closed_out.stderr) == (
        1, b"ocihist: error: cannot write the output: stdout is closed\n")
    closed_err = subprocess.run(["sh", "-c", f"{command} {tmp_path / 'absent'} 2>&-"],
                                capture_output=True, check=False, timeout=60)
    assert (closed_err.returncode, closed_err.stdout) == (2, b"")


def test_non_blocking_pipes_are_read_and_written_whole(tmp_path: Path) -> None:
    """Descriptors handed over in non-blocking mode (as some shells and runners do): stdin
    that has no data yet is waited for, and output larger than a pipe holds is all written."""
    steps = [{"created_by": f"/bin/sh -c #(nop) LABEL step={i} " + "x" * 200,
              "empty_layer": True} for i in range(2000)]
    archive, _ = f.docker_save(tmp_path / "long.tar", history=[*f.HISTORY, *steps])
    expected = _console(["show", "--json", "-"], stdin=archive.open("rb")).stdout
    in_read, in_write = os.pipe()
    out_read, out_write = os.pipe()
    os.set_blocking(in_read, False)
    os.set_blocking(out_write, False)
    proc = subprocess.Popen([sys.executable, "-m", "ocihist", "show", "--json", "-"],
                            stdin=in_read, stdout=out_write, stderr=subprocess.PIPE)
    os.close(in_read)
    os.close(out_write)
    data = archive.read_bytes()

    def feed() -> None:
        time.sleep(0.5)  # nothing to read yet when ocihist starts
        os.write(in_write, data[:1000])
        time.sleep(0.2)
        with os.fdopen(in_write, "wb") as rest:
            rest.write(data[1000:])

    feeder = threading.Thread(target=feed)
    feeder.start()
    time.sleep(1.5)  # the reader starts late: the pipe fills while ocihist writes
    with os.fdopen(out_read, "rb") as out:
        got = out.read()
    feeder.join()
    assert proc.wait(timeout=60) == 0, proc.stderr.read() if proc.stderr else ""
    assert len(expected) > 1 << 17 and got == expected


def test_error_lines_from_a_partial_result_are_one_escaped_line(capsys, tmp_path: Path) -> None:
    """A manifest without its config named by a hostile path: the stderr line escapes it."""
    _, manifest = f.oci_layout(tmp_path / "l")
    hostile = tmp_path / "m\x1b[31mRED\nocihist: forged.json"
    hostile.write_bytes(manifest)
    assert run(["show", str(hostile)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "\x1b" not in err and "m\\x1b[31mRED\\nocihist" in err


def test_a_partial_result_with_stderr_closed_still_exits_1(tmp_path: Path) -> None:
    _, manifest = f.oci_layout(tmp_path / "l")
    (tmp_path / "m.json").write_bytes(manifest)
    for redirect in ("2>&-", "2>/dev/full"):
        result = subprocess.run(["sh", "-c", f"{sys.executable} -m ocihist show "
                                 f"{tmp_path / 'm.json'} {redirect}"], capture_output=True,
                                check=False, timeout=60)
        assert result.returncode == 1, (redirect, result.stderr)
