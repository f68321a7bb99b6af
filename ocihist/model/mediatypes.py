"""Every media type and annotation key ocihist knows, with classification helpers.

Media types stay plain strings: unknown ones pass through untouched.
"""

from __future__ import annotations

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_EMPTY = "application/vnd.oci.empty.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar"
OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd"
OCI_LAYOUT_HEADER = "application/vnd.oci.layout.header.v1+json"

DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar"
DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip"
DOCKER_FOREIGN_LAYER = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"
DOCKER_SCHEMA1 = "application/vnd.docker.distribution.manifest.v1+json"
DOCKER_SCHEMA1_SIGNED = "application/vnd.docker.distribution.manifest.v1+prettyjws"

IN_TOTO = "application/vnd.in-toto+json"
DSSE_ENVELOPE = "application/vnd.dsse.envelope.v1+json"
COSIGN_SIGNATURE = "application/vnd.dev.cosign.simplesigning.v1+json"

INDEX_TYPES = frozenset({OCI_INDEX, DOCKER_LIST})
MANIFEST_TYPES = frozenset({OCI_MANIFEST, DOCKER_MANIFEST})
SCHEMA1_TYPES = frozenset({DOCKER_SCHEMA1, DOCKER_SCHEMA1_SIGNED})
IMAGE_CONFIG_TYPES = frozenset({OCI_CONFIG, DOCKER_CONFIG})

# Every manifest kind a registry may serve, in order of preference (the Accept header).
ACCEPT_MANIFESTS = (OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST, DOCKER_SCHEMA1_SIGNED,
                    DOCKER_SCHEMA1)

ANNOTATION_REF_NAME = "org.opencontainers.image.ref.name"
ANNOTATION_CONTAINERD_NAME = "io.containerd.image.name"
ANNOTATION_CREATED = "org.opencontainers.image.created"
ANNOTATION_BASE_NAME = "org.opencontainers.image.base.name"
ANNOTATION_BASE_DIGEST = "org.opencontainers.image.base.digest"
ANNOTATION_REFERENCE_TYPE = "vnd.docker.reference.type"
ANNOTATION_REFERENCE_DIGEST = "vnd.docker.reference.digest"
REFERENCE_TYPE_ATTESTATION = "attestation-manifest"

# What `ocihist pull` records on each index.json entry, for a forensic reader.
ANNOTATION_SOURCE_PREFIX = "io.github.ocihist.source."
ANNOTATION_SOURCE_REGISTRY = ANNOTATION_SOURCE_PREFIX + "registry"
ANNOTATION_SOURCE_REFERENCE = ANNOTATION_SOURCE_PREFIX + "reference"
ANNOTATION_SOURCE_DIGEST = ANNOTATION_SOURCE_PREFIX + "digest"
ANNOTATION_SOURCE_PULLED = ANNOTATION_SOURCE_PREFIX + "pulled"
ANNOTATION_REFERRER_SUBJECT = "io.github.ocihist.referrer.subject"


COSIGN_TAG_SUFFIXES = (".sig", ".att", ".sbom")
"""cosign keeps what it makes for `sha256:<hex>` under the tag `sha256-<hex><suffix>`; the
OCI referrers fallback tag is the same name with no suffix."""


def digest_tag(digest: object, suffix: str = "") -> str:
    """The tag named after `digest` (`sha256-<hex>`), plus a cosign suffix if given."""
    return str(digest).replace(":", "-", 1) + suffix


def digest_tag_target(tag: str | None) -> str | None:
    """The digest a fallback or cosign tag is named after, or None for other tags. `tag` may
    also be a whole name ending in such a tag (`host/repo:sha256-<hex>.att`, as pull names
    the entries it writes)."""
    if not tag:
        return None
    tag = tag.rpartition("/")[2].rpartition(":")[2]
    head, dot, suffix = tag.partition(".")
    algorithm, _, hexpart = head.partition("-")
    if algorithm not in ("sha256", "sha512") or len(hexpart) not in (64, 128):
        return None
    if dot and f".{suffix}" not in COSIGN_TAG_SUFFIXES:
        return None
    return f"{algorithm}:{hexpart}"


def base(media_type: str | None) -> str | None:
    """The media type without Content-Type parameters (`; charset=…`)."""
    if media_type is None:
        return None
    return media_type.split(";", 1)[0].strip()


def is_index(media_type: str | None) -> bool:
    return base(media_type) in INDEX_TYPES


def is_manifest(media_type: str | None) -> bool:
    return base(media_type) in MANIFEST_TYPES


def is_schema1(media_type: str | None) -> bool:
    return base(media_type) in SCHEMA1_TYPES


def is_image_config(media_type: str | None) -> bool:
    """True for the config types of a runnable image (plus octet-stream, seen in the wild)."""
    return base(media_type) in IMAGE_CONFIG_TYPES or media_type == "application/octet-stream"


def is_layer(media_type: str | None) -> bool:
    media_type = base(media_type) or ""
    return media_type.startswith(("application/vnd.oci.image.layer.",
                                  "application/vnd.docker.image.rootfs."))


def is_nondistributable(media_type: str | None) -> bool:
    media_type = base(media_type) or ""
    return ".nondistributable." in media_type or ".foreign." in media_type


def layer_compression(media_type: str | None) -> str | None:
    """`gzip`, `zstd`, `none`, or None when the media type does not say."""
    media_type = base(media_type) or ""
    if not is_layer(media_type):
        return None
    if media_type.endswith(("+gzip", ".tar.gzip")):
        return "gzip"
    if media_type.endswith("+zstd"):
        return "zstd"
    if media_type.endswith((".tar", "v1.tar")):
        return "none"
    return None
