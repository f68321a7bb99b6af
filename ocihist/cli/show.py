"""`ocihist show PATH`: the build history of every image in an input."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from ocihist import api


def show(
    path: Annotated[str, typer.Argument(help="Layout folder, archive (any compression), "
                                              "JSON document, or - for stdin.")],
    config: Annotated[str | None, typer.Option(help="The config blob that goes with a bare "
                                                    "manifest.")] = None,
    platform: Annotated[str | None, typer.Option(help="Only os/arch[/variant].")] = None,
    ref: Annotated[str | None, typer.Option(help="Only the image with this tag, name or "
                                                 "digest.")] = None,
    json: Annotated[bool, typer.Option("--json", help="Print the stable JSON schema.")] = False,
    no_trunc: Annotated[bool, typer.Option("--no-trunc", help="Do not shorten commands.")]
    = False,
    dockerfile: Annotated[bool, typer.Option(
        "--dockerfile", help="Print the Dockerfile: the one recorded in provenance when "
                             "present, else one reconstructed from history.")] = False,
    annotate: Annotated[bool, typer.Option(
        "--annotate", help="With --dockerfile: say which step and layer each line made.")]
    = False,
) -> None:
    """Show every build step, the layer it made, sizes and timestamps."""
    inventory = api.open_input(path, config=config)
    images = api.select_images(inventory, platform=platform, ref=ref)
    views = None
    if dockerfile:
        from ocihist.analyze.origin import dockerfile_for

        views = [dockerfile_for(inventory, image, annotate=annotate) for image in images]
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
