"""`docker save` from before Docker 1.10: `repositories` plus `<id>/json` parent chains."""

from __future__ import annotations

from typing import Any, NamedTuple

from ocihist.errors import MalformedDocument
from ocihist.model.config import HistoryEntry
from ocihist.model.descriptor import Platform
from ocihist.model.findings import Finding
from ocihist.model.image import Image, Layer
from ocihist.model.parse import JSON_LIMIT, json_object, v1_created_by
from ocihist.sources.base import REPOSITORIES_FILE, Budget, PrebuiltSource, Root
from ocihist.sources.compressed import compression_of
from ocihist.sources.tree import FileTree

MAX_CHAIN = 1000


class LegacySource(PrebuiltSource):
    """Each `repo:tag` in `repositories`, its history rebuilt from the parent chain."""

    kind = "docker-archive-v1"

    def __init__(self, tree: FileTree, origin: str) -> None:
        self.tree = tree
        self.origin = origin
        where = f"{tree.label}: {REPOSITORIES_FILE}"
        repositories = json_object(tree.read(REPOSITORIES_FILE, limit=JSON_LIMIT), where=where,
                                   what=REPOSITORIES_FILE)
        self._roots: list[Root] = []
        self._seen_layers: dict[str, _V1Layer] = {}
        budget = Budget(where)
        for repo, tags in repositories.items():
            if not isinstance(tags, dict):
                raise MalformedDocument(f"tags of {repo!r} are not an object", where=where)
            for tag, top_id in tags.items():
                name = f"{repo}:{tag}"
                if not isinstance(top_id, str) or not top_id:
                    raise MalformedDocument(f"{name} names no image id", where=where)
                budget.add(1, 0)
                image = self._image(name, str(top_id))
                budget.add_entry(image, counted=True)
                self._roots.append(Root(where=f"repositories {name}", names=(name,), ref=name,
                                        entry=image))
        if not self._roots:
            raise MalformedDocument("repositories lists no image", where=where)
        self._findings = [
            Finding("orphan-config", f"top-level {n} is not referenced (no manifest.json)",
                    n, "info")
            for n in tree.names() if "/" not in n and n.endswith(".json")]

    def _v1(self, layer_id: str, where: str) -> _V1Layer:
        """The facts of one `<id>/json`, parsed once however many tags share it; only the
        facts are kept, never the document."""
        known = self._seen_layers.get(layer_id)
        if known is None:
            data = json_object(self.tree.read(f"{layer_id}/json", limit=JSON_LIMIT),
                               where=f"{where} {layer_id[:12]}/json")
            parent = data.get("parent")
            known = _V1Layer(
                parent if isinstance(parent, str) and parent else None,
                HistoryEntry(created=_str(data, "created"), created_by=v1_created_by(data),
                             comment=_str(data, "comment"), author=_str(data, "author")),
                Platform(_str(data, "os"), _str(data, "architecture")))
            self._seen_layers[layer_id] = known
        return known

    def _chain(self, top_id: str, where: str) -> list[tuple[str, _V1Layer]]:
        """(id, facts) from the top image down to the base."""
        chain: list[tuple[str, _V1Layer]] = []
        seen: set[str] = set()
        current: str | None = top_id
        while current:
            if current in seen or len(chain) >= MAX_CHAIN:
                raise MalformedDocument(f"the parent chain loops at {current[:12]}", where=where)
            seen.add(current)
            layer = self._v1(current, where)
            chain.append((current, layer))
            current = layer.parent
        return chain

    def _image(self, name: str, top_id: str) -> Image:
        where = f"repositories {name}"
        chain = list(reversed(self._chain(top_id, where)))
        layers = []
        for index, (layer_id, _facts) in enumerate(chain):
            member = f"{layer_id}/layer.tar"
            size = self.tree.size(member)
            plain = size is not None and compression_of(self.tree.magic(member)) is None
            layers.append(Layer(index, None, None, None, size, size if plain else None,
                                where=member))
        top = chain[-1][1]
        return Image(ref=name, names=(name,), where=where, manifest_digest=None,
                     manifest_media_type=None, config_digest=None, config_media_type=None,
                     platform=top.platform, config=None,
                     history=tuple(facts.entry for _id, facts in chain), layers=tuple(layers),
                     created=top.entry.created)


class _V1Layer(NamedTuple):
    parent: str | None
    entry: HistoryEntry
    platform: Platform


def _str(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) else None
