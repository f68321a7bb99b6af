"""The corpus images with history, read through the library, for analysis tests."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ocihist.api import open_input
from ocihist.model.image import Image

REPO_ROOT = Path(__file__).resolve().parents[2]


def corpus_dir() -> Path:
    """$OCIHIST_CORPUS, else `../shared/corpus` relative to the repository root."""
    value = os.environ.get("OCIHIST_CORPUS")
    return Path(value) if value else (REPO_ROOT / ".." / "shared" / "corpus").resolve()


def corpus_required() -> bool:
    return os.environ.get("OCIHIST_REQUIRE_CORPUS") == "1"


@cache
def expected() -> dict:
    return json.loads((corpus_dir() / "EXPECTED.json").read_text())


@dataclass(frozen=True)
class CorpusImage:
    key: str            # golden file stem
    case: str
    image: Image


def corpus_images() -> list[CorpusImage]:
    """One image per distinct (case, config, manifest) with a history, as `Image` models."""
    out: list[CorpusImage] = []
    seen: set[tuple[str, str | None, str | None]] = set()
    for case, spec in sorted(expected().items()):
        if "images" not in spec:
            continue
        config = str(corpus_dir() / spec["config_path"]) if "config_path" in spec else None
        inventory = open_input(str(corpus_dir() / spec["path"]), config=config)
        for image, entry in zip(inventory.entries, spec["images"], strict=True):
            if entry.get("error") or entry.get("missing") or not entry.get("history"):
                continue
            dedupe = (case.split("/")[0], entry.get("config_digest"), entry.get("manifest_digest"))
            if dedupe in seen:
                continue
            seen.add(dedupe)
            assert isinstance(image, Image)
            short = (entry.get("config_digest") or entry.get("manifest_digest") or "none")
            key = f"{case.replace('/', '--')}--{short.split(':')[-1][:12]}"
            if any(item.key == key for item in out):
                key += "-m" + (entry.get("manifest_digest") or "x").split(":")[-1][:12]
            out.append(CorpusImage(key, case, image))
    return out
