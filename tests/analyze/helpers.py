"""Build small in-memory images from hand-written histories."""

from __future__ import annotations

import hashlib
import io
from typing import Any

import orjson
from dockerfile_parse import DockerfileParser

from ocihist.model.config import HistoryEntry
from ocihist.model.digest import Digest
from ocihist.model.image import Image, Layer
from ocihist.model.parse import parse_config

BK = "buildkit.dockerfile.v0"


def layer_digest(n: int) -> str:
    return "sha256:" + hashlib.sha256(f"layer{n}".encode()).hexdigest()


def make_image(history: list[Any], config: dict | None = None, *, os: str = "linux",
               annotations: dict | None = None, names: tuple[str, ...] = ()) -> Image:
    """`history` items: a created_by string, (created_by, comment), or a dict of fields."""
    entries = []
    for item in history:
        if isinstance(item, str):
            item = {"created_by": item}
        elif isinstance(item, tuple):
            item = {"created_by": item[0], "comment": item[1]}
        entries.append(item)
    nonempty = sum(1 for e in entries if not e.get("empty_layer"))
    data = {"os": os, "architecture": "amd64", "config": config or {}, "history": entries,
            "rootfs": {"type": "layers",
                       "diff_ids": [layer_digest(i) for i in range(nonempty)]}}
    parsed = parse_config(orjson.dumps(data), where="test")
    layers = tuple(Layer(i, Digest.parse(layer_digest(i)), layer_digest(i), None, None, None)
                   for i in range(nonempty))
    return Image(ref=None, names=names, where="test", manifest_digest=None,
                 manifest_media_type=None, config_digest=None, config_media_type=None,
                 platform=None, config=parsed, history=parsed.history, layers=layers,
                 annotations=annotations or {})


def entries(*items: Any) -> list[HistoryEntry]:
    return [HistoryEntry(created_by=i) if isinstance(i, str) else i for i in items]


def parser_instructions(text: str) -> list[tuple[int, str]]:
    """(start line, INSTRUCTION) for every non-comment instruction dockerfile_parse sees."""
    parser = DockerfileParser(fileobj=io.BytesIO(text.encode()))
    return [(item["startline"], item["instruction"]) for item in parser.structure
            if item["instruction"] != "COMMENT"]
