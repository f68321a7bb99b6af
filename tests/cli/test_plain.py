"""The typer-free reading of plain command lines agrees with typer's reading of them."""

from __future__ import annotations

import inspect
import random
from functools import cache

import pytest
import typer

from ocihist.cli.app import typer_app
from ocihist.cli.plain import OFFLINE_COMMANDS, command_function, option_name, plain_call, shape_of


@cache
def _typer_command(name: str):  # type: ignore[no-untyped-def]
    group = typer.main.get_command(typer_app())
    return group.commands[name]  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", OFFLINE_COMMANDS)
def test_shape_is_what_typer_builds(name: str) -> None:
    shape = shape_of(command_function(name))
    assert shape is not None
    arguments, flags, options = [], {}, {}
    for param in _typer_command(name).params:
        if param.param_type_name == "argument":
            assert param.nargs == 1 and param.required
            arguments.append(param.name)
            continue
        if param.name == "help":
            continue
        assert param.secondary_opts == [] and not param.multiple and param.nargs == 1
        assert param.opts == [option_name(param.name)]
        (flags if param.is_flag else options)[param.opts[0]] = param.name
    assert shape == (tuple(arguments), flags, options)


def _typer_reading(argv: list[str]) -> dict[str, object]:
    context = _typer_command(argv[0]).make_context(argv[0], list(argv[1:]))
    return dict(context.params)


_VALUES = ["img.tar", "-", "", " spaced ", "a=b", "linux/arm64/v8", "sha256:abcd1234", "é"]


def _random_command_line(rng: random.Random, name: str) -> list[str]:
    shape = shape_of(command_function(name))
    assert shape is not None
    words = [rng.choice(_VALUES) for _ in shape.arguments]
    for flag in rng.sample(sorted(shape.flags), rng.randint(0, len(shape.flags))):
        words.append(flag)
    for option in rng.sample(sorted(shape.options), rng.randint(0, len(shape.options))):
        value = rng.choice(_VALUES)
        words.extend([f"{option}={value}"] if rng.random() < 0.5 else [option, value])
    rng.shuffle(words)  # arguments and options interleave in any order
    if rng.random() < 0.2:  # sometimes something only typer should answer
        words.insert(rng.randint(0, len(words)), rng.choice(
            ["--help", "-h", "--", "--bogus", "--json=yes", "--json", "x", "--platform"]))
    return [name, *words]


def test_plain_reading_equals_typer_reading() -> None:
    rng = random.Random(20261203)
    accepted = 0
    for _ in range(3000):
        argv = _random_command_line(rng, rng.choice(OFFLINE_COMMANDS))
        plain = plain_call(argv)
        if plain is None:
            continue
        accepted += 1
        function, values = plain
        assert function is command_function(argv[0])
        defaults = {name: p.default for name, p in inspect.signature(function).parameters.items()
                    if p.default is not inspect.Parameter.empty}
        assert {**defaults, **values} == _typer_reading(argv), argv
    assert accepted > 1500  # the plain path is the common one, not a corner


@pytest.mark.parametrize("argv", [
    [], ["--help"], ["--version"], ["pull", "r"], ["show"], ["show", "--help"], ["show", "-h"],
    ["show", "a", "b"], ["show", "--json", "--json", "a"], ["show", "--bogus", "a"],
    ["show", "--", "a"], ["show", "a", "--platform"], ["show", "a", "--platform", "--json"],
    ["show", "a", "--ref", "-"], ["show", "--json=1", "a"], ["ls", "a", "--platform", "x"],
    ["show", "-x", "a"], ["show", "--ref", "a", "--ref", "b", "c"], ["bogus", "a"]])
def test_left_to_typer(argv: list[str]) -> None:
    assert plain_call(argv) is None

