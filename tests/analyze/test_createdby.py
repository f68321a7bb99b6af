"""The created_by grammar, piece by piece."""

from __future__ import annotations

import pytest

from ocihist.analyze import createdby as cb

BK = "buildkit.dockerfile.v0"


@pytest.mark.parametrize(("created_by", "comment", "style"), [
    ("/bin/sh -c #(nop)  CMD [\"sh\"]", None, "classic"),
    ("/bin/sh -c apt-get update", None, "classic"),
    ("|1 A=b /bin/sh -c make", None, "classic"),
    ("RUN /bin/sh -c make # buildkit", BK, "buildkit"),
    ("ENV A=b", BK, "buildkit"),
    ("COPY . /app # buildkit", None, "buildkit"),
    ("mount / from exec sh -c true", "buildkit.exporter.image.v0", "llb"),
    ("mkdir /proc, mkfile /x", None, "llb"),
    ("/bin/sh -c make|inheritLabels=false", None, "buildah"),
    ("/bin/sh -c #(nop) ENV A=b", "FROM docker.io/library/alpine:latest", "buildah"),
    ("RUN apt-get update", None, "kaniko"),
    ("bazel build ...", None, "other"),
    ("jib-gradle-plugin:1.4.1-SNAPSHOT", "classes", "other"),
    ("", None, "other"),
    (None, None, "other"),
    (42, {"x": 1}, "other"),
])
def test_style_of(created_by: object, comment: object, style: str) -> None:
    assert cb.style_of(created_by, comment) == style


@pytest.mark.parametrize(("created_by", "comment", "shell", "expected"), [
    # classic #(nop) with one or two spaces
    ("/bin/sh -c #(nop) ADD file:ab in / ", None, cb.DEFAULT_SHELL,
     ("instruction", "ADD", "file:ab in / ")),
    ("/bin/sh -c #(nop)  CMD [\"sh\"]", None, cb.DEFAULT_SHELL,
     ("instruction", "CMD", "[\"sh\"]")),
    ("/bin/sh -c echo hi", None, cb.DEFAULT_SHELL, ("instruction", "RUN", "echo hi")),
    ("cmd /S /C #(nop)  WORKDIR C:\\app", None, cb.WINDOWS_SHELL,
     ("instruction", "WORKDIR", "C:\\app")),
    ("cmd /S /C dir", None, cb.WINDOWS_SHELL, ("instruction", "RUN", "dir")),
    ("/bin/bash -o pipefail -c curl x | sh", None, ("/bin/bash", "-o", "pipefail", "-c"),
     ("instruction", "RUN", "curl x | sh")),
    ("RUN /bin/sh -c make # buildkit", BK, cb.DEFAULT_SHELL, ("instruction", "RUN", "make")),
    ("WORKDIR /app # buildkit", BK, cb.DEFAULT_SHELL, ("instruction", "WORKDIR", "/app")),
    ("/bin/sh -c #(nop)  BOGUS x", None, cb.DEFAULT_SHELL, ("invalid", None, "")),
    ("FROB x", BK, cb.DEFAULT_SHELL, ("invalid", None, "")),
    ("bazel build ...", None, cb.DEFAULT_SHELL, ("foreign", None, "")),
    ("/bin/sh echo something > last", None, cb.DEFAULT_SHELL, ("foreign", None, "")),
    ("powershell -Command $ErrorActionPreference = 'Stop'; iwr x", None,
     ("powershell", "-Command", "$ErrorActionPreference = 'Stop';"),
     ("instruction", "RUN", "iwr x")),
])
def test_parse(created_by: str, comment: str | None, shell: tuple[str, ...],
               expected: tuple[str, str | None, str]) -> None:
    parsed = cb.parse(created_by, comment, shell)
    assert (parsed.kind, parsed.keyword, parsed.body) == expected


def test_build_args_values_with_spaces_anchor_on_the_shell() -> None:
    parsed = cb.parse("|2 A=hello world B=x /bin/sh -c echo $A")
    assert parsed.build_args == (("A", "hello world"), ("B", "x"))
    assert parsed.body == "echo $A"


def test_build_args_ambiguity_settled_by_sorted_order() -> None:
    # "B=1 C=2" inside A's value: only the split into sorted keys is what Docker writes.
    pairs, rest = cb.split_build_args("A=x B=1 Z=2 /bin/sh -c true", 2, cb.DEFAULT_SHELL)
    assert pairs == (("A", "x"), ("B", "1 Z=2"))  # the earliest cut whose keys are sorted
    assert rest == "/bin/sh -c true"
    pairs, _ = cb.split_build_args("Z=x B=1 A=2 /bin/sh -c true", 2, cb.DEFAULT_SHELL)
    assert pairs == (("Z", "x"), ("B", "1 A=2"))  # no sorted cut: the earliest of all


def test_build_args_with_two_dozen_keys_in_no_sorted_order_are_split_at_once() -> None:
    """C(23, 11) ways to cut, none sorted: the earliest cut, found without trying each."""
    keys = "ZYXWVUTSRQPONMLKJIHGFEDC"
    step = "|12 " + " ".join(f"K{c}=v" for c in keys) + " /bin/sh -c echo hi"
    parsed = cb.parse(step)
    assert [k for k, _ in parsed.build_args] == [f"K{c}" for c in keys[:12]]
    assert parsed.build_args[-1][1] == "v " + " ".join(f"K{c}=v" for c in keys[12:])
    assert parsed.body == "echo hi"


def test_build_args_exec_form_without_shell() -> None:
    parsed = cb.parse("|1 A=b echo hi")
    assert (parsed.keyword, parsed.body, parsed.exec_form) == ("RUN", "echo hi", True)


def test_build_args_count_mismatch_is_invalid() -> None:
    parsed = cb.parse("|3 A=1 B=2 /bin/sh -c true")
    assert parsed.kind == "invalid"
    assert "|3" in parsed.reason


def test_buildah_suffixes_are_split_off() -> None:
    parsed = cb.parse("/bin/sh -c #(nop) LABEL a=b|inheritLabels=false")
    assert (parsed.keyword, parsed.body) == ("LABEL", "a=b")
    assert parsed.suffixes == (("inheritLabels", "false"),)


def test_other_shell_is_noted() -> None:
    parsed = cb.parse("/bin/sh -c true", None, ("/bin/bash", "-c"))
    assert parsed.body == "true"
    assert "differs" in parsed.reason


@pytest.mark.parametrize(("text", "expected"), [
    ('["a" "b c"]', ["a", "b c"]),
    ('[]', []),
    ('["tab\\there" "q\\"x" "\\x00\\u00e9"]', ["tab\there", 'q"x', "\x00é"]),
    ('["unterminated]', None),
    ("[a b]", None),
    ("a b", None),
])
def test_go_quoted_list(text: str, expected: list[str] | None) -> None:
    assert cb.go_quoted_list(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("map[80/tcp:{} 443/tcp:{}]", ["80/tcp", "443/tcp"]),
    ("[80/tcp]", ["80/tcp"]),
    ("80 443", ["80", "443"]),
    ("map[80/tcp]", None),
])
def test_ports(text: str, expected: list[str] | None) -> None:
    assert cb.ports(text) == expected


def test_healthcheck_dump_quoted() -> None:
    health = cb.healthcheck_dump(
        '&{["CMD-SHELL" "curl -f http://localhost/ || exit 1"] "30s" "3s" "0s" \'\\x03\'}')
    assert health == cb.Health(("CMD-SHELL", "curl -f http://localhost/ || exit 1"),
                               (30_000_000_000, 3_000_000_000, 0), 3)


def test_healthcheck_dump_plain() -> None:
    health = cb.healthcheck_dump("&{[CMD-SHELL curl -f x || exit 1] 1m0s 5s 0s 0s 2}")
    assert health is not None
    assert health.test == ("CMD-SHELL", "curl -f x || exit 1")
    assert health.durations[:2] == (60_000_000_000, 5_000_000_000)
    assert health.retries == 2


@pytest.mark.parametrize("text", ["&{", "&{[] x}", "&{[\"CMD\"] \"bogus\" '\\x01'}", ""])
def test_healthcheck_dump_garbage(text: str) -> None:
    assert cb.healthcheck_dump(text) is None


@pytest.mark.parametrize(("ns", "text"), [
    (30_000_000_000, "30s"), (90_000_000_000, "1m30s"), (3_600_000_000_000, "1h"),
    (500_000_000, "500ms"), (1_500, "1500ns"), (2_000, "2us"), (0, "0ns"),
])
def test_format_duration(ns: int, text: str) -> None:
    assert cb.format_duration(ns) == text


@pytest.mark.parametrize(("text", "ns"), [
    ("1m30s", 90_000_000_000), ("0s", 0), ("0", 0), ("1.5s", 1_500_000_000),
    ("x", None), ("", None), ("5s3", None),
])
def test_go_duration(text: str, ns: int | None) -> None:
    assert cb.go_duration(text) == ns


def test_buildah_suffix_only_at_the_end() -> None:
    from ocihist.analyze.createdby import style_of

    assert style_of("/bin/sh -c echo a|fooBar=1 | grep x", None) == "classic"
    assert style_of("/bin/sh -c echo hi|imageID=abc", None) == "buildah"
