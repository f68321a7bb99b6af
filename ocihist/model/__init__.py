"""Typed, immutable descriptions of images. No I/O.

The types are NamedTuples rather than frozen dataclasses: just as immutable and typed, but
about 1 ms cheaper each to define, which every command pays at start-up. Modules that define
them do not use `from __future__ import annotations`: typing compiles each string annotation
of a NamedTuple into a ForwardRef, which doubles the cost of defining it.
"""

from ocihist.model.config import HistoryEntry, ImageConfig
from ocihist.model.descriptor import Descriptor, Platform
from ocihist.model.digest import Digest
from ocihist.model.findings import Finding
from ocihist.model.image import Artifact, Image, Layer
from ocihist.model.manifest import ImageManifest, Index, Manifest, Schema1Layer, Schema1Manifest

__all__ = [
    "Artifact", "Descriptor", "Digest", "Finding", "HistoryEntry", "Image", "ImageConfig",
    "ImageManifest", "Index", "Layer", "Manifest", "Platform", "Schema1Layer", "Schema1Manifest",
]
