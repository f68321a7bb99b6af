"""`ocihist ls PATH`: the images and artifacts in an input, one line each."""

from __future__ import annotations

import sys

import typer

from ocihist.cli.show import JsonOption, PathArgument


def ls(
    path: PathArgument,
    json: JsonOption = False,
) -> None:
    """The images and attached artifacts, one per line."""
    from ocihist import api

    inventory = api.open_input(path)
    if json:
        from ocihist.render.json import dumps, inventory_json

        sys.stdout.buffer.write(dumps(inventory_json(inventory)))
        return
    from ocihist.render.table import listing

    sys.stdout.write(listing(inventory))


def register(app: typer.Typer) -> None:
    app.command()(ls)
