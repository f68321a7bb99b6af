"""Images buildah built from known Dockerfiles (fixtures/): reconstruct, then compare
instruction by instruction with the Dockerfile that made them.

What history cannot hold is allowed to differ, and only that: COPY/ADD sources (not recorded
by the classic builder), an ARG's default (buildah keeps only the name), and the stages before
the last one (not in the image).
"""

from __future__ import annotations

import io
import json
import shlex

import pytest
from dockerfile_parse import DockerfileParser

from ocihist import api
from ocihist.analyze.origin import dockerfile_for
from tests.conftest import FIXTURES

BUILDS = {"classic": "buildah-classic.oci-archive.tar",
          "multistage": "buildah-multistage.docker-archive.tar",
          "squashed": "buildah-squashed.oci-archive.tar"}


def _instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, value) of the last stage, as a real Dockerfile parser reads them."""
    parser = DockerfileParser(fileobj=io.BytesIO(text.encode()))
    items = [(i["instruction"], i["value"]) for i in parser.structure
             if i["instruction"] != "COMMENT"]
    last_from = max(k for k, (name, _) in enumerate(items) if name == "FROM")
    return items[last_from + 1:]


def _normal(name: str, value: str) -> object:
    """A comparable form of one instruction's value."""
    if name in ("COPY", "ADD"):
        return shlex.split(value)[-1]  # the destination; the source is never recorded
    if name == "ARG":
        return value.split("=", 1)[0]
    if name in ("ENV", "LABEL"):
        return sorted(tuple(w.split("=", 1)) for w in shlex.split(value))
    if value.startswith("["):
        return json.loads(value)
    return " ".join(value.split())


@pytest.mark.parametrize("name", sorted(BUILDS))
def test_reconstruction_matches_the_source_dockerfile(name: str) -> None:
    source = (FIXTURES / "dockerfiles" / name / "Dockerfile").read_text()
    inventory = api.open_input(str(FIXTURES / BUILDS[name]))
    (image,) = inventory.images
    view = dockerfile_for(inventory, image)
    assert view.source == "history"
    want = [(n, _normal(n, v)) for n, v in _instructions(source)]
    got = [(n, _normal(n, v)) for n, v in _instructions(view.text)]
    assert got == want
