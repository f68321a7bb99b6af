"""SLSA provenance as BuildKit writes it (v0.2 and v1), read from in-toto statement bytes.

Input is the raw bytes of an attestation layer: an in-toto Statement, or a DSSE envelope around
one. Output is what a person asks of it: who built it and when, from which sources and build
arguments, and in `mode=max` the original Dockerfile with each line mapped to the layers its
build step produced. Signatures are never verified here, only reported as present or absent.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

from ocihist.analyze.history import Step
from ocihist.errors import MalformedDocument
from ocihist.model.digest import Digest
from ocihist.model.image import Image
from ocihist.model.parse import load_json

SLSA_V02 = "https://slsa.dev/provenance/v0.2"
SLSA_V1 = "https://slsa.dev/provenance/v1"
IN_TOTO_PAYLOAD = "application/vnd.in-toto+json"
BUILDKIT_METADATA = "https://mobyproject.org/buildkit@v1#metadata"
_EMPTY: Mapping[str, str] = MappingProxyType({})

MAX_LINE_STEPS = 200_000
"""The most (Dockerfile line, build step) records one provenance may map; real ones hold
hundreds."""
MAX_MATERIALS = 10_000
"""The most materials (inputs) one provenance may list; real builds list a handful."""
MAX_DOCKERFILE_LINES = 100_000
"""The most lines a recorded Dockerfile may have (8 MB of line breaks would be millions)."""

Signature = Literal["unsigned", "signature present, not verified"]


@dataclass(frozen=True, slots=True)
class Subject:
    name: str
    digest: str | None


@dataclass(frozen=True, slots=True)
class Statement:
    """An in-toto statement, and whether it came signed in a DSSE envelope."""

    predicate_type: str | None
    subjects: tuple[Subject, ...]
    predicate: Mapping[str, Any]
    envelope: bool
    signature: Signature


@dataclass(frozen=True, slots=True)
class Material:
    uri: str
    digest: str | None


@dataclass(frozen=True, slots=True)
class SourceLine:
    """One line of the recorded Dockerfile (1-based) with the LLB steps and layers it made."""

    number: int
    text: str
    steps: tuple[str, ...] = ()
    layers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DockerfileSource:
    filename: str | None
    data: bytes
    lines: tuple[SourceLine, ...]

    @property
    def text(self) -> str:
        return self.data.decode("utf-8", "replace")


@dataclass(frozen=True, slots=True)
class Provenance:
    predicate_type: str
    slsa_version: Literal["0.2", "1"]
    subjects: tuple[Subject, ...]
    signature: Signature
    envelope: bool
    builder_id: str | None
    build_type: str | None
    invocation_id: str | None
    started: str | None
    finished: str | None
    frontend: str | None
    entry_point: str | None
    config_uri: str | None
    platform: str | None
    build_args: Mapping[str, str]
    labels: Mapping[str, str]
    frontend_args: Mapping[str, str]
    vcs: Mapping[str, str]
    materials: tuple[Material, ...]
    mode: Literal["max", "min"]
    dockerfile: DockerfileSource | None
    step_layers: Mapping[str, tuple[str, ...]]

    @property
    def source_note(self) -> str:
        """Why this provenance can or cannot give the original Dockerfile."""
        if self.dockerfile is not None:
            name = self.dockerfile.filename or "the Dockerfile"
            return f"provenance mode=max: {name} recorded in the attestation"
        if self.mode == "min":
            return "provenance mode=min: no Dockerfile source recorded"
        return "provenance holds build details but no Dockerfile source"

    @property
    def vcs_source(self) -> str | None:
        return self.vcs.get("source")

    @property
    def vcs_revision(self) -> str | None:
        return self.vcs.get("revision")


def parse_statement(raw: bytes, *, where: str = "attestation") -> Statement:
    """An in-toto statement from layer bytes: plain, or a DSSE envelope's base64 payload."""
    data = load_json(raw, where=where)
    if not isinstance(data, dict):
        raise MalformedDocument("attestation is not a JSON object", where=where)
    envelope = "payload" in data and "payloadType" in data
    signature: Signature = "unsigned"
    if envelope:
        if data.get("payloadType") != IN_TOTO_PAYLOAD:
            raise MalformedDocument(f"DSSE payload type {str(data.get('payloadType'))[:80]!r} "
                                    "is not an in-toto statement", where=where)
        signatures = data.get("signatures")
        if isinstance(signatures, list) and any(
                isinstance(s, dict) and s.get("sig") for s in signatures):
            signature = "signature present, not verified"
        try:
            payload = base64.b64decode(str(data["payload"]), validate=True)
        except (binascii.Error, ValueError):
            raise MalformedDocument("DSSE payload is not base64", where=where) from None
        data = load_json(payload, where=f"{where} payload")
        if not isinstance(data, dict):
            raise MalformedDocument("DSSE payload is not a JSON object", where=where)
    predicate = data.get("predicate")
    listed = data.get("subject")
    if listed is not None and not isinstance(listed, list):
        raise MalformedDocument("statement subject is not a list", where=where)
    subjects = []
    for item in listed or ():
        if isinstance(item, dict):
            digests = item.get("digest")
            sha = digests.get("sha256") if isinstance(digests, dict) else None
            subjects.append(Subject(_str(item.get("name")) or "",
                                    f"sha256:{sha}" if isinstance(sha, str) else None))
    return Statement(_str(data.get("predicateType")), tuple(subjects),
                     predicate if isinstance(predicate, dict) else {}, envelope, signature)


def parse_provenance(raw: bytes, *, where: str = "attestation") -> Provenance:
    """Read a SLSA provenance attestation (v0.2 or v1, BuildKit's shapes)."""
    statement = parse_statement(raw, where=where)
    kind = statement.predicate_type or ""
    if not kind.startswith((SLSA_V02, SLSA_V1)):
        raise MalformedDocument(f"predicate type {kind[:100]!r} is not SLSA provenance",
                                where=where)
    try:
        return _from_v02(statement) if kind.startswith(SLSA_V02) else _from_v1(statement)
    except (TypeError, AttributeError, ValueError) as error:  # a field of the wrong type
        raise MalformedDocument(f"provenance of an unexpected shape ({error})",
                                where=where) from None


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _map(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _from_v02(statement: Statement) -> Provenance:
    pred = statement.predicate
    invocation = _map(pred.get("invocation"))
    config_source = _map(invocation.get("configSource"))
    metadata = _map(pred.get("metadata"))
    return _build(statement, "0.2", builder=_map(pred.get("builder")).get("id"),
                  build_type=pred.get("buildType"), params=_map(invocation.get("parameters")),
                  config_source=config_source, entry_point=config_source.get("entryPoint"),
                  platform=_map(invocation.get("environment")).get("platform"),
                  materials=pred.get("materials"), build_config=pred.get("buildConfig"),
                  metadata=metadata, invocation_id=metadata.get("buildInvocationID"),
                  started=metadata.get("buildStartedOn"),
                  finished=metadata.get("buildFinishedOn"))


def _from_v1(statement: Statement) -> Provenance:
    pred = statement.predicate
    definition = _map(pred.get("buildDefinition"))
    external = _map(definition.get("externalParameters"))
    internal = _map(definition.get("internalParameters"))
    run = _map(pred.get("runDetails"))
    metadata = _map(run.get("metadata"))
    config_source = _map(external.get("configSource"))
    params = _map(external.get("parameters")) or _map(external.get("request"))
    build_config = external.get("buildConfig") or internal.get("buildConfig")
    return _build(statement, "1", builder=_map(run.get("builder")).get("id"),
                  build_type=definition.get("buildType"), params=params,
                  config_source=config_source, entry_point=config_source.get("path"),
                  platform=_map(internal.get("environment")).get("platform")
                  or internal.get("builderPlatform"),
                  materials=definition.get("resolvedDependencies"), build_config=build_config,
                  metadata=metadata, invocation_id=metadata.get("invocationID"),
                  started=metadata.get("startedOn"), finished=metadata.get("finishedOn"))


def _build(statement: Statement, version: Literal["0.2", "1"], *, builder: object,
           build_type: object, params: Mapping[str, Any], config_source: Mapping[str, Any],
           entry_point: object, platform: object, materials: object, build_config: object,
           metadata: Mapping[str, Any], invocation_id: object, started: object,
           finished: object) -> Provenance:
    buildkit = _map(metadata.get(BUILDKIT_METADATA)) or _map(metadata.get("buildkit_metadata"))
    args = {str(k): str(v) for k, v in _map(params.get("args")).items()}
    source = _map(buildkit.get("source"))
    layers = _step_layers(buildkit.get("layers"))
    full = bool(build_config) or bool(source) or bool(layers)
    dockerfile = _dockerfile(source, _str(entry_point), build_config, layers)
    return Provenance(
        predicate_type=statement.predicate_type or "", slsa_version=version,
        subjects=statement.subjects, signature=statement.signature, envelope=statement.envelope,
        builder_id=_str(builder), build_type=_str(build_type), invocation_id=_str(invocation_id),
        started=_str(started), finished=_str(finished), frontend=_str(params.get("frontend")),
        entry_point=_str(entry_point), config_uri=_str(config_source.get("uri")),
        platform=_str(platform),
        build_args=_prefixed(args, "build-arg:"), labels=_prefixed(args, "label:"),
        frontend_args=MappingProxyType({k: v for k, v in args.items()
                                        if not k.startswith(("build-arg:", "label:"))}),
        vcs=MappingProxyType({str(k): str(v) for k, v in _map(buildkit.get("vcs")).items()}),
        materials=_materials(materials), mode="max" if full else "min", dockerfile=dockerfile,
        step_layers=MappingProxyType(layers))


def _prefixed(args: Mapping[str, str], prefix: str) -> Mapping[str, str]:
    return MappingProxyType({k[len(prefix):]: v for k, v in args.items() if k.startswith(prefix)})


def _materials(value: object) -> tuple[Material, ...]:
    out = []
    if isinstance(value, list) and len(value) > MAX_MATERIALS:
        raise ValueError(f"more than {MAX_MATERIALS} materials")
    for item in value if isinstance(value, list) else ():
        if isinstance(item, dict) and isinstance(item.get("uri"), str):
            sha = _map(item.get("digest")).get("sha256")
            out.append(Material(item["uri"], f"sha256:{sha}" if isinstance(sha, str) else None))
    return tuple(out)


def _step_layers(value: object) -> dict[str, tuple[str, ...]]:
    """`layers` per step output (`step5:0`): the longest recorded chain of layer digests."""
    out: dict[str, tuple[str, ...]] = {}
    for key, groups in _map(value).items():
        best: tuple[str, ...] = ()
        for group in groups if isinstance(groups, list) else ():
            chain = tuple(str(d.get("digest")) for d in group if isinstance(d, dict)
                          and isinstance(d.get("digest"), str)) if isinstance(group, list) else ()
            if len(chain) > len(best):
                best = chain
        out[str(key)] = best
    return out


def _own_layers(step: str, layers: Mapping[str, tuple[str, ...]],
                inputs: Mapping[str, Sequence[str]]) -> tuple[str, ...]:
    """The layers a step added: its chain minus the chain of its first input."""
    chain = layers.get(f"{step}:0", ())
    first = next(iter(inputs.get(step, ())), None)
    base = layers.get(first, ()) if first else ()
    if base and chain[:len(base)] == base:
        return chain[len(base):]
    return chain


def _inputs(build_config: object) -> dict[str, list[str]]:
    steps = _map(build_config).get("llbDefinition")
    out: dict[str, list[str]] = {}
    for step in steps if isinstance(steps, list) else ():
        if isinstance(step, dict) and isinstance(step.get("id"), str):
            inputs = step.get("inputs")
            out[step["id"]] = [str(i) for i in inputs] if isinstance(inputs, list) else []
    return out


def _dockerfile(source: Mapping[str, Any], entry_point: str | None, build_config: object,
                layers: Mapping[str, tuple[str, ...]]) -> DockerfileSource | None:
    infos = [i for i in source.get("infos") or () if isinstance(i, dict)]
    if not infos:
        return None
    chosen = next((i for i, info in enumerate(infos) if entry_point and
                   info.get("filename") == entry_point), 0)
    info = infos[chosen]
    try:
        data = base64.b64decode(str(info.get("data") or ""), validate=True)
    except (binascii.Error, ValueError):
        return None
    texts = data.decode("utf-8", "replace").split("\n")
    if texts and texts[-1] == "":
        texts.pop()
    if len(texts) > MAX_DOCKERFILE_LINES:
        raise ValueError(f"a Dockerfile of more than {MAX_DOCKERFILE_LINES} lines")
    steps_of: dict[int, list[str]] = {}
    pairs = 0
    inputs = _inputs(build_config)
    for step, record in _map(source.get("locations")).items():
        for location in _map(record).get("locations") or ():
            if not isinstance(location, dict) or location.get("sourceIndex", 0) != chosen:
                continue
            for span in location.get("ranges") or ():
                start = _map(_map(span).get("start")).get("line")
                end = _map(_map(span).get("end")).get("line", start)
                if isinstance(start, int) and isinstance(end, int):
                    numbers = range(max(start, 1), min(end, len(texts)) + 1)
                    pairs += len(numbers)
                    if pairs > MAX_LINE_STEPS:
                        raise ValueError(f"more than {MAX_LINE_STEPS} line-to-step records")
                    for number in numbers:
                        steps_of.setdefault(number, []).append(str(step))
    made_by: dict[tuple[str, ...], tuple[str, ...]] = {}  # worked out once per set of steps
    lines = []
    for number, text in enumerate(texts, start=1):
        steps = tuple(dict.fromkeys(steps_of.get(number, ())))
        if steps not in made_by:
            made_by[steps] = tuple(dict.fromkeys(
                d for s in steps for d in _own_layers(s, layers, inputs)))
        made = made_by[steps]
        lines.append(SourceLine(number, text, steps, made))
    return DockerfileSource(_str(info.get("filename")), data, tuple(lines))


def image_layer_index(image: Image) -> dict[str, int]:
    """Digest (compressed or diff_id) → layer position, to match recorded layers to an image."""
    found: dict[str, int] = {}
    for layer in image.layers:
        if layer.digest is not None:
            found[str(layer.digest)] = layer.index
        if layer.diff_id:
            found[layer.diff_id] = layer.index
    if image.config and image.config.diff_ids:
        for position, diff_id in enumerate(image.config.diff_ids):
            found.setdefault(diff_id, position)
    return found


def render_source(source: DockerfileSource, image: Image | None = None, *,
                  annotate: bool = False, steps: Sequence[Step] | None = None) -> str:
    """The recorded Dockerfile, byte for byte unless `annotate` adds a comment above each line
    that made layers: with the image's layer positions when `image` is given, and the history
    step that made each layer when `steps` (the image's alignment) is given."""
    if not annotate:
        return source.text
    positions = image_layer_index(image) if image is not None else {}
    step_of = {step.layer.index: step.index for step in steps or () if step.layer is not None}
    out = []
    for line in source.lines:
        if line.layers:
            described = []
            for digest in line.layers:
                at = positions.get(digest) if image is not None else None
                if image is None:
                    described.append(f"layer {_short(digest)}")
                elif at is None:
                    described.append(f"layer {_short(digest)} (not in this image)")
                elif at in step_of:
                    described.append(f"step {step_of[at]}, layer {at} {_short(digest)}")
                elif steps is not None:
                    described.append(f"layer {at} {_short(digest)} (no history step)")
                else:
                    described.append(f"layer {at} {_short(digest)}")
            out.append("# ocihist: " + "; ".join(described))
        out.append(line.text)
    return "\n".join(out) + "\n"


def _short(digest: str) -> str:
    try:
        return Digest.parse(digest).short
    except MalformedDocument:
        return digest[:19]
