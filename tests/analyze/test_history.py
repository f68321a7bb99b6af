"""History ↔ layer alignment across the images of one input."""

from __future__ import annotations

from ocihist.analyze.history import Peers
from ocihist.model.config import HistoryEntry
from ocihist.model.digest import Digest
from ocihist.model.image import Image, Layer

COUNT = 1_200  # deeper than Python's recursion limit
STEPS = tuple(HistoryEntry(created_by=f"RUN {i}") for i in range(COUNT))
LAYERS = tuple(Layer(i, Digest("sha256", f"{i:064x}"), None, None, 1, None)
               for i in range(COUNT + 1))


def _image(steps: int, layers: int) -> Image:
    return Image(ref=f"img:{steps}", names=(), where=f"#{steps}", manifest_digest=None,
                 manifest_media_type=None, config_digest=None, config_media_type=None,
                 platform=None, config=None, history=STEPS[:steps], layers=LAYERS[:layers])


def test_a_long_chain_of_images_each_extending_the_next_is_aligned_bottom_up() -> None:
    """Each image one step more than the last, the first with a layer that has no step: that
    layer stays where the base puts it in every image, instead of shifting every pair."""
    images = [_image(n, n + 1) for n in range(1, COUNT + 1)]
    peers = Peers(images)
    top = peers.alignment(images[-1])
    assert [layer.index for layer in top.unattributed] == [1]
    assert [s.layer.index for s in top.steps[:3] if s.layer] == [0, 2, 3]
    assert peers.extended(images[-1]) is images[-2]
    assert peers.extended(images[0]) is None


def test_an_image_whose_steps_claim_more_layers_than_it_has_is_no_peer() -> None:
    """P: steps A B C, layers 1 2. X: steps A B C D, layers 1 2 3 4, a match on its own."""
    peer, image = _image(3, 2), _image(4, 4)
    peers = Peers([peer, image])
    assert peers.extended(image) is None
    alignment = peers.alignment(image)
    assert [s.layer.index for s in alignment.steps if s.layer] == [0, 1, 2, 3]
    assert alignment.unattributed == () and alignment.findings == ()


def test_the_library_indexes_an_input_once_for_all_its_images(monkeypatch) -> None:
    import ocihist
    from ocihist.analyze import history
    from tests.conftest import FIXTURES

    made = []
    real = history.Peers.__init__

    def counted(self: Peers, images) -> None:  # type: ignore[no-untyped-def]
        made.append(len(images))
        real(self, images)

    monkeypatch.setattr(history.Peers, "__init__", counted)
    inventory = ocihist.open_input(str(FIXTURES / "umoci-layout"))
    v1, v2 = inventory.images
    assert ocihist.history(inventory, v2).unattributed[0].index == 4  # placed as in v1
    assert len(ocihist.history(inventory, v1).steps) == 9
    assert made == [2]
