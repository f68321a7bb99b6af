"""What a pull records: index.json entries with provenance, and a summary per reference.

Provenance annotations (documented for forensic readers):
  io.github.ocihist.source.registry   the registry API base URL the bytes came from
  io.github.ocihist.source.reference  the reference as resolved (registry/repo:tag[@digest])
  io.github.ocihist.source.digest     the registry's digest (differs from the blob digest only
                                      for signed schema 1, whose digest covers the JWS payload)
  io.github.ocihist.source.pulled     UTC time of the pull, RFC 3339
  io.github.ocihist.referrer.subject  on referrer entries: the digest they refer to
Entries also carry org.opencontainers.image.ref.name and io.containerd.image.name, both the
full reference, so one layout holds many repositories with the same tag.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ocihist.model import mediatypes as mt
from ocihist.model.digest import Digest
from ocihist.model.reference import Reference


@dataclass(slots=True)
class PulledRef:
    """One reference written to the layout. `manifests` counts every manifest of its tree
    (the top one, platforms, attestations; referrers are counted apart), whether it was new
    or not; `blobs` (configs and other small blobs) and `layers` count only those fetched by
    this pull, not those an earlier pull had already stored intact."""

    ref: str
    digest: str
    media_type: str
    manifests: int = 1
    blobs: int = 0
    layers: int = 0
    referrers: int = 0
    platforms: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def provenance(ref: Reference, registry_url: str, registry_digest: Digest, *,
               named: bool = True) -> dict[str, str]:
    """The annotations of an index.json entry: names for tools, provenance for readers."""
    names = {mt.ANNOTATION_REF_NAME: str(ref), mt.ANNOTATION_CONTAINERD_NAME: str(ref)}
    return {
        **(names if named else {}),
        mt.ANNOTATION_SOURCE_REGISTRY: registry_url,
        mt.ANNOTATION_SOURCE_REFERENCE: str(ref),
        mt.ANNOTATION_SOURCE_DIGEST: str(registry_digest),
        mt.ANNOTATION_SOURCE_PULLED: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def entry(media_type: str, digest: Digest, size: int,
          annotations: dict[str, str]) -> dict[str, object]:
    return {"mediaType": media_type, "digest": str(digest), "size": size,
            "annotations": annotations}
