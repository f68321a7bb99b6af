"""Building `Image` and `Artifact` values from parsed parts: shared by every source."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ocihist.errors import MalformedDocument
from ocihist.model import mediatypes as mt
from ocihist.model.config import ImageConfig
from ocihist.model.descriptor import EMPTY, Descriptor, Platform
from ocihist.model.digest import Digest
from ocihist.model.findings import Finding
from ocihist.model.image import Artifact, Image, Layer
from ocihist.model.manifest import ImageManifest, Schema1Manifest

ATTESTATION_LAYER_TYPES = frozenset({mt.IN_TOTO, mt.DSSE_ENVELOPE, mt.COSIGN_SIGNATURE})


def config_platform(config: ImageConfig | None, fallback: Platform | None) -> Platform | None:
    """The platform an image config names, else the descriptor's."""
    if config is not None and (config.os or config.architecture):
        variant, os_version = config.variant, config.os_version
        if fallback is not None and (fallback.os, fallback.architecture) == (
                config.os, config.architecture):
            variant = variant or fallback.variant  # the config may omit what the index says
            os_version = os_version or fallback.os_version
        return Platform(config.os, config.architecture, variant, os_version)
    return fallback


def layers_from_descriptors(descs: Sequence[Descriptor],
                            diff_ids: Sequence[str] | None) -> tuple[Layer, ...]:
    layers = []
    for i, desc in enumerate(descs):
        uncompressed = desc.size if mt.layer_compression(desc.media_type) == "none" else None
        diff_id = diff_ids[i] if diff_ids is not None and i < len(diff_ids) else None
        layers.append(Layer(i, desc.digest, diff_id, desc.media_type, desc.size, uncompressed))
    return tuple(layers)


def not_an_image_reason(manifest: ImageManifest, desc: Descriptor | None) -> str | None:
    """Why a manifest is not a runnable image, judged before its config is read."""
    if desc is not None and (desc.annotation(mt.ANNOTATION_REFERENCE_TYPE)
                             == mt.REFERENCE_TYPE_ATTESTATION):
        target = desc.annotation(mt.ANNOTATION_REFERENCE_DIGEST) or "an unnamed image"
        return f"attestation manifest for {target}"
    for layer in manifest.layers:
        if is_attestation_layer(layer):
            return f"signature/attestation artifact ({mt.base(layer.media_type)})"
    config_type = manifest.config.media_type
    if manifest.artifact_type and not mt.is_image_config(manifest.artifact_type):
        return f"artifact type {manifest.artifact_type}"
    if config_type is not None and not mt.is_image_config(config_type):
        return f"config mediaType {config_type}"
    return None


def config_not_image_reason(config: ImageConfig) -> str | None:
    if config.looks_like_image:
        return None
    return "config has no os, architecture, rootfs or history"


def artifact_subject(manifest: ImageManifest, desc: Descriptor | None,
                     ref: str | None) -> Digest | None:
    """What an artifact is about: its OCI `subject`, a BuildKit attestation's reference
    annotation, the subject `ocihist pull` recorded, or the digest a cosign tag names."""
    if manifest.subject is not None:
        return manifest.subject.digest
    annotated = (desc.annotation(mt.ANNOTATION_REFERENCE_DIGEST)
                 or desc.annotation(mt.ANNOTATION_REFERRER_SUBJECT)) if desc is not None else None
    named = annotated or mt.digest_tag_target(ref)
    try:
        return Digest.parse(named) if named else None
    except MalformedDocument:
        return None


def is_attestation_layer(layer: Descriptor) -> bool:
    return mt.base(layer.media_type) in ATTESTATION_LAYER_TYPES


def artifact(manifest: ImageManifest, *, reason: str, where: str, names: tuple[str, ...],
             ref: str | None, desc: Descriptor | None,
             payloads: tuple[bytes, ...] = ()) -> Artifact:
    return Artifact(
        ref=ref, names=names, where=where, digest=manifest.digest,
        media_type=manifest.media_type or (desc.media_type if desc else None), reason=reason,
        artifact_type=manifest.artifact_type or manifest.config.media_type,
        subject=artifact_subject(manifest, desc, ref),
        platform=desc.platform if desc else None,
        layers=layers_from_descriptors(manifest.layers, None),
        annotations=manifest.annotations, payloads=payloads)


def image(*, ref: str | None, names: tuple[str, ...], where: str,
          manifest_digest: Digest | None, manifest_media_type: str | None,
          config: ImageConfig | None, config_media_type: str | None,
          layers: tuple[Layer, ...], platform: Platform | None = None,
          annotations: Mapping[str, str] = EMPTY,
          findings: Sequence[Finding] = ()) -> Image:
    return Image(
        ref=ref, names=names, where=where, manifest_digest=manifest_digest,
        manifest_media_type=manifest_media_type,
        config_digest=config.digest if config else None, config_media_type=config_media_type,
        platform=config_platform(config, platform), config=config,
        history=config.history if config else None, layers=layers,
        created=config.created if config else None, annotations=annotations,
        findings=tuple(findings))


def image_from_schema1(manifest: Schema1Manifest, *, where: str, names: tuple[str, ...] = (),
                       ref: str | None = None, findings: Sequence[Finding] = ()) -> Image:
    own_name = (f"{manifest.name}:{manifest.tag}" if manifest.name and manifest.tag
                else manifest.name)
    if own_name and own_name not in names:
        names = (*names, own_name)
    layers = tuple(Layer(i, layer.blob_sum, None, None, None, None)
                   for i, layer in enumerate(lay for lay in manifest.layers if not lay.throwaway))
    return Image(
        ref=ref or own_name, names=names, where=where, manifest_digest=manifest.digest,
        manifest_media_type=manifest.media_type, config_digest=None, config_media_type=None,
        platform=Platform(manifest.os, manifest.architecture), config=None,
        history=manifest.history, layers=layers, created=manifest.created,
        findings=tuple(findings))


def missing_image(desc: Descriptor, *, where: str, names: tuple[str, ...],
                  ref: str | None) -> Image:
    """A manifest that is listed but whose blob is absent."""
    return unreadable_image(desc, where=where, names=names, ref=ref, missing=True,
                            finding=Finding("missing-manifest", f"manifest {desc.digest.short} "
                                            "is listed but its blob is absent", where))


def unreadable_image(desc: Descriptor, *, where: str, names: tuple[str, ...], ref: str | None,
                     finding: Finding, missing: bool = False) -> Image:
    """A listed manifest that cannot be read: absent (`missing`), or damaged."""
    return Image(
        ref=ref, names=names, where=where, manifest_digest=desc.digest,
        manifest_media_type=desc.media_type, config_digest=None, config_media_type=None,
        platform=desc.platform, config=None, history=None, layers=(), missing=missing,
        findings=(finding,))
