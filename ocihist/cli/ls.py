"""`ocihist ls PATH`: the images and artifacts in an input, one line each."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from ocihist import api


def ls(
    path: Annotated[str, typer.Argument(help="Layout folder, archive, JSON document or -.")],
    json: Annotated[bool, typer.Option("--json", help="Print the stable JSON schema.")] = False,
) -> None:
    """List the images and attached artifacts in an input."""
    inventory = api.open_input(path)
    if json:
        from ocihist.render.json import dumps, inventory_json

        sys.stdout.buffer.write(dumps(inventory_json(inventory)))
        return
    from ocihist.render.table import listing

    sys.stdout.write(listing(inventory))


def register(app: typer.Typer) -> None:
    app.command()(ls)
