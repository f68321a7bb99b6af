"""Golden reconstructions for every corpus image with history (reviewed by hand).

Regenerate with OCIHIST_UPDATE_GOLDEN=1, then read every changed file before keeping it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ocihist.analyze.dockerfile import reconstruct, render_dockerfile

from .corpus import CorpusImage, corpus_dir, corpus_images, corpus_required
from .test_dockerfile_reconstruct import assert_round_trip

GOLDEN = Path(__file__).parent / "golden"

if not (corpus_dir() / "EXPECTED.json").is_file():
    if corpus_required():
        raise RuntimeError(f"corpus not found at {corpus_dir()}")
    pytest.skip(f"corpus not found at {corpus_dir()}", allow_module_level=True)

IMAGES = corpus_images()


@pytest.mark.parametrize("item", IMAGES, ids=[i.key for i in IMAGES])
def test_golden(item: CorpusImage) -> None:
    text = render_dockerfile(reconstruct(item.image), annotate=True)
    path = GOLDEN / f"{item.key}.Dockerfile"
    if os.environ.get("OCIHIST_UPDATE_GOLDEN") == "1":
        path.write_text(text)
    assert text.splitlines() == path.read_text().splitlines()


@pytest.mark.parametrize("item", IMAGES, ids=[i.key for i in IMAGES])
def test_corpus_round_trip_and_traces(item: CorpusImage) -> None:
    rec = reconstruct(item.image)
    assert_round_trip(render_dockerfile(rec), [line.text for line in rec.instructions])
    digests = {str(layer.digest) if layer.digest else layer.diff_id
               for layer in item.image.layers}
    for line in rec.lines:
        assert line.layer_digest is None or line.layer_digest in digests
        if line.step_index is not None:
            assert 0 <= line.step_index < len(item.image.history or ())


def test_every_golden_is_used() -> None:
    used = {f"{i.key}.Dockerfile" for i in IMAGES}
    assert {p.name for p in GOLDEN.glob("*.Dockerfile")} == used


def test_corpus_covers_expected_images() -> None:
    # Every case with history is covered, the v1-only tarball (no config blob) included.
    cases = {i.case for i in IMAGES}
    assert len(IMAGES) >= 50
    assert {"ggcr-repositories-only", "cimage-schema1/schema1", "provenance-v02-max-multistage",
            "buildkit-llb-zstd-manifest", "jib-docker-save"} <= cases
