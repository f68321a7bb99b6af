"""Which Dockerfile to show for an image: the one its provenance recorded, or one
reconstructed from its history, and which attestations speak about it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from ocihist.analyze.dockerfile import reconstruct, render_dockerfile
from ocihist.analyze.history import Peers
from ocihist.analyze.provenance import Provenance, parse_provenance, render_source
from ocihist.errors import MalformedDocument
from ocihist.model.findings import Finding
from ocihist.model.image import Artifact, Image
from ocihist.sources.base import Inventory


@dataclass(frozen=True, slots=True)
class DockerfileLineView:
    text: str
    kind: Literal["instruction", "comment", "source"]
    step_index: int | None = None
    line_number: int | None = None
    layers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DockerfileView:
    """A Dockerfile for one image and where it came from."""

    source: Literal["provenance", "history"]
    note: str
    text: str
    lines: tuple[DockerfileLineView, ...]
    findings: tuple[Finding, ...] = ()


def attestations_for(inventory: Inventory, image: Image) -> list[Artifact]:
    """Artifacts whose subject is this image's manifest (BuildKit, OCI referrers, cosign)."""
    if image.manifest_digest is None:
        return []
    return [a for a in inventory.artifacts if a.subject == image.manifest_digest]


def provenance_for(inventory: Inventory, image: Image) -> tuple[list[Provenance], list[Finding]]:
    """Every SLSA provenance attached to the image; other statements are passed over."""
    found: list[Provenance] = []
    findings: list[Finding] = []
    for artifact in attestations_for(inventory, image):
        for i, payload in enumerate(artifact.payloads):
            where = f"{artifact.where} layer {i}"
            parsed = _parsed(payload)
            if isinstance(parsed, Provenance):
                found.append(parsed)
            elif "not SLSA provenance" not in parsed.message:
                findings.append(Finding("bad-attestation", parsed.message, where))
    return found, findings


@lru_cache(maxsize=8)
def _parsed(payload: bytes) -> Provenance | MalformedDocument:
    """An attestation payload parsed once, however many images share it; what is wrong with
    it, if it is not provenance. (The last few are kept: 64 MiB at most.)"""
    try:
        return parse_provenance(payload)
    except MalformedDocument as error:
        return error.with_traceback(None)


def dockerfile_for(inventory: Inventory, image: Image, *, annotate: bool = False,
                   peers: Peers | None = None) -> DockerfileView:
    """The recorded Dockerfile when provenance has it, else a reconstruction, with a note
    saying which was used and why. `peers` (the input's images, indexed) is made once per
    input by callers that ask for several images."""
    provenances, findings = provenance_for(inventory, image)
    recorded = next((p for p in provenances if p.dockerfile is not None), None)
    peers = peers or Peers(inventory.images)
    steps = peers.alignment(image).steps
    if recorded is not None and recorded.dockerfile is not None:
        source = recorded.dockerfile
        lines = tuple(DockerfileLineView(line.text, "source", line_number=line.number,
                                         layers=line.layers) for line in source.lines)
        return DockerfileView("provenance", recorded.source_note + f" ({recorded.signature})",
                              render_source(source, image, annotate=annotate, steps=steps),
                              lines, tuple(findings))
    rec = reconstruct(image, steps=steps, base_hint=peers.extended(image))
    note = "reconstructed from the image history" if rec.instructions else "none"
    if provenances:
        note = f"{provenances[0].source_note}; {note}"
    lines = tuple(DockerfileLineView(line.text, line.kind, step_index=line.step_index,
                                     layers=(line.layer_digest,) if line.layer_digest else ())
                  for line in rec.lines)
    return DockerfileView("history", note, render_dockerfile(rec, annotate=annotate), lines,
                          (*findings, *rec.findings))
