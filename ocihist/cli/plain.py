"""Plain invocations of the offline commands, run without loading typer.

Importing typer costs about a third of `ocihist show`'s start-up. The offline commands follow
one convention (a parameter without a default is an argument, one defaulting to False is a
`--flag`, one defaulting to None is a `--option VALUE`, spelled as typer spells it), so their
function signatures say exactly how typer would read a plain command line; a test holds typer
and this module to the same reading. Anything else (help, a short or unknown option, a
repeated one, `--`, a missing argument) is left to typer, which owns every message.
"""

from collections.abc import Callable, Sequence
from typing import NamedTuple

OFFLINE_COMMANDS = ("show", "ls", "provenance")
"""Commands named after the function in `ocihist.cli.<name>` that carries them."""


class Shape(NamedTuple):
    """A command's parameters as its command line spells them."""

    arguments: tuple[str, ...]  # parameter names of the positional arguments, in order
    flags: dict[str, str]  # "--no-trunc" -> "no_trunc"
    options: dict[str, str]  # "--platform" -> "platform" (takes one value)


def option_name(parameter: str) -> str:
    """typer's default spelling of a parameter as a long option."""
    return "--" + parameter.replace("_", "-")


def command_function(name: str) -> Callable[..., object]:
    import importlib

    function: Callable[..., object] = getattr(importlib.import_module(f"ocihist.cli.{name}"),
                                              name)
    return function


def shape_of(function: Callable[..., object]) -> Shape | None:
    """The shape of `function`'s command line, or None if a parameter breaks the convention."""
    import inspect

    arguments: list[str] = []
    flags: dict[str, str] = {}
    options: dict[str, str] = {}
    for parameter in inspect.signature(function).parameters.values():
        if parameter.default is inspect.Parameter.empty:
            arguments.append(parameter.name)
        elif parameter.default is False:
            flags[option_name(parameter.name)] = parameter.name
        elif parameter.default is None:
            options[option_name(parameter.name)] = parameter.name
        else:
            return None
    return Shape(tuple(arguments), flags, options)


def plain_call(argv: Sequence[str]) -> tuple[Callable[..., object], dict[str, object]] | None:
    """The command function and its keyword arguments for a plain command line, else None."""
    if not argv or argv[0] not in OFFLINE_COMMANDS:
        return None
    function = command_function(argv[0])
    shape = shape_of(function)
    if shape is None:
        return None
    values: dict[str, object] = {}
    positional: list[str] = []
    tokens = iter(argv[1:])
    for token in tokens:
        if token == "-" or not token.startswith("-"):
            positional.append(token)
            continue
        name, has_value, value = token.partition("=")
        if name in shape.flags and not has_value:
            parameter, given = shape.flags[name], True
        elif name in shape.options:
            parameter = shape.options[name]
            if not has_value:
                value = next(tokens, "-")
                if value.startswith("-"):  # missing, or an option where a value was due
                    return None
            given = value
        else:
            return None
        if parameter in values:
            return None
        values[parameter] = given
    if len(positional) != len(shape.arguments):
        return None
    values.update(zip(shape.arguments, positional, strict=True))
    return function, values
