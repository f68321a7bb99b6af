"""`show --dockerfile` and `provenance` end to end on the corpus provenance cases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ocihist.analyze.provenance import parse_provenance
from ocihist.cli.app import run
from tests.conftest import FIXTURES

ATTESTATION_LAYERS = {  # the in-toto layer of each case, named in its EXPECTED.md
    "provenance-v02-max-multistage":
        "871c1e60189474f24b6d440d78553e30893eab4640679fd8dd03dc0ac5e0a2a4",
    "provenance-v02-min": "8841739ce82a3dcb3e961a96be4afaca74b7ecadfa72675b77646b1e533b5818",
    "provenance-cosign-att-v02-max":
        "ddcd2331a8d9373da2b4cf9d9fbc54e72f5fb6948008f38b323a9d9f81449cbc",
}


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    assert run(list(args)) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("case", sorted(ATTESTATION_LAYERS))
def test_dockerfile_prefers_recorded_source(capsys, corpus: Path, case: str) -> None:
    layout = corpus / case / "layout"
    recorded = parse_provenance(
        (layout / "blobs" / "sha256" / ATTESTATION_LAYERS[case]).read_bytes()).dockerfile
    (image,) = _json(capsys, "show", str(layout), "--dockerfile", "--json")["images"]
    dockerfile = image["dockerfile"]
    if recorded is None:
        assert dockerfile["source"] == "history"
        assert dockerfile["note"].startswith("provenance mode=min: no Dockerfile source")
        assert all(line["step_index"] is not None for line in dockerfile["lines"]
                   if line["kind"] == "instruction" and not line["text"].startswith("FROM "))
    else:
        assert dockerfile["source"] == "provenance"
        assert dockerfile["text"] == recorded.text
        layer_digests = {layer["digest"] for layer in image["layers"]} | \
            {layer["diff_id"] for layer in image["layers"]}
        made = [d for line in dockerfile["lines"] for d in line["layers"]]
        assert made and set(made) & layer_digests


def test_provenance_command_links_attestation_to_its_image(capsys, corpus: Path) -> None:
    doc = _json(capsys, "provenance", str(corpus / "provenance-cosign-att-v02-max" / "layout"),
                "--json")
    (image,) = doc["images"]
    (prov,) = image["provenance"]
    assert image["manifest_digest"] == (
        "sha256:fc7e1cff1928dca67021e380db31231876ba24d1832720702722d3673da33e71")
    assert prov["signature"] == "signature present, not verified"
    assert prov["mode"] == "max" and prov["dockerfile"].startswith("FROM busybox")


def test_image_without_attestation_has_no_provenance(capsys) -> None:
    doc = _json(capsys, "provenance", str(FIXTURES / "umoci-layout"), "--json")
    assert [i["provenance"] for i in doc["images"]] == [[], []]


def test_annotated_dockerfile_names_steps_and_layers(capsys) -> None:
    assert run(["show", str(FIXTURES / "umoci-layout"), "--ref", "v1", "--dockerfile",
                "--annotate"]) == 0
    out = capsys.readouterr().out
    assert "# source: reconstructed from the image history" in out
    assert "# ocihist: step 3, layer sha256:" in out and "RUN echo hi > /x" in out


def test_dockerfile_keeps_the_warnings_the_table_shows(capsys) -> None:
    """A layer without a history step is a warning beside the Dockerfile, as in the table."""
    assert run(["show", str(FIXTURES / "umoci-layout"), "--ref", "v1", "--dockerfile"]) == 0
    out = capsys.readouterr().out
    assert "# warning: index.json manifests[0]: 1 layer(s) have no history step" in out
    assert out.count("\nFROM ") == 1


def test_no_dockerfile_is_made_up_for_an_image_whose_history_is_unknown(capsys) -> None:
    """A manifest without its config: no FROM scratch, no "records no history"; the error and
    the --config hint are said, and the exit code is 1 as for the table."""
    assert run(["show", str(FIXTURES / "umoci-dir" / "manifest.json"), "--dockerfile"]) == 1
    out = capsys.readouterr().out
    assert "FROM" not in out and "records no build history" not in out
    assert "# source: none\n" in out
    assert "# No Dockerfile: the image's config is not in this input" in out
    assert "# error: " in out and "pass its config blob with --config FILE" in out


def test_no_dockerfile_for_a_listed_platform_whose_manifest_is_absent(capsys,
                                                                     corpus: Path) -> None:
    archive = corpus / "oras-go-containerd-export-sparse" / "hello-world.tar"
    assert run(["show", str(archive), "--dockerfile", "--platform", "linux/arm64"]) == 1
    out = capsys.readouterr().out
    assert "FROM" not in out and "is listed but its blob is absent" in out
    assert "# No Dockerfile: the image is listed but its manifest is not in this input." in out
