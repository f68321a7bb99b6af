"""SLSA provenance: the three provenance-* corpus cases (see their EXPECTED.md), hostile bytes."""

from __future__ import annotations

import base64
import hashlib

import orjson
import pytest

from ocihist.analyze.history import align
from ocihist.analyze.provenance import parse_provenance, parse_statement, render_source
from ocihist.errors import MalformedDocument

from .corpus import corpus_dir, corpus_images, corpus_required

BLOBS = {
    "provenance-v02-max-multistage":
        "871c1e60189474f24b6d440d78553e30893eab4640679fd8dd03dc0ac5e0a2a4",
    "provenance-v02-min": "8841739ce82a3dcb3e961a96be4afaca74b7ecadfa72675b77646b1e533b5818",
    "provenance-cosign-att-v02-max":
        "ddcd2331a8d9373da2b4cf9d9fbc54e72f5fb6948008f38b323a9d9f81449cbc",
}


BUSYBOX = "sha256:1d8e22ccb210aae699a663b9870a4b41e5423a4cdf42785b77137281bb7c20a5"
EMPTY_TAR = "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef"


def blob(case: str) -> bytes:
    path = corpus_dir() / case / "layout" / "blobs" / "sha256" / BLOBS[case]
    if not path.is_file():
        if corpus_required():
            raise RuntimeError(f"corpus blob missing: {path}")
        pytest.skip(f"corpus not found at {corpus_dir()}")
    return path.read_bytes()


def image(case: str):
    return next(i.image for i in corpus_images() if i.case == case)


MULTISTAGE_TEXT = (
    "# ubuntu:22.04\n"
    "FROM ubuntu@sha256:b2175cd4cfdd5cdb1740b0e6ec6bbb4ea4892801c0ad5101a81f694152b6c559"
    " as builder\n\n"
    "ADD binary-linux-amd64/binary-linux-amd64 /app\n"
    "# https://github.com/actions/upload-artifact/issues/38\n"
    "RUN chmod 755 /app\n\n"
    "FROM gcr.io/distroless/static@sha256:"
    "3c5767883bc3ad6c4ad7caf97f313e482f500f2c214f78e452ac1ca932e1bf7f\n\n"
    "COPY --from=builder /app /app\n\n"
    'ENTRYPOINT [ "/app" ]\n')


def test_v02_max_multistage() -> None:
    prov = parse_provenance(blob("provenance-v02-max-multistage"))
    assert (prov.slsa_version, prov.mode, prov.signature, prov.envelope) == (
        "0.2", "max", "unsigned", False)
    assert prov.builder_id == ("https://github.com/example-org/slsa-provenance-test/actions/"
                               "runs/4351897538")
    assert prov.build_type == "https://mobyproject.org/buildkit@v1"
    assert (prov.frontend, prov.entry_point, prov.platform) == (
        "dockerfile.v0", "Dockerfile", "linux/amd64")
    assert dict(prov.build_args) == {}
    assert len(prov.labels) == 8
    assert prov.labels["org.opencontainers.image.version"] == "v0.0.5"
    assert prov.invocation_id == "hgxc1q21vu053qmi8cf6w58cb"
    assert (prov.started, prov.finished) == ("2023-03-07T08:04:37.968235247Z",
                                             "2023-03-07T08:04:40.837845646Z")
    assert prov.vcs_revision == "b24673de2d8a1f1ae5dd4b5a74b6b4ec2e4f88de-dirty"
    assert prov.vcs_source == "https://github.com/example-org/slsa-provenance-test"
    assert [m.digest for m in prov.materials] == [
        "sha256:b2175cd4cfdd5cdb1740b0e6ec6bbb4ea4892801c0ad5101a81f694152b6c559",
        "sha256:3c5767883bc3ad6c4ad7caf97f313e482f500f2c214f78e452ac1ca932e1bf7f"]
    assert prov.subjects[0].digest == (
        "sha256:b4306df9467823c62938789f08e1401bc862108674b63b14821b7db5f5ee0ca2")
    source = prov.dockerfile
    assert source is not None and source.filename == "Dockerfile"
    assert source.text == MULTISTAGE_TEXT
    assert hashlib.sha256(source.data).hexdigest() == (
        "6378f76437a6ec05ac100ea3c79e5f1b58b3a05e796085671b8de70c99a7b9d0")
    mapping = {line.number: (line.steps, line.layers) for line in source.lines}
    assert mapping[2] == (("step1",), (
        "sha256:76769433fd8a87dd77a6ce33db12156b1ea8dad3da3a95e7c9c36a47ec17b24c",))
    assert mapping[4] == (("step3",), ())
    assert mapping[6] == (("step4",), ())
    assert mapping[8] == (("step0",), (
        "sha256:4cbf01984c723f22d801d77a42f960d2dd3383c2c0ddcf80c593594e24a79e0e",))
    assert mapping[10] == (("step5",), (
        "sha256:d8f0f383ead5f20cab6b03a14e47a80e9ab493629776dea5670c255245614701",))
    assert mapping[12] == ((), ())
    assert all(mapping[n] == ((), ()) for n in (1, 3, 5, 7, 9, 11))
    assert render_source(source) == MULTISTAGE_TEXT
    annotated = render_source(source, image("provenance-v02-max-multistage"), annotate=True)
    assert annotated.splitlines() == [
        "# ubuntu:22.04",
        "# ocihist: layer sha256:76769433fd8a (not in this image)",
        MULTISTAGE_TEXT.splitlines()[1], "",
        "ADD binary-linux-amd64/binary-linux-amd64 /app",
        "# https://github.com/actions/upload-artifact/issues/38",
        "RUN chmod 755 /app", "",
        "# ocihist: layer 0 sha256:4cbf01984c72",
        MULTISTAGE_TEXT.splitlines()[7], "",
        "# ocihist: layer 1 sha256:d8f0f383ead5",
        "COPY --from=builder /app /app", "",
        'ENTRYPOINT [ "/app" ]']
    # with the image's history aligned, each layer is named with the step that made it
    the_image = image("provenance-v02-max-multistage")
    with_steps = render_source(source, the_image, annotate=True, steps=align(the_image).steps)
    notes = [line for line in with_steps.splitlines() if line.startswith("# ocihist:")]
    assert notes == ["# ocihist: layer sha256:76769433fd8a (not in this image)",
                     "# ocihist: step 0, layer 0 sha256:4cbf01984c72",
                     "# ocihist: step 1, layer 1 sha256:d8f0f383ead5"]


def test_v02_min_has_no_dockerfile() -> None:
    prov = parse_provenance(blob("provenance-v02-min"))
    assert (prov.mode, prov.dockerfile, prov.signature) == ("min", None, "unsigned")
    assert prov.source_note == "provenance mode=min: no Dockerfile source recorded"
    assert prov.builder_id == ""
    assert prov.frontend == "gateway.v0"
    assert dict(prov.frontend_args) == {"cmdline": "docker/dockerfile:1",
                                        "source": "docker/dockerfile:1"}
    assert dict(prov.build_args) == {}
    assert prov.entry_point == "hello.Dockerfile"
    assert prov.vcs["localdir:context"] == "__tests__/fixtures"
    assert prov.vcs_revision == "66c00b9bbdd345a37d086780d645b4aff8fe3a0d"
    assert [m.uri for m in prov.materials] == [
        "pkg:docker/docker/dockerfile@1", "pkg:docker/busybox@latest?platform=linux%2Famd64"]
    assert (prov.started, prov.finished) == ("2024-05-15T16:15:49.712135355Z",
                                             "2024-05-15T16:15:51.154322345Z")


def test_cosign_dsse_v02_max() -> None:
    prov = parse_provenance(blob("provenance-cosign-att-v02-max"))
    assert prov.envelope is True
    assert prov.signature == "signature present, not verified"
    assert prov.mode == "max"
    assert prov.subjects[0].digest == (
        "sha256:fc7e1cff1928dca67021e380db31231876ba24d1832720702722d3673da33e71")
    assert prov.labels["org.opencontainers.image.description"] == 'Test "Example" Actions'
    assert dict(prov.build_args) == {}
    assert prov.entry_point == "summary.Dockerfile"
    source = prov.dockerfile
    assert source is not None and source.filename == "summary.Dockerfile"
    assert source.text == 'FROM busybox:latest\nARG NAME=foo\nRUN echo "hello $NAME"\n'
    assert hashlib.sha256(source.data).hexdigest() == (
        "f95c9aa57f0b0ce2a3ef4a071ae49f83b1096261358f7852dc778da9ca5620fa")
    assert [(line.number, line.steps, line.layers) for line in source.lines] == [
        (1, ("step0",), (BUSYBOX,)), (2, (), ()), (3, ("step1",), (EMPTY_TAR,))
    ]
    # Recorded digests are diff_ids here: they still resolve to the image's layers.
    annotated = render_source(source, image("provenance-cosign-att-v02-max"), annotate=True)
    assert "# ocihist: layer 0 sha256:1d8e22ccb210" in annotated
    assert "# ocihist: layer 1 sha256:5f70bf18a086" in annotated


def _statement(predicate: dict, kind: str) -> bytes:
    return orjson.dumps({"_type": "https://in-toto.io/Statement/v1", "predicateType": kind,
                         "subject": [{"name": "x", "digest": {"sha256": "a" * 64}}],
                         "predicate": predicate})


def test_slsa_v1_shape() -> None:
    dockerfile = b"FROM alpine\nRUN true\n"
    predicate = {
        "buildDefinition": {
            "buildType": "https://github.com/moby/buildkit/blob/master/docs/attestations/"
                         "slsa-definitions.md",
            "externalParameters": {
                "configSource": {"uri": "https://github.com/o/r.git#main", "path": "Dockerfile"},
                "request": {"frontend": "dockerfile.v0",
                            "args": {"build-arg:VERSION": "1.2", "label:a": "b"}}},
            "internalParameters": {"buildConfig": {"llbDefinition": [
                {"id": "step0"}, {"id": "step1", "inputs": ["step0:0"]}]},
                "builderPlatform": "linux/arm64"},
            "resolvedDependencies": [{"uri": "pkg:docker/alpine", "digest": {"sha256": "b" * 64}}]},
        "runDetails": {
            "builder": {"id": "https://ci/run/1"},
            "metadata": {
                "invocationID": "inv", "startedOn": "2024-01-01T00:00:00Z",
                "finishedOn": "2024-01-01T00:01:00Z",
                "https://mobyproject.org/buildkit@v1#metadata": {
                    "vcs": {"source": "https://github.com/o/r", "revision": "abc"},
                    "source": {"infos": [{"filename": "Dockerfile",
                                          "data": base64.b64encode(dockerfile).decode()}],
                               "locations": {
                                   "step0": {"locations": [{"ranges": [
                                       {"start": {"line": 1}, "end": {"line": 1}}]}]},
                                   "step1": {"locations": [{"ranges": [
                                       {"start": {"line": 2}, "end": {"line": 2}}]}]}}},
                    "layers": {"step0:0": [[{"digest": "sha256:" + "1" * 64}]],
                               "step1:0": [[{"digest": "sha256:" + "1" * 64},
                                            {"digest": "sha256:" + "2" * 64}]]}}}}}
    prov = parse_provenance(_statement(predicate, "https://slsa.dev/provenance/v1"))
    assert (prov.slsa_version, prov.mode, prov.builder_id) == ("1", "max", "https://ci/run/1")
    assert dict(prov.build_args) == {"VERSION": "1.2"}
    assert dict(prov.labels) == {"a": "b"}
    assert (prov.entry_point, prov.platform, prov.invocation_id) == (
        "Dockerfile", "linux/arm64", "inv")
    assert prov.materials[0].digest == "sha256:" + "b" * 64
    assert prov.dockerfile is not None
    assert [line.layers for line in prov.dockerfile.lines] == [
        ("sha256:" + "1" * 64,), ("sha256:" + "2" * 64,)]


def test_dsse_without_signatures_is_unsigned() -> None:
    payload = _statement({"builder": {"id": "b"}}, "https://slsa.dev/provenance/v0.2")
    envelope = orjson.dumps({"payloadType": "application/vnd.in-toto+json",
                             "payload": base64.b64encode(payload).decode(), "signatures": []})
    statement = parse_statement(envelope)
    assert (statement.envelope, statement.signature) == (True, "unsigned")
    assert parse_provenance(envelope).mode == "min"


@pytest.mark.parametrize("raw", [
    b"", b"not json", b"[]", b'{"payloadType": "text/plain", "payload": "eA=="}',
    b'{"payloadType": "application/vnd.in-toto+json", "payload": "!!!"}',
    b'{"payloadType": "application/vnd.in-toto+json", "payload": "W10="}',
    b'{"predicateType": "https://spdx.dev/Document", "predicate": {}}',
    b'{"predicateType": "https://slsa.dev/provenance/v0.2", "subject": 5, "predicate": {}}',
    b'{"predicateType": "https://slsa.dev/provenance/v0.2", "subject": true, "predicate": {}}',
    b'{"predicateType": "https://slsa.dev/provenance/v0.2", "subject": {}, "predicate": {}}',
])
def test_hostile_attestations_raise_malformed(raw: bytes) -> None:
    with pytest.raises(MalformedDocument):
        parse_provenance(raw)


def test_odd_shapes_never_crash() -> None:
    predicate = {"builder": "x", "invocation": [], "materials": {"a": 1},
                 "metadata": {"https://mobyproject.org/buildkit@v1#metadata": {
                     "source": {"infos": [{"data": "%%%"}], "locations": {"s": 5}},
                     "layers": {"s:0": "x"}, "vcs": []}}}
    prov = parse_provenance(_statement(predicate, "https://slsa.dev/provenance/v0.2"))
    assert prov.dockerfile is None
    assert prov.materials == ()


@pytest.mark.parametrize("predicate", [
    {"metadata": {"https://mobyproject.org/buildkit@v1#metadata": {"source": {"infos": 5}}}},
    {"metadata": {"https://mobyproject.org/buildkit@v1#metadata": {"source": {
        "infos": [{"data": "RlJPTSBh"}], "locations": {"s": {"locations": 5}}}}}},
    {"invocation": 5},
])
def test_wrong_shapes_are_one_clear_error(predicate: dict) -> None:
    raw = _statement(predicate, "https://slsa.dev/provenance/v0.2")
    try:
        parse_provenance(raw)
    except MalformedDocument as error:
        assert "provenance" in str(error)


def test_line_to_step_records_are_bounded() -> None:
    import base64

    text = "\n".join(f"RUN {i}" for i in range(1000))
    locations = {f"step{i}": {"locations": [{"ranges": [
        {"start": {"line": 1}, "end": {"line": 1000}}]}]} for i in range(300)}
    predicate = {"metadata": {"https://mobyproject.org/buildkit@v1#metadata": {"source": {
        "infos": [{"filename": "Dockerfile", "data": base64.b64encode(text.encode()).decode()}],
        "locations": locations}}}}
    with pytest.raises(MalformedDocument, match="line-to-step records"):
        parse_provenance(_statement(predicate, "https://slsa.dev/provenance/v0.2"))


def _buildkit_predicate(dockerfile: bytes, **extra: object) -> dict:
    return {"metadata": {"https://mobyproject.org/buildkit@v1#metadata": {"source": {
        "infos": [{"filename": "Dockerfile", "data": base64.b64encode(dockerfile).decode()}],
        "locations": {}}}}, **extra}


@pytest.mark.parametrize(("predicate", "reason"), [
    (_buildkit_predicate(b"\n" * 100_001), "Dockerfile of more than 100000 lines"),
    (_buildkit_predicate(b"FROM a\n", materials=[{"uri": "x"}] * 10_001),
     "more than 10000 materials"),
], ids=["dockerfile-lines", "materials"])
def test_oversized_provenance_is_a_bad_attestation(predicate: dict, reason: str) -> None:
    with pytest.raises(MalformedDocument, match=reason):
        parse_provenance(_statement(predicate, "https://slsa.dev/provenance/v0.2"))


def test_a_step_covering_every_line_maps_its_layers_once() -> None:
    """20,000 lines, one step over all of them, 50,000 layers: each line shares one tuple."""
    layers = [{"digest": f"sha256:{i:064x}"} for i in range(50_000)]
    predicate = _buildkit_predicate(b"RUN x\n" * 20_000)
    meta = predicate["metadata"]["https://mobyproject.org/buildkit@v1#metadata"]
    meta["source"]["locations"] = {"step0": {"locations": [{"ranges": [
        {"start": {"line": 1}, "end": {"line": 20_000}}]}]}}
    meta["layers"] = {"step0:0": [layers]}
    source = parse_provenance(_statement(predicate, "https://slsa.dev/provenance/v0.2")).dockerfile
    assert source is not None and len(source.lines) == 20_000
    first, last = source.lines[0], source.lines[-1]
    assert len(first.layers) == 50_000 and last.layers is first.layers


def test_an_attestation_shared_by_many_images_is_parsed_once(monkeypatch) -> None:
    from ocihist.analyze import origin

    calls: list[bytes] = []
    real = origin.parse_provenance

    def counted(raw: bytes, **kwargs: object):  # type: ignore[no-untyped-def]
        calls.append(raw)
        return real(raw)

    monkeypatch.setattr(origin, "parse_provenance", counted)
    origin._parsed.cache_clear()
    payload = _statement(_buildkit_predicate(b"FROM a\n"), "https://slsa.dev/provenance/v0.2")
    first, second = origin._parsed(payload), origin._parsed(bytes(payload))
    assert first is second and len(calls) == 1
    origin._parsed.cache_clear()
