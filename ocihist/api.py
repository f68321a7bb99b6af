"""The library verbs the CLI is a thin layer over. They return results; they never print."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from ocihist.errors import InputError, UsageError
from ocihist.model.descriptor import Platform
from ocihist.model.image import Image
from ocihist.sources.base import Inventory

if TYPE_CHECKING:
    from ocihist.analyze.history import Alignment, Peers


def open_input(path: str, *, config: str | None = None) -> Inventory:
    """Every image and artifact in a folder, archive, JSON document or `-` (stdin)."""
    from ocihist.sources.detect import open_input as _open

    return _open(path, config=config)


def history(inventory: Inventory, image: Image) -> Alignment:
    """The image's build steps, each with the layer it made (`steps`), the layers no step
    claims (`unattributed`) and the warnings about the pairing (`findings`), as `show`
    reports them: an image that extends another in the same input is paired like it. The
    input's images are indexed once, on the first call for that inventory."""
    from ocihist.analyze.history import Peers

    peers = _PEERS.get(inventory)
    if peers is None:
        peers = _PEERS[inventory] = Peers(inventory.images)
    return peers.alignment(image)


_PEERS: WeakKeyDictionary[Inventory, Peers] = WeakKeyDictionary()


def parse_platform(text: str) -> Platform:
    try:
        return Platform.parse(text)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _matches_ref(image: Image, wanted: str) -> bool:
    names = [n for n in (image.ref, *image.names) if n]
    if wanted in names:
        return True
    digests = [d for d in (image.manifest_digest, image.config_digest) if d is not None]
    hexpart = wanted.split(":", 1)[-1]
    if wanted in (str(d) for d in digests):
        return True
    if len(hexpart) >= 8 and any(d.hex.startswith(hexpart) and str(d).startswith(
            wanted if ":" in wanted else d.algorithm) for d in digests):
        return True
    return any(_same_name(wanted, name) for name in names)


def _same_name(wanted: str, name: str) -> bool:
    """`wanted` names `name` as docker reads names (`ocihist/app:v1` is
    `docker.io/ocihist/app:v1`), or is its tag alone (`v1`)."""
    from ocihist.model.reference import parse_reference

    slash, colon = name.rfind("/"), name.rfind(":")
    if "@" not in name and colon > slash and name[colon + 1:] == wanted:
        return True
    try:
        return parse_reference(wanted) == parse_reference(name)
    except UsageError:  # not a docker reference (an OCI layout's free-form ref name)
        return False


def select_images(inventory: Inventory, *, platform: str | None = None,
                  ref: str | None = None) -> list[Image]:
    """The images `show` reports: all of them, or those matching --platform and --ref."""
    images = inventory.images
    if not images:
        reasons = sorted({a.reason.removeprefix("not an image: ") for a in inventory.artifacts})
        detail = f"; it holds only: {'; '.join(reasons)}" if reasons else ""
        raise InputError(f"no container image in this input{detail}", where=inventory.origin)
    chosen: Sequence[Image] = images
    if platform is not None:
        wanted = parse_platform(platform)
        chosen = [i for i in chosen if i.platform is not None and i.platform.matches(wanted)]
    if ref is not None:
        chosen = [i for i in chosen if _matches_ref(i, ref)]
    if not chosen:
        available = sorted({f"{i.ref or '-'} {i.platform or '?'}" for i in images})
        short = ref is not None and len(ref) < 8 and all(c in "0123456789abcdef" for c in ref)
        raise UsageError(f"no image matches the selection; available: {', '.join(available)}",
                         where=inventory.origin,
                         hint="a digest prefix needs 8 or more hex digits" if short else None)
    return list(chosen)
