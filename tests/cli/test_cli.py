"""The CLI in-process: output, selection, exit codes, and one clean line for bad input."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from ocihist.cli.app import run
from tests import factories as f
from tests.conftest import FIXTURES


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_show_table_lists_every_step_oldest_first(capsys, tmp_path: Path) -> None:
    path, _ = f.docker_save(tmp_path / "s.tar")
    code, out, err = cli(capsys, "show", str(path))
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "== demo:1  linux/amd64"
    steps = [line.split()[0] for line in lines if line[:1].isdigit()]
    assert steps == ["0", "1", "2"]
    assert "/bin/sh -c echo hi > /hi" in out


def test_show_json_matches_schema(capsys, tmp_path: Path) -> None:
    path, _cfg = f.docker_save(tmp_path / "s.tar")
    code, out, _ = cli(capsys, "show", str(path), "--json")
    doc = json.loads(out)
    assert code == 0 and doc["schema"] == "ocihist/show/v1"
    (image,) = doc["images"]
    assert set(image) >= {"ref", "manifest_digest", "config_digest", "platform", "created",
                          "history", "unattributed_layers", "missing", "warnings"}
    assert image["platform"] == {"os": "linux", "architecture": "amd64", "variant": None,
                                 "os_version": None}
    assert [s["layer"]["index"] if s["layer"] else None for s in image["history"]] == [0, None, 1]
    assert image["history"][2]["layer"]["diff_id"] == f.sha(f.LAYERS[1])


def test_no_trunc_keeps_long_commands(capsys, tmp_path: Path) -> None:
    long_cmd = "/bin/sh -c " + "x" * 200
    history = [{"created": "2024-01-01T00:00:00Z", "created_by": long_cmd}] * 2
    path, _ = f.docker_save(tmp_path / "s.tar", history=history)
    _, short, _ = cli(capsys, "show", str(path))
    _, full, _ = cli(capsys, "show", str(path), "--no-trunc")
    assert long_cmd not in short and "..." in short
    assert long_cmd in full


def test_zero_epoch_and_invalid_times_are_labelled(capsys, tmp_path: Path) -> None:
    history = [{"created": "0001-01-01T00:00:00Z", "created_by": "a"},
               {"created": "1970-01-01T00:00:00Z", "created_by": "b"},
               {"created": "garbage", "created_by": "c", "empty_layer": True},
               {"created": "2024-01-02T03:04:05.123456789+02:00", "created_by": "d",
                "empty_layer": True}]
    path, _ = f.docker_save(tmp_path / "s.tar", history=history)
    _, out, _ = cli(capsys, "show", str(path))
    assert "0001-01-01T00:00:00Z (zero)" in out and "1970-01-01T00:00:00Z (epoch)" in out
    assert "garbage (invalid)" in out
    assert "1 history step(s) have a created value that is not an ISO 8601 time (steps 2)" in out
    _, js, _ = cli(capsys, "show", str(path), "--json")
    kinds = [s["created_kind"] for s in json.loads(js)["images"][0]["history"]]
    assert kinds == ["zero", "epoch", "invalid", "date"]


def test_ref_and_platform_selection(capsys) -> None:
    code, out, _ = cli(capsys, "show", str(FIXTURES / "umoci-layout"), "--ref", "v2", "--json")
    assert code == 0 and [i["ref"] for i in json.loads(out)["images"]] == ["v2"]
    code, _, err = cli(capsys, "show", str(FIXTURES / "multiarch-layout"), "--platform",
                       "linux/s390x")
    assert code == 2 and err.count("\n") == 1 and "available" in err
    code, _, err = cli(capsys, "show", str(FIXTURES / "umoci-layout"), "--ref", "cd5c")
    assert code == 2 and err.rstrip().endswith("(a digest prefix needs 8 or more hex digits)")
    assert cli(capsys, "show", str(FIXTURES / "umoci-layout"), "--ref", "cd5c0864")[0] == 0


@pytest.mark.parametrize(("ref", "found"), [
    ("docker.io/ocihist/fixture:v1", True), ("ocihist/fixture:v1", True), ("v1", True),
    ("index.docker.io/ocihist/fixture:v1", True), ("fixture:v1", False),
    ("ocihist/fixture", False), ("v2", False), ("ocihist/fixture:v1@sha256:" + "0" * 64, False)])
def test_ref_is_read_as_docker_reads_names(capsys, ref: str, found: bool) -> None:
    """A docker save names images `docker.io/ocihist/fixture:v1`; `--ref` takes the short
    forms docker accepts for that name, or the tag alone."""
    code, out, _ = cli(capsys, "show", str(FIXTURES / "umoci.docker-archive.tar"), "--ref", ref,
                       "--json")
    assert code == (0 if found else 2)
    if found:
        assert [i["ref"] for i in json.loads(out)["images"]] == ["docker.io/ocihist/fixture:v1"]


def test_ls_lists_images_and_artifacts(capsys, corpus: Path) -> None:
    code, out, _ = cli(capsys, "ls", str(corpus / "provenance-v02-min" / "layout"))
    rows = out.splitlines()[1:]
    assert code == 0 and [r.split()[0] for r in rows] == ["image", "artifact"]
    assert "attestation manifest for sha256:" in rows[1]


def test_input_with_only_an_artifact_is_an_error(capsys, corpus: Path) -> None:
    code, _, err = cli(capsys, "show", str(corpus / "ggcr-layout-helm-artifact" /
                                           "test_index_media_type"))
    assert code == 2
    assert "no container image" in err and "application/vnd.cncf.helm.config.v1+json" in err


# Bad input: one line on stderr, exit code 2, no traceback, nothing written.

def _bad_inputs(tmp: Path) -> dict[str, Path]:
    good, _ = f.docker_save(tmp / "good.tar")
    data = good.read_bytes()
    cases: dict[str, bytes] = {
        "truncated-tar": data[: len(data) // 2 + 100],
        "corrupt-header": data[:100] + b"\xff" * 8 + data[108:],
        "empty-file": b"",
        "random-bytes": os.urandom(4096),
        "truncated-gzip": __import__("gzip").compress(data)[:300],
        "malformed-json": b'{"schemaVersion": 2, "config": ',
        "json-null": b"null",
    }
    paths = {name: tmp / name for name in cases}
    for name, blob in cases.items():
        paths[name].write_bytes(blob)
    paths["missing-file"] = tmp / "does-not-exist"
    paths["manifest-null"] = f.write_tar(tmp / "mnull.tar", {"manifest.json": b"null"})
    paths["config-missing"] = f.write_tar(tmp / "nocfg.tar", {"manifest.json": f.dumps(
        [{"Config": "abc.json", "RepoTags": ["x:1"], "Layers": []}])})
    paths["escaping-symlink"] = f.write_tar(tmp / "esc.tar", {
        "manifest.json": f.dumps([{"Config": "c.json", "RepoTags": ["x:1"], "Layers": []}]),
        "c.json": f.Link("../../../../etc/passwd")})
    paths["absolute-symlink"] = f.write_tar(tmp / "abs.tar", {
        "manifest.json": f.dumps([{"Config": "c.json", "RepoTags": ["x:1"], "Layers": []}]),
        "c.json": f.Link("/etc/passwd")})
    paths["huge-manifest"] = f.write_tar(tmp / "huge.tar",
                                         {"manifest.json": b"[" + b" " * (9 << 20) + b"]"})
    pax = tarfile.TarInfo("index.json")
    pax.pax_headers = {"size": "-1"}
    with tarfile.open(tmp / "paxneg.tar", "w", format=tarfile.PAX_FORMAT) as tar:
        tar.addfile(pax, io.BytesIO(b""))
    paths["negative-pax-size"] = tmp / "paxneg.tar"
    paths["newline-in-name"] = f.write_tar(tmp / "nl.tar", {"manifest.json": f.dumps(
        [{"Config": "a\nforged line", "RepoTags": ["x:1"], "Layers": []}])})
    paths["legacy-empty-id"] = f.write_tar(tmp / "legacy.tar",
                                           {"repositories": b'{"r": {"t": ""}}'})
    fifo = tmp / "fifo"
    os.mkfifo(fifo)
    paths["fifo-without-writer"] = fifo
    paths["index-fan-out"] = _fan_out(tmp / "fan")
    paths["index-chain-fan-out"] = _chain_fan_out(tmp / "chain")
    paths["link-cycle"] = f.write_tar(tmp / "cycle.tar", {
        "manifest.json": f.dumps([{"Config": "a.json", "RepoTags": ["x:1"], "Layers": []}]),
        "a.json": f.Link("b.json"), "b.json": f.Link("a.json")})
    root, manifest = f.oci_layout(tmp / "tampered")
    blob = root / "blobs" / "sha256" / f.sha(manifest)[7:]
    blob.write_bytes(manifest.replace(b'"schemaVersion":2', b'"schemaVersion":2 '))
    paths["digest-mismatch"] = root
    bad_digest, _ = f.oci_layout(tmp / "baddigest")
    (bad_digest / "index.json").write_text(
        '{"schemaVersion":2,"manifests":[{"digest":"sha256:../../etc/passwd","size":1}]}')
    paths["hostile-digest"] = bad_digest
    return paths


def _fan_out(root: Path) -> Path:
    """An index listing one child index 200 times, which lists one image 200 times."""
    _, manifest = f.oci_layout(root)
    child = f.dumps({"schemaVersion": 2, "manifests": [
        {"mediaType": f.OCI_MANIFEST, "digest": f.sha(manifest), "size": len(manifest)}] * 200})
    top = f.dumps({"schemaVersion": 2, "manifests": [
        {"mediaType": f.OCI_INDEX, "digest": f.sha(child), "size": len(child)}] * 200})
    for blob in (child, top):
        (root / "blobs" / "sha256" / f.sha(blob)[7:]).write_bytes(blob)
    (root / "index.json").write_bytes(f.dumps({"schemaVersion": 2, "manifests": [
        {"mediaType": f.OCI_INDEX, "digest": f.sha(top), "size": len(top)}]}))
    return root


def _amplified(tmp: Path, case: str) -> Path:
    """Small inputs that repeat a few documents into more than any real image store."""
    from ocihist.sources.base import MAX_ENTRIES, MAX_STEPS, MAX_TEXT

    if case == "legacy-tags-amplified":
        return _legacy_chain(tmp / "legacy-amp.tar", depth=1000, tags=MAX_STEPS // 1000 + 1)
    config = f.config([{"created_by": f"RUN {i}", "empty_layer": True} for i in range(200)], [])
    long_step = f.config([{"created_by": "RUN " + "x" * (1 << 20), "empty_layer": True}], [])
    entries = {"save-entries-amplified": [{"Config": "c.json"}] * (MAX_ENTRIES + 1),
               "save-steps-amplified": [{"Config": "c.json"}] * (MAX_STEPS // 200 + 1),
               "save-layers-amplified": [{"Config": "c.json", "Layers": ["l"] * MAX_STEPS}],
               "save-text-amplified": [{"Config": "c.json"}] * ((MAX_TEXT >> 20) + 1)}
    return f.write_tar(tmp / "amp.tar", {
        "c.json": long_step if case == "save-text-amplified" else config,
        "manifest.json": f.dumps(entries[case])})


def _legacy_chain(path: Path, *, depth: int, tags: int) -> Path:
    """A pre-1.10 save: a `depth`-long parent chain whose top `tags` tags all name."""
    ids = [f"{i:064x}" for i in range(depth)]
    members: dict[str, bytes | f.Link] = {
        f"{layer}/json": f.dumps({"id": layer, **({"parent": ids[i - 1]} if i else {})})
        for i, layer in enumerate(ids)}
    members["repositories"] = f.dumps({"r": {f"t{t}": ids[-1] for t in range(tags)}})
    return f.write_tar(path, members)


def _chain_fan_out(root: Path) -> Path:
    """Ten distinct indexes, each listing the next six times: 6**10 paths, no image."""
    f.oci_layout(root)
    current = f.dumps({"schemaVersion": 2, "mediaType": f.OCI_INDEX, "manifests": []})
    for level in range(11):
        (root / "blobs" / "sha256" / f.sha(current)[7:]).write_bytes(current)
        entry = {"mediaType": f.OCI_INDEX, "digest": f.sha(current), "size": len(current)}
        current = f.dumps({"schemaVersion": 2, "mediaType": f.OCI_INDEX,
                           "manifests": [entry] * (6 if level < 10 else 1),
                           "annotations": {"level": str(level)}})
    (root / "index.json").write_bytes(current)
    return root


AMPLIFIED = ["save-entries-amplified", "save-steps-amplified", "save-layers-amplified",
             "save-text-amplified", "legacy-tags-amplified"]
BAD = [*AMPLIFIED, "index-chain-fan-out", "link-cycle", "negative-pax-size", "newline-in-name",
       "legacy-empty-id", "fifo-without-writer", "index-fan-out", "truncated-tar",
       "corrupt-header", "empty-file", "random-bytes", "truncated-gzip",
       "malformed-json", "json-null", "missing-file", "manifest-null", "config-missing",
       "escaping-symlink", "absolute-symlink", "huge-manifest", "digest-mismatch",
       "hostile-digest"]


@pytest.mark.parametrize("case", BAD)
def test_bad_input_gives_one_line_and_exit_2(capsys, tmp_path: Path, case: str) -> None:
    path = _amplified(tmp_path, case) if case in AMPLIFIED else _bad_inputs(tmp_path)[case]
    before = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*")}
    code, out, err = cli(capsys, "show", str(path))
    assert code == 2, (case, err)
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("ocihist: error: "), err
    assert "Traceback" not in err
    assert {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*")} == before


def test_links_that_lead_to_each_other_are_named_so(capsys, tmp_path: Path) -> None:
    _, _, err = cli(capsys, "show", str(_bad_inputs(tmp_path)["link-cycle"]))
    assert "links that lead to each other" in err and "outside" not in err


def test_an_empty_path_is_a_usage_error_not_the_current_folder(capsys) -> None:
    assert cli(capsys, "show", "") == (2, "", "ocihist: error: the path is empty (`-` reads "
                                              "stdin)\n")


def test_digest_mismatch_names_both_digests(capsys, tmp_path: Path) -> None:
    path = _bad_inputs(tmp_path)["digest-mismatch"]
    _, _, err = cli(capsys, "show", str(path))
    assert "should have digest sha256:" in err and "hash to sha256:" in err


def test_real_process_bad_input_has_no_traceback(tmp_path: Path) -> None:
    path = _bad_inputs(tmp_path)["truncated-tar"]
    result = subprocess.run([sys.executable, "-m", "ocihist", "show", str(path)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "truncated" in result.stderr


def test_offline_commands_load_neither_network_code_nor_the_cli_framework(
        tmp_path: Path) -> None:
    path, _ = f.docker_save(tmp_path / "s.tar")
    unwanted = ("httpx", "zstandard", "rich", "typer")
    probe = ("import sys; from ocihist.cli.app import run; run(['show', %r]); "
             f"print(sorted(m for m in {unwanted!r} if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", probe % str(path)], capture_output=True,
                            text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_show_on_an_oci_archive_loads_only_the_readers_it_needs() -> None:
    """Each format's reader is imported when its format is found, and OpenSSL only for big
    blobs: `show` on an oci-archive pays for neither the docker save readers nor those."""
    unwanted = ("ocihist.sources.dockersave", "ocihist.sources.legacy", "ocihist.sources.bare",
                "_hashlib", "queue")
    probe = ("import sys; from ocihist.cli.app import run; code = run(['show', %r]); "
             f"print(code, sorted(m for m in {unwanted!r} if m in sys.modules))")
    archive = str(FIXTURES / "umoci.oci-archive.tar")
    result = subprocess.run([sys.executable, "-c", probe % archive], capture_output=True,
                            text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "0 []"


@pytest.mark.parametrize(("args", "code", "stream"), [
    ([], 0, "out"), (["--help"], 0, "out"), (["show"], 2, "err"),
    (["show", "--bogus", "x"], 2, "err"), (["bogus"], 2, "err"), (["--version"], 0, "out")])
def test_usage_without_the_click_package(tmp_path: Path, args: list[str], code: int,
                                         stream: str) -> None:
    """typer carries its own click; ocihist must not need the separate package."""
    probe = ("import sys; sys.modules['click'] = None; from ocihist.cli.app import run; "
             f"sys.exit(run({args!r}))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=False)
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    if stream == "err":
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("ocihist: usage: ")
    else:
        assert result.stdout and not result.stderr


def test_manifest_without_its_config_is_a_partial_result(capsys) -> None:
    """The layers are listed, the history cannot be: exit 1, with a hint to pass --config."""
    code, out, _ = cli(capsys, "show", str(FIXTURES / "umoci-dir" / "manifest.json"))
    assert code == 1
    assert "the history is unknown" in out and "--config FILE" in out
    config = next(p for p in (FIXTURES / "umoci-dir").iterdir() if len(p.name) == 64
                  and b'"rootfs"' in p.read_bytes())
    code, _, _ = cli(capsys, "show", str(FIXTURES / "umoci-dir" / "manifest.json"), "--config",
                     str(config))
    assert code == 0
    code, _, err = cli(capsys, "show", str(config), "--config",
                       str(FIXTURES / "umoci-dir" / "manifest.json"))
    assert code == 2 and "--config goes with an image manifest; this is an image config" in err


def test_a_registry_reference_given_to_show_gets_a_pointer_to_pull(capsys, tmp_path) -> None:
    code, _, err = cli(capsys, "show", "docker.io/library/alpine:3.19")
    assert code == 2 and err.count("\n") == 1
    assert "ocihist pull docker.io/library/alpine:3.19 --dest DIR" in err
    code, _, err = cli(capsys, "show", str(tmp_path / "absent.tar"))
    assert code == 2 and "pull" not in err


def test_short_help_option(capsys) -> None:
    for argv in (["-h"], ["show", "-h"]):
        code, out, _ = cli(capsys, *argv)
        assert code == 0 and out.startswith("Usage: ocihist")


def test_a_layout_index_given_alone_points_at_its_folder(capsys) -> None:
    """Its entries keep their names; with no manifest in the input no history is known: a
    partial result (exit 1), said on stderr."""
    index = FIXTURES / "umoci-layout" / "index.json"
    code, out, err = cli(capsys, "show", str(index))
    assert code == 1 and out.count("missing: the manifest is listed") == 2
    assert "== v1  platform unknown" in out and "== v2  platform unknown" in out
    assert f"`ocihist show {FIXTURES / 'umoci-layout'}` reads the layout's images" in out
    assert err == ("ocihist: error: none of the 2 image(s) listed has its manifest in this "
                   "input, so no history is known\n")
    code, out, _ = cli(capsys, "ls", str(index))
    assert code == 0 and f"{index} manifests[1]" in out.splitlines()[2]


# A damaged blob harms only the images that need it.

def _two_image_layout(root: Path, *, bad_config: bytes | None = None) -> tuple[Path, list[bytes]]:
    """An OCI layout tagged `a` and `b`; `bad_config` replaces a's config (named by its own
    digest, so that only its content is wrong)."""
    config_a = bad_config or f.config(f.HISTORY, f.LAYERS, author="a")
    blobs, manifests = f.oci_blobs([(config_a, f.LAYERS),
                                    (f.config(f.HISTORY, f.LAYERS, author="b"), f.LAYERS)])
    index = {"schemaVersion": 2, "mediaType": f.OCI_INDEX, "manifests": [
        {"mediaType": f.OCI_MANIFEST, "digest": f.sha(m), "size": len(m),
         "annotations": {"org.opencontainers.image.ref.name": tag}}
        for m, tag in zip(manifests, "ab", strict=True)]}
    for name, data in {**blobs, "index.json": f.dumps(index),
                       "oci-layout": b'{"imageLayoutVersion":"1.0.0"}'}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return root, manifests


def _flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 1
    path.write_bytes(bytes(data))


def _blob(root: Path, data: bytes) -> Path:
    return root / "blobs" / "sha256" / f.sha(data)[7:]


@pytest.mark.parametrize("damage", ["config-digest", "config-json", "manifest-digest"])
def test_a_damaged_blob_is_an_error_of_its_image_only(capsys, tmp_path: Path,
                                                      damage: str) -> None:
    bad = b'{"architecture": "amd64", "os": ' if damage == "config-json" else None
    root, manifests = _two_image_layout(tmp_path / "layout", bad_config=bad)
    if damage == "config-digest":
        config = json.loads(manifests[0])["config"]["digest"]
        _flip_a_byte(root / "blobs" / "sha256" / config[7:])
    elif damage == "manifest-digest":
        _flip_a_byte(_blob(root, manifests[0]))
    code, out, err = cli(capsys, "show", "--json", str(root))
    a, b = json.loads(out)["images"]
    assert code == 1
    assert [(a["ref"], a["history"]), b["ref"]] == [("a", None), "b"]
    assert len(b["history"]) == len(f.HISTORY) and b["warnings"] == []
    (error,) = a["warnings"]
    kind = "config" if damage.startswith("config") else "manifest"
    assert (error["code"], error["severity"]) == (f"damaged-{kind}", "error")
    assert err.count("\n") == 1 and err.startswith("ocihist: error: index.json manifests[0]: ")
    assert ("hash to sha256:" if damage.endswith("digest") else "JSON") in err
    code, out, err = cli(capsys, "show", "--ref", "b", str(root))
    assert (code, err) == (0, "") and out.startswith("== b  linux/amd64\n")
    code, out, _ = cli(capsys, "ls", str(root))
    assert code == 0 and [line.split()[:2] for line in out.splitlines()[1:]] == [
        ["damaged", "a"], ["image", "b"]]
    code, out, err = cli(capsys, "provenance", "--json", str(root))
    assert code == 1 and err.count("\n") == 1
    assert json.loads(out)["images"][0]["warnings"][0]["code"] == f"damaged-{kind}"


def test_when_every_image_is_damaged_the_input_is_bad(capsys, tmp_path: Path) -> None:
    root, manifests = _two_image_layout(tmp_path / "layout")
    for manifest in manifests:
        _flip_a_byte(_blob(root, manifest))
    code, out, err = cli(capsys, "show", str(root))
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and "should have digest" in err



def test_a_damaged_blob_listed_many_times_is_read_once(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from collections import Counter

    from ocihist import api
    from ocihist.sources.blobs import TreeBlobSource

    root, manifests = _two_image_layout(tmp_path / "layout")
    _flip_a_byte(_blob(root, manifests[0]))
    index = json.loads((root / "index.json").read_bytes())
    index["manifests"] = index["manifests"][:1] * 50 + index["manifests"][1:]
    (root / "index.json").write_bytes(f.dumps(index))
    reads: Counter[str] = Counter()
    real = TreeBlobSource.read_blob

    def counted(self: TreeBlobSource, desc, **kwargs):  # type: ignore[no-untyped-def]
        reads[str(desc.digest)] += 1
        return real(self, desc, **kwargs)

    monkeypatch.setattr(TreeBlobSource, "read_blob", counted)
    inventory = api.open_input(str(root))
    assert len(inventory.images) == 51 and reads[f.sha(manifests[0])] == 1


def test_a_blob_not_kept_from_a_stream_is_an_error_of_its_image_only(capsys,
                                                                     tmp_path: Path) -> None:
    """Bytes that do not look like a document are not kept from a compressed stream: the
    image needing them is damaged, the other is shown, as from the plain archive."""
    root, manifests = _two_image_layout(tmp_path / "layout")
    config = json.loads(manifests[0])["config"]["digest"]
    (root / "blobs" / "sha256" / config[7:]).write_bytes(b"garbage, not JSON")
    members = {p.relative_to(root).as_posix(): p.read_bytes()
               for p in sorted(root.rglob("*")) if p.is_file()}
    archive = f.write_tar(tmp_path / "s.tar", members)
    (tmp_path / "s.tar.gz").write_bytes(__import__("gzip").compress(archive.read_bytes()))
    for path in (archive, tmp_path / "s.tar.gz"):
        code, out, err = cli(capsys, "show", "--json", str(path))
        a, b = json.loads(out)["images"]
        assert (code, a["history"], len(b["history"])) == (1, None, len(f.HISTORY)), path
        assert err.count("\n") == 1


@pytest.mark.parametrize("damaged", ["nested-index", "attestation"])
def test_a_damaged_index_is_an_error_and_a_damaged_attestation_a_warning(
        capsys, tmp_path: Path, damaged: str) -> None:
    root, manifests = _two_image_layout(tmp_path / "layout")
    index = json.loads((root / "index.json").read_bytes())
    second = index["manifests"][1]
    if damaged == "nested-index":
        nested = f.dumps({"schemaVersion": 2, "mediaType": f.OCI_INDEX, "manifests": [second]})
        entry = {"mediaType": f.OCI_INDEX, "digest": f.sha(nested), "size": len(nested)}
    else:
        nested = f.dumps({"schemaVersion": 2, "mediaType": f.OCI_MANIFEST, "layers": [],
                          "config": json.loads(manifests[1])["config"]})
        entry = {"mediaType": f.OCI_MANIFEST, "digest": f.sha(nested), "size": len(nested),
                 "annotations": {"vnd.docker.reference.type": "attestation-manifest",
                                 "vnd.docker.reference.digest": f.sha(manifests[0])}}
    _blob(root, nested).write_bytes(nested + b" ")  # one byte more: its digest is wrong
    index["manifests"][1] = entry
    (root / "index.json").write_bytes(f.dumps(index))
    code, out, err = cli(capsys, "show", "--json", str(root))
    doc = json.loads(out)
    assert [i["ref"] for i in doc["images"]] == ["a"]
    (warning,) = doc["warnings"]
    assert warning["code"] == f"damaged-{'index' if damaged == 'nested-index' else 'attestation'}"
    if damaged == "nested-index":
        assert (code, warning["severity"]) == (1, "error") and err.count("\n") == 1
    else:
        assert (code, warning["severity"], err) == (0, "warning", "")


@pytest.mark.parametrize("damage", ["malformed", "absent"])
def test_a_docker_save_entry_whose_config_cannot_be_read_is_its_error_only(
        capsys, tmp_path: Path, damage: str) -> None:
    good = f.config(f.HISTORY, f.LAYERS)
    members: dict[str, bytes | f.Link] = {"good.json": good, "layer.tar": f.LAYERS[0]}
    if damage == "malformed":
        members["bad.json"] = b"{bad json"
    members["manifest.json"] = f.dumps([
        {"Config": "good.json", "RepoTags": ["good:1"], "Layers": ["layer.tar"]},
        {"Config": "bad.json", "RepoTags": ["bad:1"], "Layers": ["layer.tar"]}])
    code, out, err = cli(capsys, "show", "--json", str(f.write_tar(tmp_path / "s.tar", members)))
    good_image, bad_image = json.loads(out)["images"]
    assert code == 1 and err.count("\n") == 1 and "manifest.json[1]" in err
    assert len(good_image["history"]) == len(f.HISTORY) and bad_image["history"] is None
    assert [w["code"] for w in bad_image["warnings"]] == ["damaged-config"]
    assert bad_image["names"] == ["bad:1"] and len(bad_image["layers"]) == 1
