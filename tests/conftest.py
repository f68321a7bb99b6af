"""Shared test set-up: the corpus location and a clean environment."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"


def corpus_dir() -> Path | None:
    """$OCIHIST_CORPUS, default ../shared/corpus beside the repo; None when absent."""
    path = Path(os.environ.get("OCIHIST_CORPUS", REPO.parent / "shared" / "corpus"))
    return path if (path / "EXPECTED.json").is_file() else None


@pytest.fixture(scope="session")
def corpus() -> Path:
    path = corpus_dir()
    if path is None:
        if os.environ.get("OCIHIST_REQUIRE_CORPUS") == "1":
            pytest.fail("OCIHIST_REQUIRE_CORPUS=1 but the corpus is absent "
                        "(set OCIHIST_CORPUS)")
        pytest.skip("corpus absent (set OCIHIST_CORPUS)")
    return path


@pytest.fixture(autouse=True)
def _clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test depends on the developer's registry credentials or proxies."""
    for name in list(os.environ):
        if name.startswith(("REGISTRY_", "DOCKER_")) or name.lower().endswith("_proxy") \
                or name in ("XDG_RUNTIME_DIR",):
            monkeypatch.delenv(name, raising=False)
