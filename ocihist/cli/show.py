"""`ocihist show PATH`: the build history of every image in an input."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from ocihist.errors import UsageError

PathArgument = Annotated[str, typer.Argument(
    metavar="PATH", help="Layout folder, archive (plain, gzip, zstd, xz), JSON document, or - "
                         "for stdin.", show_default=False)]
PlatformOption = Annotated[str | None, typer.Option(
    metavar="OS/ARCH[/VARIANT]", help="Only images of this platform.")]
RefOption = Annotated[str | None, typer.Option(
    metavar="TAG|DIGEST", help="Only the image with this tag, name, or digest (or a prefix of "
                               "8+ hex digits).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the stable JSON schema.")]


def show(
    path: PathArgument,
    config: Annotated[str | None, typer.Option(
        metavar="FILE", help="The config blob that goes with a bare manifest.")] = None,
    platform: PlatformOption = None,
    ref: RefOption = None,
    json: JsonOption = False,
    no_trunc: Annotated[bool, typer.Option("--no-trunc", help="Do not shorten commands.")]
    = False,
    dockerfile: Annotated[bool, typer.Option(
        "--dockerfile", help="Print the Dockerfile instead: the one recorded in provenance "
                             "when present, else one reconstructed from history. With --json, "
                             "a `dockerfile` field is added to each image.")] = False,
    annotate: Annotated[bool, typer.Option(
        "--annotate", help="With --dockerfile: say which step and layer each line made.")]
    = False,
) -> None:
    """Every build step, its layer, size and time."""
    if annotate and not dockerfile:
        raise UsageError("--annotate goes with --dockerfile")
    from ocihist import api

    inventory = api.open_input(path, config=config)
    images = api.select_images(inventory, platform=platform, ref=ref)
    views = None
    if dockerfile:
        from ocihist.analyze.history import Peers
        from ocihist.analyze.origin import dockerfile_for

        peers = Peers(inventory.images)
        views = [dockerfile_for(inventory, image, annotate=annotate, peers=peers)
                 for image in images]
    if json:
        from ocihist.render.json import dumps, inventory_json

        sys.stdout.buffer.write(dumps(inventory_json(inventory, images, dockerfiles=views)))
        return
    if views is not None:
        from ocihist.render.table import dockerfile_text

        sys.stdout.write(dockerfile_text(images, views))
        return
    from ocihist.render.table import inventory_text

    sys.stdout.write(inventory_text(inventory, images, truncate=not no_trunc))


def register(app: typer.Typer) -> None:
    app.command()(show)
