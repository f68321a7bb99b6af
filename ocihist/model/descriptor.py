"""Descriptors and platforms: how one blob points at another."""

from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple, Self

from ocihist.model.digest import Digest

EMPTY: Mapping[str, str] = MappingProxyType({})


class Platform(NamedTuple):
    os: str | None = None
    architecture: str | None = None
    variant: str | None = None
    os_version: str | None = None

    @classmethod
    def parse(cls, text: str) -> Self:
        """Parse `os/arch[/variant]` as given to `--platform`."""
        parts = text.split("/")
        if len(parts) not in (2, 3) or not all(parts):
            raise ValueError(f"platform must be os/arch[/variant], not {text!r}")
        return cls(parts[0], parts[1], parts[2] if len(parts) == 3 else None)


    def matches(self, wanted: Self) -> bool:
        """True when this platform is what `wanted` (from --platform) asks for."""
        if (self.os, self.architecture) != (wanted.os, wanted.architecture):
            return False
        return wanted.variant is None or wanted.variant == self.variant

    def __str__(self) -> str:
        parts = [self.os or "?", self.architecture or "?"]
        if self.variant:
            parts.append(self.variant)
        return "/".join(parts)


class Descriptor(NamedTuple):
    """A typed, sized pointer to a blob (OCI image-spec descriptor)."""

    media_type: str | None
    digest: Digest
    size: int | None
    annotations: Mapping[str, str] = EMPTY
    platform: Platform | None = None
    artifact_type: str | None = None
    urls: tuple[str, ...] = ()

    def annotation(self, key: str) -> str | None:
        return self.annotations.get(key)
