"""Image configuration and its build history."""

from collections.abc import Mapping
from typing import Any, NamedTuple

from ocihist.model.digest import Digest


class HistoryEntry(NamedTuple):
    """One build step as the image records it; fields absent in the JSON stay None."""

    created: str | None = None
    created_by: str | None = None
    comment: str | None = None
    author: str | None = None
    empty_layer: bool = False


class ImageConfig(NamedTuple):
    """The parts of an image config ocihist uses, with the raw bytes and full JSON kept."""

    raw: bytes
    digest: Digest
    data: Mapping[str, Any]
    os: str | None
    architecture: str | None
    variant: str | None
    os_version: str | None
    created: str | None
    author: str | None
    history: tuple[HistoryEntry, ...] | None
    diff_ids: tuple[str, ...] | None

    @property
    def container_config(self) -> Mapping[str, Any]:
        """The runtime `config` object (Cmd, Env, Entrypoint…), empty when absent."""
        value = self.data.get("config")
        return value if isinstance(value, Mapping) else {}

    @property
    def looks_like_image(self) -> bool:
        """An image config names a platform, a root filesystem or a history."""
        return any(self.data.get(key) for key in ("os", "architecture", "rootfs", "history"))
